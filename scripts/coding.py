"""Rule coding: the coding sheet -> one phase's code frequencies, summary and agreement."""

import logging

from surveyflow.estimating.coding import (
    agreement,
    code_frequencies,
    phase_summary,
    read_coding_sheet,
)
from surveyflow.io import write_csv


def main(job) -> None:
    phase = job.params.spec["phase"]
    sheet = read_coding_sheet(job.input.sheet, phases=job.params.phases)
    sheet = sheet[sheet["phase"] == phase]
    write_csv(code_frequencies(sheet), job.output.codes)
    write_csv(phase_summary(sheet), job.output.summary)
    kappas, disagreements = agreement(sheet)
    write_csv(kappas, job.output.agreement)
    write_csv(disagreements, job.output.disagreements)
    logging.getLogger("coding").info(
        "%s: %d coded rows, %d disagreements", phase, len(sheet), len(disagreements)
    )
