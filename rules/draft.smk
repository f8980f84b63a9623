rule draft_config:
    """A complete, commented config for the export in config (`export.data`, `export.codebook`;
any supported tool):
snakemake --cores 1 draft_config --config 'export={data: PATH, codebook: null}'"""
    input:
        unpack(export_files),
        code=job_code("draft_config"),
    output:
        config="results/draft/config.yaml",
    log:
        "results/logs/draft_config.log",
    benchmark:
        "results/benchmarks/draft_config.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(300, 12),
        runtime=runtime_min(5, 0.05),
    params:
        export=reader_settings(),
        missing_codes=config["missing_codes"],
        known=config["known_dispcodes"],
        defaults=default_sections(),
    run:
        run_job(rule, input, output, params, wildcards, log)
