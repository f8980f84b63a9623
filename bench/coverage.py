"""Coverage of the engine's CI methods for a share, by simulation; written to bench/coverage.md.

Draws many surveys from known proportions p at the paper's N, runs each through the
engine exactly as an analysis does (``bootstrap_means`` with S = 1000, then
``intervals``) and counts how often each method's 95% interval contains the true p.
Each simulated survey has its own seed (``stable_seed``), so the report is reproducible
and independent of the number of worker processes.

    .venv/bin/python bench/coverage.py [--sims 5000] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from surveyflow.bootstrap import bootstrap_means, intervals, stable_seed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import machine  # noqa: E402

SEED = 20231109  # config/analyses.yaml, bootstrap.seed
RESAMPLES = 1000
LEVEL = 0.95
METHODS = ("paper", "percentile", "bca", "wilson")
PS = (0.05, 0.13, 0.29, 0.43, 0.59)
NS = (153, 160, 168, 169)


def simulate(task: tuple[float, int, int]) -> dict:
    """Coverage counts, misses and widths of every method for one (p, n) setting."""
    p, n, sims = task
    key = f"coverage/p={p}/n={n}"
    # the data of a simulated survey is its number k of respondents selecting the option
    ks = np.random.default_rng(stable_seed(SEED, key, "data")).binomial(n, p, size=sims)
    low = {m: np.empty(sims) for m in METHODS}
    high = {m: np.empty(sims) for m in METHODS}
    for i, k in enumerate(ks):
        values = np.zeros((n, 1))
        values[:k] = 1.0
        reps = bootstrap_means(values, RESAMPLES, stable_seed(SEED, key, str(i)))
        for row in intervals(values, reps, level=LEVEL, methods=METHODS):
            low[row["ci_method"]][i] = row["ci_low"]
            high[row["ci_method"]][i] = row["ci_high"]
    return {
        "p": p,
        "n": n,
        "sims": sims,
        "covered": {m: int(np.sum((low[m] <= p) & (p <= high[m]))) for m in METHODS},
        "below": {m: int(np.sum(high[m] < p)) for m in METHODS},  # interval entirely below p
        "above": {m: int(np.sum(low[m] > p)) for m in METHODS},
        "widths": {m: (high[m] - low[m]).tolist() for m in METHODS},
        "k_equals_np": int(np.sum(ks == round(p * n))) if abs(p * n - round(p * n)) < 1e-9 else 0,
    }


def pct(count: float, total: int) -> str:
    return f"{100 * count / total:.1f}"


def se_pct(count: float, total: int) -> str:
    c = count / total
    return f"{100 * math.sqrt(c * (1 - c) / total):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=5000, help="simulated surveys per setting")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tasks = [(p, n, args.sims) for p in PS for n in NS]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        results = pool.map(simulate, tasks, chunksize=1)
    elapsed = time.perf_counter() - start
    print(f"{len(tasks) * args.sims} simulated surveys in {elapsed:.0f} s", flush=True)

    out: list[str] = []
    add = out.append
    add("# Coverage of the bootstrap intervals for a share")
    add("")
    add(
        f"Measured {dt.date.today().isoformat()} on {machine('NumPy ' + np.__version__)}. Command: "
        f"`.venv/bin/python bench/coverage.py --sims {args.sims} --workers {args.workers}`"
        f" ({len(tasks) * args.sims:,} simulated surveys, {elapsed:.0f} s)."
    )
    add("")
    add(
        f"For each true share p and the paper's N, {args.sims:,} surveys are drawn"
        f" (k ~ Binomial(N, p) respondents select the option); each is bootstrapped by the"
        f" engine with S = {RESAMPLES:,} and its own seed, and every method's"
        f" {100 * LEVEL:.0f}% interval is checked for containing p. Coverage is the share of"
        " surveys whose interval contains p; ± is its Monte Carlo standard error"
        " √(c(1−c)/sims); widths are medians, in percentage points."
    )
    add("")
    add("## Overall")
    add("")
    total = sum(r["sims"] for r in results)
    add(
        "| method | coverage (%) | ± MC SE | interval below p (%) | interval above p (%) |"
        " median width (points) |"
    )
    add("|---|---|---|---|---|---|")
    overall: dict[str, float] = {}
    medians: dict[str, float] = {}
    for m in METHODS:
        cov = sum(r["covered"][m] for r in results)
        below = sum(r["below"][m] for r in results)
        above = sum(r["above"][m] for r in results)
        width = float(np.median(np.concatenate([r["widths"][m] for r in results])))
        overall[m] = cov / total
        medians[m] = width
        add(
            f"| {m} | {pct(cov, total)} | {se_pct(cov, total)} | {pct(below, total)} |"
            f" {pct(above, total)} | {100 * width:.2f} |"
        )
    add("")
    add("## Per setting: coverage (%) ± MC SE, and median width (points)")
    add("")
    add(
        "| p | N | "
        + " | ".join(METHODS)
        + " | "
        + " | ".join(f"{m} width" for m in METHODS)
        + " |"
    )
    add("|---|---|" + "---|" * (2 * len(METHODS)))
    for r in results:
        cells = [
            f"{pct(r['covered'][m], r['sims'])} ± {se_pct(r['covered'][m], r['sims'])}"
            for m in METHODS
        ]
        widths = [f"{100 * float(np.median(r['widths'][m])):.2f}" for m in METHODS]
        add(f"| {r['p']} | {r['n']} | " + " | ".join(cells) + " | " + " | ".join(widths) + " |")
    add("")
    exact = [r for r in results if r["k_equals_np"]]
    paper = overall["paper"]
    ratio = medians["percentile"] / medians["paper"]
    shortfall = (
        " (the percentile interval a little short of it, as is known for percentile"
        " intervals of a proportion at small N; BCa corrects most of that)"
        if overall["percentile"] < 0.945 and overall["bca"] > overall["percentile"]
        else ""
    )
    add("## What it shows")
    add("")
    add(
        f"The paper's interval (mean of the replicates ± 1.96·sd/√S) contains the true share"
        f" in only {100 * paper:.1f}% of surveys, close to the 2·φ(0)·1.96/√1000 ≈ 4.9%"
        " expected of an interval √1000 ≈ 32 times too narrow: it measures the Monte Carlo"
        " error of the replicate mean, not the uncertainty about the population share. The"
        f" percentile, BCa and Wilson intervals, about {ratio:.0f} times wider, cover"
        f" {100 * overall['percentile']:.1f}%, {100 * overall['bca']:.1f}% and"
        f" {100 * overall['wilson']:.1f}% of surveys against the nominal 95%{shortfall}."
        " That is why the project's figures show the percentile (or BCa) interval and keep"
        " `paper` only to check the published table."
    )
    per_setting = [100 * r["covered"]["paper"] / r["sims"] for r in results]
    lowest, highest = min(per_setting), max(per_setting)
    if exact:
        names = ", ".join(f"p = {r['p']}, N = {r['n']}" for r in exact)
        add("")
        add(
            "Per setting the paper's coverage swings with how close p lies to a possible"
            f" k/N, from {lowest:.1f}% to {highest:.1f}%. Where p·N is a whole number"
            f" ({names}) a survey that hits k = p·N exactly has a replicate mean within"
            " Monte Carlo error of p, so those surveys (about "
            + ", ".join(pct(r["k_equals_np"], r["sims"]) + "%" for r in exact)
            + " of them) are covered almost always; where no k/N lies within the tiny"
            " half-width of p, almost none are."
        )
    (ROOT / "bench" / "coverage.md").write_text("\n".join(out) + "\n")
    print("wrote bench/coverage.md")


if __name__ == "__main__":
    main()
