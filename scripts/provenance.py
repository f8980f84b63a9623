"""Rule provenance: write the effective configuration of the run."""

from pathlib import Path

import yaml


def main(job) -> None:
    text = yaml.safe_dump(dict(job.params.config), sort_keys=True, allow_unicode=True)
    Path(job.output.config).write_text(text, encoding="utf-8")
