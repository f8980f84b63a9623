"""Reproduction check: this run's estimates against every number the paper publishes.

The paper reports, per cell, P = the mean of S bootstrap replicate shares and a "95% CI"
P ± 1.96·sd/√S. That interval is the Monte Carlo error of the replicate mean, not uncertainty
about the share (see docs/design.md, "Bootstrapping, as the paper did it and as it should be
done"). Two consequences drive this module:

* P is centred on the sample share k/n with Monte Carlo error sd/√S, sd = √(p(1−p)/n), so a
  run reproduces a cell when the published P lies within a few Monte Carlo errors of the run's
  k/n, and the published half-width is ≈ 1.96·sd/√S (`check_table`).
* Because that error is small (≈ 0.1 points), the published shares pin down the integer counts
  behind them: GRIM-style, we can ask which counts k ≤ N reproduce every P of a table at its
  published N — and find the nearest N that does when none do (`consistent_counts`,
  `nearest_consistent_n`, `consistency_report`).

Percentages are on the 0–100 scale throughout, as in the paper.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from surveyflow.config import load_yaml, validate_against_schema
from surveyflow.errors import InputError

#: The paper's normal quantile (it prints P ± 1.96·sd/√S).
Z95 = 1.96
#: Table kinds: multiple-choice shares are independent; the others partition the respondents.
KINDS = ("multiple_choice", "single_choice", "binned")
SUM_CONSTRAINED = ("single_choice", "binned")
#: Half a unit of the paper's last printed digit of the RQ5 mean (45.41).
MEAN_ROUNDING = 0.005
MEAN_LABEL = "Mean"

ESTIMATE_COLUMNS = (
    "analysis",
    "paper_label",
    "label",
    "n",
    "count",
    "estimate",
    "boot_mean",
    "boot_se",
    "ci_method",
    "ci_level",
    "ci_low",
    "ci_high",
    "resamples",
    "seed",
)
CHECK_COLUMNS = (
    "analysis",
    "paper_label",
    "label",
    "n_published",
    "n_used",
    "published_p",
    "published_low",
    "published_high",
    "sample_share",
    "mc_error",
    "z_units",
    "p_pass",
    "published_half_width",
    "expected_half_width",
    "half_width_ratio",
    "half_width_pass",
    "run_boot_mean",
    "run_half_width",
    "honest_half_width",
    "run_percentile_half_width",
    "status",
)
CONSISTENCY_COLUMNS = (
    "analysis",
    "paper_label",
    "kind",
    "n_published",
    "admits_published_n",
    "counts_at_published_n",
    "nearest_consistent_n",
    "counts_at_nearest_n",
)


# --------------------------------------------------------------------------- reference file


def load_reference(path: str | Path, schema_path: str | Path) -> dict:
    """Read and validate config/paper_reference.yaml against its schema (``schema_path``).

    Returns ``{"resamples": int, "source": str, "tables": {analysis: table}}`` where each table
    has ``paper_label, figure, n, kind, cells`` (each cell ``{label, p, ci: [low, high]}``, p and
    ci as floats) and optionally ``mean``. A missing, unknown or ill-typed key raises an
    InputError that names the file and the key.
    """
    source = str(path)
    data = load_yaml(path)
    validate_against_schema(data, schema_path, source=source)

    def fail(key: str, message: str) -> InputError:
        return InputError(
            f"key '{key}' {message}",
            path=source,
            hint="see the comment at the top of the reference file for what each key takes.",
        )

    out: dict[str, dict] = {}
    for analysis, table in data["tables"].items():
        # What the schema cannot say: labels unique within a table, p inside its interval.
        clean_cells = []
        seen: set[str] = set()
        for i, cell in enumerate(table["cells"]):
            key = f"tables.{analysis}.cells.{i}"
            label, p, (low, high) = cell["label"], cell["p"], cell["ci"]
            if label in seen:
                raise fail(f"{key}.label", f"repeats the label {label!r}.")
            seen.add(label)
            if not low <= p <= high:
                raise fail(f"{key}.ci", f"[{low}, {high}] must enclose p = {p}.")
            clean_cells.append({"label": label, "p": float(p), "ci": [float(low), float(high)]})
        clean = {
            "paper_label": table["paper_label"],
            "figure": table["figure"],
            # JSON Schema's integer admits 168.0; the counts are used as Python ints
            "n": int(table["n"]),
            "kind": table["kind"],
            "cells": clean_cells,
        }
        if "mean" in table:
            clean["mean"] = float(table["mean"])
        out[analysis] = clean
    return {"resamples": int(data["resamples"]), "source": data["source"], "tables": out}


# --------------------------------------------------------------------------- Monte Carlo error


def mc_error(p_percent: float, n: int, resamples: int) -> float:
    """Monte Carlo error (in %) of the mean of `resamples` bootstrap shares of a share p (in %).

    Each replicate share has sd √(p(1−p)/n); the mean of S of them has sd √(p(1−p)/n)/√S.
    """
    if n < 1 or resamples < 1:
        raise ValueError(f"n and resamples must be positive, got n={n}, resamples={resamples}")
    if not -1e-9 <= p_percent <= 100 + 1e-9:
        raise ValueError(f"p_percent must be on the 0–100 scale, got {p_percent}")
    q = min(max(p_percent / 100.0, 0.0), 1.0)
    return 100.0 * math.sqrt(q * (1.0 - q) / n) / math.sqrt(resamples)


def _z(published: float, share: float, error: float) -> float:
    """(published − share)/error; a zero error (share 0 or 100) admits only an exact match."""
    diff = published - share
    if error > 0:
        return diff / error
    return 0.0 if abs(diff) < 1e-9 else math.copysign(math.inf, diff)


# --------------------------------------------------------------------------- consistency (GRIM)


def _candidates(p: float, n: int, resamples: int, tol: float) -> list[tuple[int, float]]:
    """Counts k in [0, n] whose share 100k/n lies within tol Monte Carlo errors of p: (k, z²).

    The error is evaluated at the candidate share 100k/n (that is what the replicates of a
    sample with k of n would scatter around). It is at most 50/√(nS) %, which bounds the window
    of k to scan to a handful around n·p/100.
    """
    reach = tol * 50.0 / math.sqrt(n * resamples) + 1e-9
    lo = max(0, math.floor((p - reach) * n / 100.0))
    hi = min(n, math.ceil((p + reach) * n / 100.0))
    out = []
    for k in range(lo, hi + 1):
        z = _z(p, 100.0 * k / n, mc_error(100.0 * k / n, n, resamples))
        if abs(z) <= tol + 1e-9:
            out.append((k, z * z))
    return out


def consistent_counts(
    shares: Sequence[float],
    n: int,
    resamples: int,
    *,
    kind: str,
    tolerance_units: float = 3.0,
) -> list[int] | None:
    """Integer counts behind published bootstrap shares, or None if no counts out of n fit.

    Each k_i in [0, n] must satisfy |100·k_i/n − P_i| ≤ tolerance_units · mc_error(100·k_i/n, n, S);
    for single_choice and binned tables the k_i must also sum to n. Of the admissible vectors the
    one with the smallest sum of squared z is returned (the closest fit).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if n < 1:
        return None
    options = [_candidates(float(p), n, resamples, tolerance_units) for p in shares]
    if any(not cell for cell in options):
        return None
    if kind not in SUM_CONSTRAINED:
        # Independent cells: the best k of each cell is the best vector.
        return [min(cell, key=lambda kz: kz[1])[0] for cell in options]
    # Sum constraint: dynamic programming over partial sums (≤ n+1 states, a few candidates
    # per cell) instead of enumerating the product of the candidate sets.
    best: dict[int, tuple[float, list[int]]] = {0: (0.0, [])}
    for cell in options:
        step: dict[int, tuple[float, list[int]]] = {}
        for total, (cost, counts) in best.items():
            for k, z2 in cell:
                new_total = total + k
                if new_total > n:
                    continue
                new_cost = cost + z2
                if new_total not in step or new_cost < step[new_total][0]:
                    step[new_total] = (new_cost, [*counts, k])
        best = step
        if not best:
            return None
    return best[n][1] if n in best else None


def nearest_consistent_n(
    shares: Sequence[float],
    n: int,
    resamples: int,
    *,
    kind: str,
    max_distance: int = 30,
    tolerance_units: float = 3.0,
) -> int | None:
    """The N nearest to n whose integer counts reproduce the shares: n, n−1, n+1, n−2, …

    Ties go to the smaller N. None if nothing within max_distance fits.
    """
    for distance in range(max_distance + 1):
        for candidate in (n - distance, n + distance) if distance else (n,):
            if candidate >= 1 and (
                consistent_counts(
                    shares, candidate, resamples, kind=kind, tolerance_units=tolerance_units
                )
                is not None
            ):
                return candidate
    return None


def consistency_report(
    reference: Mapping[str, Any], *, tolerance_units: float = 3.0
) -> pd.DataFrame:
    """Per published table: can its shares come from integer counts out of its published N?

    `reference` is what load_reference returns. Count columns hold lists (or None).
    """
    resamples = reference["resamples"]
    rows = []
    for analysis, table in reference["tables"].items():
        shares = [cell["p"] for cell in table["cells"]]
        kind, n = table["kind"], table["n"]
        at_n = consistent_counts(shares, n, resamples, kind=kind, tolerance_units=tolerance_units)
        nearest = nearest_consistent_n(
            shares, n, resamples, kind=kind, tolerance_units=tolerance_units
        )
        at_nearest = (
            consistent_counts(
                shares, nearest, resamples, kind=kind, tolerance_units=tolerance_units
            )
            if nearest is not None
            else None
        )
        rows.append(
            {
                "analysis": analysis,
                "paper_label": table["paper_label"],
                "kind": kind,
                "n_published": n,
                "admits_published_n": at_n is not None,
                "counts_at_published_n": at_n,
                "nearest_consistent_n": nearest,
                "counts_at_nearest_n": at_nearest,
            }
        )
    frame = pd.DataFrame(rows, columns=list(CONSISTENCY_COLUMNS))
    frame["nearest_consistent_n"] = frame["nearest_consistent_n"].astype("Int64")
    frame["admits_published_n"] = frame["admits_published_n"].astype(bool)
    return frame


# --------------------------------------------------------------------------- check of a run


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

    RQ5's mean (reference key `mean`, estimates label "Mean") gets its own row: it passes when
    |published − run mean rounded to 2 decimals| ≤ 0.005 + tolerance_units · boot_se/√S — half a
    printed digit plus the Monte Carlo error of a mean of S replicate means, so it holds whether
    the paper printed the sample mean or the mean of its replicates. No interval was published for
    it, so its half-width columns are empty.
    """
    missing = [c for c in ESTIMATE_COLUMNS if c not in estimates.columns]
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
            rows.append({**row, "status": "fail: label not in this run's estimates"})
            continue
        paper_row = _row_of(mine, "paper")
        first = paper_row if paper_row is not None else mine.iloc[0]
        n_used = int(first["n"])
        share = float(first["estimate"])
        error = mc_error(share, n_used, resamples_published)
        z = _z(cell["p"], share, error)
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
                "status": "pass" if not reasons else "fail: " + "; ".join(reasons),
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

    frame = pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
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
        return {**row, "status": "fail: no 'Mean' row in this run's estimates"}
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
        "z_units": diff / error if error > 0 else _z(published, mean, 0.0),
        "p_pass": p_pass,
        "half_width_pass": None,
        "run_boot_mean": _float(paper_row["boot_mean"]) if paper_row is not None else None,
        "run_half_width": _half_width(paper_row),
        "run_percentile_half_width": _half_width(_row_of(mine, "percentile")),
        "status": "pass" if not reasons else "fail: " + "; ".join(reasons),
    }


# --------------------------------------------------------------------------- summary


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

    passed = int((check["status"] == "pass").sum())
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
    failed = check[check["status"] != "pass"]
    if failed.empty:
        lines += ["Every published value matched.", ""]
    else:
        lines += ["What did not match, and why:", ""]
        lines += [
            f"- {r.paper_label} {r.label}: {str(r.status).removeprefix('fail: ')}"
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
                "pass" if r.status == "pass" else "fail",
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
