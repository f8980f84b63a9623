"""Rule zenodo_upload: deposit results/archive/ on Zenodo; the token comes from the environment."""

import logging

from surveyflow import entry
from surveyflow.io import write_json
from surveyflow.zenodo_deposit import upload_bundle
from surveyflow.zenodo_http import RetryPolicy


def main(smk) -> None:
    receipt = upload_bundle(
        smk.input.manifest,
        state_path=smk.params.state,
        host=smk.params.host,
        api=smk.params.api,
        publish=smk.params.publish,
        record=smk.params.record,
        synthetic=smk.params.synthetic,
        user_agent=smk.params.user_agent,
        retry=RetryPolicy.from_config(smk.params.retry),
    )
    write_json(receipt, smk.output.receipt)
    logging.getLogger("zenodo").info(
        "deposition %s on %s: %s",
        receipt["deposition_id"],
        receipt["api"],
        f"published, DOI {receipt['doi']}" if receipt["published"] else "draft, not published",
    )


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
