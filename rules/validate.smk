rule validate_ingested:
    """Pandera schema of the ingested responses; all failures to results/validation/."""
    input:
        responses="results/ingest/responses.csv",
        levels="results/ingest/levels.json",
        questions=QUESTIONS_FILE,
        code=job_code("validate_ingested"),
    output:
        report="results/validation/ingest_report.json",
    log:
        "results/logs/validate_ingested.log",
    benchmark:
        "results/benchmarks/validate_ingested.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(300, 12),
        runtime=runtime_min(5, 0.05),
    params:
        source=config["export"]["data"],
        missing_codes=config["missing_codes"],
        failures="results/validation/ingest_failures.csv",
        questions_schema=QUESTIONS_SCHEMA,
    run:
        run_job(rule, input, output, params, wildcards, log)
