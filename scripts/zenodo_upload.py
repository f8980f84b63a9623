"""Rule zenodo_upload: deposit results/archive/ on Zenodo; the token comes from the environment."""

import logging

from surveyflow.io import write_json
from surveyflow.publishing.zenodo_deposit import upload_bundle
from surveyflow.publishing.zenodo_http import RetryPolicy


def main(job) -> None:
    receipt = upload_bundle(
        job.input.manifest,
        state_path=job.params.state,
        host=job.params.host,
        api=job.params.api,
        publish=job.params.publish,
        record=job.params.record,
        synthetic=job.params.synthetic,
        user_agent=job.params.user_agent,
        retry=RetryPolicy.from_config(job.params.retry),
    )
    write_json(receipt, job.output.receipt)
    logging.getLogger("zenodo").info(
        "deposition %s on %s: %s",
        receipt["deposition_id"],
        receipt["api"],
        f"published, DOI {receipt['doi']}" if receipt["published"] else "draft, not published",
    )
