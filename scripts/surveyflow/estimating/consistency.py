"""Monte Carlo errors of bootstrap shares, and whether published shares fit integer counts out of N.

The paper's P is the mean of S bootstrap replicate shares, so it lies within a few Monte Carlo
errors sd/√S, sd = √(p(1−p)/n), of the sample share k/n. Because that error is small (≈ 0.1
points), the published shares pin down the integer counts behind them: GRIM-style, we can ask
which counts k ≤ N reproduce every P of a table at its published N — and find the nearest N that
does when none do (`consistent_counts`, `nearest_consistent_n`, `consistency_report`).
Percentages are on the 0–100 scale throughout, as in the paper.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from surveyflow.checking.tables import (
    PUBLISHED_KINDS,
    SUM_CONSTRAINED_KINDS,
    consistency_schema,
)


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


def z_score(published: float, share: float, error: float) -> float:
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
        z = z_score(p, 100.0 * k / n, mc_error(100.0 * k / n, n, resamples))
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
    if kind not in PUBLISHED_KINDS:
        raise ValueError(f"kind must be one of {PUBLISHED_KINDS}, got {kind!r}")
    if n < 1:
        return None
    options = [_candidates(float(p), n, resamples, tolerance_units) for p in shares]
    if any(not cell for cell in options):
        return None
    if kind not in SUM_CONSTRAINED_KINDS:
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
    frame = pd.DataFrame(rows, columns=list(consistency_schema.columns))
    frame["nearest_consistent_n"] = frame["nearest_consistent_n"].astype("Int64")
    frame["admits_published_n"] = frame["admits_published_n"].astype(bool)
    return frame
