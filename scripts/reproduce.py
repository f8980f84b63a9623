"""Rule reproduce: this run against the paper's published table, and that table's consistency."""

import logging
from pathlib import Path

import pandas as pd

from surveyflow.checking.schemas import read_estimates
from surveyflow.checking.tables import STATUS_PASS, check_schema, consistency_schema
from surveyflow.estimating.consistency import consistency_report
from surveyflow.estimating.paper_reference import load_reference
from surveyflow.estimating.reproduction import check_table
from surveyflow.estimating.reproduction_summary import summary_markdown
from surveyflow.io import write_csv
from surveyflow.rendering.report import markdown_to_html


def main(job) -> None:
    reference = load_reference(job.input.reference, job.params.reference_schema)
    estimates = {Path(path).parent.name: read_estimates(path) for path in job.input.estimates}
    checks = [
        check_table(name, table, estimates[name], reference["resamples"])
        for name, table in reference["tables"].items()
        if name in estimates
    ]
    check = check_schema.validate(pd.concat(checks, ignore_index=True))
    consistency = consistency_schema.validate(consistency_report(reference))
    write_csv(check, job.output.check)
    write_csv(consistency, job.output.consistency)
    summary = summary_markdown(check, consistency, synthetic=job.params.synthetic)
    Path(job.output.summary).write_text(summary, encoding="utf-8")
    page = markdown_to_html(summary, title="Reproduction check against the paper")
    Path(job.output.html).write_text(page, encoding="utf-8")
    failed = check[check["status"] != STATUS_PASS]
    logging.getLogger("reproduce").info(
        "%d cells checked, %d not reproduced", len(check), len(failed)
    )
