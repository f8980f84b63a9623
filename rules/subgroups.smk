SUBGROUPS = config.get("subgroups", {})


checkpoint subgroup_plan:
    """Which groups a subgroup analysis has: known only from the data (small ones pooled)."""
    input:
        responses="results/clean/responses.csv",
        labels="results/clean/levels.json",
        questions=QUESTIONS_FILE,
        code=job_code("subgroup_plan"),
    output:
        plan="results/subgroups/{sub}/groups.json",
    log:
        "results/logs/subgroup_plan_{sub}.log",
    benchmark:
        "results/benchmarks/subgroup_plan_{sub}.tsv"
    wildcard_constraints:
        sub="|".join(SUBGROUPS) or "(?!x)x",
    threads: 1
    resources:
        mem_mb=mem_mb(300, 4),
        runtime=runtime_min(5, 0.02),
    params:
        spec=subgroup_spec,
        analysis_spec=subgroup_analysis_spec,
        ratios=[ratio["name"] for ratio in config["cleaning"].get("ratios", [])],
        questions_schema=QUESTIONS_SCHEMA,
    run:
        run_job(rule, input, output, params, wildcards, log)


rule bootstrap_subgroup:
    """One bootstrap job per (analysis, group), with the group's own stable seed."""
    input:
        responses="results/clean/responses.csv",
        plan="results/subgroups/{sub}/groups.json",
        questions=QUESTIONS_FILE,
        code=job_code("bootstrap_subgroup"),
    output:
        estimates="results/subgroups/{sub}/{group}/estimates.csv",
        replicates="results/subgroups/{sub}/{group}/replicates.npz",
    log:
        "results/logs/bootstrap_{sub}_{group}.log",
    benchmark:
        "results/benchmarks/bootstrap_{sub}_{group}.tsv"
    wildcard_constraints:
        sub="|".join(SUBGROUPS) or "(?!x)x",
        group="[a-z0-9_]+",
    threads: 1
    resources:
        mem_mb=mem_mb(400, 4),
        runtime=runtime_min(5, 0.05),
    params:
        analysis=subgroup_analysis,
        spec=subgroup_analysis_spec,
        bootstrap=subgroup_bootstrap,
        ratios=[ratio["name"] for ratio in config["cleaning"].get("ratios", [])],
        questions_schema=QUESTIONS_SCHEMA,
    run:
        run_job(rule, input, output, params, wildcards, log)


rule subgroup_summary:
    """All groups of a subgroup analysis in one table, and a small-multiples figure."""
    input:
        estimates=subgroup_estimates,
        plan="results/subgroups/{sub}/groups.json",
        code=job_code("subgroup_summary"),
    output:
        summary=report(
            "results/subgroups/{sub}/summary.csv",
            caption="../report/subgroups.rst",
            category="Subgroups",
            labels={"analysis": "{sub}", "file": "table"},
        ),
        pdf="results/figures/{sub}.pdf",
        png=report(
            "results/figures/{sub}.png",
            caption="../report/subgroups.rst",
            category="Subgroups",
            labels={"analysis": "{sub}", "file": "figure"},
        ),
    log:
        "results/logs/subgroup_summary_{sub}.log",
    benchmark:
        "results/benchmarks/subgroup_summary_{sub}.tsv"
    wildcard_constraints:
        sub="|".join(SUBGROUPS) or "(?!x)x",
    threads: 1
    resources:
        mem_mb=mem_mb(400, 0),
        runtime=runtime_min(5, 0),
    params:
        spec=subgroup_spec,
        analysis_spec=subgroup_analysis_spec,
        interval=config["figures"]["interval"],
    run:
        run_job(rule, input, output, params, wildcards, log)


for _sub in SUBGROUPS:

    rule:
        name:
            _sub
        default_target: False
        input:
            f"results/subgroups/{_sub}/summary.csv",
            f"results/figures/{_sub}.png",
