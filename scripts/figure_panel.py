"""Rule figure_panel: clean responses -> demographics (Fig. 1) or Likert figures (Fig. 2, 3)."""

from pathlib import Path

import pandas as pd

from surveyflow.checking.schemas import read_clean_responses
from surveyflow.config import load_questions
from surveyflow.io import read_json
from surveyflow.rendering.captions import panel_caption
from surveyflow.rendering.demographics import demographics
from surveyflow.rendering.likert import likert_diverging
from surveyflow.rendering.style import save_figure


def main(job) -> None:
    spec = job.params.spec
    questions = load_questions(job.input.questions, job.params.questions_schema)
    clean = read_clean_responses(job.input.responses, questions, job.params.ratios)
    levels = read_json(job.input.labels)
    title = f"Fig. {job.params.number}. {spec['title']}"
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
    save_figure(fig, job.output.pdf, job.output.png)
    caption = panel_caption(
        spec,
        len(clean),
        number=job.params.number,
        synthetic=job.params.synthetic,
        paper=job.params.paper,
    )
    Path(job.output.caption).write_text(caption, encoding="utf-8")
