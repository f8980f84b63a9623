"""Rule provenance: write the effective configuration of the run."""

from pathlib import Path

import yaml

from surveyflow import entry


def main(smk) -> None:
    text = yaml.safe_dump(dict(smk.params.config), sort_keys=True, allow_unicode=True)
    Path(smk.output.config).write_text(text, encoding="utf-8")


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
