"""Rule coding: the coding sheet -> one phase's code frequencies, summary and agreement."""

import logging

from surveyflow.checking.tables import (
    agreement_schema,
    codes_schema,
    coding_summary_schema,
    disagreements_schema,
)
from surveyflow.estimating.code_counts import code_frequencies, phase_summary
from surveyflow.estimating.coding_agreement import agreement
from surveyflow.estimating.coding_sheet import read_coding_sheet
from surveyflow.io import write_csv


def main(job) -> None:
    phase = job.params.spec["phase"]
    sheet = read_coding_sheet(job.input.sheet, phases=job.params.phases)
    sheet = sheet[sheet["phase"] == phase]
    write_csv(codes_schema.validate(code_frequencies(sheet)), job.output.codes)
    write_csv(coding_summary_schema.validate(phase_summary(sheet)), job.output.summary)
    kappas, disagreements = agreement(sheet)
    write_csv(agreement_schema.validate(kappas), job.output.agreement)
    write_csv(disagreements_schema.validate(disagreements), job.output.disagreements)
    logging.getLogger("coding").info(
        "%s: %d coded rows, %d disagreements", phase, len(sheet), len(disagreements)
    )
