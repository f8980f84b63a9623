"""Rule validate_ingested: pandera check of results/ingest/responses.csv."""

import logging

import pandas as pd

from surveyflow.checking.schemas import ingested_schema
from surveyflow.checking.validation import validate_or_raise
from surveyflow.config import load_questions, variables
from surveyflow.io import read_json, write_json


def main(job) -> None:
    questions = load_questions(job.input.questions, job.params.questions_schema)
    levels = {col: [tuple(pair) for pair in lv] for col, lv in read_json(job.input.levels).items()}
    frame = pd.read_csv(job.input.responses, dtype=str, keep_default_na=False)
    schema = ingested_schema(questions, levels, missing_codes=job.params.missing_codes)
    validate_or_raise(
        frame,
        schema,
        stage="ingested",
        source=job.params.source,
        failures_path=job.params.failures,
        variables=variables(questions),
    )
    write_json(
        {
            "stage": "ingested",
            "rows": len(frame),
            "valid": True,
            "schema": schema.name,
            "columns": len(frame.columns),
        },
        job.output.report,
    )
    logging.getLogger("validate").info("ingested responses valid: %d rows", len(frame))
