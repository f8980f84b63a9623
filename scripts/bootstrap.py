"""Rule bootstrap: one analysis -> results/<analysis>/{estimates.csv, replicates.npz}."""

import logging

from surveyflow import entry
from surveyflow.analyses import design, estimate_with
from surveyflow.config import load_questions
from surveyflow.io import write_csv, write_npz
from surveyflow.schemas import estimates_schema, read_clean_responses


def main(smk) -> None:
    name = smk.wildcards.analysis
    spec, settings = smk.params.spec, smk.params.bootstrap
    questions = load_questions(smk.input.questions, smk.params.questions_schema)
    clean = read_clean_responses(smk.input.responses, questions, smk.params.ratios)
    data = design(name, spec, clean, questions)
    table, replicates = estimate_with(name, spec, data, settings)
    write_csv(estimates_schema.validate(table), smk.output.estimates)
    write_npz(replicates, smk.output.replicates)
    logging.getLogger("bootstrap").info(
        "%s: n = %d, S = %d, seed %d",
        name,
        len(data.values),
        settings["resamples"],
        int(table["seed"].iloc[0]),
    )


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
