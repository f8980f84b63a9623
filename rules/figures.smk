rule figure_estimates:
    """Bars of an analysis' estimates with the configured interval (RQ1.1, RQ1.2, RQ3.x, RQ5,
    and fig_<name> for an analysis of the study's own)."""
    input:
        estimates=figure_estimates_file,
        code=job_code("figure_estimates"),
    output:
        pdf="results/figures/{fig}.pdf",
        png=report(
            "results/figures/{fig}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{fig}"},
        ),
        caption="results/figures/{fig}.rst",
    log:
        "results/logs/figure_{fig}.log",
    benchmark:
        "results/benchmarks/figure_{fig}.tsv"
    wildcard_constraints:
        fig=figures_of(["estimates"]),
    threads: 1
    resources:
        mem_mb=mem_mb(400, 0),
        runtime=runtime_min(5, 0),
    params:
        spec=figure_analysis_spec,
        interval=config["figures"]["interval"],
        synthetic=config["synthetic"],
        number=figure_number,
        paper=figure_reproduces_paper,
        mean_unit=figure_mean_unit,
    run:
        run_job(rule, input, output, params, wildcards, log)


rule figure_fishbone:
    """Fishbone diagram of a phase's coded problems (RQ2, RQ4)."""
    input:
        codes=figure_codes_file,
        summary=figure_summary_file,
        code=job_code("figure_fishbone"),
    output:
        pdf="results/figures/{fig}.pdf",
        png=report(
            "results/figures/{fig}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{fig}"},
        ),
        caption="results/figures/{fig}.rst",
    log:
        "results/logs/figure_{fig}.log",
    benchmark:
        "results/benchmarks/figure_{fig}.tsv"
    wildcard_constraints:
        fig=figures_of(["fishbone"]),
    threads: 1
    resources:
        mem_mb=mem_mb(400, 0),
        runtime=runtime_min(5, 0),
    params:
        spec=figure_qualitative_spec,
        synthetic=config["synthetic"],
        number=figure_number,
        paper=figure_reproduces_paper,
    run:
        run_job(rule, input, output, params, wildcards, log)


rule figure_panel:
    """Figures drawn from the clean responses: demographics (Fig. 1), Likert scales (Fig. 2, 3)."""
    input:
        responses="results/clean/responses.csv",
        labels="results/clean/levels.json",
        questions=QUESTIONS_FILE,
        code=job_code("figure_panel"),
    output:
        pdf="results/figures/{fig}.pdf",
        png=report(
            "results/figures/{fig}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{fig}"},
        ),
        caption="results/figures/{fig}.rst",
    log:
        "results/logs/figure_{fig}.log",
    benchmark:
        "results/benchmarks/figure_{fig}.tsv"
    wildcard_constraints:
        fig=figures_of(["demographics", "likert"]),
    threads: 1
    resources:
        mem_mb=mem_mb(400, 4),
        runtime=runtime_min(5, 0.02),
    params:
        spec=figure_spec,
        synthetic=config["synthetic"],
        ratios=[ratio["name"] for ratio in config["cleaning"].get("ratios", [])],
        questions_schema=QUESTIONS_SCHEMA,
        number=figure_number,
        paper=figure_reproduces_paper,
    run:
        run_job(rule, input, output, params, wildcards, log)


for _fig in FIGURES:

    rule:
        name:
            _fig
        default_target: False
        input:
            figure_files(_fig),
