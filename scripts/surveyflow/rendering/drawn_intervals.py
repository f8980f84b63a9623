"""Which interval an estimate figure draws for each share, and how the figure names it.

At a share of 0% or 100% (k = 0 or k = n answers) every bootstrap resample equals the
sample, so the percentile interval is [0, 0] or [100, 100]: no width, as if the share were
known exactly. BCa is undefined there and falls back to it (the estimates' ``ci_used``).
bench/coverage.md measured what that costs where it happens, at small n and shares near 0
or 1: the 95% percentile interval covers a true share of 5% in only 23% of surveys of n = 5,
54% at n = 16 and 88% at n = 40, since every survey without a selection misses it. Drawing
the Wilson score interval where k = 0 or k = n covers at least 91.7% in every setting
measured (n = 5-40, p = 0.01-0.99), better than Wilson everywhere (84.8% at worst). So there,
and only there, the figures draw the Wilson interval (dashed) and say so in the note and the
caption. Elsewhere the configured interval is drawn unchanged, and the estimates tables keep
every method's own numbers. The paper's interval is drawn as published, never replaced: it
is reproduced to be checked, not to be read as a confidence interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from surveyflow.estimating.bootstrap import wilson_interval

__all__ = [
    "INTERVAL_DESCRIPTIONS",
    "REPLACED_AT_THE_BOUNDARY",
    "boundary_shares",
    "drawn_intervals",
    "error_bars",
    "interval_note",
    "wilson_note",
]

#: How the note under an estimate figure names each interval (ci_method of the estimates).
INTERVAL_DESCRIPTIONS: dict[str, str] = {
    "percentile": "{level}% percentile bootstrap interval, S = {resamples}",
    "bca": "{level}% BCa bootstrap interval, S = {resamples}",
    "wilson": "{level}% Wilson score interval",
    "t": "{level}% t interval",
    # The paper's narrow brackets are boot_mean +- z * boot_se / sqrt(S): the uncertainty of
    # the bootstrap mean, not of the share; say so rather than pass it off as a usual CI.
    "paper": "{level}% interval of the bootstrap mean as published (S = {resamples})",
}

#: The bootstrap intervals that have no width at a share of 0% or 100%.
REPLACED_AT_THE_BOUNDARY = ("percentile", "bca")


def _level(rows: pd.DataFrame) -> float:
    level = rows["ci_level"].dropna() if "ci_level" in rows else pd.Series(dtype=float)
    return float(level.iloc[0]) if len(level) else 0.95


def interval_note(rows: pd.DataFrame, interval: str) -> str:
    """The interval's name as the figure's note says it ("95% percentile bootstrap …")."""
    resamples = rows["resamples"].dropna() if "resamples" in rows else pd.Series(dtype=float)
    resample_text = f"{int(resamples.iloc[0])}" if len(resamples) else "?"
    template = INTERVAL_DESCRIPTIONS.get(interval, "{level}% " + interval + " interval")
    return template.format(level=f"{_level(rows) * 100:g}", resamples=resample_text)


def boundary_shares(rows: pd.DataFrame) -> pd.Series:
    """Which rows are shares of 0% or 100% (count 0 or n); a mean (no count) never is."""
    if "count" not in rows or "n" not in rows:
        return pd.Series(False, index=rows.index)
    count = pd.to_numeric(rows["count"], errors="coerce")
    n = pd.to_numeric(rows["n"], errors="coerce")
    return (count.notna() & ((count == 0) | (count == n))).astype(bool)


def drawn_intervals(rows: pd.DataFrame, interval: str) -> pd.DataFrame:
    """``rows`` (all of ci_method ``interval``) with the bounds a figure draws, on 0-100.

    A share of 0% or 100% gets the Wilson interval of its count and n instead of a
    percentile or BCa one; column ``drawn`` names the method of each row's bounds.
    """
    out = rows.copy()
    out["drawn"] = interval
    if interval not in REPLACED_AT_THE_BOUNDARY:
        return out
    level = _level(rows)
    for index in rows.index[boundary_shares(rows)]:
        n = int(rows.at[index, "n"])
        low, high = wilson_interval(int(rows.at[index, "count"]) / n, n, level)
        out.loc[index, ["ci_low", "ci_high", "drawn"]] = [100.0 * low, 100.0 * high, "wilson"]
    return out


def wilson_note(drawn: pd.DataFrame) -> str:
    """The note's sentence on the dashed Wilson bars, or "" when no bar has one."""
    if not (drawn["drawn"] == "wilson").any():
        return ""
    return (
        f"Dashed: {interval_note(drawn, 'wilson')}, for a share of 0% or 100%, where every "
        "resample is alike and the bootstrap interval has no width."
    )


def error_bars(
    ax,
    positions: np.ndarray,
    values: np.ndarray,
    drawn: pd.DataFrame,
    *,
    horizontal: bool,
    style: dict,
) -> None:
    """Error bars of ``drawn`` (:func:`drawn_intervals`) at ``values``: solid, and dashed where
    the Wilson interval stands in, so a reader sees which bars are not the bootstrap's."""
    low = drawn["ci_low"].to_numpy(dtype=float)
    high = drawn["ci_high"].to_numpy(dtype=float)
    # errorbar rejects negative lengths; an interval that excludes its point gets length 0.
    err = np.vstack([np.clip(values - low, 0, None), np.clip(high - values, 0, None)])
    dashed = (drawn["drawn"] == "wilson").to_numpy()
    for mask, linestyle in ((~dashed, "-"), (dashed, "--")):
        if not mask.any():
            continue
        where: Sequence = (values[mask], positions[mask])
        bars = ax.errorbar(
            *(where if horizontal else where[::-1]),
            **{"xerr" if horizontal else "yerr": err[:, mask]},
            **style,
        )
        if linestyle != "-":
            for line in bars.lines[2]:
                line.set_linestyle(linestyle)
