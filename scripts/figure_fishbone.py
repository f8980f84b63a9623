"""Rule figure_fishbone: a phase's code frequencies -> fishbone diagram (PDF + PNG)."""

from pathlib import Path

from surveyflow.checking.tables import read_codes, read_coding_summary
from surveyflow.rendering.captions import fishbone_caption
from surveyflow.rendering.fishbone import fishbone
from surveyflow.rendering.style import save_figure


def main(job) -> None:
    spec = job.params.spec
    codes = read_codes(job.input.codes)
    title = f"Fig. {job.params.number} ({spec['paper_label']}). {spec['title']}"
    fig = fishbone(codes[["axial_category", "open_code", "count"]], head=spec["head"], title=title)
    save_figure(fig, job.output.pdf, job.output.png)
    summary = read_coding_summary(job.input.summary)
    summary = summary[summary["phase"] == spec["phase"]].iloc[0].to_dict()
    caption = fishbone_caption(
        spec,
        summary,
        number=job.params.number,
        synthetic=job.params.synthetic,
        paper=job.params.paper,
    )
    Path(job.output.caption).write_text(caption, encoding="utf-8")
