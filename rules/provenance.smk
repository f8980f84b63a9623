rule provenance:
    """The effective configuration of this run (all config files and overrides merged)."""
    input:
        library=lib(),
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
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(200, 0),
        runtime=runtime_min(2, 0),
    params:
        config=results_config(),
    script:
        "../scripts/provenance.py"
