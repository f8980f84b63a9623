ANALYSES = list(config["analyses"])


rule bootstrap:
    """One bootstrap job per analysis: estimates (long format) and the replicates for audit."""
    input:
        responses="results/clean/responses.csv",
        validated="results/validation/clean_report.json",
        questions=config["questions"],
        library=lib("analyses", "bootstrap", "schemas"),
    output:
        estimates="results/{analysis}/estimates.csv",
        replicates="results/{analysis}/replicates.npz",
    params:
        spec=lambda wildcards: config["analyses"][wildcards.analysis],
        bootstrap=lambda wildcards: analysis_bootstrap(wildcards.analysis),
        ratios=[ratio["name"] for ratio in config["cleaning"].get("ratios", [])],
        questions_schema=QUESTIONS_SCHEMA,
    wildcard_constraints:
        analysis="|".join(ANALYSES),
    log:
        "results/logs/bootstrap_{analysis}.log",
    benchmark:
        "results/benchmarks/bootstrap_{analysis}.tsv"
    conda:
        "../environment.yml"
    script:
        "../scripts/bootstrap.py"


for _analysis in ANALYSES:

    rule:
        name:
            _analysis
        input:
            analysis_targets(_analysis),
        default_target: False


rule reproduce:
    """Check this run against every number the paper publishes, and the table's consistency."""
    input:
        reference=config["paper_reference"],
        estimates=reproduced_estimates(),
        manifest="results/ingest/manifest.json",
        library=lib("reproduction", "schemas"),
    output:
        check="results/reproduction/check.csv",
        consistency="results/reproduction/consistency.csv",
        summary="results/reproduction/summary.md",
    params:
        synthetic=config["synthetic"],
    log:
        "results/logs/reproduce.log",
    benchmark:
        "results/benchmarks/reproduce.tsv"
    conda:
        "../environment.yml"
    script:
        "../scripts/reproduce.py"
