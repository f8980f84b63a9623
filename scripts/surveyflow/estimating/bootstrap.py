"""Bootstrap engine: resample the n respondents who answered a question, S times with replacement.

Every statistic of the study is a mean of a per-respondent value: a share is the mean of a
0/1 indicator (one column per label), RQ5's 45.41% is the mean of a numeric column. So one
engine serves all of them: :func:`bootstrap_means` returns the (S, L) column means of S
resamples, and :func:`intervals` turns them into confidence intervals by four methods
(docs/design.md, "Bootstrapping, as the paper did it and as it should be done"):

``paper``
    as published: mean of the replicates ± z·sd/√S. That is the Monte Carlo error of the
    replicate mean, about 30 times narrower than a confidence interval of the share; it is
    reproduced on purpose, so that the published table can be checked.
``percentile``, ``bca``
    proper bootstrap intervals (Efron & Tibshirani 1993, ch. 13-14).
``wilson`` (shares) / ``t`` (means)
    analytic references that need no resampling.

Numbers are returned on the scale of ``values`` times ``scale`` (pass ``scale=100`` for
percentages); nothing else is rescaled.

Reproducibility: seeds derive from the config seed and the analysis id with SHA-256
(:func:`stable_seed`), and the random stream is cut into fixed blocks of resamples
(:data:`STREAM_BLOCK` for the index sampler, :data:`ROWS_STREAM_BLOCK` for the
distinct-row sampler), block ``b`` drawn from ``SeedSequence(seed, spawn_key=(b,))``.
So the replicates depend only on (values, seed, S): not on ``chunk_size``, on the order
jobs run in or on other draws in the process; and the first S replicates of a longer run
equal a run of S. Shares sum integers, exactly, so their bytes depend only on NumPy's
generators; means of non-integer values may differ in the last bit between BLAS builds
or kernels (OPENBLAS_CORETYPE), never between runs on one installation.
"""

from __future__ import annotations

import hashlib
import math
import operator
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from surveyflow.checking.vocabulary import CI_METHODS

__all__ = [
    "ROWS_STREAM_BLOCK",
    "STREAM_BLOCK",
    "bootstrap_means",
    "intervals",
    "jackknife_means",
    "stable_seed",
    "wilson_interval",
]

STREAM_BLOCK = 1000  # resamples per independent random stream; chunks are whole blocks
# the distinct-row sampler's blocks are (block, m) counts, small: longer blocks cost no
# memory and save setting up a generator per 1000 resamples (a third of its time)
ROWS_STREAM_BLOCK = 10 * STREAM_BLOCK

# Cost model of the two exact samplers, measured on the bench machine (bench/bootstrap.md):
# one multinomial draw over m distinct rows costs about as much as 8 respondent indices
# (draw + bincount), so counts over distinct rows win while (m - 1) * 8 <= n.
_INDEX_COST_RATIO = 8
# Largest matrix product (multiply-adds) done in one call: OpenBLAS runs bigger ones on
# several threads, which for these thin products (K = n or m) saves no wall time but
# doubles CPU time and competes with parallel jobs; slices this size also stay in cache.
_GEMM_SLICE = 2**18
_NORMAL = NormalDist()


def stable_seed(base_seed: int, key: str, group: str | None = None) -> int:
    """Seed for one analysis (and optionally one group), derived from the config seed.

    SHA-256 of ``"{base_seed}\\x1f{key}[\\x1f{group}]"``, first 8 bytes, top bit dropped:
    a non-negative int < 2**63, the same on every machine and Python version (unlike
    ``hash()``, which is salted per process for strings).
    """
    if isinstance(base_seed, bool) or not isinstance(base_seed, int | np.integer):
        raise TypeError(f"base_seed must be an int, got {type(base_seed).__name__}")
    parts = [str(int(base_seed)), key] + ([] if group is None else [group])
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _as_values(values: np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"values must be a non-empty (n, L) array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("values must be finite: pass only the respondents who answered")
    return arr


def bootstrap_means(
    values: np.ndarray, resamples: int, seed: int, chunk_size: int = 20000
) -> np.ndarray:
    """Column means of ``resamples`` resamples of the rows of ``values`` (with replacement).

    ``values`` is (n, L): one row per respondent who answered, one column per label (0/1
    for shares) or a numeric column. Returns (S, L) float64 replicates.

    Two exact samplers, chosen by a cost model (the choice depends only on ``values``):
    a resample is fully described by how often each respondent is drawn, and respondents
    with identical rows are interchangeable, so the counts of the m distinct rows are
    Multinomial(n, frequency/n) -- cheap when m is small (one share: a binomial draw).
    Otherwise n uniform respondent indices per resample are drawn and counted.
    Either way a replicate is ``counts @ rows / n``.

    Memory: the S*L*8-byte result, plus for the index sampler ``chunk_size`` resamples at a
    time (rounded up to whole :data:`STREAM_BLOCK`), about ``chunk_size * n * 18`` bytes;
    the distinct-row sampler needs only ``ROWS_STREAM_BLOCK * m * 16`` bytes.
    ``chunk_size`` does not change the result.
    """
    arr = _as_values(values)
    resamples, seed, chunk_size = (operator.index(v) for v in (resamples, seed, chunk_size))
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    n, n_labels = arr.shape
    rows, freq = np.unique(arr, axis=0, return_counts=True)
    by_rows = (len(rows) - 1) * _INDEX_COST_RATIO <= n
    index_dtype = np.uint16 if n <= 2**16 else np.int64  # fewer random bits per index

    def block_rng(block: int) -> np.random.Generator:
        # = default_rng(SeedSequence(...)), without default_rng's overhead (half the cost)
        return np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,)))
        )

    out = np.empty((resamples, n_labels), dtype=np.float64)
    if by_rows:  # (size, m) counts are small: one block at a time
        for block, start in enumerate(range(0, resamples, ROWS_STREAM_BLOCK)):
            stop = min(start + ROWS_STREAM_BLOCK, resamples)
            counts = block_rng(block).multinomial(n, freq / n, size=stop - start)
            _matmul(counts.astype(np.float64), rows, out[start:stop])
        out /= n
        return out

    chunk = min(max(1, math.ceil(chunk_size / STREAM_BLOCK)) * STREAM_BLOCK, resamples)
    # buffers reused across chunks: fresh large arrays would cost a page fault per 4 KiB
    flat_buf = np.empty((chunk, n), dtype=np.intp)
    counts_buf = np.empty((chunk, n), dtype=np.float64)
    # offset row r's indices by r*n, so one np.add.at counts every row of the chunk
    offsets = (np.arange(chunk, dtype=np.intp) * n)[:, None]
    for start in range(0, resamples, chunk):
        stop = min(start + chunk, resamples)
        flat, counts = flat_buf[: stop - start], counts_buf[: stop - start]
        for block_start in range(start, stop, STREAM_BLOCK):
            block_stop = min(block_start + STREAM_BLOCK, stop)
            idx = block_rng(block_start // STREAM_BLOCK).integers(
                0, n, size=(block_stop - block_start, n), dtype=index_dtype
            )
            rel = slice(block_start - start, block_stop - start)
            np.add(idx, offsets[rel], out=flat[rel])
        counts.fill(0.0)
        np.add.at(counts.reshape(-1), flat.reshape(-1), 1.0)
        _matmul(counts, arr, out[start:stop])
    out /= n
    return out


def _matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = a @ b`` in row slices of at most :data:`_GEMM_SLICE` multiply-adds."""
    step = max(1, _GEMM_SLICE // (a.shape[1] * b.shape[1]))
    for start in range(0, a.shape[0], step):
        np.matmul(a[start : start + step], b, out=out[start : start + step])


def jackknife_means(values: np.ndarray) -> np.ndarray:
    """(n, L) leave-one-out column means: row i is the mean without respondent i."""
    arr = _as_values(values)
    n = arr.shape[0]
    if n < 2:
        raise ValueError("the jackknife needs at least 2 respondents")
    return (arr.sum(axis=0) - arr) / (n - 1)


def _bca(
    replicates: np.ndarray, estimate: float, jackknife: np.ndarray | None, alpha: float
) -> tuple[float, float] | None:
    """BCa endpoints (Efron & Tibshirani 1993, 14.3), or None when undefined.

    Undefined: all replicates on one side of the estimate (z0 infinite), no jackknife
    spread (a = 0/0, e.g. a share of 0 or 1, or n = 1), or 1 - a(z0 + z) <= 0.
    The caller then falls back to the percentile interval.
    """
    tol = 1e-12 * max(1.0, abs(estimate))  # replicates equal to the estimate up to rounding
    below = np.count_nonzero(replicates < estimate - tol)
    ties = np.count_nonzero(np.abs(replicates - estimate) <= tol)
    share_below = (below + 0.5 * ties) / replicates.size  # ties count half: discrete shares
    if not 0.0 < share_below < 1.0 or jackknife is None:
        return None
    z0 = _NORMAL.inv_cdf(share_below)
    dev = jackknife.mean() - jackknife
    spread = float(np.sum(dev**2))
    if spread <= 0.0:
        return None
    accel = float(np.sum(dev**3)) / (6.0 * spread**1.5)
    levels = []
    for z in (_NORMAL.inv_cdf(alpha / 2), _NORMAL.inv_cdf(1 - alpha / 2)):
        denom = 1.0 - accel * (z0 + z)
        if not denom > 0.0:
            return None
        levels.append(_NORMAL.cdf(z0 + (z0 + z) / denom))
    low, high = np.quantile(replicates, levels)
    return float(low), float(high)


def wilson_interval(share: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927) of a share ``k/n`` of ``n`` answers, on 0-1.

    Unlike the bootstrap intervals it does not collapse at k = 0 or k = n: there it is
    [0, z²/(n + z²)] or its mirror, which is why the figures draw it there
    (:mod:`surveyflow.rendering.drawn_intervals`, bench/coverage.md).
    """
    if n < 1:
        raise ValueError(f"a share needs n >= 1 answers, got {n}")
    z = _NORMAL.inv_cdf(1.0 - (1.0 - level) / 2)  # as intervals() computes it, to the bit
    denom = 1.0 + z * z / n
    centre = (share + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    # at k = 0 (k = n) the lower (upper) bound is exactly 0 (1), not up to rounding
    low = 0.0 if share == 0.0 else max(0.0, centre - half)
    high = 1.0 if share == 1.0 else min(1.0, centre + half)
    return low, high


def intervals(
    values: np.ndarray,
    replicates: np.ndarray,
    *,
    level: float = 0.95,
    methods: Sequence[str] = ("paper", "percentile", "bca", "wilson"),
    kind: str = "share",
    scale: float = 1.0,
) -> list[dict]:
    """Point estimates and confidence intervals, one dict per (label index, method).

    Keys: ``label_index``, ``ci_method``, ``ci_used`` (the method ``ci_low``/``ci_high``
    were computed by), ``estimate`` (the sample statistic, k/n or the sample mean),
    ``boot_mean`` (mean of the replicates), ``boot_se`` (their sd, ddof=1), ``ci_low``,
    ``ci_high``; all numbers multiplied by ``scale``.

    ``kind="share"`` requires 0/1 values and gives the Wilson score interval for
    ``wilson``; ``kind="mean"`` answers ``wilson`` (or ``t``) with the t interval
    mean ± t(n-1)·s/√n. ``bca`` falls back to ``percentile`` where BCa is undefined
    (see :func:`_bca`; always at k = 0 or k = n): that row keeps ``ci_method="bca"``, so
    every label has one row per requested method, and says ``ci_used="percentile"``.
    With n < 2 the ``t`` interval is nan.
    To bootstrap shares and a mean on the same resamples (RQ5), bootstrap the columns
    together and call this once per kind on column slices of values and replicates.
    """
    arr = _as_values(values)
    reps = np.asarray(replicates, dtype=np.float64)
    n, n_labels = arr.shape
    if reps.ndim != 2 or reps.shape[1] != n_labels or reps.shape[0] < 2:
        raise ValueError(f"replicates must be (S >= 2, {n_labels}), got shape {reps.shape}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if kind not in ("share", "mean"):
        raise ValueError(f"kind must be 'share' or 'mean', got {kind!r}")
    unknown = [m for m in methods if m not in CI_METHODS]
    if unknown:
        raise ValueError(f"unknown CI methods {unknown}; known: {list(CI_METHODS)}")
    if kind == "share" and not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError("kind='share' needs 0/1 indicator values")
    if kind == "share" and "t" in methods:
        raise ValueError("the 't' interval is for kind='mean'; shares use 'wilson'")

    alpha = 1.0 - level
    z = _NORMAL.inv_cdf(1.0 - alpha / 2)
    n_reps = reps.shape[0]
    estimates = arr.sum(axis=0) / n  # for shares the same integer sum / n as a replicate
    boot_mean = reps.mean(axis=0)
    boot_se = reps.std(axis=0, ddof=1)
    jack = jackknife_means(arr) if n >= 2 else None
    sample_sd = arr.std(axis=0, ddof=1) if n >= 2 else np.full(n_labels, np.nan)

    rows: list[dict] = []
    for j in range(n_labels):
        col = reps[:, j]
        est = float(estimates[j])
        pct: tuple[float, float] | None = None
        for method in methods:
            if method == "paper":
                half = z * boot_se[j] / math.sqrt(n_reps)
                low, high = boot_mean[j] - half, boot_mean[j] + half
                name = used = method
            elif method in ("percentile", "bca"):
                bca = None
                if method == "bca":
                    bca = _bca(col, est, None if jack is None else jack[:, j], alpha)
                used = method if bca is not None else "percentile"
                if bca is None:
                    if pct is None:
                        low_q, high_q = np.quantile(col, [alpha / 2, 1 - alpha / 2])
                        pct = (float(low_q), float(high_q))
                    bca = pct
                low, high = bca
                name = method
            elif kind == "share":  # wilson
                low, high = wilson_interval(est, n, level)
                name = used = "wilson"
            else:  # wilson or t for a mean: the t interval
                # Imported here: scipy.stats adds 0.6-0.9 s (python -X importtime) to every job
                # importing this module (figure jobs too, via drawn_intervals); only this needs it.
                from scipy.stats import t as student_t

                # df = 0 (n = 1) gives nan, as does the sd of one value
                half = float(student_t.ppf(1.0 - alpha / 2, n - 1)) * sample_sd[j] / math.sqrt(n)
                low, high = est - half, est + half
                name = used = "t"
            rows.append(
                {
                    "label_index": j,
                    "ci_method": name,
                    "ci_used": used,
                    "estimate": est * scale,
                    "boot_mean": float(boot_mean[j]) * scale,
                    "boot_se": float(boot_se[j]) * scale,
                    "ci_low": float(low) * scale,
                    "ci_high": float(high) * scale,
                }
            )
    return rows
