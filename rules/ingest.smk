rule ingest:
    """Read the raw export (either shape, any encoding/separator), keep completed interviews."""
    input:
        unpack(lambda wildcards: export_inputs()),
        questions=config["questions"],
        questions_schema=QUESTIONS_SCHEMA,
        library=lib("efs", "ingest"),
    output:
        responses="results/ingest/responses.csv",
        levels="results/ingest/levels.json",
        manifest=report(
            "results/ingest/manifest.json",
            caption="../report/manifest.rst",
            category="Provenance",
        ),
    log:
        "results/logs/ingest.log",
    benchmark:
        "results/benchmarks/ingest.tsv"
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(300, 12),
        runtime=runtime_min(5, 0.05),
    params:
        export=config["export"],
        completed=config["completed_dispcodes"],
        known=config["known_dispcodes"],
        missing_codes=config["missing_codes"],
        synthetic=config["synthetic"],
    script:
        "../scripts/ingest.py"
