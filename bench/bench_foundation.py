"""Benchmark of ingest + validate + clean (issue 2 targets), written to bench/foundation.md.

Runs the real workflow in a scratch copy of the project, on the embedded default and on
exports made by the same generator at larger sizes; reports the median over repeats of the
summed job time (Snakemake's per-job benchmark files), the wall time of the whole
`snakemake` call, and the peak resident memory of the largest job.

    .venv/bin/python bench/bench_foundation.py [--repeats 3] [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import check_scontrol, copy_project, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work"
TARGET = "results/validation/clean_report.json"
JOBS = ("ingest", "validate_ingested", "clean")


def run_once(workdir: Path, extra: list[str]) -> dict[str, float]:
    shutil.rmtree(workdir / "results", ignore_errors=True)
    # One process per job (no force-use-threads): a benchmark's max_rss is then the job's own
    # peak memory, which the rules' mem_mb is calibrated from, not the shared process's.
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", TARGET, *extra, "--quiet", "all"]
    cmd += ["--workflow-profile", "none"]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=workdir, check=True, capture_output=True)
    wall = time.perf_counter() - start
    job_s, rss = 0.0, 0.0
    for job in JOBS:
        with (workdir / "results/benchmarks" / f"{job}.tsv").open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        job_s += float(row["s"])
        rss = max(rss, float(row["max_rss"]) if row["max_rss"] not in ("", "NA") else 0.0)
    return {"job_s": job_s, "wall_s": wall, "peak_rss_mb": rss}


def generate(workdir: Path, respondents: int) -> list[str]:
    out = workdir / "data" / "raw" / f"generated-{respondents}"
    subprocess.run(
        [
            sys.executable,
            "scripts/generate_synthetic.py",
            "--respondents",
            str(respondents),
            "--out-dir",
            str(out),
            "--coding-dir",
            str(out),
        ],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    data = next(out.glob("SYNTHETIC_data_*.csv"))
    codebook = next(out.glob("SYNTHETIC_codebook_*.csv"))
    return ["--config", f"export={{data: '{data}', codebook: '{codebook}'}}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args()
    scontrol = check_scontrol()
    workdir = copy_project(WORK / "foundation")
    cases = [("embedded default (276 interviews)", [])]
    cases += [(f"generated, {n:,} interviews", generate(workdir, n)) for n in args.sizes]
    rows = []
    for label, extra in cases:
        runs = [run_once(workdir, extra) for _ in range(args.repeats)]
        med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        rows.append((label, med))
        print(label, med, flush=True)
    lines = [
        "# Benchmark: ingest + validate + clean",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}.",
        f"Command: `.venv/bin/python bench/bench_foundation.py --repeats {args.repeats}`;"
        " medians over the repeats; `snakemake --cores 2` on the jobs"
        f" ({', '.join(JOBS)}; the clean job validates its table before writing).",
        scontrol,
        "",
        "| input | job time, summed (s) | wall time of snakemake (s) | peak memory of a job (MB) |",
        "|---|---|---|---|",
    ]
    for label, med in rows:
        lines.append(
            f"| {label} | {med['job_s']:.2f} | {med['wall_s']:.2f} | {med['peak_rss_mb']:.0f} |"
        )
    lines += [
        "",
        "Targets (issue 2): under 3 s of job time on the embedded default; under 30 s and under",
        "2 GB peak memory at 100,000 respondents. Job time includes each job's Python start-up",
        "and imports (pandas, pandera), which dominate on the small default.",
    ]
    (ROOT / "bench" / "foundation.md").write_text("\n".join(lines) + "\n")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
