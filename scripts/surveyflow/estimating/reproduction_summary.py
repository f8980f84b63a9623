"""The reproduction check's summary page (results/reproduction/summary.md) from its two tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from surveyflow.checking.tables import STATUS_FAIL, STATUS_PASS


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _counts(value: Any) -> str:
    return (
        "–" if value is None or not isinstance(value, list | tuple) else ", ".join(map(str, value))
    )


def _md_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return lines


def _published_resamples(check: pd.DataFrame) -> int:
    """S as used by check_table: honest half-width / expected half-width = √S."""
    usable = check[(check["expected_half_width"] > 0) & check["honest_half_width"].notna()]
    if usable.empty:
        return 1000
    row = usable.iloc[0]
    return round((row["honest_half_width"] / row["expected_half_width"]) ** 2)


def summary_markdown(
    check: pd.DataFrame,
    consistency: pd.DataFrame,
    *,
    synthetic: bool,
    tolerance_units: float = 3.0,
    half_width_tolerance: float = 0.10,
) -> str:
    """results/reproduction/summary.md: what matched the paper, what did not and why.

    The tolerances only word the explanation; pass them as given to check_table and
    consistency_report.
    """
    resamples = _published_resamples(check)
    tol = f"{tolerance_units:g}"
    lines: list[str] = []
    if synthetic:
        lines += [
            "**Synthetic input:** these results come from the synthetic default export, generated "
            "to resemble the paper's counts, not from the study's data. Agreement or disagreement "
            "below says how well the synthetic data mimic the paper, nothing about the paper "
            "itself.",
            "",
        ]
    lines += ["# Reproduction check against the paper", ""]

    passed = int((check["status"] == STATUS_PASS).sum())
    total = len(check)
    lines += [
        f"**{passed} of {total}** published values are reproduced by this run.",
        "",
        f"A share passes when the paper's P lies within {tol} Monte Carlo errors of this run's "
        "sample share k/n, and its interval passes when the paper's half-width is within "
        f"{half_width_tolerance:.0%} of 1.96·sd/√S, sd = √(p(1−p)/n), S = the paper's "
        f"{resamples} resamples. The mean passes when it equals this run's mean to the printed "
        f"digits, up to {tol} Monte Carlo errors of a bootstrap mean. A run whose n differs from "
        "the figure caption's N fails on that alone.",
        "",
    ]
    failed = check[check["status"] != STATUS_PASS]
    if failed.empty:
        lines += ["Every published value matched.", ""]
    else:
        lines += ["What did not match, and why:", ""]
        lines += [
            f"- {r.paper_label} {r.label}: {str(r.status).removeprefix(STATUS_FAIL)}"
            for r in failed.itertuples()
        ]
        lines.append("")

    lines += [
        "## The paper's interval and the honest one",
        "",
        'The paper\'s bracketed "95% CI" is P ± 1.96·sd/√S: the Monte Carlo error of the mean '
        f"of its {resamples} bootstrap replicates. It says how precisely {resamples} replicates "
        "pin down the "
        "sample share, not how uncertain the share is. The 95% interval of the share itself is "
        f"±1.96·sd, √{resamples} ≈ {math.sqrt(resamples):.0f} times wider. Both are shown below "
        "(half-widths, in points; the run's percentile interval is the bootstrap's own).",
        "",
    ]
    body = []
    for r in check.itertuples():
        body.append(
            [
                f"{r.paper_label}",
                f"{r.label}",
                f"{_fmt(r.published_p)} [{_fmt(r.published_low)}, {_fmt(r.published_high)}]"
                if not pd.isna(r.published_low)
                else f"{r.published_p:g} (no interval printed)",
                f"{r.n_published}",
                _fmt(r.sample_share),
                _fmt(r.n_used),
                _fmt(r.z_units, 2),
                _fmt(r.published_half_width),
                _fmt(r.expected_half_width),
                _fmt(r.honest_half_width, 2),
                _fmt(r.run_percentile_half_width, 2),
                "pass" if r.status == STATUS_PASS else "fail",
            ]
        )
    lines += _md_table(
        [
            "RQ",
            "label",
            "paper P [interval]",
            "paper N",
            "run k/n (%)",
            "run n",
            "z",
            "paper ½-width",
            "1.96·sd/√S",
            "honest ±1.96·sd",
            "run percentile ½-width",
            "status",
        ],
        body,
    )
    lines.append("")

    lines += [
        "## Are the published shares consistent with the published N?",
        "",
        "With an error of about 0.1 points, each published P pins down the integer count k "
        f"behind it (P within {tol} Monte Carlo errors of 100·k/N, the error taken at 100·k/N). "
        "For single-choice and binned questions the counts must also add up to N.",
        "",
    ]
    for r in consistency.itertuples():
        if r.admits_published_n:
            lines.append(
                f"- {r.paper_label} (N = {r.n_published}): consistent; counts "
                f"{_counts(r.counts_at_published_n)}."
            )
        elif pd.isna(r.nearest_consistent_n):
            lines.append(
                f"- {r.paper_label} (N = {r.n_published}): **no** integer counts out of N "
                "reproduce its shares, nor out of any N within 30 of it."
            )
        else:
            lines.append(
                f"- {r.paper_label} (N = {r.n_published}): **not consistent**: no integer counts "
                f"out of {r.n_published} reproduce all its shares; the nearest N that does is "
                f"{r.nearest_consistent_n} (counts {_counts(r.counts_at_nearest_n)}), so the "
                "caption's N is probably off."
            )
            used = check.loc[check["analysis"] == r.analysis, "n_used"].dropna()
            if not used.empty and int(used.iloc[0]) == int(r.nearest_consistent_n):
                lines.append(
                    f"  This run has n = {int(used.iloc[0])} for {r.paper_label}, matching the "
                    "N the shares imply."
                )
    lines.append("")
    return "\n".join(lines)
