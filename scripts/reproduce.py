"""Rule reproduce: this run against the paper's published table, and that table's consistency."""

import logging
from pathlib import Path

import pandas as pd

from surveyflow import entry
from surveyflow.io import write_csv
from surveyflow.report import markdown_to_html
from surveyflow.reproduction import (
    check_table,
    consistency_report,
    load_reference,
    summary_markdown,
)
from surveyflow.schemas import read_estimates


def main(smk) -> None:
    reference = load_reference(smk.input.reference, smk.params.reference_schema)
    estimates = {Path(path).parent.name: read_estimates(path) for path in smk.input.estimates}
    checks = [
        check_table(name, table, estimates[name], reference["resamples"])
        for name, table in reference["tables"].items()
        if name in estimates
    ]
    check = pd.concat(checks, ignore_index=True)
    consistency = consistency_report(reference)
    write_csv(check, smk.output.check)
    write_csv(consistency, smk.output.consistency)
    summary = summary_markdown(check, consistency, synthetic=smk.params.synthetic)
    Path(smk.output.summary).write_text(summary, encoding="utf-8")
    page = markdown_to_html(summary, title="Reproduction check against the paper")
    Path(smk.output.html).write_text(page, encoding="utf-8")
    failed = check[check["status"] != "pass"]
    logging.getLogger("reproduce").info(
        "%d cells checked, %d not reproduced", len(check), len(failed)
    )


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
