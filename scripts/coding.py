"""Rule coding: the coding sheet -> one phase's code frequencies, summary and agreement."""

import logging

from surveyflow import entry
from surveyflow.coding import agreement, code_frequencies, phase_summary, read_coding_sheet
from surveyflow.io import write_csv


def main(smk) -> None:
    phase = smk.params.spec["phase"]
    sheet = read_coding_sheet(smk.input.sheet, phases=smk.params.phases)
    sheet = sheet[sheet["phase"] == phase]
    write_csv(code_frequencies(sheet), smk.output.codes)
    write_csv(phase_summary(sheet), smk.output.summary)
    kappas, disagreements = agreement(sheet)
    write_csv(kappas, smk.output.agreement)
    write_csv(disagreements, smk.output.disagreements)
    logging.getLogger("coding").info(
        "%s: %d coded rows, %d disagreements", phase, len(sheet), len(disagreements)
    )


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
