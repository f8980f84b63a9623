rule provenance:
    """The effective configuration of this run (all config files and overrides merged)."""
    input:
        code=job_code("provenance"),
    output:
        config=report(
            "results/provenance/config.yaml",
            caption="../report/config.rst",
            category="Provenance",
        ),
    log:
        "results/logs/provenance.log",
    benchmark:
        "results/benchmarks/provenance.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(200, 0),
        runtime=runtime_min(2, 0),
    params:
        config=results_config(),
    run:
        run_job(rule, input, output, params, wildcards, log)
