"""Captions of the figures for the report: what a figure shows, its N, its interval, its source.

"The paper's Fig. N" is said only of a figure that reproduces one (`paper=True`: a paper-numbered
figure id while config names the paper's published numbers); a study of its own gets plain
"Figure N" captions. A mean is printed in the unit of its question (`format_mean`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from surveyflow.checking.vocabulary import MEAN_LABEL
from surveyflow.rendering.drawn_intervals import REPLACED_AT_THE_BOUNDARY, boundary_shares

INTERVALS = {
    "percentile": "95% percentile bootstrap interval",
    "bca": "95% bias-corrected and accelerated (BCa) bootstrap interval",
    "paper": "the paper's interval (mean of the bootstrap replicates ± 1.96·sd/√S: the Monte "
    "Carlo error of that mean, not a confidence interval of the share)",
}
# `figures.interval: paper` on a study that reproduces no paper: the same interval, by what it is.
MONTE_CARLO_INTERVAL = (
    "the interval of the bootstrap mean (mean of the replicates ± 1.96·sd/√S: the Monte Carlo "
    "error of that mean, not a confidence interval of the share)"
)
SYNTHETIC_NOTE = (
    " **Data: the synthetic default export** (calibrated to the paper's counts), not the "
    "study's responses."
)


def format_mean(value: float, unit: str) -> str:
    """A mean in its unit: 45.41% for percentages and ratios, 15.8 for counts (a tenth is
    precise enough for a mean number of people or projects; more decimals would pretend)."""
    return f"{value:.2f}%" if unit == "%" else f"{value:.1f}"


def _sentence(title: str) -> str:
    """A title as a sentence of the caption: its own ?, ! or . kept, else a full stop added."""
    text = _rst(title.strip())
    return text if text.endswith(("?", "!", ".", "…")) else f"{text}."


def _rst(text: str) -> str:
    # Captions are reStructuredText: escape the characters that would start markup.
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`").replace("|", "\\|")


def _head(number: int, label: str | None, *, paper: bool) -> str:
    """The bold start of a caption: "Figure 4 (the paper's Fig. 4, RQ1.1)." for a figure that
    reproduces the paper's, else "Figure 4 (label)."."""
    label = _rst(label) if label else ""
    if paper:
        inner = f"the paper's Fig. {number}" + (f", {label}" if label else "")
        return f"**Figure {number} ({inner}).**"
    return f"**Figure {number}" + (f" ({label})" if label else "") + ".**"


def estimate_caption(
    spec: Mapping[str, Any],
    estimates: pd.DataFrame,
    *,
    number: int,
    interval: str,
    synthetic: bool,
    paper: bool,
    mean_unit: str = "%",
) -> str:
    """Caption of an estimates bar figure (paper Figs. 4, 5, 7, 8, 10, or a study's own)."""
    n = int(estimates["n"].iloc[0])
    resamples = int(estimates["resamples"].iloc[0])
    what = spec.get("question") or spec.get("column")
    drawn = INTERVALS[interval] if paper or interval != "paper" else MONTE_CARLO_INTERVAL
    text = (
        f"{_head(number, spec['paper_label'], paper=paper)} "
        f"{_sentence(spec.get('title', ''))} Share of the N = {n} respondents with a valid answer "
        f"({_rst(str(what))}) per answer; error bars: {drawn}, S = {resamples} resamples."
    )
    text += _boundary_sentence(estimates, interval)
    if paper:
        text += " The paper's own bracketed intervals are checked in the reproduction check."
    mean = estimates[(estimates["label"] == MEAN_LABEL) & (estimates["ci_method"] == "paper")]
    if not mean.empty:
        value = format_mean(float(mean["estimate"].iloc[0]), mean_unit)
        text += f" Mean of the answers: {value}."
    return text + (SYNTHETIC_NOTE if synthetic else "") + "\n"


def _boundary_sentence(estimates: pd.DataFrame, interval: str) -> str:
    """Which bars show a Wilson interval instead of the bootstrap's (drawn_intervals)."""
    if interval not in REPLACED_AT_THE_BOUNDARY:
        return ""
    rows = estimates[estimates["ci_method"] == interval]
    labels = [str(label) for label in rows.loc[boundary_shares(rows), "label"]]
    if not labels:
        return ""
    level = f"{float(rows['ci_level'].iloc[0]) * 100:g}"
    return (
        f" For a share of 0% or 100% ({_rst(', '.join(labels))}) every resample is alike and "
        f"the bootstrap interval has no width; there the {level}% Wilson score interval is "
        "drawn instead (dashed)."
    )


def fishbone_caption(
    spec: Mapping[str, Any],
    summary: Mapping[str, int],
    *,
    number: int,
    synthetic: bool,
    paper: bool,
) -> str:
    """Caption of a fishbone diagram (paper Figs. 6, 9, or a study's own)."""
    text = (
        f"{_head(number, spec['paper_label'], paper=paper)} "
        f"{_rst(spec['title'])}: open codes (ribs, with the number of coded statements) "
        f"grouped into axial categories (bones), from the coding sheet of the open answers on "
        f"the {spec['phase']} phase: {summary['respondents']} respondents, "
        f"{summary['statements']} coded statements."
    )
    return text + (SYNTHETIC_NOTE if synthetic else "") + "\n"


def panel_caption(
    spec: Mapping[str, Any], n: int, *, number: int, synthetic: bool, paper: bool
) -> str:
    """Caption of a figure drawn from the responses (paper Figs. 1-3, or a study's own)."""
    if spec["kind"] == "demographics":
        what = (
            f"the ten most frequent countries, the roles and the ML experience bands of the "
            f"N = {n} completed responses"
        )
    else:
        what = (
            f"answers on a five-point scale ({_rst(spec['question'])}), N = {n} completed "
            "responses (each bar gives the N that answered that item)"
        )
    text = (
        f"{_head(number, None, paper=paper)} {_rst(spec['title'])}: {what}. Counts, no inference."
    )
    return text + (SYNTHETIC_NOTE if synthetic else "") + "\n"
