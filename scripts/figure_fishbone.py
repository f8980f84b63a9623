"""Rule figure_fishbone: a phase's code frequencies -> fishbone diagram (PDF + PNG)."""

from pathlib import Path

import pandas as pd

from surveyflow import entry
from surveyflow.captions import fishbone_caption
from surveyflow.figures import fishbone
from surveyflow.style import save_figure


def main(smk) -> None:
    spec = smk.params.spec
    codes = pd.read_csv(smk.input.codes)
    title = f"Fig. {smk.params.number} ({spec['paper_label']}). {spec['title']}"
    fig = fishbone(codes[["axial_category", "open_code", "count"]], head=spec["head"], title=title)
    save_figure(fig, smk.output.pdf, smk.output.png)
    summary = pd.read_csv(smk.input.summary)
    summary = summary[summary["phase"] == spec["phase"]].iloc[0].to_dict()
    caption = fishbone_caption(
        spec,
        summary,
        number=smk.params.number,
        synthetic=smk.params.synthetic,
        paper=smk.params.paper,
    )
    Path(smk.output.caption).write_text(caption, encoding="utf-8")


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
