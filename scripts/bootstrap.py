"""Rule bootstrap: one analysis -> results/<analysis>/{estimates.csv, replicates.npz}."""

import logging

from surveyflow.checking.schemas import estimates_schema, read_clean_responses
from surveyflow.config import load_questions
from surveyflow.estimating.analyses import design, estimate_with
from surveyflow.io import write_csv, write_npz


def main(job) -> None:
    name = job.wildcards.analysis
    spec, settings = job.params.spec, job.params.bootstrap
    questions = load_questions(job.input.questions, job.params.questions_schema)
    clean = read_clean_responses(job.input.responses, questions, job.params.ratios)
    data = design(name, spec, clean, questions)
    table, replicates = estimate_with(name, spec, data, settings)
    write_csv(estimates_schema.validate(table), job.output.estimates)
    write_npz(replicates, job.output.replicates)
    logging.getLogger("bootstrap").info(
        "%s: n = %d, S = %d, seed %d",
        name,
        len(data.values),
        settings["resamples"],
        int(table["seed"].iloc[0]),
    )
