rule validate_ingested:
    """Pandera schema of the ingested responses; all failures to results/validation/."""
    input:
        responses="results/ingest/responses.csv",
        levels="results/ingest/levels.json",
        questions=config["questions"],
        library=lib("schemas", "validation"),
    output:
        report="results/validation/ingest_report.json",
    log:
        "results/logs/validate_ingested.log",
    benchmark:
        "results/benchmarks/validate_ingested.tsv"
    conda:
        "../environment.yml"
    params:
        source=config["export"]["data"],
        completed=config["completed_dispcodes"],
        missing_codes=config["missing_codes"],
        failures="results/validation/ingest_failures.csv",
        questions_schema=QUESTIONS_SCHEMA,
    script:
        "../scripts/validate_ingested.py"


rule validate_clean:
    """Pandera schema of the clean responses: ranges, labels, D8 <= D7 where the ratio is used."""
    input:
        responses="results/clean/responses.csv",
        labels="results/clean/levels.json",
        questions=config["questions"],
        library=lib("schemas", "validation"),
    output:
        report="results/validation/clean_report.json",
    log:
        "results/logs/validate_clean.log",
    benchmark:
        "results/benchmarks/validate_clean.tsv"
    conda:
        "../environment.yml"
    params:
        source=lambda wildcards, input: input.responses,
        ratios=config["cleaning"].get("ratios", []),
        failures="results/validation/clean_failures.csv",
        questions_schema=QUESTIONS_SCHEMA,
    script:
        "../scripts/validate_clean.py"
