"""Rule subgroup_summary: all groups' estimates in one table and a small-multiples figure."""

from pathlib import Path

import pandas as pd

from surveyflow.checking.schemas import read_estimates, read_groups, subgroup_summary_schema
from surveyflow.estimating.subgroups import group_label
from surveyflow.io import write_csv
from surveyflow.rendering.bars import small_multiples
from surveyflow.rendering.style import save_figure


def main(job) -> None:
    plan = read_groups(job.input.plan)
    tables = []
    for path in job.input.estimates:
        slug = Path(path).parent.name
        table = read_estimates(path)
        table.insert(2, "group", group_label(plan, slug))
        tables.append(table)
    summary = subgroup_summary_schema.validate(pd.concat(tables, ignore_index=True))
    write_csv(summary, job.output.summary)
    spec = job.params.spec
    title = spec.get("title") or f"{job.params.analysis_spec['paper_label']} by {spec['by']}"
    fig = small_multiples(summary, interval=job.params.interval, title=title)
    save_figure(fig, job.output.pdf, job.output.png)
