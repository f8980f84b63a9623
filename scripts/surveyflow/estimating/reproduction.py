"""Reproduction check: this run's estimates against every number the paper publishes.

The paper reports, per cell, P = the mean of S bootstrap replicate shares and a "95% CI"
P ± 1.96·sd/√S. That interval is the Monte Carlo error of the replicate mean, not uncertainty
about the share (see docs/design.md, "Bootstrapping, as the paper did it and as it should be
done"). So P is centred on the sample share k/n with Monte Carlo error sd/√S,
sd = √(p(1−p)/n), and a run reproduces a cell when the published P lies within a few Monte
Carlo errors of the run's k/n, and the published half-width is ≈ 1.96·sd/√S (`check_table`).
Whether the published shares fit their own N at all: estimating.consistency.
Percentages are on the 0–100 scale throughout, as in the paper.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from surveyflow.checking.tables import STATUS_FAIL, STATUS_PASS, check_schema
from surveyflow.checking.vocabulary import MEAN_LABEL
from surveyflow.errors import InputError
from surveyflow.estimating.consistency import mc_error, z_score

#: The paper's normal quantile (it prints P ± 1.96·sd/√S).
Z95 = 1.96
#: Half a unit of the paper's last printed digit of the RQ5 mean (45.41).
MEAN_ROUNDING = 0.005
#: The columns of the estimates table (checking.schemas.estimates_schema) the check reads.
ESTIMATE_COLUMNS_READ = (
    "analysis",
    "label",
    "n",
    "estimate",
    "boot_mean",
    "boot_se",
    "ci_method",
    "ci_low",
    "ci_high",
)


def _row_of(frame: pd.DataFrame, method: str) -> pd.Series | None:
    rows = frame[frame["ci_method"] == method]
    return None if rows.empty else rows.iloc[0]


def _half_width(row: pd.Series | None) -> float:
    if row is None or pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
        return math.nan
    return (float(row["ci_high"]) - float(row["ci_low"])) / 2.0


def _float(value: Any) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def check_table(
    analysis: str,
    reference_table: Mapping[str, Any],
    estimates: pd.DataFrame,
    resamples_published: int,
    *,
    tolerance_units: float = 3.0,
    half_width_tolerance: float = 0.10,
) -> pd.DataFrame:
    """Compare one analysis' estimates with the paper's published cells (one row per cell).

    A share passes when the published P lies within `tolerance_units` Monte Carlo errors of this
    run's sample share k/n (the error from k/n, n used and the published S) — comparing with k/n
    rather than the run's own bootstrap mean keeps the check from failing by chance. Its interval
    passes when the published half-width is within ±`half_width_tolerance` of 1.96·that error.
    A run whose N differs from the caption's fails with that reason, too.

    RQ5's mean (reference key `mean`, the estimates' MEAN_LABEL row) gets its own row: it passes
    when |published − run mean rounded to 2 decimals| ≤ 0.005 + tolerance_units · boot_se/√S — half
    a printed digit plus the Monte Carlo error of a mean of S replicate means, so it holds whether
    the paper printed the sample mean or the mean of its replicates. No interval was published for
    it, so its half-width columns are empty.
    """
    missing = [c for c in ESTIMATE_COLUMNS_READ if c not in estimates.columns]
    if missing:
        raise InputError(
            f"the estimates table of {analysis} lacks the columns {', '.join(missing)}.",
            hint="pass the long-format estimates table (see docs/design.md, 'Contracts').",
        )
    est = estimates[estimates["analysis"] == analysis]
    paper_label = reference_table["paper_label"]
    n_published = int(reference_table["n"])
    rows = []
    for cell in reference_table["cells"]:
        low, high = cell["ci"]
        row: dict[str, Any] = {
            "analysis": analysis,
            "paper_label": paper_label,
            "label": cell["label"],
            "n_published": n_published,
            "published_p": cell["p"],
            "published_low": low,
            "published_high": high,
            "published_half_width": (high - low) / 2.0,
        }
        mine = est[est["label"] == cell["label"]]
        if mine.empty:
            rows.append({**row, "status": f"{STATUS_FAIL}label not in this run's estimates"})
            continue
        paper_row = _row_of(mine, "paper")
        first = paper_row if paper_row is not None else mine.iloc[0]
        n_used = int(first["n"])
        share = float(first["estimate"])
        error = mc_error(share, n_used, resamples_published)
        z = z_score(cell["p"], share, error)
        expected = Z95 * error
        ratio = row["published_half_width"] / expected if expected > 0 else math.nan
        p_pass = abs(z) <= tolerance_units
        if expected > 0:
            hw_pass = bool(abs(ratio - 1.0) <= half_width_tolerance)
        else:  # a share of 0 or 100 has no spread: only a zero-width interval matches
            hw_pass = row["published_half_width"] < 1e-9
        reasons = []
        if n_used != n_published:
            reasons.append(f"N used {n_used} ≠ published N {n_published}")
        if not p_pass:
            reasons.append(
                f"P {cell['p']:g} is {z:+.1f} Monte Carlo errors from the sample share "
                f"{share:.3f} (limit ±{tolerance_units:g})"
            )
        if not hw_pass:
            reasons.append(
                f"published half-width {row['published_half_width']:.3f} is {ratio:.2f}× the "
                f"expected 1.96·sd/√S = {expected:.3f} (limit ±{half_width_tolerance:.0%})"
            )
        rows.append(
            {
                **row,
                "n_used": n_used,
                "sample_share": share,
                "mc_error": error,
                "z_units": z,
                "p_pass": p_pass,
                "expected_half_width": expected,
                "half_width_ratio": ratio,
                "half_width_pass": hw_pass,
                "run_boot_mean": _float(paper_row["boot_mean"]) if paper_row is not None else None,
                "run_half_width": _half_width(paper_row),
                # The honest normal-approximation 95% half-width of the share itself: √S wider.
                "honest_half_width": expected * math.sqrt(resamples_published),
                "run_percentile_half_width": _half_width(_row_of(mine, "percentile")),
                "status": STATUS_PASS if not reasons else STATUS_FAIL + "; ".join(reasons),
            }
        )

    if "mean" in reference_table:
        rows.append(
            _check_mean(
                analysis,
                paper_label,
                n_published,
                float(reference_table["mean"]),
                est[est["label"] == MEAN_LABEL],
                resamples_published,
                tolerance_units,
            )
        )

    frame = pd.DataFrame(rows, columns=list(check_schema.columns))
    frame["n_used"] = frame["n_used"].astype("Int64")
    for column in ("p_pass", "half_width_pass"):
        frame[column] = frame[column].astype("boolean")
    return frame


def _check_mean(
    analysis: str,
    paper_label: str,
    n_published: int,
    published: float,
    mine: pd.DataFrame,
    resamples_published: int,
    tolerance_units: float,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "analysis": analysis,
        "paper_label": paper_label,
        "label": MEAN_LABEL,
        "n_published": n_published,
        "published_p": published,
    }
    if mine.empty:
        return {**row, "status": f"{STATUS_FAIL}no {MEAN_LABEL!r} row in this run's estimates"}
    paper_row = _row_of(mine, "paper")
    first = paper_row if paper_row is not None else mine.iloc[0]
    n_used = int(first["n"])
    mean = round(float(first["estimate"]), 2)  # as the paper prints it
    boot_se = _float(first["boot_se"])
    error = boot_se / math.sqrt(resamples_published) if not math.isnan(boot_se) else 0.0
    diff = published - mean
    allowed = MEAN_ROUNDING + tolerance_units * error
    p_pass = abs(diff) <= allowed + 1e-9
    reasons = []
    if n_used != n_published:
        reasons.append(f"N used {n_used} ≠ published N {n_published}")
    if not p_pass:
        reasons.append(
            f"mean {published:g} differs from this run's {mean:.2f} by {diff:+.2f} "
            f"(limit ±{allowed:.3f})"
        )
    return {
        **row,
        "n_used": n_used,
        "sample_share": mean,
        "mc_error": error,
        "z_units": diff / error if error > 0 else z_score(published, mean, 0.0),
        "p_pass": p_pass,
        "half_width_pass": None,
        "run_boot_mean": _float(paper_row["boot_mean"]) if paper_row is not None else None,
        "run_half_width": _half_width(paper_row),
        "run_percentile_half_width": _half_width(_row_of(mine, "percentile")),
        "status": STATUS_PASS if not reasons else STATUS_FAIL + "; ".join(reasons),
    }
