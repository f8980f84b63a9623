rule clean:
    """Free text to numbers, codes to labels, ratios of valid pairs; every change logged.

    The clean table is validated (pandera) before it is written, so no invalid table reaches
    the analyses; results/validation/clean_report.json records the pass.
    """
    input:
        responses="results/ingest/responses.csv",
        scrub_log="results/ingest/scrub_log.csv",
        levels="results/ingest/levels.json",
        validated="results/validation/ingest_report.json",
        questions=QUESTIONS_FILE,
        code=job_code("clean"),
    output:
        responses="results/clean/responses.csv",
        log="results/clean/cleaning_log.csv",
        summary=report(
            "results/clean/cleaning_summary.csv",
            caption="../report/cleaning.rst",
            category="Cleaning",
        ),
        labels="results/clean/levels.json",
        report="results/validation/clean_report.json",
    log:
        "results/logs/clean.log",
    benchmark:
        "results/benchmarks/clean.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(400, 15),
        runtime=runtime_min(5, 0.05),
    params:
        missing_codes=config["missing_codes"],
        ratios=config["cleaning"].get("ratios", []),
        # defaults as in config/config.yaml, for a config that replaces the cleaning block
        spreadsheet_dates=config["cleaning"].get("spreadsheet_dates", "missing"),
        max_count=config["cleaning"].get("max_count", 10000),
        redact=config["cleaning"].get("redact", ["email", "phone", "ip"]),
        failures="results/validation/clean_failures.csv",
        questions_schema=QUESTIONS_SCHEMA,
    run:
        run_job(rule, input, output, params, wildcards, log)
