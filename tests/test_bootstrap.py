"""The bootstrap engine (estimating.bootstrap): seeds, exactness, the four CI methods, memory.

Statistical assertions use tolerances of several Monte Carlo errors with fixed seeds, so
they are deterministic and far from their bounds. The whole module runs in a few seconds.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs

import surveyflow.estimating.bootstrap as bs
from surveyflow.estimating.bootstrap import (
    STREAM_BLOCK,
    bootstrap_means,
    intervals,
    jackknife_means,
    stable_seed,
    wilson_interval,
)

KEYS = {
    "label_index", "ci_method", "ci_used", "estimate", "boot_mean", "boot_se", "ci_low", "ci_high",
}  # fmt: skip


def share(k: int, n: int) -> np.ndarray:
    """One 0/1 column with k ones among n respondents."""
    col = np.zeros((n, 1))
    col[:k] = 1.0
    return col


def multi_choice(n: int, n_labels: int, seed: int = 0) -> np.ndarray:
    """A multiple-choice answer matrix with many distinct rows (takes the index sampler)."""
    rng = np.random.default_rng(seed)
    return (rng.random((n, n_labels)) < rng.uniform(0.1, 0.7, n_labels)).astype(float)


def by_method(rows: list[dict], label_index: int = 0) -> dict[str, dict]:
    return {r["ci_method"]: r for r in rows if r["label_index"] == label_index}


@pytest.fixture(params=["rows", "index"])
def sampler(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Force one of the two exact samplers, whatever the cost model would pick."""
    monkeypatch.setattr(bs, "_INDEX_COST_RATIO", 0 if request.param == "rows" else 10**9)
    return request.param


# --- seeds -------------------------------------------------------------------------------


# SHA-256 digests written by coreutils, not by Python, of the strings the docstring specifies:
#   printf '20231109\037rq1_1' | sha256sum
#   printf '20231109\037rq3_2\037Developer' | sha256sum
COREUTILS_SHA256 = {
    ("rq1_1", None): "cd1a33f638f59ae83e69a1e9f96910da1cfaa8e2a8903ebbfaf15b06595096bf",
    ("rq3_2", "Developer"): "bd1a55bbdaf97a429f928a91894e9aaa30bda0260fa90c65ed239aff557a642e",
}


@pytest.mark.parametrize(("key", "group"), list(COREUTILS_SHA256))
def test_stable_seed_is_the_documented_sha256_prefix(key: str, group: str | None) -> None:
    """First 8 bytes of the digest, big-endian, top bit dropped (the docstring's recipe)."""
    expected = int(COREUTILS_SHA256[key, group][:16], 16) >> 1
    assert stable_seed(20231109, key, group) == expected
    assert stable_seed(np.int64(20231109), key, group) == expected


def test_stable_seed_differs_across_keys_groups_and_base() -> None:
    seeds = {
        stable_seed(20231109, key, group)
        for key in ("rq1_1", "rq1_2", "rq3_1", "rq3_2", "rq5")
        for group in (None, "a", "b")
    }
    seeds.add(stable_seed(20231110, "rq1_1"))
    assert len(seeds) == 16
    assert all(0 <= s < 2**63 for s in seeds)


def test_stable_seed_rejects_non_int() -> None:
    with pytest.raises(TypeError):
        stable_seed("20231109", "rq1_1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        stable_seed(True, "rq1_1")


# --- determinism -------------------------------------------------------------------------


def test_cost_model_picks_rows_for_few_distinct_rows_and_indices_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = np.random.Generator
    numeric = np.random.default_rng(0).normal(size=(168, 1))  # 168 distinct rows

    class Spy:
        def __init__(self, inner: np.random.Generator) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            calls.append(name)
            return getattr(self.inner, name)

    monkeypatch.setattr(bs.np.random, "Generator", lambda bit_generator: Spy(real(bit_generator)))
    bootstrap_means(share(100, 168), 10, 1)  # 2 distinct rows
    bootstrap_means(numeric, 10, 1)
    assert calls == ["multinomial", "integers"]


def test_same_seed_same_bytes_different_seed_different(sampler: str) -> None:
    values = multi_choice(170, 5)
    a = bootstrap_means(values, 2500, 11)
    np.random.default_rng(0).random(1000)  # unrelated draws in between change nothing
    assert a.tobytes() == bootstrap_means(values, 2500, 11).tobytes()
    assert a.tobytes() != bootstrap_means(values, 2500, 12).tobytes()
    assert a.shape == (2500, 5) and a.dtype == np.float64


@pytest.mark.parametrize("integer_values", [True, False])
def test_chunk_size_does_not_change_the_replicates(sampler: str, integer_values: bool) -> None:
    """Implemented invariant: the stream is cut in fixed blocks, chunks only group them."""
    values = multi_choice(170, 4)
    if not integer_values:  # sums of non-integers: rounding must not depend on the chunk
        values = np.c_[values, np.random.default_rng(3).gamma(2.0, 10.0, 170)]
    ref = bootstrap_means(values, 5500, 42, chunk_size=20000)
    for chunk_size in (1, STREAM_BLOCK, 2000, 3000, 5500):
        got = bootstrap_means(values, 5500, 42, chunk_size=chunk_size)
        assert got.tobytes() == ref.tobytes(), chunk_size


def test_shorter_run_is_a_prefix_of_a_longer_one(sampler: str) -> None:
    """Also across stream blocks (1000 resamples for indices, 10,000 for distinct rows)."""
    values = multi_choice(160, 5)
    long = bootstrap_means(values, 25_000, 5)
    for size in (1500, 12_345):
        assert bootstrap_means(values, size, 5).tobytes() == long[:size].tobytes()


# --- exactness ---------------------------------------------------------------------------


def test_index_sampler_averages_the_rows_of_spawned_streams(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counting indices then ``counts @ values`` equals averaging the resampled rows, and
    block b of 1000 resamples is drawn from ``SeedSequence(seed).spawn(...)[b]``: NumPy
    documents that its children carry spawn_key (b,), the stream the docstring promises."""
    monkeypatch.setattr(bs, "_INDEX_COST_RATIO", 10**9)
    values = np.c_[multi_choice(50, 3), np.random.default_rng(1).normal(size=50)]
    n, seed = len(values), 9
    children = np.random.SeedSequence(seed).spawn(3)
    expected = np.concatenate([
        values[np.random.default_rng(child).integers(0, n, (1000, n), dtype=np.uint16)].mean(1)
        for child in children
    ])[:2500]  # fmt: skip
    np.testing.assert_allclose(bootstrap_means(values, 2500, seed), expected, rtol=0, atol=1e-12)


# Hand-computed: resampling {0, 1, 5} three times gives 27 equally likely ordered triples;
# their sums, with how many triples give each (counts of 0, 1, 5 drawn in brackets):
# 0 (3,0,0): 1, 1 (2,1,0): 3, 2 (1,2,0): 3, 3 (0,3,0): 1, 5 (2,0,1): 3, 6 (1,1,1): 6,
# 7 (0,2,1): 3, 10 (1,0,2): 3, 11 (0,1,2): 3, 15 (0,0,3): 1.
EXACT_SUMS = {0: 1, 1: 3, 2: 3, 3: 1, 5: 3, 6: 6, 7: 3, 10: 3, 11: 3, 15: 1}


def test_both_samplers_give_the_exact_bootstrap_distribution_of_a_mean(sampler: str) -> None:
    size = 27_000
    reps = bootstrap_means(np.array([[0.0], [1.0], [5.0]]), size, 4)
    sums = np.rint(3 * reps[:, 0]).astype(int)
    np.testing.assert_allclose(3 * reps[:, 0], sums, rtol=0, atol=1e-12)
    support = sorted(EXACT_SUMS)
    assert set(sums.tolist()) == set(support)  # nothing outside the ten possible sums
    observed = [int(np.sum(sums == s)) for s in support]
    expected = [size * EXACT_SUMS[s] / 27 for s in support]
    assert st.chisquare(observed, expected).pvalue > 0.001, observed


@pytest.mark.parametrize(("k", "n"), [(3, 10), (100, 168)])
def test_both_samplers_give_a_binomial_count_for_one_share(sampler: str, k: int, n: int) -> None:
    """The bootstrap count of a share k/n is Binomial(n, k/n) (Efron & Tibshirani, ch. 6)."""
    size = 20_000
    counts = np.rint(n * bootstrap_means(share(k, n), size, 6)[:, 0]).astype(int)
    # cells of expected count >= 20, the tails pooled, so the chi-square law holds
    pmf = st.binom.pmf(np.arange(n + 1), n, k / n)
    inner = np.flatnonzero(pmf * size >= 20)
    lo, hi = inner[0], inner[-1]
    observed = [np.sum(counts <= lo), *[np.sum(counts == c) for c in range(lo + 1, hi)]]
    observed.append(np.sum(counts >= hi))
    expected = [pmf[: lo + 1].sum(), *pmf[lo + 1 : hi], pmf[hi:].sum()]
    assert st.chisquare(observed, size * np.array(expected)).pvalue > 0.001


def test_replicate_mean_is_unbiased(sampler: str) -> None:
    values = multi_choice(168, 4, seed=2)
    reps = bootstrap_means(values, 20000, 3)
    mc_error = reps.std(axis=0, ddof=1) / math.sqrt(len(reps))
    assert np.all(np.abs(reps.mean(axis=0) - values.mean(axis=0)) < 4 * mc_error)


def test_same_distribution_as_a_naive_resampling_loop(sampler: str) -> None:
    values = np.c_[multi_choice(120, 2, seed=4), np.random.default_rng(4).exponential(size=120)]
    n, size = len(values), 4000
    rng = np.random.default_rng(123)
    naive = np.array([values[rng.integers(0, n, n)].mean(axis=0) for _ in range(size)])
    reps = bootstrap_means(values, size, 77)
    sd = naive.std(axis=0, ddof=1)
    assert np.all(np.abs(reps.mean(axis=0) - naive.mean(axis=0)) < 4 * sd * math.sqrt(2 / size))
    # sd of a sample sd is about sd/sqrt(2S); two independent samples: sqrt(2) times that
    assert np.all(np.abs(reps.std(axis=0, ddof=1) - sd) < 4 * sd / math.sqrt(size))
    # and the analytic bootstrap variance of a mean: population variance / n
    theory = values.std(axis=0, ddof=0) / math.sqrt(n)
    assert np.all(np.abs(reps.std(axis=0, ddof=1) / theory - 1) < 0.05)


def test_jackknife_means_leave_one_out() -> None:
    values = np.random.default_rng(0).normal(size=(7, 3))
    jack = jackknife_means(values)
    for i in range(7):
        np.testing.assert_allclose(jack[i], np.delete(values, i, axis=0).mean(axis=0))
    with pytest.raises(ValueError):
        jackknife_means(values[:1])


# --- the paper's interval ----------------------------------------------------------------


def test_paper_interval_is_the_monte_carlo_error_of_the_replicate_mean() -> None:
    """RQ1.1 'Service': 100 of 168, S = 1000 -> published 59.457 [59.219, 59.695]."""
    k, n, size = 100, 168, 1000
    p = k / n
    rows = intervals(share(k, n), bootstrap_means(share(k, n), size, 1), scale=100)
    paper = by_method(rows)["paper"]
    half = (paper["ci_high"] - paper["ci_low"]) / 2
    expected = 100 * 1.96 * math.sqrt(p * (1 - p) / n) / math.sqrt(size)  # 0.2347 points
    assert abs(half / expected - 1) < 0.1  # sd of S=1000 replicates is known to ~2%
    assert abs(half - (59.695 - 59.219) / 2) < 0.03
    centre = (paper["ci_high"] + paper["ci_low"]) / 2
    assert centre == pytest.approx(paper["boot_mean"])
    assert abs(centre - 100 * p) < 3 * expected / 1.96


def test_proper_intervals_agree_and_are_thirty_times_wider_than_paper() -> None:
    k, n = 100, 168
    rows = by_method(intervals(share(k, n), bootstrap_means(share(k, n), 1000, 2)))
    width = {m: r["ci_high"] - r["ci_low"] for m, r in rows.items()}
    for method in ("percentile", "bca", "wilson"):
        assert 20 < width[method] / width["paper"] < 45, (method, width)
        for end in ("ci_low", "ci_high"):
            assert abs(rows[method][end] - rows["wilson"][end]) < 0.02
        assert rows[method]["ci_low"] < k / n < rows[method]["ci_high"]


# --- BCa, Wilson, t ----------------------------------------------------------------------


def test_bca_shifts_right_for_a_right_skewed_mean() -> None:
    """Mean of exponential data: the exact interval is shifted right of the percentile one."""
    x = np.random.default_rng(0).exponential(size=(40, 1))
    rows = by_method(
        intervals(x, bootstrap_means(x, 20000, 5), kind="mean", methods=("percentile", "bca"))
    )
    assert rows["bca"]["ci_low"] > rows["percentile"]["ci_low"]
    assert rows["bca"]["ci_high"] > rows["percentile"]["ci_high"] + 0.03
    # exact chi-square interval for an exponential mean, for direction and size
    mean, n = float(x.mean()), len(x)
    exact_high = mean * 2 * n / st.chi2.ppf(0.025, 2 * n)
    bca_gap = abs(rows["bca"]["ci_high"] - exact_high)
    assert bca_gap < abs(rows["percentile"]["ci_high"] - exact_high)


def test_bca_moves_a_small_share_towards_wilson() -> None:
    values = share(3, 160)
    rows = by_method(intervals(values, bootstrap_means(values, 20000, 5)))
    assert rows["bca"]["ci_low"] > rows["percentile"]["ci_low"]
    assert rows["bca"]["ci_high"] > rows["percentile"]["ci_high"]
    assert rows["bca"]["ci_low"] == pytest.approx(rows["wilson"]["ci_low"], abs=0.005)


@pytest.mark.parametrize(("k", "n"), [(0, 160), (160, 160), (0, 16), (16, 16)])
def test_boundary_shares_record_that_bca_fell_back_to_percentile(k: int, n: int) -> None:
    """At k = 0 or k = n every resample is the sample: the bootstrap intervals have no width,
    BCa is undefined (z0 infinite) and its row says the percentile interval stands in."""
    values = share(k, n)
    rows = by_method(intervals(values, bootstrap_means(values, 1000, 1)))
    p = k / n
    for method in ("paper", "percentile", "bca"):
        assert rows[method]["ci_low"] == rows[method]["ci_high"] == p
    assert rows["bca"]["ci_method"] == "bca" and rows["bca"]["ci_used"] == "percentile"
    assert all(rows[m]["ci_used"] == m for m in ("paper", "percentile", "wilson"))
    assert 0.0 <= rows["wilson"]["ci_low"] < rows["wilson"]["ci_high"] <= 1.0
    assert rows["paper"]["boot_se"] == 0.0


def test_bca_where_defined_says_bca() -> None:
    values = share(3, 16)
    rows = by_method(intervals(values, bootstrap_means(values, 1000, 1)))
    assert rows["bca"]["ci_used"] == "bca"
    assert rows["bca"]["ci_low"] != rows["percentile"]["ci_low"]


@pytest.mark.parametrize("n", [5, 16, 160])
def test_wilson_at_zero_is_z_squared_over_n_plus_z_squared(n: int) -> None:
    """Wilson's bounds at k = 0, by hand: centre and half-width are both z²/(2(n + z²))."""
    z2 = st.norm.ppf(0.975) ** 2
    assert wilson_interval(0.0, n) == (0.0, pytest.approx(z2 / (n + z2), rel=1e-12))
    low, high = wilson_interval(1.0, n)
    assert high == 1.0 and low == pytest.approx(n / (n + z2), rel=1e-12)


def test_single_respondent_does_not_crash() -> None:
    rows = by_method(
        intervals(np.array([[3.0]]), np.full((10, 1), 3.0), kind="mean", methods=("bca", "t"))
    )
    assert rows["bca"]["ci_low"] == rows["bca"]["ci_high"] == 3.0
    assert math.isnan(rows["t"]["ci_low"])


def test_wilson_matches_scipy() -> None:
    for k, n in ((100, 168), (5, 153), (0, 20), (169, 169)):
        rows = by_method(intervals(share(k, n), bootstrap_means(share(k, n), 100, 1)))
        ci = st.binomtest(k, n).proportion_ci(0.95, method="wilson")
        assert rows["wilson"]["ci_low"] == pytest.approx(ci.low, abs=1e-12)
        assert rows["wilson"]["ci_high"] == pytest.approx(ci.high, abs=1e-12)


def test_t_interval_of_a_hand_computed_case() -> None:
    """Values 1..5: mean 3, s = sqrt(2.5), n = 5, so half-width t(0.975; 4) * sqrt(2.5 / 5).

    The references are scipy.stats.t.interval (not the ppf our code calls) and, for the
    quantile, the value of printed t tables, t(0.975; 4) = 2.776.
    """
    x = np.arange(1.0, 6.0).reshape(-1, 1)
    rows = by_method(intervals(x, bootstrap_means(x, 100, 1), kind="mean", methods=("t",)))
    half = (rows["t"]["ci_high"] - rows["t"]["ci_low"]) / 2
    low, high = st.t.interval(0.95, 4, loc=3.0, scale=math.sqrt(2.5 / 5))
    assert half == pytest.approx((high - low) / 2, rel=1e-12)
    assert (rows["t"]["ci_low"], rows["t"]["ci_high"]) == (
        pytest.approx(low, rel=1e-12),
        pytest.approx(high, rel=1e-12),
    )
    assert half / math.sqrt(2.5 / 5) == pytest.approx(2.776, abs=5e-4)


def test_mean_kind_gives_a_t_row_for_wilson() -> None:
    x = np.random.default_rng(1).normal(45.0, 30.0, size=(169, 1))
    rows = by_method(intervals(x, bootstrap_means(x, 2000, 1), kind="mean"))
    assert set(rows) == {"paper", "percentile", "bca", "t"}
    ci = st.t.interval(0.95, 168, loc=x.mean(), scale=st.sem(x[:, 0]))
    assert rows["t"]["ci_low"] == pytest.approx(ci[0], abs=1e-9)
    assert rows["t"]["ci_high"] == pytest.approx(ci[1], abs=1e-9)
    assert abs(rows["percentile"]["ci_low"] - ci[0]) < 1.0


# --- output contract ---------------------------------------------------------------------


def test_rows_keys_order_and_scale() -> None:
    values = multi_choice(168, 4)
    reps = bootstrap_means(values, 1000, 3)
    rows = intervals(values, reps)
    assert [(r["label_index"], r["ci_method"]) for r in rows] == [
        (j, m) for j in range(4) for m in ("paper", "percentile", "bca", "wilson")
    ]
    assert all(set(r) == KEYS for r in rows)
    assert all(
        type(r[key]) is float
        for r in rows
        for key in KEYS - {"label_index", "ci_method", "ci_used"}
    )
    pct = intervals(values, reps, scale=100.0)
    for a, b in zip(rows, pct, strict=True):
        for key in ("estimate", "boot_mean", "boot_se", "ci_low", "ci_high"):
            assert b[key] == pytest.approx(100 * a[key])
    assert rows[0]["estimate"] == values[:, 0].mean()
    assert rows[0]["boot_se"] == pytest.approx(reps[:, 0].std(ddof=1))


def test_percentile_is_numpy_quantile() -> None:
    values = multi_choice(168, 2)
    reps = bootstrap_means(values, 999, 8)
    rows = by_method(intervals(values, reps, level=0.9, methods=("percentile",)), 1)
    low, high = np.quantile(reps[:, 1], [0.05, 0.95])
    assert (rows["percentile"]["ci_low"], rows["percentile"]["ci_high"]) == (low, high)


@pytest.mark.parametrize(
    ("kwargs", "values"),
    [
        ({"kind": "share"}, np.array([[0.0], [2.0]])),
        ({"kind": "share", "methods": ("t",)}, np.array([[0.0], [1.0]])),
        ({"kind": "median"}, np.array([[0.0], [1.0]])),
        ({"methods": ("normal",)}, np.array([[0.0], [1.0]])),
        ({"level": 95}, np.array([[0.0], [1.0]])),
        ({}, np.array([[0.0], [np.nan]])),
        ({}, np.array([0.0, 1.0])),
    ],
)
def test_bad_arguments_raise(kwargs: dict, values: np.ndarray) -> None:
    with pytest.raises(ValueError):
        intervals(values, np.zeros((10, 1)), **kwargs)


def test_bad_bootstrap_arguments_raise() -> None:
    with pytest.raises(ValueError):
        bootstrap_means(share(1, 5), 0, 1)
    with pytest.raises(ValueError):
        bootstrap_means(share(1, 5), 10, -1)
    with pytest.raises(ValueError):
        intervals(share(1, 5), np.zeros((10, 2)))
    with pytest.raises(TypeError):
        bootstrap_means(share(1, 5), 1e3, 1)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    n=hs.integers(1, 60),
    n_labels=hs.integers(1, 4),
    seed=hs.integers(0, 2**32),
    density=hs.floats(0.0, 1.0),
)
def test_intervals_are_ordered_and_within_0_1_for_any_share_matrix(
    n: int, n_labels: int, seed: int, density: float
) -> None:
    values = (np.random.default_rng(seed).random((n, n_labels)) < density).astype(float)
    rows = intervals(values, bootstrap_means(values, 200, seed))
    for r in rows:
        assert 0.0 <= r["ci_low"] <= r["ci_high"] <= 1.0, r
        if r["ci_method"] in ("percentile", "bca"):
            assert r["ci_low"] <= r["boot_mean"] + 1e-12 and r["boot_mean"] <= r["ci_high"] + 1e-12
        if r["ci_method"] == "wilson":
            assert r["ci_low"] <= r["estimate"] <= r["ci_high"]


# --- memory ------------------------------------------------------------------------------


def test_memory_is_bounded_by_the_chunk_not_by_s() -> None:
    """Peak working memory beyond the (S, L) result stays at the chunk's ~18*chunk*n bytes.

    Run at S = 10**5 and 2*10**5 (index sampler, the memory-hungry one) to stay fast; the
    bound does not depend on S, and bench/bench_bootstrap.py measures S = 10**6 itself.
    """
    n, n_labels, chunk = 170, 5, 20000
    values = multi_choice(n, n_labels)
    bound = 18 * chunk * n + 2 * 2**20  # flat indices, counts, one block's draws; slack
    extra = []
    for size in (10**5, 2 * 10**5):
        tracemalloc.start()
        try:
            reps = bootstrap_means(values, size, 1, chunk_size=chunk)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        extra.append(peak - reps.nbytes)
    assert all(0 < e < bound for e in extra), extra
    assert abs(extra[1] - extra[0]) < 2**20  # no growth with S
