"""Rule figure_estimates: an analysis' estimates -> bar figure (PDF + PNG)."""

from pathlib import Path

from surveyflow.checking.schemas import read_estimates
from surveyflow.rendering.bars import estimate_bars
from surveyflow.rendering.captions import estimate_caption
from surveyflow.rendering.style import save_figure


def main(job) -> None:
    spec = job.params.spec
    estimates = read_estimates(job.input.estimates)
    fig = estimate_bars(
        estimates,
        title=spec.get("title", spec["paper_label"]),
        n=int(estimates["n"].iloc[0]),
        interval=job.params.interval,
        paper_label=spec["paper_label"],
        figure_number=job.params.number,
        mean_unit=job.params.mean_unit,
    )
    save_figure(fig, job.output.pdf, job.output.png)
    caption = estimate_caption(
        spec,
        estimates,
        number=job.params.number,
        interval=job.params.interval,
        synthetic=job.params.synthetic,
        paper=job.params.paper,
        mean_unit=job.params.mean_unit,
    )
    Path(job.output.caption).write_text(caption, encoding="utf-8")
