"""Rule validate_ingested: pandera check of results/ingest/responses.csv."""

import logging

import pandas as pd

from surveyflow import entry
from surveyflow.config import load_questions, variables
from surveyflow.io import read_json, write_json
from surveyflow.schemas import ingested_schema
from surveyflow.validation import validate_or_raise


def main(smk) -> None:
    questions = load_questions(smk.input.questions, smk.params.questions_schema)
    levels = {col: [tuple(pair) for pair in lv] for col, lv in read_json(smk.input.levels).items()}
    frame = pd.read_csv(smk.input.responses, dtype=str, keep_default_na=False)
    schema = ingested_schema(questions, levels, missing_codes=smk.params.missing_codes)
    validate_or_raise(
        frame,
        schema,
        stage="ingested",
        source=smk.params.source,
        failures_path=smk.params.failures,
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
        smk.output.report,
    )
    logging.getLogger("validate").info("ingested responses valid: %d rows", len(frame))


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
