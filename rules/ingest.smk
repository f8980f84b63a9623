rule ingest:
    """Read the raw export of any supported tool (export.tool), keep completed interviews."""
    input:
        unpack(export_files),
        questions=QUESTIONS_FILE,
        questions_schema=QUESTIONS_SCHEMA,
        code=job_code("ingest"),
    output:
        responses="results/ingest/responses.csv",
        # what was redacted or stripped from the text (masked): rows of the cleaning log
        scrub_log="results/ingest/scrub_log.csv",
        levels="results/ingest/levels.json",
        codebook="results/ingest/codebook.json",
        manifest=report(
            "results/ingest/manifest.json",
            caption="../report/manifest.rst",
            category="Provenance",
        ),
    log:
        "results/logs/ingest.log",
    benchmark:
        "results/benchmarks/ingest.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(300, 12),
        runtime=runtime_min(5, 0.05),
    params:
        export=reader_settings(),
        missing_codes=config["missing_codes"],
        synthetic=config["synthetic"],
        redact=config["cleaning"].get("redact", ["email", "phone", "ip"]),
    run:
        run_job(rule, input, output, params, wildcards, log)


rule questions_map:
    """The questions map given inline in config, as a file the jobs read (rule ingest's input)."""
    input:
        code=job_code("questions_map"),
    output:
        questions=INLINE_QUESTIONS,
    log:
        "results/logs/questions_map.log",
    benchmark:
        "results/benchmarks/questions_map.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(200, 0),
        runtime=runtime_min(2, 0),
    params:
        questions=config["questions"],
    run:
        run_job(rule, input, output, params, wildcards, log)
