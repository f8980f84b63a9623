"""Rule draft_config: an export (and its codebook, if any) -> results/draft/config.yaml."""

import logging
from pathlib import Path

from surveyflow import entry
from surveyflow.draft import draft_questions, export_variables
from surveyflow.draft_yaml import draft_config, render
from surveyflow.efs import read_codebook, read_configured_export
from surveyflow.labels import status_code


def main(smk) -> None:
    log = logging.getLogger("draft_config")
    settings = smk.params.export
    export = read_configured_export(smk.input.data, settings)
    codebook_path = smk.input.get("codebook")
    codebook = read_codebook(codebook_path) if codebook_path else None
    draft = draft_questions(export, codebook, smk.params.missing_codes)
    variables, _ = export_variables(export, codebook, smk.params.missing_codes)
    detected = {"shape": export.shape}
    if export.encoding != "xlsx":  # a workbook has cells, not text: nothing to decode
        detected |= {"encoding": export.encoding, "separator": export.separator}
    else:
        detected["sheet"] = settings.get("sheet", 0)
    statuses = export.frame.get("dispcode", [])
    codes = {int(c) for c in (status_code(s) for s in set(statuses)) if c is not None}
    title = (getattr(codebook, "title", None) if codebook else None) or Path(smk.input.data).stem
    config = draft_config(
        draft,
        data=str(smk.input.data),
        codebook=str(codebook_path) if codebook_path else None,
        detected=detected,
        title=title,
        defaults=smk.params.defaults,
        dispcodes=codes,
        known_dispcodes=smk.params.known,
        answers={v.name: v.answers for v in variables},
    )
    Path(smk.output.config).write_text(render(config, draft), encoding="utf-8")
    kinds = {}
    for question in draft.questions:
        kinds[question.spec["type"]] = kinds.get(question.spec["type"], 0) + 1
    log.info(
        "drafted %d questions (%s), %d personal variables left out; run it with: "
        "snakemake --cores all --configfile %s",
        len(draft.questions),
        ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())),
        len(draft.personal),
        smk.output.config,
    )


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
