"""Rule figure_estimates: an analysis' estimates -> bar figure (PDF + PNG)."""

from pathlib import Path

from surveyflow import entry
from surveyflow.captions import estimate_caption
from surveyflow.figures import estimate_bars
from surveyflow.schemas import read_estimates
from surveyflow.style import save_figure


def main(smk) -> None:
    spec = smk.params.spec
    estimates = read_estimates(smk.input.estimates)
    fig = estimate_bars(
        estimates,
        title=spec.get("title", spec["paper_label"]),
        n=int(estimates["n"].iloc[0]),
        interval=smk.params.interval,
        paper_label=spec["paper_label"],
        figure_number=smk.params.number,
        mean_unit=smk.params.mean_unit,
    )
    save_figure(fig, smk.output.pdf, smk.output.png)
    caption = estimate_caption(
        spec,
        estimates,
        number=smk.params.number,
        interval=smk.params.interval,
        synthetic=smk.params.synthetic,
        paper=smk.params.paper,
        mean_unit=smk.params.mean_unit,
    )
    Path(smk.output.caption).write_text(caption, encoding="utf-8")


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
