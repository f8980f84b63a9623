QUALITATIVE = list(config.get("qualitative", {}))


rule coding:
    """Code frequencies of one phase, with the agreement of the two coders where both coded."""
    input:
        sheet=config.get("coding") or [],
        library=lib("coding"),
    output:
        codes="results/{qual}/codes.csv",
        summary="results/{qual}/summary.csv",
        agreement="results/{qual}/agreement.csv",
        disagreements="results/{qual}/disagreements.csv",
    log:
        "results/logs/coding_{qual}.log",
    benchmark:
        "results/benchmarks/coding_{qual}.tsv"
    wildcard_constraints:
        qual="|".join(QUALITATIVE) or "^$",
    conda:
        "../environment.yml"
    params:
        spec=lambda wildcards: config["qualitative"][wildcards.qual],
        phases=sorted(
            {spec["phase"] for spec in config.get("qualitative", {}).values()}
        ),
    script:
        "../scripts/coding.py"


for _qual in QUALITATIVE:

    rule:
        name:
            _qual
        default_target: False
        input:
            analysis_targets(_qual),
