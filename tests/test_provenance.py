"""Deposit settings are not results: changing them rebuilds nothing and they are not recorded."""

from __future__ import annotations

import pytest
import yaml
from conftest import snakemake


@pytest.mark.workflow
def test_changing_where_or_whether_to_deposit_reruns_no_job(built):
    """Flipping zenodo.publish or pointing at another API left the provenance record (and so
    the bundle's config.zip) changed, and made a spurious new version of the deposit."""
    run = snakemake(
        built,
        "--dry-run",
        "all",
        "--config",
        "zenodo_api=http://127.0.0.1:9/api",
        config={"zenodo": {"publish": True, "host": "production"}},
    )
    assert run.returncode == 0, run.output[-2000:]
    assert "Nothing to be done" in run.output, run.output[-2000:]
    recorded = yaml.safe_load((built / "results/provenance/config.yaml").read_text())
    assert "zenodo" not in recorded and "zenodo_api" not in recorded
    assert recorded["bootstrap"]["resamples"] == 1000  # the results' settings are there
