"""Captions of the figures for the report: what a figure shows, its N, its interval, its source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

INTERVALS = {
    "percentile": "95% percentile bootstrap interval",
    "bca": "95% bias-corrected and accelerated (BCa) bootstrap interval",
    "paper": "the paper's interval (mean of the bootstrap replicates ± 1.96·sd/√S: the Monte "
    "Carlo error of that mean, not a confidence interval of the share)",
}
SYNTHETIC_NOTE = (
    " **Data: the synthetic default export** (calibrated to the paper's counts), not the "
    "study's responses."
)


def _rst(text: str) -> str:
    # Captions are reStructuredText: escape the characters that would start markup.
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`").replace("|", "\\|")


def estimate_caption(
    spec: Mapping[str, Any],
    estimates: pd.DataFrame,
    *,
    number: int,
    interval: str,
    synthetic: bool,
) -> str:
    """Caption of an estimates bar figure (paper Figs. 4, 5, 7, 8, 10)."""
    n = int(estimates["n"].iloc[0])
    resamples = int(estimates["resamples"].iloc[0])
    what = spec.get("question") or spec.get("column")
    text = (
        f"**Figure {number} (the paper's Fig. {number}, {spec['paper_label']}).** "
        f"{_rst(spec.get('title', ''))}. Share of the N = {n} respondents with a valid answer "
        f"({_rst(str(what))}) per answer; error bars: {INTERVALS[interval]}, S = {resamples} "
        "resamples. The paper's own bracketed intervals are checked in the reproduction check."
    )
    mean = estimates[(estimates["label"] == "Mean") & (estimates["ci_method"] == "paper")]
    if not mean.empty:
        text += f" Mean of the answers: {float(mean['estimate'].iloc[0]):.2f}%."
    return text + (SYNTHETIC_NOTE if synthetic else "") + "\n"


def fishbone_caption(
    spec: Mapping[str, Any], summary: Mapping[str, int], *, number: int, synthetic: bool
) -> str:
    """Caption of a fishbone diagram (paper Figs. 6, 9)."""
    text = (
        f"**Figure {number} (the paper's Fig. {number}, {spec['paper_label']}).** "
        f"{_rst(spec['title'])}: open codes (ribs, with the number of coded statements) "
        f"grouped into axial categories (bones), from the coding sheet of the open answers on "
        f"the {spec['phase']} phase: {summary['respondents']} respondents, "
        f"{summary['statements']} coded statements."
    )
    return text + (SYNTHETIC_NOTE if synthetic else "") + "\n"


def panel_caption(spec: Mapping[str, Any], n: int, *, number: int, synthetic: bool) -> str:
    """Caption of a figure drawn from the responses (paper Figs. 1-3)."""
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
        f"**Figure {number} (the paper's Fig. {number}).** {_rst(spec['title'])}: {what}. "
        "Counts, no inference."
    )
    return text + (SYNTHETIC_NOTE if synthetic else "") + "\n"
