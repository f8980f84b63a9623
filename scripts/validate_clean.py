"""Rule validate_clean: pandera check of results/clean/responses.csv as read back from disk."""

import logging

from surveyflow import entry
from surveyflow.config import load_questions, variables
from surveyflow.io import read_json, write_json
from surveyflow.schemas import clean_schema, read_clean_responses
from surveyflow.validation import validate_or_raise


def main(smk) -> None:
    questions = load_questions(smk.input.questions, smk.params.questions_schema)
    ratios = smk.params.ratios
    frame = read_clean_responses(smk.input.responses, questions, [r["name"] for r in ratios])
    schema = clean_schema(questions, read_json(smk.input.labels), ratios)
    validate_or_raise(
        frame,
        schema,
        stage="clean",
        source=smk.params.source,
        failures_path=smk.params.failures,
        variables=variables(questions),
    )
    write_json(
        {
            "stage": "clean",
            "rows": len(frame),
            "valid": True,
            "schema": schema.name,
            "columns": len(frame.columns),
        },
        smk.output.report,
    )
    logging.getLogger("validate").info("clean responses valid: %d rows", len(frame))


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
