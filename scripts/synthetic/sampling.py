"""Counts dealt out exactly: allocation, scaling, weighted draws and missing-value codes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .targets import TARGETS


def alloc(total: int, weights: Sequence[float]) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder).

    With weights that already sum to ``total`` it returns them unchanged, which is what
    keeps the default size exactly calibrated.
    """
    w = np.asarray(weights, dtype=np.float64)
    quota = total * w / w.sum()
    base = np.floor(quota).astype(np.int64)
    rest = total - int(base.sum())
    if rest:
        # stable sort: ties go to the earlier category, so the result is deterministic
        order = np.argsort(-(quota - base), kind="stable")
        base[order[:rest]] += 1
    return base


def scaled(counts: Sequence[int], n: int, base: int = TARGETS.completed) -> np.ndarray:
    """Counts given for ``base`` respondents, scaled to ``n``; last entry = the remainder."""
    return alloc(n, [*counts, base - sum(counts)])


def weighted(rng: np.random.Generator, table: dict, size: int) -> np.ndarray:
    """``size`` keys of ``table`` drawn with its values as weights."""
    keys = np.array(list(table), dtype=np.int64)
    p = np.array(list(table.values()), dtype=np.float64)
    return rng.choice(keys, size=size, p=p / p.sum())


def missing(rng: np.random.Generator, size: int, p99: float = 0.7) -> np.ndarray:
    """-99 (no answer) or -66 (seen, not answered), as text."""
    return np.where(rng.random(size) < p99, "-99", "-66").astype(object)


def text_missing(rng: np.random.Generator, size: int) -> np.ndarray:
    """An untouched text field of a submitted page: mostly -99, sometimes -66 or empty."""
    u = rng.random(size)
    return np.where(u < 0.6, "-99", np.where(u < 0.85, "-66", "")).astype(object)


def single(
    rng: np.random.Generator, n: int, counts: Sequence[int], codes: Sequence[int] | None = None
) -> np.ndarray:
    """A single-choice column with exact counts per code; the remainder are missing codes."""
    sizes = scaled(counts, n)
    codes = list(codes) if codes is not None else list(range(1, len(counts) + 1))
    col = np.repeat(np.array([str(c) for c in codes] + ["?"], dtype=object), sizes)
    col = col[rng.permutation(n)]
    gaps = col == "?"
    col[gaps] = missing(rng, int(gaps.sum()))
    return col


def multi(
    rng: np.random.Generator, n: int, answered: int, counts: Sequence[int], unseen: int
) -> tuple[np.ndarray, np.ndarray]:
    """0/1 matrix with exactly ``answered`` rows having an option and the given column sums.

    Every answering row first gets one "primary" option (shares proportional to the counts),
    then the remaining selections go to random answering rows that lack the option. Of the
    rows that did not answer, ``unseen`` are filtered (-77), the others saw it and ticked
    nothing (all 0).
    """
    k = len(counts)
    mat = np.zeros((n, k), dtype=np.int64)
    order = rng.permutation(n)
    rows = order[:answered]
    counts = [min(int(c), answered) for c in counts]
    primary = alloc(answered, counts)
    mat[rows, rng.permutation(np.repeat(np.arange(k), primary))] = 1
    for j in range(k):
        extra = counts[j] - int(mat[:, j].sum())
        if extra > 0:
            cand = rows[mat[rows, j] == 0]
            mat[rng.choice(cand, size=extra, replace=False), j] = 1
    mat[order[answered : answered + unseen]] = -77
    return mat, np.isin(np.arange(n), rows)


def pick(rng: np.random.Generator, bank: Sequence[str], size: int) -> np.ndarray:
    """``size`` texts drawn from ``bank`` with replacement, as an object array."""
    out = np.empty(size, dtype=object)
    out[:] = [bank[i] for i in rng.integers(0, len(bank), size)]
    return out
