"""Rule ingest: raw export of any supported tool -> the canonical responses in results/ingest/.

Writes results/ingest/{responses.csv, levels.json, codebook.json, manifest.json, scrub_log.csv}."""

import logging

import pandas as pd

from surveyflow import reading as readers
from surveyflow.config import load_questions
from surveyflow.io import sha256_file, write_csv, write_json
from surveyflow.pii import scrub_responses
from surveyflow.reading.codebook_json import codebook_to_json
from surveyflow.reading.ingest import build_responses, resolve_levels


def main(job) -> None:
    log = logging.getLogger("ingest")
    settings = job.params.export
    questions = load_questions(job.input.questions, job.input.questions_schema)
    export = readers.read(job.input.data, settings)
    log.info(
        "read %s as a %s export: %d rows, shape %s, %s",
        export.path,
        export.tool,
        len(export.frame),
        export.shape,
        ", ".join(f"{k} {v!r}" for k, v in export.detected.items() if not isinstance(v, dict)),
    )
    codebook = export.codebook
    if codebook is not None:
        for line, text in codebook.warnings:
            log.warning("codebook %s, line %d: %s", codebook.path, line, text)
        log.info(
            "variables described: %d (from %s), %d codebook lines skipped",
            len(codebook.variables),
            codebook.path,
            codebook.skipped,
        )
    # Always written, so the rule's output exists without a codebook too.
    write_json({"codebook": codebook_to_json(codebook) if codebook else None}, job.output.codebook)
    levels = resolve_levels(questions, codebook, job.params.missing_codes, export.declared_missing)
    result = build_responses(
        export, questions, settings, missing_codes=job.params.missing_codes, levels=levels
    )
    # Personal data goes no further than the raw export: this copy, which users share too,
    # has it redacted (and control characters stripped), each change a row of the scrub log,
    # which the clean job takes into the cleaning log; so do the declared-missing codes.
    responses, scrubbed = scrub_responses(result.responses, questions, redact=job.params.redact)
    scrubbed = pd.concat([result.declared_missing, scrubbed], ignore_index=True)
    write_csv(responses, job.output.responses)
    write_csv(scrubbed, job.output.scrub_log)
    for rule, count in scrubbed["rule"].value_counts().sort_index().items():
        log.info("%s: %d value(s)", rule, count)
    write_json(
        {col: [[code, label] for code, label in lv] for col, lv in levels.items()},
        job.output.levels,
    )
    inputs = {"data": job.input.data, "questions": job.input.questions}
    # Only an EFS export reads a separate codebook; another tool's file describes itself (a
    # codebook merged in from the default config is not an input of its reading).
    if job.input.get("codebook") and export.tool == "efs":
        inputs["codebook"] = job.input.codebook
    write_json(
        {
            "synthetic": bool(job.params.synthetic),
            "inputs": {
                role: {"path": str(path), "sha256": sha256_file(path)}
                for role, path in inputs.items()
            },
            "tool": export.tool,
            "detected": export.detected,
            "rows_read": result.rows_read,
            "rows_kept": result.rows_kept,
            "rows_dropped": sum(result.dropped_by_status.values()),
            "rows_dropped_by_status": result.dropped_by_status,
            "completion_rule": result.completion_rule,
            # Tool columns with personal data: read, never carried further.
            "personal_columns_dropped": sorted(export.personal),
            "codebook_lines": dict(codebook.line_counts) if codebook else None,
            "codebook_skipped": codebook.skipped if codebook else None,
        },
        job.output.manifest,
    )
    log.info(
        "kept %d of %d rows (completed interviews: %s)",
        result.rows_kept,
        result.rows_read,
        result.completion_rule,
    )
