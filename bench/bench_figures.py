"""Benchmark of rendering all ten figures (issue 4 target: under 5 s of job time), to
bench/figures.md.

Builds the upstream results once in a scratch copy, then force-reruns only the figure jobs
(`--forcerun figure_estimates figure_fishbone figure_panel`) and sums their job times from
Snakemake's benchmark files; separately renders the same figures in one process, so the cost
of drawing is told apart from each job's start-up (Python, pandas, pandera, matplotlib).

    .venv/bin/python bench/bench_figures.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import check_scontrol, copy_project, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work" / "figures"
FIGURE_RULES = ("figure_estimates", "figure_fishbone", "figure_panel")
SUBSET, FULL = "Surveyflow Sans", "DejaVu Sans"

IN_PROCESS = """
import sys, time
sys.path.insert(0, "scripts")
start = time.perf_counter()
import pandas as pd
from surveyflow.rendering import figures
from surveyflow.rendering import style
from surveyflow.checking.schemas import read_estimates
imported = time.perf_counter()
# The typeface to compare (the library's subset, or the full DejaVu Sans it is cut from).
_rc_params = style.rc_params
style.rc_params = lambda: {**_rc_params(), "font.family": [sys.argv[1]]}
for name, number in [("rq1_1", 4), ("rq1_2", 5), ("rq3_1", 7), ("rq3_2", 8), ("rq5", 10)]:
    table = read_estimates(f"results/{name}/estimates.csv")
    fig = figures.estimate_bars(table, title=name, n=int(table["n"].iloc[0]),
                                interval="percentile", paper_label=name, figure_number=number)
    style.save_figure(fig, f"/tmp/bench_{name}.pdf", f"/tmp/bench_{name}.png")
for name in ("rq2", "rq4"):
    codes = pd.read_csv(f"results/{name}/codes.csv")
    fig = figures.fishbone(codes[["axial_category", "open_code", "count"]], head=name, title=name)
    style.save_figure(fig, f"/tmp/bench_{name}.pdf", f"/tmp/bench_{name}.png")
clean = pd.read_csv("results/clean/responses.csv")
fig = figures.demographics(clean["d1"].dropna(), clean["d4"].dropna(),
                           clean["d6"].value_counts())
style.save_figure(fig, "/tmp/bench_fig1.pdf", "/tmp/bench_fig1.png")
for q in ("q2", "q3"):
    counts = pd.DataFrame({item: clean[f"{q}_{item}"].value_counts()
                           for item in ("deployment", "monitoring")}).T.fillna(0).astype(int)
    fig = figures.likert_diverging(counts, levels=list(counts.columns), title=q)
    style.save_figure(fig, f"/tmp/bench_{q}.pdf", f"/tmp/bench_{q}.png")
done = time.perf_counter()
print(f"{imported - start:.3f} {done - imported:.3f}")
"""


def job_seconds(workdir: Path) -> float:
    total = 0.0
    for path in (workdir / "results" / "benchmarks").glob("figure_fig*.tsv"):
        with path.open() as handle:
            total += float(next(csv.DictReader(handle, delimiter="\t"))["s"])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scontrol = check_scontrol()
    workdir = copy_project(WORK)
    snakemake = [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"]
    subprocess.run(snakemake, cwd=workdir, check=True, capture_output=True)
    runs = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        subprocess.run(
            [*snakemake, "--forcerun", *FIGURE_RULES], cwd=workdir, check=True, capture_output=True
        )
        runs.append((job_seconds(workdir), time.perf_counter() - start))
    split: dict[str, list[tuple[float, float]]] = {SUBSET: [], FULL: []}
    for _ in range(args.repeats):
        for family, times in split.items():  # alternated, so both see the same machine load
            out = subprocess.run(
                [sys.executable, "-c", IN_PROCESS, family],
                cwd=workdir,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            times.append((float(out[0]), float(out[1])))
    jobs = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    imports = statistics.median(s[0] for s in split[SUBSET])
    drawing = statistics.median(s[1] for s in split[SUBSET])
    drawing_full = statistics.median(s[1] for s in split[FULL])
    load = os.getloadavg()[0]
    lines = [
        "# Benchmark: rendering the ten figures",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}; 1-minute load average at the "
        f"end {load:.1f}. Command: `.venv/bin/python bench/bench_figures.py --repeats "
        f"{args.repeats}` (medians). {scontrol}",
        "",
        "| measure | seconds |",
        "|---|---|",
        f"| job time of the ten figure jobs, summed (`--forcerun` of the figure rules) | "
        f"{jobs:.2f} |",
        f"| wall time of that `snakemake --cores 2` call (with the archive job it reruns) | "
        f"{wall:.2f} |",
        f"| the same ten figures drawn and saved in one process: imports | {imports:.2f} |",
        f"| the same ten figures drawn and saved in one process: drawing + PDF/PNG | "
        f"{drawing:.2f} |",
        f"| the same, drawn in the full DejaVu Sans instead of the library's subset of it | "
        f"{drawing_full:.2f} |",
        "",
        "Target (issue 4): under 5 s of job time for all figures. "
        + (
            "Met."
            if jobs < 5
            else f"Missed: the drawing itself takes {drawing:.1f} s; the rest of the "
            f"{jobs:.1f} s is ten jobs each starting Python and importing pandas, pandera and "
            "matplotlib (about "
            f"{(jobs - drawing) / 10:.1f} s a job). One figure job per figure keeps `fig6` a "
            "target of its own; only one rule drawing every figure would pay the start-up "
            "once (a Snakemake job group would not: each `script:` job starts its own Python)."
        ),
        "",
        "The figures are drawn in the library's Latin/Greek subset of DejaVu Sans "
        "(`scripts/surveyflow/fonts.py`): matplotlib subsets the embedded font for every PDF, "
        f"which on the full font costs {drawing_full - drawing:.1f} s more for the ten figures. "
        "The PNGs are byte-identical either way (`tests/test_fonts.py`).",
    ]
    (ROOT / "bench" / "figures.md").write_text("\n".join(lines) + "\n")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
