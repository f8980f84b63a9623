"""Rule ingest: raw export -> results/ingest/{responses.csv, levels.json, codebook.json,
manifest.json}."""

import logging

from surveyflow import entry
from surveyflow.codebook_json import codebook_to_json
from surveyflow.config import load_questions
from surveyflow.efs import read_codebook, read_configured_export
from surveyflow.ingest import build_responses, resolve_levels
from surveyflow.io import sha256_file, write_csv, write_json
from surveyflow.pii import scrub_responses


def main(smk) -> None:
    log = logging.getLogger("ingest")
    settings = smk.params.export
    questions = load_questions(smk.input.questions, smk.input.questions_schema)
    export = read_configured_export(smk.input.data, settings)
    log.info(
        "read %s: %d rows, shape %s, encoding %s, separator %r",
        export.path,
        len(export.frame),
        export.shape,
        export.encoding,
        export.separator,
    )
    codebook_path = smk.input.get("codebook")
    codebook = read_codebook(codebook_path) if codebook_path else None
    if codebook is not None:
        for line, text in codebook.warnings:
            log.warning("codebook %s, line %d: %s", codebook.path, line, text)
        log.info(
            "read codebook %s: %d variables on %d pages, %d lines skipped",
            codebook.path,
            len(codebook.variables),
            len(codebook.pages),
            codebook.skipped,
        )
    # Always written, so the rule's output exists without a codebook too.
    write_json({"codebook": codebook_to_json(codebook) if codebook else None}, smk.output.codebook)
    levels = resolve_levels(questions, codebook, smk.params.missing_codes)
    result = build_responses(
        export,
        codebook,
        questions,
        completed=smk.params.completed,
        known=smk.params.known,
        status_labels=settings.get("status_labels"),
    )
    # Personal data goes no further than the raw export: this copy, which users share too,
    # has it redacted (and control characters stripped), each change a row of the scrub log,
    # which the clean job takes into the cleaning log.
    responses, scrubbed = scrub_responses(result.responses, questions, redact=smk.params.redact)
    write_csv(responses, smk.output.responses)
    write_csv(scrubbed, smk.output.scrub_log)
    for rule, count in scrubbed["rule"].value_counts().sort_index().items():
        log.info("%s: %d value(s)", rule, count)
    write_json(
        {col: [[code, label] for code, label in lv] for col, lv in levels.items()},
        smk.output.levels,
    )
    inputs = {"data": smk.input.data, "questions": smk.input.questions}
    if codebook_path:
        inputs["codebook"] = codebook_path
    write_json(
        {
            "synthetic": bool(smk.params.synthetic),
            "inputs": {
                role: {"path": str(path), "sha256": sha256_file(path)}
                for role, path in inputs.items()
            },
            "detected": {
                "shape": export.shape,
                "encoding": export.encoding,
                "separator": export.separator,
                "line_ending": export.line_ending,
                "quoted": export.quoted,
                "codebook_encoding": codebook.encoding if codebook else None,
            },
            "rows_read": result.rows_read,
            "rows_kept": result.rows_kept,
            "rows_dropped": sum(result.dropped_by_dispcode.values()),
            "rows_dropped_by_dispcode": {
                str(k): v for k, v in sorted(result.dropped_by_dispcode.items())
            },
            "completed_dispcodes": list(smk.params.completed),
            "codebook_lines": dict(codebook.line_counts) if codebook else None,
            "codebook_skipped": codebook.skipped if codebook else None,
        },
        smk.output.manifest,
    )
    log.info("kept %d of %d rows (completed interviews)", result.rows_kept, result.rows_read)


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
