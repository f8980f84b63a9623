"""Benchmark of the whole workflow (issue 6, item 4), written to bench/workflow.md.

Runs the real workflow in a scratch copy of the project (bench/_work/, deleted at the end):

1. cold `snakemake --cores 2` (default target) on the embedded default;
2. a no-op rerun;
3. the rerun after changing one analysis' bins (rq3_1, via --configfile);
4. ingest -> the estimates of all five analyses on generated exports of 10,000 and 100,000
   respondents (time and peak memory, and how they grow);
5. a ~200-job subgroup fan-out (bootstrap_subgroup only) with --cores 1 vs --cores 2;
6. the bootstrap engine against scipy and pandas: quoted from bench/bootstrap.md.

Every snakemake call is timed by wall clock and by CPU time (user + system of snakemake and
all its jobs, from os.wait4), since the machine may be shared; medians over the repeats.

    .venv/bin/python bench/bench_workflow.py [--repeats 3] [--fanout-repeats N] [--quick]
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import os
import pickle
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import check_scontrol, copy_project, machine, snakemake_version  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work"
ANALYSES = ("rq1_1", "rq1_2", "rq3_1", "rq3_2", "rq5")
# grouping questions of the fan-out (single_choice): country, company size, role, experience
# and MLOps practice; on the embedded default that makes about 230 jobs
FANOUT_BY = {
    "country": "D1",
    "company_size": "D2",
    "role": "D4",
    "experience": "D6",
    "mlops": "Q14",
}
# every group with at least one valid answer is its own job (a sensitivity analysis keeps all)
FANOUT_MIN_SIZE = 1
Run = dict[str, float]


# --- measurement helpers -------------------------------------------------------------------


def load1() -> float:
    """1-minute load average."""
    return os.getloadavg()[0]


def run(cmd: Sequence[str], cwd: Path, log: Path | None = None) -> Run:
    """Run a command; wall time, CPU time and peak RSS (MB) of it and its waited descendants."""
    log = log or cwd / "bench_last.log"
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{log.read_text()[-3000:]}")
    steps = re.findall(r"(\d+) of (\d+) steps", log.read_text(errors="replace"))
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # kB on Linux
        "jobs": float(steps[-1][1]) if steps else 0.0,
    }


def smk(cores: int, *args: str) -> list[str]:
    """A snakemake command line."""
    return [sys.executable, "-m", "snakemake", "--cores", str(cores), *args]


def job_tsvs(workdir: Path, since: float) -> dict[str, float]:
    """Sum of job wall / CPU seconds and largest max_rss over the benchmark TSVs written since."""
    total_s = cpu = rss = 0.0
    count = 0
    for path in (workdir / "results" / "benchmarks").glob("*.tsv"):
        if path.stat().st_mtime < since:
            continue
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        count += 1
        total_s += float(row["s"])
        cpu += float(row["cpu_time"]) if row.get("cpu_time") not in (None, "", "NA") else 0.0
        if row["max_rss"] not in ("", "NA"):
            rss = max(rss, float(row["max_rss"]))
    return {"tsv_jobs": count, "tsv_s": total_s, "tsv_cpu_s": cpu, "tsv_rss_mb": rss}


def timed(workdir: Path, cmd: list[str], prepare: Callable[[], None] | None = None) -> Run:
    """One measured run (after an unmeasured `prepare`), with the job TSVs it wrote."""
    if prepare:
        prepare()
    since = time.time() - 1
    result = run(cmd, workdir)
    return result | job_tsvs(workdir, since)


def median(runs: list[Run]) -> Run:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def repeat(n: int, once: Callable[[], Run]) -> tuple[Run, list[Run]]:
    runs = [once() for _ in range(n)]
    return median(runs), runs


# --- scratch copy --------------------------------------------------------------------------


def generate(workdir: Path, respondents: int) -> tuple[list[str], float]:
    """A generated export of `respondents`; the --config that selects it, generation time."""
    out = workdir / "data" / "raw" / f"generated-{respondents}"
    cmd = [sys.executable, "scripts/generate_synthetic.py", "--respondents", str(respondents)]
    res = run([*cmd, "--out-dir", str(out), "--coding-dir", str(out)], workdir)
    data = next(out.glob("SYNTHETIC_data_*.csv"))
    codebook = next(out.glob("SYNTHETIC_codebook_*.csv"))
    return ["--config", f"export={{data: '{data}', codebook: '{codebook}'}}"], res["wall_s"]


# --- items ---------------------------------------------------------------------------------


def item_cold_noop_bins(repeats: int) -> dict[str, object]:
    """Items 1-3 on the embedded default."""
    out: dict[str, object] = {}
    workdir = WORK / "default"
    load = [load1()]
    cold = [timed(copy_project(workdir), smk(2)) for _ in range(repeats)]
    load.append(load1())
    out["cold"] = (median(cold), cold, load)

    load = [load1()]
    noop = [timed(workdir, smk(2)) for _ in range(repeats)]
    load.append(load1())
    out["noop"] = (median(noop), noop, load)

    bins = workdir / "bench_bins.yaml"
    bins.write_text("analyses:\n  rq3_1:\n    bins: [0, 25, 40, 60, 80, 100]\n")
    load = [load1()]
    # each repeat: back to the default bins (unmeasured), then the changed bins (measured)
    changed = [
        timed(workdir, smk(2, "--configfile", bins.name), lambda: run(smk(2), workdir))
        for _ in range(repeats)
    ]
    load.append(load1())
    out["bins"] = (median(changed), changed, load)
    return out


def item_scaling(repeats: int, sizes: Sequence[int]) -> list[tuple[int, Run, float, list]]:
    """Item 4: ingest -> estimates of the five analyses on generated exports."""
    workdir = copy_project(WORK / "scaling")
    targets = [f"results/{name}/estimates.csv" for name in ANALYSES]
    rows = []
    for size in sizes:
        extra, gen_s = generate(workdir, size)

        def fresh() -> None:
            shutil.rmtree(workdir / "results", ignore_errors=True)

        load = [load1()]
        cmd = smk(2, *targets, *extra)
        med, runs = repeat(repeats, lambda cmd=cmd: timed(workdir, cmd, fresh))
        load.append(load1())
        rows.append((size, med, gen_s, load))
        print(f"scaling {size}: {med}", flush=True)
    return rows


def fanout_config(workdir: Path, bys: dict[str, str]) -> Path:
    """A bench-only config: every analysis by each grouping question, small groups kept."""
    lines = ["subgroups:"]
    for name in ANALYSES:
        for label, question in bys.items():
            lines += [
                f"  {name}_by_{label}:",
                f"    analysis: {name}",
                f"    by: {question}",
                f"    min_group_size: {FANOUT_MIN_SIZE}",
                "    other_label: Other (pooled)",
                f"    title: {name} by {label}",
            ]
    path = workdir / "bench_fanout.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def item_fanout(repeats: int, quick: bool) -> dict[str, object]:
    """Item 5: only the bootstrap_subgroup jobs, --cores 1 vs --cores 2."""
    workdir = copy_project(WORK / "fanout")
    bys = {"role": "D4", "experience": "D6"} if quick else FANOUT_BY
    conf = fanout_config(workdir, bys)
    cfg = ["--configfile", conf.name]
    subs = [f"{name}_by_{label}" for name in ANALYSES for label in bys]
    # upstream (ingest, validate, clean, the plans), unmeasured
    # (targets before --configfile / --forcerun: both take several values)
    run(smk(2, *[f"results/subgroups/{s}/groups.json" for s in subs], *cfg), workdir)
    targets = []
    for sub in subs:
        plan = json.loads((workdir / f"results/subgroups/{sub}/groups.json").read_text())
        targets += [f"results/subgroups/{sub}/{g['slug']}/estimates.csv" for g in plan["groups"]]
    # count the jobs of the forced run (the first measured run also builds the estimates)
    force = [*targets, *cfg, "--forcerun", "bootstrap_subgroup"]
    dry = subprocess.run(smk(1, "-n", *force), cwd=workdir, capture_output=True, text=True)
    jobs = re.search(r"^bootstrap_subgroup\s+(\d+)", dry.stdout, re.MULTILINE)
    n_jobs = int(jobs.group(1)) if jobs else len(targets)
    result: dict[str, object] = {"jobs": n_jobs, "subgroups": len(subs), "by": bys}
    runs: dict[int, list[Run]] = {1: [], 2: []}
    load = [load1()]
    for _ in range(repeats):  # interleaved, so both see similar load
        for cores in (1, 2):
            runs[cores].append(timed(workdir, smk(cores, *force)))
            print(f"fanout cores={cores}: {runs[cores][-1]}", flush=True)
    load.append(load1())
    result["runs"] = runs
    result["median"] = {cores: median(r) for cores, r in runs.items()}
    result["load"] = load
    return result


def import_profile(repeats: int) -> list[tuple[str, float, float]]:
    """Wall and CPU time of a fresh interpreter importing what a job imports."""
    workdir = WORK / "default"
    boot_imports = (
        "import sys; sys.path.insert(0, 'scripts'); "
        "from surveyflow import entry; from surveyflow.estimating.analyses import design, estimate; "
        "from surveyflow.checking.schemas import estimates_schema; from surveyflow.estimating.subgroups import members"
    )
    cases = [
        ("python -c pass (interpreter start-up)", "pass"),
        ("import numpy", "import numpy"),
        ("import pandas", "import pandas"),
        ("import pandera.pandas", "import pandera.pandas"),
        (
            "import matplotlib.pyplot",
            "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot",
        ),
        ("import snakemake.script (every script job's preamble)", "import snakemake.script"),
        ("imports of bootstrap_subgroup.py (surveyflow: pandas, pandera, numpy)", boot_imports),
    ]
    rows = []
    for label, code in cases:
        runs = [run([sys.executable, "-c", code], workdir) for _ in range(3)]
        rows.append((label, *(statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s"))))
    return rows


def profile_noop() -> dict[str, object]:
    """cProfile of a no-op rerun: own time summed per top-level package, and Snakemake's import."""
    workdir = WORK / "default"
    if not (workdir / "results" / "archive" / "manifest.csv").exists():
        run(smk(2), copy_project(workdir))  # build once, unmeasured
    out = workdir / "noop.prof"
    res = run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "snakemake", "--cores", "2"],
        workdir,
    )
    by_package: collections.Counter[str] = collections.Counter()
    for (filename, _, _), (_, _, own, _, _) in pstats.Stats(str(out)).stats.items():
        parts = Path(filename).parts
        if "site-packages" in parts and parts.index("site-packages") + 1 < len(parts):
            key = parts[parts.index("site-packages") + 1].split(".")[0]
        elif filename.startswith(("~", "<")):
            key = "built-ins, frozen import machinery"
        else:
            key = "standard library, Snakefile and rules"
        by_package[key] += own
    imp = [run([sys.executable, "-c", "import snakemake.cli"], workdir) for _ in range(3)]
    return {
        "profiled_wall_s": res["wall_s"],
        "by_package": by_package.most_common(8),
        "import_cli_s": statistics.median(r["cpu_s"] for r in imp),
    }


def bootstrap_quote() -> list[str]:
    """The engine-vs-scipy/pandas tables of bench/bootstrap.md (measured there, not here)."""
    text = (ROOT / "bench" / "bootstrap.md").read_text().splitlines()
    measured = next((line for line in text if line.startswith("Measured")), "")
    keep, on = [], False
    for line in text:
        if line.startswith("## One share"):
            on = True
            continue
        if on and line.startswith("Each scipy row"):
            break
        if on and line.strip():
            keep.append(line)
    five = []
    for i, line in enumerate(text):
        if line.startswith("| analysis | n |"):
            five = [line, text[i + 1]] + [x for x in text[i:] if x.startswith("| **total**")]
            break
    tail = ["", "Five analyses, all at once (ms):", "", *five] if five else []
    return [measured, "", "One share, k = 100, n = 168, S = 100,000:", "", *keep, *tail]


# --- report --------------------------------------------------------------------------------


def fmt_runs(runs: list[Run], key: str) -> str:
    return ", ".join(f"{r[key]:.2f}" for r in runs)


def verdict(value: float, limit: float) -> str:
    return "**met**" if value <= limit else "**missed**"


def write_report(args: argparse.Namespace, info: dict[str, object]) -> str:
    d = info
    cold, cold_runs, cold_load = d["cold"]
    noop, noop_runs, noop_load = d["noop"]
    bins, bins_runs, bins_load = d["bins"]
    scaling = d["scaling"]
    fan = d["fanout"]
    prof = d["profile"]
    lines = [
        "# Benchmark: the whole workflow",
        "",
        f"Measured {d['date']} on {d['machine']}. {d.get('scontrol', '')}",
        "",
        f"Command: `.venv/bin/python bench/bench_workflow.py --repeats {args.repeats}"
        f" --fanout-repeats {args.fanout_repeats}{' --quick' if args.quick else ''}`"
        f" (fan-out: {args.fanout_repeats} repeat(s) of each core count). Every number is the"
        " median over the repeats, on a scratch copy of the project (`bench/_work/`, deleted"
        " afterwards). **Wall** is the wall time of the `snakemake` call; **CPU** is the user +"
        " system time of snakemake and all its jobs (os.wait4), which sharing the machine"
        " stretches much less than wall time; **jobs s** is the sum of the per-job `s` of the"
        " benchmark TSVs in `results/benchmarks/` (rules with a `benchmark:`).",
        "",
        f"The 1-minute load average on {os.cpu_count()} cores is given at the start and end of"
        f" each item; above ~{os.cpu_count()} (other work sharing the machine) the wall times"
        " are stretched and the CPU times are the fairer measure.",
        "",
        "## Summary of targets",
        "",
        "| item | target | measured (median wall; CPU) | met |",
        "|---|---|---|---|",
    ]
    big = scaling[-1] if scaling else None
    small = scaling[0] if scaling else None
    f1, f2 = fan["median"][1], fan["median"][2]
    speed_wall = f1["wall_s"] / f2["wall_s"]
    summary = [
        ("1. cold run, `--cores 2`", "≤ 10 s", cold, 10.0),
        ("2. no-op rerun", "≤ 1.5 s", noop, 1.5),
        ("3. rerun after changing rq3_1's bins", "≤ 3 s", bins, 3.0),
    ]
    for label, target, med, limit in summary:
        lines.append(
            f"| {label} | {target} | {med['wall_s']:.2f} s; {med['cpu_s']:.2f} s |"
            f" {verdict(med['wall_s'], limit)} (wall), {verdict(med['cpu_s'], limit)} (CPU) |"
        )
    if big:
        size, med, _, _ = big
        lines.append(
            f"| 4. {size:,} respondents → estimates | ≤ 30 s, ≤ 2 GB |"
            f" {med['wall_s']:.2f} s; {med['cpu_s']:.2f} s; peak {med['peak_mb']:.0f} MB |"
            f" time {verdict(med['wall_s'], 30)}, memory {verdict(med['peak_mb'], 2048)} |"
        )
    if big and small and big[0] != small[0]:
        growth = big[0] / small[0]
        ratio_cpu = big[1]["cpu_s"] / small[1]["cpu_s"]
        ratio_jobs = big[1]["tsv_s"] / small[1]["tsv_s"]
        lines.append(
            f"| 4. growth {small[0]:,} → {big[0]:,} ({growth:.0f}x data) | linear or better |"
            f" CPU x{ratio_cpu:.2f}, jobs s x{ratio_jobs:.2f}, wall"
            f" x{big[1]['wall_s'] / small[1]['wall_s']:.2f} |"
            f" {'**met** (sub-linear)' if ratio_cpu <= growth else '**missed**'} |"
        )
    lines.append(
        f"| 5. {fan['jobs']}-job fan-out, `--cores 1` vs `--cores 2` | speed-up close to 2 |"
        f" {f1['wall_s']:.1f} s vs {f2['wall_s']:.1f} s: x{speed_wall:.2f};"
        f" CPU {f1['cpu_s']:.0f} s vs {f2['cpu_s']:.0f} s |"
        f" {'**met**' if speed_wall >= 1.7 else '**missed** on a loaded machine (see below)'} |"
    )
    lines.append(
        "| 6. engine vs scipy / pandas | ≥ 10x faster than scipy | quoted from"
        " [bootstrap.md](bootstrap.md) | met there |"
    )

    def item_table(title: str, med: Run, runs: list[Run], load: list[float], note: str) -> None:
        lines.extend(
            [
                "",
                f"## {title}",
                "",
                note,
                "",
                f"Load average (1 min): {load[0]:.2f} at start, {load[1]:.2f} at end.",
                "",
                "| measure | median | runs |",
                "|---|---|---|",
                f"| wall (s) | {med['wall_s']:.2f} | {fmt_runs(runs, 'wall_s')} |",
                f"| CPU, snakemake + jobs (s) | {med['cpu_s']:.2f} | {fmt_runs(runs, 'cpu_s')} |",
                f"| jobs run | {med['jobs']:.0f} | |",
                f"| jobs with a benchmark TSV | {med['tsv_jobs']:.0f} | |",
                f"| jobs s, summed (s) | {med['tsv_s']:.2f} | {fmt_runs(runs, 'tsv_s')} |",
                f"| peak RSS of one process (MB) | {med['peak_mb']:.0f} | |",
            ]
        )

    item_table(
        "1. Cold run (default target, `--cores 2`)",
        cold,
        cold_runs,
        cold_load,
        "Each repeat on a fresh copy: no `results/`, no `.snakemake/`, no `__pycache__`."
        " Target ≤ 10 s.",
    )
    item_table(
        "2. No-op rerun",
        noop,
        noop_runs,
        noop_load,
        "`snakemake --cores 2` again right after the cold run: nothing to do. Target ≤ 1.5 s."
        " This is Snakemake parsing the workflow, validating the config and checking"
        " timestamps, checksums and parameters of every output.",
    )
    item_table(
        "3. One analysis rerun after changing its bins",
        bins,
        bins_runs,
        bins_load,
        "rq3_1's bins [0,20,40,60,80,100] → [0,25,40,60,80,100] by `--configfile`, then the"
        " default target (each repeat first goes back to the default bins, unmeasured)."
        " It reruns rq3_1's bootstrap, its figure and what follows from the changed config"
        " (provenance, reproduction check, archive manifest). Target ≤ 3 s.",
    )

    lines += [
        "",
        "## 4. Ingest → estimates of all five analyses on generated exports",
        "",
        "`snakemake --cores 2` with targets `results/{rq1_1,rq1_2,rq3_1,rq3_2,rq5}/estimates.csv`"
        " (ingest, validate, clean and five bootstrap jobs, S = 1000), `results/` removed before"
        " each repeat, the export made by `scripts/generate_synthetic.py --respondents N`."
        " Peak memory: the largest resident set of any one process (os.wait4 of the whole"
        " `snakemake` call, as `/usr/bin/time -v` reports it) and the largest `max_rss` of a job"
        " TSV. Target at 100,000: ≤ 30 s and ≤ 2 GB, linear growth.",
        "",
        "| respondents | load start → end | wall (s) | CPU (s) | jobs s, summed | peak RSS,"
        " whole call (MB) | largest job max_rss (MB) | generation (s, not counted) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, med, gen_s, load in scaling:
        lines.append(
            f"| {size:,} | {load[0]:.2f} → {load[1]:.2f} | {med['wall_s']:.2f} |"
            f" {med['cpu_s']:.2f} | {med['tsv_s']:.2f} | {med['peak_mb']:.0f} |"
            f" {med['tsv_rss_mb']:.0f} | {gen_s:.1f} |"
        )
    if big and small and big[0] != small[0]:
        lines += [
            "",
            f"Ratio {big[0]:,} / {small[0]:,} ({big[0] / small[0]:.0f}x the data): wall"
            f" x{big[1]['wall_s'] / small[1]['wall_s']:.2f}, CPU"
            f" x{big[1]['cpu_s'] / small[1]['cpu_s']:.2f}, jobs s"
            f" x{big[1]['tsv_s'] / small[1]['tsv_s']:.2f}, peak memory"
            f" x{big[1]['peak_mb'] / small[1]['peak_mb']:.2f}. Cost grows less than linearly"
            " because every job pays a fixed interpreter + import cost (see the profile below)"
            " and the bootstrap's cost depends on the number of distinct answer rows, not of"
            " respondents; the data-proportional part is ingest/validate/clean.",
        ]

    by = ", ".join(f"{q} ({label})" for label, q in fan["by"].items())
    lines += [
        "",
        f"## 5. Subgroup fan-out: {fan['jobs']} bootstrap_subgroup jobs",
        "",
        f"A bench-only config file (written into the scratch copy) asks for every analysis"
        f" ({', '.join(ANALYSES)}) by {by}, min_group_size {FANOUT_MIN_SIZE} (every group with"
        " a valid answer is its own job; a group of one has an undefined t interval for rq5's"
        f" mean, written as NaN): {fan['subgroups']} subgroup"
        f" analyses, {fan['jobs']} `bootstrap_subgroup` jobs (counted from a dry run of the"
        " forced rerun). The upstream (ingest, validate, clean, the subgroup plans) was built"
        " first; each measured run is `snakemake --cores N --forcerun"
        " bootstrap_subgroup <every group's estimates.csv>`, so only the fan-out runs. The"
        " runs of the two core counts are interleaved so that both see similar load.",
        "",
        f"Load average (1 min): {fan['load'][0]:.2f} at start, {fan['load'][1]:.2f} at end.",
        "",
        "| cores | wall (s) | runs | CPU (s) | jobs s, summed | job s per job | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for cores in (1, 2):
        med, runs = fan["median"][cores], fan["runs"][cores]
        lines.append(
            f"| {cores} | {med['wall_s']:.1f} | {fmt_runs(runs, 'wall_s')} | {med['cpu_s']:.1f} |"
            f" {med['tsv_s']:.1f} | {med['tsv_s'] / max(med['tsv_jobs'], 1):.2f} |"
            f" {med['peak_mb']:.0f} |"
        )
    per_job_1 = f1["cpu_s"] / fan["jobs"]
    own_1 = (f1["cpu_s"] - f1["tsv_cpu_s"]) / fan["jobs"]
    lines += [
        "",
        f"Speed-up, wall time of 1 core / 2 cores: **x{speed_wall:.2f}** (ideal 2)."
        f" CPU time per job: {per_job_1:.2f} s with 1 core,"
        f" {f2['cpu_s'] / fan['jobs']:.2f} s with 2 cores; of it, the job processes'"
        f" own `cpu_time` (TSVs) is {f1['tsv_cpu_s'] / fan['jobs']:.2f} s and Snakemake's"
        f" scheduling and bookkeeping in the main process about {own_1:.2f} s per job"
        " (CPU of the whole call minus the jobs' `cpu_time`): both are per-job fixed costs."
        " The jobs are independent, so the speed-up is bounded by the cores actually free"
        " and by Snakemake's single-threaded main process, which starts and checks every job:"
        f" with a load average of {fan['load'][0]:.1f}–{fan['load'][1]:.1f} on 2 cores"
        " (other work on the machine) the second core was partly taken, so the measured"
        " speed-up is a lower bound of an idle machine's.",
    ]

    noop_prof = d.get("noop_profile")
    if noop_prof:
        lines += [
            "",
            "## What dominates the no-op rerun",
            "",
            f"`python -m cProfile -m snakemake --cores 2` on the built default"
            f" ({noop_prof['profiled_wall_s']:.2f} s wall under the profiler); `import"
            f" snakemake.cli` alone takes {noop_prof['import_cli_s']:.2f} s of CPU. Own time"
            " (tottime) summed by the package the code lives in (the profiler inflates"
            " it; built-ins are mostly the import machinery, `exec` of modules and file"
            " stats):",
            "",
            "| package | own time (s) |",
            "|---|---|",
            *(f"| {name} | {sec:.2f} |" for name, sec in noop_prof["by_package"]),
        ]
    lines += [
        "",
        "## What dominates per-job cost",
        "",
        "A fresh interpreter importing what a job imports (median of the runs; wall / CPU):",
        "",
        "| import | wall (s) | CPU (s) |",
        "|---|---|---|",
    ]
    for label, wall, cpu in prof:
        lines.append(f"| {label} | {wall:.2f} | {cpu:.2f} |")
    # five analyses at S = 1,000, from the total row of bench/bootstrap.md
    total = [x for x in bootstrap_quote() if x.startswith("| **total**")]
    boot_ms = total[0].split("|")[5].strip() if total else "about 20"
    lines += [
        "",
        f"A bootstrap job's own computation is a few milliseconds (all five analyses at"
        f" S = 1,000 take {boot_ms} ms in bench/bootstrap.md), while one `bootstrap_subgroup`"
        f" job costs {per_job_1:.2f} s of CPU in the fan-out, and the per-job `s` in the"
        f" TSVs is {f1['tsv_s'] / max(f1['tsv_jobs'], 1):.2f} s: nearly all of it is the"
        " interpreter start-up and imports above (snakemake.script's preamble, pandas,"
        " pandera, NumPy; matplotlib for the figure jobs), paid once per job. The same floor"
        f" sets the cold run: {cold['jobs']:.0f} jobs, {cold['cpu_s']:.1f} s of CPU, of which"
        f" {cold['tsv_cpu_s']:.1f} s in the job processes and about"
        f" {cold['cpu_s'] - cold['tsv_cpu_s']:.1f} s in Snakemake's main process (and the"
        " jobs without a benchmark file); on 2 cores that is at least"
        f" {cold['cpu_s'] / 2:.0f} s of wall time even on an idle machine, so the 10 s target"
        " needs fewer or lighter jobs, not faster statistics. The same holds for the"
        f" rerun after changing bins ({bins['jobs']:.0f} jobs, {bins['cpu_s']:.1f} s of CPU)."
        f" The no-op rerun ({noop['cpu_s']:.2f} s of CPU) is one interpreter and no jobs:"
        + (
            f" importing Snakemake alone takes {noop_prof['import_cli_s']:.2f} s,"
            if noop_prof
            else ""
        )
        + " the rest is parsing the Snakefile and rules, validating the config against its"
        " schemas and checking every output's metadata; below 1.5 s it would need a lighter"
        " Snakefile (fewer imports at parse time) on a faster or idle machine.",
        "",
        "Remedies: **fewer, bigger jobs** (e.g. one job per subgroup analysis that loops over"
        " its groups in one process, or the figure jobs of an analysis in one) remove the"
        " per-job import floor locally; **Snakemake job groups** (`group:` /"
        " `--groups bootstrap_subgroup=fanout --group-components fanout=50`) submit many"
        " small jobs as one cluster job on SLURM, which removes the per-job scheduling and"
        " Snakemake start-up cost there, but each script job still starts its own"
        " interpreter; lazy imports (pandera only where a schema is checked, matplotlib only"
        " in figure jobs) lower the floor for every job.",
        "",
        "## 6. Bootstrap engine against scipy.stats.bootstrap and a pandas loop",
        "",
        "Not re-measured here: from [bench/bootstrap.md](bootstrap.md) (its own command and"
        " machine notes):",
        "",
        *bootstrap_quote(),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement")
    parser.add_argument(
        "--fanout-repeats", type=int, default=None, help="runs of the fan-out (default: repeats)"
    )
    parser.add_argument("--quick", action="store_true", help="1 repeat, small sizes, ~70 jobs")
    parser.add_argument(
        "--resume", metavar="PICKLE", help="measurements saved by an interrupted run (info.pickle)"
    )
    args = parser.parse_args()
    if args.quick:
        args.repeats = 1
    if args.fanout_repeats is None:
        args.fanout_repeats = args.repeats
    sizes = [1_000, 10_000] if args.quick else [10_000, 100_000]
    saved = WORK / "info.pickle"  # measurements so far; kept if the report fails
    steps: list[tuple[str, Callable[[], object]]] = [
        ("cold", lambda: item_cold_noop_bins(args.repeats)),
        ("noop_profile", profile_noop),
        ("profile", lambda: import_profile(args.repeats)),
        ("scaling", lambda: item_scaling(args.repeats, sizes)),
        ("fanout", lambda: item_fanout(args.fanout_repeats, args.quick)),
    ]
    if args.resume:  # continue from saved measurements: run only the missing steps
        info = pickle.loads(Path(args.resume).read_bytes())
        info.setdefault("took_s", 0.0)
        if any(key not in info for key, _ in steps):  # else: only rewrite the report
            info["resumed"] = [key for key, _ in steps if key in info]
    else:
        info = {
            "date": dt.date.today().isoformat(),
            "machine": machine(snakemake_version()),
            "scontrol": check_scontrol(),
            "took_s": 0.0,
        }
        shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    for key, step in steps:
        if key in info:
            continue
        started = time.perf_counter()
        value = step()
        info |= value if key == "cold" else {key: value}
        info["took_s"] += time.perf_counter() - started
        print(key, "done", flush=True)
        saved.write_bytes(pickle.dumps(info))
    report = write_report(args, info)
    report += f"\nThe whole benchmark took {info['took_s']:.0f} s"
    if info.get("resumed"):
        report += (
            f" (resumed with `--resume` after interrupted runs: {', '.join(info['resumed'])}"
            " measured by earlier invocations of the same command, whose time is not counted"
            " here)"
        )
    report += ".\n"
    (ROOT / "bench" / "workflow.md").write_text(report)
    print(report)
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
