"""Rule draft_config: an export -> a complete, commented config in results/draft/config.yaml.

The export may be of any supported tool, with its codebook if it has one."""

import logging
from pathlib import Path

from surveyflow import reading as readers
from surveyflow.drafting.draft import draft_questions, guess_completion
from surveyflow.drafting.draft_kinds import export_variables
from surveyflow.drafting.draft_yaml import draft_config, render
from surveyflow.errors import InputError
from surveyflow.reading.labels import status_code


def _detected(export, settings) -> dict:
    """What the draft's export block says about the file: the tool, and for EFS how the
    text was read (so a rerun reads it the same way)."""
    detected = {"tool": export.tool}
    if export.tool != "efs":
        return detected
    detected["shape"] = export.shape
    if export.encoding != "xlsx":  # a workbook has cells, not text: nothing to decode
        detected |= {"encoding": export.encoding, "separator": export.separator}
    else:
        detected["sheet"] = settings.get("sheet", 0)
    return detected


def _completion(export, settings) -> dict | None:
    """`export.completed` for the draft when the tool's own rule finds no status column."""
    try:
        readers.completion(export, settings)
    except InputError:
        return guess_completion(export)
    return None


def main(job) -> None:
    log = logging.getLogger("draft_config")
    settings = job.params.export
    export = readers.read(job.input.data, settings)
    codebook_path = job.input.get("codebook")
    draft = draft_questions(export, job.params.missing_codes)
    variables, _ = export_variables(export, job.params.missing_codes)
    statuses = export.frame.get("dispcode", []) if export.tool == "efs" else []
    codes = {int(c) for c in (status_code(s) for s in set(statuses)) if c is not None}
    codebook = export.codebook
    guess = _completion(export, settings)
    completed = {"completed": guess} if guess else {}
    if guess:
        log.info("completed interviews: %s in %s (from its value labels)", *guess.values())
    title = (getattr(codebook, "title", None) if codebook else None) or Path(job.input.data).stem
    config = draft_config(
        draft,
        data=str(job.input.data),
        codebook=str(codebook_path) if codebook_path else None,
        detected=_detected(export, settings) | completed,
        title=title,
        defaults=job.params.defaults,
        dispcodes=codes,
        known_dispcodes=job.params.known,
        answers={v.name: v.answers for v in variables},
    )
    Path(job.output.config).write_text(render(config, draft), encoding="utf-8")
    kinds = {}
    for question in draft.questions:
        kinds[question.spec["type"]] = kinds.get(question.spec["type"], 0) + 1
    log.info(
        "drafted %d questions (%s) from a %s export, %d personal variables left out; run it "
        "with: snakemake --cores all --configfile %s",
        len(draft.questions),
        ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())),
        export.tool,
        len(draft.personal),
        job.output.config,
    )
