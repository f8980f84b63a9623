ANALYSES = list(config["analyses"])


rule bootstrap:
    """One bootstrap job per analysis: estimates (long format) and the replicates for audit."""
    input:
        responses="results/clean/responses.csv",
        validated="results/validation/clean_report.json",
        questions=QUESTIONS_FILE,
        code=job_code("bootstrap"),
    output:
        estimates=report(
            "results/{analysis}/estimates.csv",
            caption="../report/estimates.rst",
            category="Estimates",
            labels={"analysis": "{analysis}"},
        ),
        replicates="results/{analysis}/replicates.npz",
    log:
        "results/logs/bootstrap_{analysis}.log",
    benchmark:
        "results/benchmarks/bootstrap_{analysis}.tsv"
    wildcard_constraints:
        analysis="|".join(ANALYSES),
    threads: 1
    resources:
        mem_mb=mem_mb(400, 4),
        runtime=runtime_min(5, 0.05),
    params:
        spec=analysis_spec,
        bootstrap=analysis_bootstrap_settings,
        ratios=[ratio["name"] for ratio in config["cleaning"].get("ratios", [])],
        questions_schema=QUESTIONS_SCHEMA,
    run:
        run_job(rule, input, output, params, wildcards, log)


for _analysis in ANALYSES:

    rule:
        name:
            _analysis
        default_target: False
        input:
            analysis_targets(_analysis),


rule reproduce:
    """Check this run against every number the paper publishes, and the table's consistency."""
    input:
        reference=config.get("paper_reference") or [],
        estimates=list(reproduced_estimates()),
        manifest="results/ingest/manifest.json",
        code=job_code("reproduce"),
    output:
        check=report(
            "results/reproduction/check.csv",
            caption="../report/check.rst",
            category="Reproduction check",
        ),
        consistency="results/reproduction/consistency.csv",
        summary="results/reproduction/summary.md",
        html=report(
            "results/reproduction/summary.html",
            caption="../report/reproduction.rst",
            category="Reproduction check",
        ),
    log:
        "results/logs/reproduce.log",
    benchmark:
        "results/benchmarks/reproduce.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(300, 0),
        runtime=runtime_min(5, 0),
    params:
        synthetic=config["synthetic"],
        reference_schema=PAPER_REFERENCE_SCHEMA,
    run:
        run_job(rule, input, output, params, wildcards, log)
