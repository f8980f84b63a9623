"""Free-text numbers: D7/D8 project counts and Q15 percentages, typed the way respondents do."""

from __future__ import annotations

import numpy as np

from .sampling import alloc, pick, scaled, weighted
from .targets import TARGETS

BIN_EDGES = TARGETS.bins
N_BINS = len(BIN_EDGES) - 1

# Non-valid answers the cleaning must recognise as such.
Q15_VAGUE = (
    "most",
    "few",
    "not sure",
    "depends on the project",
    "no idea",
    "very few",
    "hard to tell",
    "majority",
)
COUNT_UNPARSEABLE = ("many", "not sure", "lots", "I don't remember", "n/a", "hard to say")

# --------------------------------------------------------------------------- messy numbers

_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip


def _render_count(v: float, u: float, w: float) -> str:
    """Text a respondent might type for a count whose cleaned value is exactly ``v``.

    Cleaning rules (surveyflow.checking.count_parser.parse_count): numbers inside words are taken,
    open lower bounds take the bound, ranges the midpoint, number words their value. ``u`` picks
    the style, ``w`` a variant.
    """
    if not float(v).is_integer():  # only a range has a half as its clean value
        lo, hi = int(v - 0.5), int(v + 0.5)
        return f"{lo}-{hi}" if w < 0.6 else f"{lo} to {hi}"
    n = int(v)
    if n == 0:
        return "0" if u < 0.5 else ("none" if w < 0.5 else "zero")
    if u < 0.72 or (n < 4 and u < 0.86):  # nobody writes "about 2"
        return str(n) if w < 0.93 else f"{n} "
    if u < 0.76:
        return f"about {n}"
    if u < 0.79:
        return f"approx. {n}"
    if u < 0.82:
        return f"~{n}"
    if u < 0.86:
        return f"{n} projects" if n > 1 else "1 project"
    if u < 0.88 and n >= 5 and n % 5 == 0:
        return f"{n}+"
    if u < 0.90 and n >= 5:
        return f"more than {n}" if w < 0.5 else f">{n}"
    if u < 0.92 and n >= 2:
        return f"at least {n}"
    if u < 0.95 and n >= 3:
        return f"{n - 1}-{n + 1}" if w < 0.6 else f"{n - 1} to {n + 1}"
    if n <= 12:
        if n == 12 and w < 0.5:
            return "a dozen"
        word = _WORDS[n]
        return word.capitalize() if w < 0.4 else word
    return str(n)


def _render_percent(v: int, u: float, w: float) -> str:
    """Text for a percentage whose cleaned value is exactly ``v`` (parse_percentage rules)."""
    if v == 0 and u < 0.5:
        return "none" if w < 0.6 else "0%"
    if v == 100 and u < 0.5:
        return "all" if w < 0.6 else "all of them"
    if u >= 0.84:
        # Ranges and open intervals stand for their midpoint: "20-30%" is 25,
        # "less than 20%" is 10, "more than 80%" is 90.
        if v % 10 == 5 and 5 <= v <= 95:
            return f"{v - 5}-{v + 5}%"
        if v in (5, 10):
            return f"less than {2 * v}%"
        if v in (90, 95):
            return f"more than {2 * v - 100}%"
    if u < 0.50 or (v <= 3 and u < 0.9):
        return f"{v}%"
    if u < 0.72:
        return str(v)
    if u < 0.77:
        return f"{v} %"
    if u < 0.82:
        return f"about {v} %" if w < 0.5 else f"around {v}%"
    if u < 0.86:
        return f"~{v}%"
    if u < 0.90:
        return f"approx. {v}%"
    return f"{v}%"


# --------------------------------------------------------------------------- D7 / D8


def _d8_bounds(d7: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer D8 range whose ratio 100*D8/D7 lies in bin ``b`` (exact integer arithmetic)."""
    edges = np.asarray(BIN_EDGES)
    lo, hi = edges[b], edges[b + 1]
    lo_d8 = (lo * d7 + 99) // 100
    hi_d8 = np.where(b == len(BIN_EDGES) - 2, d7, (hi * d7 - 1) // 100)
    return lo_d8, hi_d8


def _bin_of(ratio: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(BIN_EDGES, ratio, side="right") - 1, len(BIN_EDGES) - 2)


def _draw_pairs(
    rng: np.random.Generator, b: np.ndarray, d7_table: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Draw (D7, D8) integer pairs whose ratio falls in the given bins."""
    d7 = weighted(rng, d7_table, b.size)
    for _ in range(100):
        lo, hi = _d8_bounds(d7, b)
        bad = lo > hi
        if not bad.any():
            break
        d7[bad] = weighted(rng, d7_table, int(bad.sum()))
    lo, hi = _d8_bounds(d7, b)
    d8 = lo + np.floor(rng.random(b.size) * (hi - lo + 1)).astype(np.int64)
    return d7, d8


def _same_bin_both_ways(d7: np.ndarray, d8: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True where 100*d8/d7 and d8/d7*100 (float64) both land in bin ``b``."""
    return (_bin_of(100 * d8 / d7) == b) & (_bin_of(d8 / d7 * 100) == b)


def _valid_pairs(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """``m`` valid (D7, D8) target pairs: exact bin counts and the target mean ratio (±0.0005)."""
    bins = rng.permutation(np.repeat(np.arange(N_BINS), alloc(m, TARGETS.ratio_bins)))
    d7, d8 = _draw_pairs(rng, bins, TARGETS.d7_values)
    d8 = d8.astype(np.float64)
    d7f = d7.astype(np.float64)
    target = TARGETS.mean_ratio * m

    # A few halves (clean value of a range like "2-3") so midpoints occur in the data.
    cand = d8 + 0.5
    half = (rng.random(m) < 0.02) & (cand <= d7) & _same_bin_both_ways(d7f, cand, bins)
    d8[half] = cand[half]

    # Coarse: redraw random pairs within their bin, keeping the smallest moves that shrink
    # the gap without overshooting it.
    for _ in range(500):
        gap = target - float(np.sum(100 * d8 / d7f))
        if abs(gap) < 15:
            break
        idx = rng.choice(m, size=min(m, max(64, m // 16)), replace=False)
        n7, n8 = _draw_pairs(rng, bins[idx], TARGETS.d7_values)
        delta = 100 * n8 / n7 - 100 * d8[idx] / d7f[idx]
        good = np.flatnonzero(np.sign(delta) == np.sign(gap))
        good = good[np.argsort(np.abs(delta[good]), kind="stable")]
        keep = good[np.cumsum(np.abs(delta[good])) <= abs(gap)]
        d7[idx[keep]], d8[idx[keep]] = n7[keep], n8[keep]
        d7f = d7.astype(np.float64)
    ok = d8 % 1 != 0  # the halves that survived: leave them alone

    # Fine: exhaustive search over one pair at a time (D7 up to 40) until the mean is right.
    grid7 = np.repeat(np.arange(1, 41), np.arange(2, 42))
    grid8 = np.concatenate([np.arange(0, k + 1) for k in range(1, 41)]).astype(np.float64)
    grid_ratio = 100 * grid8 / grid7
    tol = 0.0005 * m
    for i in rng.permutation(np.flatnonzero(~ok))[:50]:
        total = float(np.sum(100 * d8 / d7f))
        if abs(total - target) <= tol:
            break
        fits = _same_bin_both_ways(grid7.astype(np.float64), grid8, np.full(grid7.size, bins[i]))
        new_total = total - 100 * d8[i] / d7f[i] + grid_ratio
        err = np.where(fits, np.abs(new_total - target), np.inf)
        j = int(np.argmin(err))
        d7[i], d8[i] = grid7[j], grid8[j]
        d7f = d7.astype(np.float64)
    return d7, d8


def projects(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """D7 and D8 answer texts for ``n`` respondents: valid pairs plus excluded ones."""
    kinds = scaled(TARGETS.pair_invalid, n, base=TARGETS.completed)[:-1]
    n_valid = n - int(kinds.sum())
    d7, d8 = _valid_pairs(rng, n_valid)
    u = rng.random((n_valid, 4))
    t7 = [_render_count(a, u[i, 0], u[i, 1]) for i, a in enumerate(d7)]
    t8 = [_render_count(b, u[i, 2], u[i, 3]) for i, b in enumerate(d8)]

    both, unparse, inverted, zero, d8miss = (int(k) for k in kinds)
    miss = ("-99", "-66", "")
    for _ in range(both):
        t7.append(miss[rng.integers(0, 2)])
        t8.append(miss[rng.integers(0, 3)])
    for i in range(unparse):
        if i % 2:
            t7.append(str(int(rng.integers(3, 15))))
            t8.append(COUNT_UNPARSEABLE[rng.integers(0, len(COUNT_UNPARSEABLE))])
        else:
            t7.append(COUNT_UNPARSEABLE[rng.integers(0, len(COUNT_UNPARSEABLE))])
            t8.append(COUNT_UNPARSEABLE[rng.integers(0, len(COUNT_UNPARSEABLE))])
    for _ in range(inverted):  # more deployed than participated: a misread question
        a = int(rng.integers(1, 6))
        t7.append(str(a))
        t8.append(str(a + int(rng.integers(1, 6))))
    for i in range(zero):
        t7.append(("0", "none")[i % 2])
        t8.append(("0", "none", "-99")[i % 3])
    for _ in range(d8miss):
        t7.append(str(int(rng.integers(1, 12))))
        t8.append(miss[rng.integers(0, 3)])
    order = rng.permutation(n)
    return np.array(t7, dtype=object)[order], np.array(t8, dtype=object)[order]


def percentages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Q15 answer texts: valid percentages with exact bin counts, plus non-valid answers."""
    sizes = scaled([*TARGETS.q15_bins, *TARGETS.q15_invalid], n)
    out: list[str] = []
    for b, k in enumerate(sizes[:N_BINS]):
        vals = weighted(rng, TARGETS.percent_values[b], int(k))
        u = rng.random((int(k), 2))
        out += [_render_percent(int(v), u[i, 0], u[i, 1]) for i, v in enumerate(vals)]
    m99, m66, empty, vague = (int(k) for k in sizes[N_BINS : N_BINS + 4])
    out += ["-99"] * m99 + ["-66"] * m66 + [""] * empty
    out += list(pick(rng, Q15_VAGUE, vague))
    # The remainder (only when scaled) are no answers too.
    out += ["-99"] * int(sizes[-1])
    return np.array(out, dtype=object)[rng.permutation(n)]
