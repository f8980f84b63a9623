"""Rule figure_fishbone: a phase's code frequencies -> fishbone diagram (PDF + PNG)."""

import pandas as pd

from surveyflow import entry
from surveyflow.figures import fishbone
from surveyflow.style import save_figure


def main(smk) -> None:
    spec = smk.params.spec
    codes = pd.read_csv(smk.input.codes)
    title = f"Fig. {smk.params.number} ({spec['paper_label']}). {spec['title']}"
    fig = fishbone(codes[["axial_category", "open_code", "count"]], head=spec["head"], title=title)
    save_figure(fig, smk.output.pdf, smk.output.png)


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
