"""Rule clean: ingested text -> typed clean responses, with the audit log."""

import logging

import pandas as pd

from surveyflow.checking.cleaning import clean_responses, summarize_log
from surveyflow.checking.schemas import clean_schema
from surveyflow.checking.validation import validate_or_raise
from surveyflow.config import load_questions, variables
from surveyflow.io import read_json, write_csv, write_json


def main(job) -> None:
    questions = load_questions(job.input.questions, job.params.questions_schema)
    levels = {col: [tuple(pair) for pair in lv] for col, lv in read_json(job.input.levels).items()}
    responses = pd.read_csv(job.input.responses, dtype=str, keep_default_na=False)
    # Ingest took control characters and personal data out; its log rows join this log.
    scrubbed = pd.read_csv(job.input.scrub_log, dtype=str, keep_default_na=False)
    result = clean_responses(
        responses,
        questions,
        levels,
        missing_codes=job.params.missing_codes,
        ratios=job.params.ratios,
        spreadsheet_dates=job.params.spreadsheet_dates,
        max_count=job.params.max_count,
        redact=job.params.redact,
        logged=scrubbed,
    )
    # Writers validate before writing: a bad clean table never reaches the analyses.
    schema = clean_schema(questions, result.labels, job.params.ratios)
    validate_or_raise(
        result.responses,
        schema,
        stage="clean",
        source=job.input.responses,
        failures_path=job.params.failures,
        variables=variables(questions),
    )
    write_csv(result.responses, job.output.responses)
    write_csv(result.log, job.output.log)
    write_csv(summarize_log(result.log), job.output.summary)
    write_json(result.labels, job.output.labels)
    write_json(
        {
            "stage": "clean",
            "rows": len(result.responses),
            "valid": True,
            "schema": schema.name,
            "columns": len(result.responses.columns),
        },
        job.output.report,
    )
    logging.getLogger("clean").info(
        "clean responses: %d rows; %d logged changes", len(result.responses), len(result.log)
    )
