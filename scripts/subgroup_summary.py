"""Rule subgroup_summary: all groups' estimates in one table and a small-multiples figure."""

from pathlib import Path

import pandas as pd

from surveyflow import entry
from surveyflow.figures import small_multiples
from surveyflow.io import read_json, write_csv
from surveyflow.schemas import read_estimates
from surveyflow.style import save_figure
from surveyflow.subgroups import group_label


def main(smk) -> None:
    plan = read_json(smk.input.plan)
    tables = []
    for path in smk.input.estimates:
        slug = Path(path).parent.name
        table = read_estimates(path)
        table.insert(2, "group", group_label(plan, slug))
        tables.append(table)
    summary = pd.concat(tables, ignore_index=True)
    write_csv(summary, smk.output.summary)
    spec = smk.params.spec
    title = spec.get("title") or f"{smk.params.analysis_spec['paper_label']} by {spec['by']}"
    fig = small_multiples(summary, interval=smk.params.interval, title=title)
    save_figure(fig, smk.output.pdf, smk.output.png)


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
