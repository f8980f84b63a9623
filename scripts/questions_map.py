"""Rule questions_map: the inline questions map of the config -> results/ingest/questions.yaml."""

from pathlib import Path

import yaml

from surveyflow import entry


def main(smk) -> None:
    # Same layout as config/questions.yaml, in the config's order, so jobs read either alike.
    data = {"questions": dict(smk.params.questions)}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    Path(smk.output.questions).write_text(text, encoding="utf-8")


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
