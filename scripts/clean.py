"""Rule clean: ingested text -> typed clean responses, with the audit log."""

import logging

import pandas as pd

from surveyflow import entry
from surveyflow.cleaning import clean_responses, summarize_log
from surveyflow.config import load_questions, variables
from surveyflow.io import read_json, write_csv, write_json
from surveyflow.schemas import clean_schema
from surveyflow.validation import validate_or_raise


def main(smk) -> None:
    questions = load_questions(smk.input.questions, smk.params.questions_schema)
    levels = {col: [tuple(pair) for pair in lv] for col, lv in read_json(smk.input.levels).items()}
    responses = pd.read_csv(smk.input.responses, dtype=str, keep_default_na=False)
    # Ingest took control characters and personal data out; its log rows join this log.
    scrubbed = pd.read_csv(smk.input.scrub_log, dtype=str, keep_default_na=False)
    result = clean_responses(
        responses,
        questions,
        levels,
        missing_codes=smk.params.missing_codes,
        ratios=smk.params.ratios,
        spreadsheet_dates=smk.params.spreadsheet_dates,
        max_count=smk.params.max_count,
        redact=smk.params.redact,
        logged=scrubbed,
    )
    # Writers validate before writing: a bad clean table never reaches the analyses.
    schema = clean_schema(questions, result.labels, smk.params.ratios)
    validate_or_raise(
        result.responses,
        schema,
        stage="clean",
        source=smk.input.responses,
        failures_path=smk.params.failures,
        variables=variables(questions),
    )
    write_csv(result.responses, smk.output.responses)
    write_csv(result.log, smk.output.log)
    write_csv(summarize_log(result.log), smk.output.summary)
    write_json(result.labels, smk.output.labels)
    write_json(
        {
            "stage": "clean",
            "rows": len(result.responses),
            "valid": True,
            "schema": schema.name,
            "columns": len(result.responses.columns),
        },
        smk.output.report,
    )
    logging.getLogger("clean").info(
        "clean responses: %d rows; %d logged changes", len(result.responses), len(result.log)
    )


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
