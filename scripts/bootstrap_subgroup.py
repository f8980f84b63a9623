"""Rule bootstrap_subgroup: one analysis on one group of respondents."""

from surveyflow import entry
from surveyflow.analyses import design, estimate_with
from surveyflow.config import load_questions
from surveyflow.io import read_json, write_csv, write_npz
from surveyflow.schemas import estimates_schema, read_clean_responses
from surveyflow.subgroups import members


def main(smk) -> None:
    settings = smk.params.bootstrap
    questions = load_questions(smk.input.questions, smk.params.questions_schema)
    clean = read_clean_responses(smk.input.responses, questions, smk.params.ratios)
    group = members(clean, read_json(smk.input.plan), smk.wildcards.group)
    data = design(smk.params.analysis, smk.params.spec, group, questions)
    table, replicates = estimate_with(
        smk.params.analysis, smk.params.spec, data, settings, group=smk.wildcards.group
    )
    write_csv(estimates_schema.validate(table), smk.output.estimates)
    write_npz(replicates, smk.output.replicates)


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
