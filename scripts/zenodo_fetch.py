"""Rule zenodo_fetch: download a published record's files into data/fetched/zenodo-<id>/."""

import logging

from surveyflow.io import write_json
from surveyflow.publishing.zenodo_fetch import fetch_record
from surveyflow.publishing.zenodo_http import RetryPolicy


def main(job) -> None:
    receipt = fetch_record(
        job.params.record,
        job.params.dest,
        api=job.params.api,
        user_agent=job.params.user_agent,
        retry=RetryPolicy.from_config(job.params.retry),
    )
    write_json(receipt, job.output.receipt)
    logging.getLogger("zenodo").info(
        "record %s: %d files in %s, MD5 verified",
        receipt["record"],
        len(receipt["files"]),
        receipt["dest"],
    )
