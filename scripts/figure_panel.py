"""Rule figure_panel: clean responses -> demographics (Fig. 1) or Likert figures (Fig. 2, 3)."""

from pathlib import Path

import pandas as pd

from surveyflow import entry
from surveyflow.captions import panel_caption
from surveyflow.config import load_questions
from surveyflow.figures import demographics, likert_diverging
from surveyflow.io import read_json
from surveyflow.schemas import read_clean_responses
from surveyflow.style import save_figure


def main(smk) -> None:
    spec = smk.params.spec
    questions = load_questions(smk.input.questions, smk.params.questions_schema)
    clean = read_clean_responses(smk.input.responses, questions, smk.params.ratios)
    levels = read_json(smk.input.labels)
    title = f"Fig. {smk.params.number}. {spec['title']}"
    if spec["kind"] == "demographics":
        column = {key: questions[spec[key]].column for key in ("countries", "roles", "experience")}
        bands = levels[column["experience"]]
        experience = clean[column["experience"]].value_counts().reindex(bands, fill_value=0)
        fig = demographics(
            clean[column["countries"]].dropna(),
            clean[column["roles"]].dropna(),
            experience,
            top=spec.get("top", 10),
            title=title,
        )
    else:
        question = questions[spec["question"]]
        rows = {}
        for item, display in spec["items"].items():
            column = f"{question.column}_{item}"
            rows[display] = clean[column].value_counts().reindex(levels[column], fill_value=0)
        counts = pd.DataFrame(rows).T
        fig = likert_diverging(counts, levels=list(counts.columns), title=title)
    save_figure(fig, smk.output.pdf, smk.output.png)
    caption = panel_caption(
        spec,
        len(clean),
        number=smk.params.number,
        synthetic=smk.params.synthetic,
        paper=smk.params.paper,
    )
    Path(smk.output.caption).write_text(caption, encoding="utf-8")


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
