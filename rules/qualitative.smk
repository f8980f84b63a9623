QUALITATIVE = list(config.get("qualitative", {}))


rule coding:
    """Code frequencies of one phase, with the agreement of the two coders where both coded."""
    input:
        sheet=config.get("coding") or [],
        code=job_code("coding"),
    output:
        codes=report(
            "results/{qual}/codes.csv",
            caption="../report/codes.rst",
            category="Qualitative analyses",
            labels={"analysis": "{qual}", "table": "code frequencies"},
        ),
        summary="results/{qual}/summary.csv",
        agreement=report(
            "results/{qual}/agreement.csv",
            caption="../report/agreement.rst",
            category="Qualitative analyses",
            labels={"analysis": "{qual}", "table": "inter-coder agreement"},
        ),
        disagreements="results/{qual}/disagreements.csv",
    log:
        "results/logs/coding_{qual}.log",
    benchmark:
        "results/benchmarks/coding_{qual}.tsv"
    wildcard_constraints:
        qual="|".join(QUALITATIVE) or "^$",
    threads: 1
    resources:
        mem_mb=mem_mb(300, 2),
        runtime=runtime_min(5, 0),
    params:
        spec=qualitative_spec,
        phases=sorted(
            {spec["phase"] for spec in config.get("qualitative", {}).values()}
        ),
    run:
        run_job(rule, input, output, params, wildcards, log)


for _qual in QUALITATIVE:

    rule:
        name:
            _qual
        default_target: False
        input:
            analysis_targets(_qual),
