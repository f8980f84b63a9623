"""Rule zenodo_fetch: download a published record's files into data/fetched/zenodo-<id>/."""

import logging

from surveyflow import entry
from surveyflow.io import write_json
from surveyflow.zenodo_fetch import fetch_record
from surveyflow.zenodo_http import RetryPolicy


def main(smk) -> None:
    receipt = fetch_record(
        smk.params.record,
        smk.params.dest,
        api=smk.params.api,
        user_agent=smk.params.user_agent,
        retry=RetryPolicy.from_config(smk.params.retry),
    )
    write_json(receipt, smk.output.receipt)
    logging.getLogger("zenodo").info(
        "record %s: %d files in %s, MD5 verified",
        receipt["record"],
        len(receipt["files"]),
        receipt["dest"],
    )


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
