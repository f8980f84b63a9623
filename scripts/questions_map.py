"""Rule questions_map: the inline questions map of the config -> results/ingest/questions.yaml."""

from pathlib import Path

import yaml


def main(job) -> None:
    # Same layout as config/questions.yaml, in the config's order, so jobs read either alike.
    data = {"questions": dict(job.params.questions)}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    Path(job.output.questions).write_text(text, encoding="utf-8")
