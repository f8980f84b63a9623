"""Benchmark of the whole workflow against the targets of issue 6, written to bench/workflow.md.

Every target is reported as an absolute number and as a ratio to Snakemake's own floor (its
no-op on a one-rule workflow), measured in the same run at the start and at the end. Runs the
real workflow in a scratch copy of the project (bench/_work/workflow/, deleted at the end):

1. cold `snakemake --cores 2` (default target) on a fresh copy: ≤ 10 s and ≤ 6x the floor;
   also at `--cores 1`, whose per-job times tell what the run's time is made of;
2. one RQ rerun after a params change (rq3_1's bins, by --configfile): ≤ 3 s, ≤ 2x the floor;
3. the no-op rerun: ≤ 1.1x the floor (with `--list-rules`, to split parsing from the DAG);
4. the ten figure jobs: measured by bench/bench_figures.py (quoted from bench/figures.md);
5. the subgroup fan-out (only bootstrap_subgroup jobs), `--cores 1` vs `--cores 2`:
   orchestration ≤ 0.1 s of CPU per job beyond the job's own computation;
and, beyond the targets, ingest -> estimates on generated exports of 10,000 and 100,000
respondents (time, memory, growth) and the bootstrap engine against scipy and pandas (quoted
from bench/bootstrap.md).

Every snakemake call is timed by wall clock and by CPU time (user + system of snakemake and
all its children, from os.wait4), since the machine may be shared; medians over the repeats.
Where a target is missed, the report says what dominates, from measurements made here
(parts of the run's time; a CPU profile of every thread).

    .venv/bin/python bench/bench_workflow.py [--repeats 3] [--fanout-repeats N]
        [--floor-repeats 5] [--quick] [--out bench/workflow.md]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    Run,
    check_scontrol,
    copy_project,
    floor_lines,
    load1,
    machine,
    measure_floor,
    median_run,
    profile_lines,
    profile_snakemake,
    ratio,
    run_timed,
    slurm_plugin,
    smk,
    snakemake_version,
    verdict,
)

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work" / "workflow"
FIGURES_MD = ROOT / "bench" / "figures.md"  # target 4, written by bench_figures.py
ANALYSES = ("rq1_1", "rq1_2", "rq3_1", "rq3_2", "rq5")
# grouping questions of the fan-out (single_choice): country, company size, role, experience
# and MLOps practice; on the embedded default that makes 231 jobs
FANOUT_BY = {
    "country": "D1",
    "company_size": "D2",
    "role": "D4",
    "experience": "D6",
    "mlops": "Q14",
}
# every group with at least one valid answer is its own job (a sensitivity analysis keeps all)
FANOUT_MIN_SIZE = 1
# The targets (issue 6): absolute limits and limits as ratios to the floor.
COLD_S, COLD_X = 10.0, 6.0
RERUN_S, RERUN_X = 3.0, 2.0
NOOP_X = 1.1
FIGURES_S = 5.0
ORCHESTRATION_S = 0.1
# Parsing the workflow without building a DAG.
LIST_RULES = [sys.executable, "-m", "snakemake", "--list-rules"]


# --- measurement helpers -------------------------------------------------------------------


def job_tsvs(workdir: Path, since: float, prefix: str = "") -> Run:
    """The benchmark TSVs (`prefix*`) written since `since`: each job's `s`, their sum, count.

    The jobs are `run:` blocks in threads of Snakemake's process, so a TSV's `s` is the job's
    own wall time, but its `cpu_time` and `max_rss` are the whole process's (cumulative CPU
    since Snakemake started; its resident set): only `s` is per job, and only the largest
    `max_rss` is kept (the process's peak).
    """
    per_job: dict[str, float] = {}
    rss = 0.0
    for path in (workdir / "results" / "benchmarks").glob(f"{prefix}*.tsv"):
        if path.stat().st_mtime < since:
            continue
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        per_job[path.stem] = float(row["s"])
        if row["max_rss"] not in ("", "NA"):
            rss = max(rss, float(row["max_rss"]))
    return {
        "tsv_jobs": float(len(per_job)),
        "tsv_s": sum(per_job.values()),
        "tsv_rss_mb": rss,
        "per_job": per_job,
    }


def timed(workdir: Path, cmd: list[str], prepare: Callable[[], object] | None = None) -> Run:
    """One measured run (after an unmeasured `prepare`), with the job TSVs it wrote."""
    if prepare:
        prepare()
    since = time.time()  # the run takes over a second to write its first TSV
    return run_timed(cmd, workdir) | job_tsvs(workdir, since)


def per_job_median(runs: Sequence[Run]) -> list[tuple[str, float]]:
    """Median `s` of each job over the runs (the jobs every run has), largest first."""
    names = set.intersection(*(set(r["per_job"]) for r in runs)) if runs else set()
    medians = {n: statistics.median(r["per_job"][n] for r in runs) for n in names}
    return sorted(medians.items(), key=lambda item: -item[1])


def median_wall(runs: Sequence[Run]) -> float:
    return statistics.median(r["wall_s"] for r in runs)


# --- scratch copy --------------------------------------------------------------------------


def generate(workdir: Path, respondents: int) -> tuple[list[str], float]:
    """A generated export of `respondents`; the --config that selects it, generation time."""
    out = workdir / "data" / "raw" / f"generated-{respondents}"
    cmd = [sys.executable, "scripts/generate_synthetic.py", "--respondents", str(respondents)]
    res = run_timed([*cmd, "--out-dir", str(out), "--coding-dir", str(out)], workdir)
    data = next(out.glob("SYNTHETIC_data_*.csv"))
    codebook = next(out.glob("SYNTHETIC_codebook_*.csv"))
    return ["--config", f"export={{data: '{data}', codebook: '{codebook}'}}"], res["wall_s"]


# --- items ---------------------------------------------------------------------------------


def item_floor(repeats: int) -> dict[str, object]:
    """Snakemake's own no-op on a one-rule Snakefile."""
    load = [load1()]
    runs = measure_floor(repeats, WORK / "floor")
    load.append(load1())
    return {"runs": runs, "load": load}


def item_cold_noop_rerun(repeats: int) -> dict[str, object]:
    """Targets 1-3 on the embedded default: cold run, no-op rerun, rerun after changed bins."""
    out: dict[str, object] = {}
    workdir = WORK / "default"
    # cold: `--cores 2` (the target) and `--cores 1` (serial: each job's `s` is its own time),
    # interleaved so that both see similar load; each on a fresh copy
    load = [load1()]
    cold: dict[int, list[Run]] = {2: [], 1: []}
    for _ in range(repeats):
        for cores in (2, 1):
            cold[cores].append(timed(copy_project(workdir), smk(cores)))
            print(f"cold cores={cores}: {cold[cores][-1]['wall_s']:.2f} s", flush=True)
    load.append(load1())
    out["cold"] = {"runs": cold[2], "serial": cold[1], "load": load}

    # no-op, and parsing alone (`--list-rules`: the Snakefile and rules, no DAG), interleaved
    load = [load1()]
    noop: list[Run] = []
    parse: list[Run] = []
    for _ in range(repeats):
        noop.append(timed(workdir, smk(2)))
        parse.append(run_timed(LIST_RULES, workdir))
    load.append(load1())
    out["noop"] = {"runs": noop, "parse": parse, "load": load}

    bins = workdir / "bench_bins.yaml"
    bins.write_text("analyses:\n  rq3_1:\n    bins: [0, 25, 40, 60, 80, 100]\n")
    load = [load1()]
    # each repeat: back to the default bins (unmeasured), then the changed bins (measured)
    changed = [
        timed(workdir, smk(2, "--configfile", bins.name), lambda: run_timed(smk(2), workdir))
        for _ in range(repeats)
    ]
    load.append(load1())
    out["rerun"] = {"runs": changed, "load": load}
    return out


def item_scaling(repeats: int, sizes: Sequence[int]) -> list[tuple[int, Run, float, list]]:
    """Ingest -> estimates of the five analyses on generated exports."""
    workdir = copy_project(WORK / "scaling")
    targets = [f"results/{name}/estimates.csv" for name in ANALYSES]
    rows = []
    for size in sizes:
        extra, gen_s = generate(workdir, size)

        def fresh() -> None:
            shutil.rmtree(workdir / "results", ignore_errors=True)

        load = [load1()]
        cmd = smk(2, *targets, *extra)
        med = median_run([timed(workdir, cmd, fresh) for _ in range(repeats)])
        load.append(load1())
        rows.append((size, med, gen_s, load))
        print(f"scaling {size}: {med['wall_s']:.2f} s", flush=True)
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


def orchestration(forced: Run, noop: Run, jobs: float) -> float:
    """CPU per job beyond its computation: the forced call's CPU, minus the no-op of the same
    call (parse + DAG), minus the jobs' summed `s`, over the number of jobs."""
    return (forced["cpu_s"] - noop["cpu_s"] - forced["tsv_s"]) / jobs


def item_fanout(repeats: int, quick: bool) -> dict[str, object]:
    """Target 5: only the bootstrap_subgroup jobs, --cores 1 vs --cores 2."""
    workdir = copy_project(WORK / "fanout")
    bys = {"role": "D4", "experience": "D6"} if quick else FANOUT_BY
    conf = fanout_config(workdir, bys)
    cfg = ["--configfile", conf.name]
    subs = [f"{name}_by_{label}" for name in ANALYSES for label in bys]
    # upstream (ingest, validate, clean, the plans), unmeasured
    # (targets before --configfile / --forcerun: both take several values)
    run_timed(smk(2, *[f"results/subgroups/{s}/groups.json" for s in subs], *cfg), workdir)
    targets = []
    for sub in subs:
        plan = json.loads((workdir / f"results/subgroups/{sub}/groups.json").read_text())
        targets += [f"results/subgroups/{sub}/{g['slug']}/estimates.csv" for g in plan["groups"]]
    # count the jobs of the forced run (the first measured run also builds the estimates)
    force = [*targets, *cfg, "--forcerun", "bootstrap_subgroup"]
    dry = subprocess.run(smk(1, "-n", *force), cwd=workdir, capture_output=True, text=True)
    jobs = re.search(r"^bootstrap_subgroup\s+(\d+)", dry.stdout, re.MULTILINE)
    n_jobs = int(jobs.group(1)) if jobs else len(targets)
    result: dict[str, Any] = {"jobs": n_jobs, "subgroups": len(subs), "by": bys}
    runs: dict[int, list[Run]] = {1: [], 2: []}
    noops: dict[int, list[Run]] = {1: [], 2: []}
    load = [load1()]
    for _ in range(repeats):  # interleaved, so both see similar load
        for cores in (1, 2):
            since = time.time()
            forced = run_timed(smk(cores, *force), workdir)
            runs[cores].append(forced | job_tsvs(workdir, since, "bootstrap_"))
            # right after: the same call with nothing to do (parse + DAG of the same targets)
            noops[cores].append(run_timed(smk(cores, *targets, *cfg), workdir))
            print(
                f"fanout cores={cores}: {forced['wall_s']:.1f} s wall,"
                f" {forced['cpu_s']:.1f} s CPU; no-op {noops[cores][-1]['cpu_s']:.2f} s CPU",
                flush=True,
            )
    load.append(load1())
    result["runs"], result["noops"], result["load"] = runs, noops, load
    result["median"] = {cores: median_run(r) for cores, r in runs.items()}
    result["noop_median"] = {cores: median_run(r) for cores, r in noops.items()}
    result["orchestration"] = {
        cores: statistics.median(
            orchestration(f, n, n_jobs) for f, n in zip(runs[cores], noops[cores], strict=True)
        )
        for cores in (1, 2)
    }
    if result["orchestration"][1] > ORCHESTRATION_S:  # missed: where does the CPU go?
        # the forced run and its no-op, profiled: their difference is the per-job part
        result["profile"] = profile_snakemake(["--cores", "1", *force], workdir)
        result["profile_noop"] = profile_snakemake(["--cores", "1", *targets, *cfg], workdir)
        print("fanout profile done", flush=True)
    return result


def job_scripts() -> list[str]:
    """The job scripts the rules of a default run use (`job_code("<rule>")` in rules/*.smk;
    not drafting a config or the Zenodo deposit, which the default target never runs)."""
    names = set()
    for smk_file in (ROOT / "rules").glob("*.smk"):
        names |= set(re.findall(r'job_code\("(\w+)"\)', smk_file.read_text()))
    return sorted(n for n in names if not n.startswith(("draft", "zenodo")))


def import_profile() -> list[tuple[str, float, float]]:
    """Wall and CPU time of a fresh interpreter importing what the jobs import."""
    workdir = WORK / "default"
    every_job = (
        "import sys, importlib.util; sys.path.insert(0, 'scripts')\n"
        f"for name in {job_scripts()!r}:\n"
        "    spec = importlib.util.spec_from_file_location(name, f'scripts/{name}.py')\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
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
        ("import snakemake.cli (every snakemake call)", "import snakemake.cli"),
        ("every job script of a default run, loaded as the jobs load them", every_job),
    ]
    rows = []
    for label, code in cases:
        runs = [run_timed([sys.executable, "-c", code], workdir) for _ in range(3)]
        rows.append((label, *(statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s"))))
    return rows


def profile_noop() -> dict[str, Any]:
    """CPU profile (every thread) of a no-op rerun on the built default."""
    workdir = WORK / "default"
    if not (workdir / "results" / "archive" / "manifest.csv").exists():
        copy_project(workdir)
    # unmeasured: builds the default (back from the changed bins of the rerun item), so that
    # the profiled call has nothing to do
    run_timed(smk(2), workdir)
    return profile_snakemake(["--cores", "2"], workdir)


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


def figures_quote() -> tuple[str, str]:
    """Target 4's summary row from bench/figures.md (bench_figures.py) and its date line."""
    path = FIGURES_MD
    text = path.read_text().splitlines() if path.exists() else []
    row = next((line for line in text if line.startswith("| 4. ")), "")
    measured = next((line for line in text if line.startswith("Measured")), "")
    date = re.match(r"Measured (\S+)", measured)
    return row, date.group(1) if date else ""


# --- report --------------------------------------------------------------------------------


def fmt_runs(runs: list[Run], key: str) -> str:
    return ", ".join(f"{r[key]:.2f}" for r in runs)


Part = tuple[str, float, float | None]  # what, wall (s), CPU (s) where measured


def parts_of(run: Run, floor: Run, parse: Run, noop: Run, jobs: bool = True) -> list[Part]:
    """A run's time in parts, from the measured floor, `--list-rules` and no-op (medians): the
    parts add up to the run's wall time; CPU where it is measured for the part itself."""

    def both(key: str, a: Run, b: Run) -> float:
        return a[key] - b[key]

    parts: list[Part] = [
        ("Snakemake's start-up (the floor)", floor["wall_s"], floor["cpu_s"]),
        (
            "parsing this workflow (`--list-rules` − floor)",
            both("wall_s", parse, floor),
            both("cpu_s", parse, floor),
        ),
        (
            "DAG, checks of every output (no-op − `--list-rules`)",
            both("wall_s", noop, parse),
            both("cpu_s", noop, parse),
        ),
    ]
    if jobs:
        parts += [
            ("the jobs (their `s`, summed)", run["tsv_s"], None),
            (
                "the rest: scheduling, starting and recording the jobs",
                run["wall_s"] - noop["wall_s"] - run["tsv_s"],
                None,
            ),
        ]
    return parts


def parts_table(parts: list[Part], run: Run) -> list[str]:
    wall = run["wall_s"]
    return [
        "| part | wall (s) | share of the wall time | CPU (s) |",
        "|---|---|---|---|",
        *(
            f"| {label} | {sec:.2f} | {sec / wall:.0%} | {'–' if cpu is None else f'{cpu:.2f}'} |"
            for label, sec, cpu in parts
        ),
        f"| **the run** | **{wall:.2f}** | | **{run['cpu_s']:.2f}** |",
    ]


def write_report(args: argparse.Namespace, info: dict[str, Any]) -> str:
    d = info
    floor_runs = [*d["floor_start"]["runs"], *d["floor_end"]["runs"]]
    floor = median_run(floor_runs)
    fw, fc = floor["wall_s"], floor["cpu_s"]
    cold = median_run(d["cold"]["runs"])
    serial_runs = d["cold"]["serial"]
    serial = median_run(serial_runs)
    noop = median_run(d["noop"]["runs"])
    parse = median_run(d["noop"]["parse"])
    rerun = median_run(d["rerun"]["runs"])
    scaling = d["scaling"]
    fan = d["fanout"]
    imports = d["profile"]
    every_job_import = imports[-1][2]  # CPU of loading every job script (their libraries)

    # what each run's time is made of
    cold_parts = parts_of(serial, floor, parse, noop)
    rerun_parts = parts_of(rerun, floor, parse, noop)
    noop_parts = parts_of(noop, floor, parse, noop, jobs=False)
    cold_jobs = per_job_median(serial_runs)
    rerun_jobs = per_job_median(d["rerun"]["runs"])

    def why(parts: list[Part], run: Run, jobs: list[tuple[str, float]], where: str = "") -> str:
        """The largest part of a run's wall time (and, if the jobs, the largest of them)."""
        label, sec, _ = max(parts, key=lambda part: part[1])
        text = f"{label}: {sec:.1f} of {run['wall_s']:.1f} s{where}"
        if label.startswith("the jobs") and jobs:
            top = ", ".join(f"{name} {s:.2f} s" for name, s in jobs[:3])
            text += (
                f"; largest {top}; the libraries' imports, paid once in the first jobs:"
                f" {every_job_import:.1f} s of CPU"
            )
        return text

    f1, f2 = fan["median"][1], fan["median"][2]
    n1, n2 = fan["noop_median"][1], fan["noop_median"][2]
    orch1, orch2 = fan["orchestration"][1], fan["orchestration"][2]
    speed_wall = f1["wall_s"] / f2["wall_s"]

    cold_ok = (cold["wall_s"] <= COLD_S, ratio(cold["wall_s"], fw) <= COLD_X)
    rerun_ok = (rerun["wall_s"] <= RERUN_S, ratio(rerun["wall_s"], fw) <= RERUN_X)
    noop_ok = ratio(noop["wall_s"], fw) <= NOOP_X
    orch_ok = orch1 <= ORCHESTRATION_S
    fan_prof = fan.get("profile")

    def missed_note(ok: bool, note: str) -> str:
        return "" if ok else note

    fan_diff: list[tuple[str, float]] = []
    if fan_prof:
        fan_noop_prof = fan["profile_noop"]
        before = dict(fan_noop_prof["by_owner"])
        fan_diff = sorted(
            ((owner, sec - before.get(owner, 0.0)) for owner, sec in fan_prof["by_owner"]),
            key=lambda item: -item[1],
        )
        per_job_profiled = (fan_prof["profiled_s"] - fan_noop_prof["profiled_s"]) / fan["jobs"]
        fan_why = (
            f"CPU profile of Snakemake around the jobs, minus its no-op:"
            f" {per_job_profiled * 1000:.0f} ms per job under the profiler; largest "
            + ", ".join(f"{o} {sec / fan['jobs'] * 1000:.0f} ms" for o, sec in fan_diff[:3])
        )
    else:
        fan_why = "not profiled (the target is met)"

    largest = max(noop_parts[1:], key=lambda part: part[1])
    noop_why = (
        f"{noop['wall_s'] - fw:.2f} s beyond the floor's {fw:.2f} s; of it, {largest[0]}:"
        f" {largest[1]:.2f} s"
    )
    fig_row, fig_date = figures_quote()
    lines = [
        "# Benchmark: the whole workflow",
        "",
        f"Measured {d['date']} on {d['machine']}. {d.get('scontrol', '')} {d.get('slurm', '')}",
        "",
        f"Command: `.venv/bin/python bench/bench_workflow.py --repeats {args.repeats}"
        f" --fanout-repeats {args.fanout_repeats} --floor-repeats {args.floor_repeats}"
        f"{' --quick' if args.quick else ''}` (fan-out: {args.fanout_repeats} repeat(s) of each"
        " core count). Every number is the median over the repeats, on a scratch copy of the"
        " project (`bench/_work/workflow/`, deleted afterwards). The jobs are `run:` blocks"
        " that Snakemake runs in threads of its own process (`force-use-threads` in"
        " profiles/default), so each call imports the libraries (pandas, pandera, NumPy,"
        " matplotlib) once. **Wall** is the wall time of the `snakemake` call; **CPU** is the"
        " user + system time of snakemake and all its children (os.wait4), which sharing the"
        " machine stretches much less than wall time; **jobs s** is the sum of the per-job `s`"
        " (the job's wall time) of the benchmark TSVs in `results/benchmarks/` (rules with a"
        " `benchmark:`). With the jobs in threads, a TSV's `cpu_time` and `max_rss` are the"
        " whole process's, not the job's, so they are not summed here.",
        "",
        f"The 1-minute load average on {os.cpu_count()} cores is given at the start and end of"
        f" each item; above ~{os.cpu_count()} (other work sharing the machine) the wall times"
        " are stretched and the CPU times are the fairer measure.",
        "",
        "## The floor",
        "",
        *floor_lines(d["floor_start"]["runs"], d["floor_end"]["runs"], floor),
        "",
        f"Load average (1 min): {d['floor_start']['load'][0]:.2f} → "
        f"{d['floor_start']['load'][1]:.2f} at the start, {d['floor_end']['load'][0]:.2f} →"
        f" {d['floor_end']['load'][1]:.2f} at the end.",
        "",
        "## Summary of targets",
        "",
        "Medians; ratios are wall (CPU) to the floor's wall (CPU). A target is met when every"
        " limit it has is met (by the wall time, as the targets are stated).",
        "",
        "| target | limit | measured: wall (CPU) | ratio to the floor | met | what dominates |",
        "|---|---|---|---|---|---|",
        f"| 1. cold `snakemake --cores 2` | ≤ {COLD_S:g} s, ≤ {COLD_X:g}x |"
        f" {cold['wall_s']:.2f} s ({cold['cpu_s']:.2f} s) |"
        f" {ratio(cold['wall_s'], fw):.1f}x ({ratio(cold['cpu_s'], fc):.1f}x) |"
        f" {verdict(*cold_ok)} |"
        f" {missed_note(all(cold_ok), why(cold_parts, serial, cold_jobs, ' at `--cores 1`'))} |",
        f"| 2. one RQ rerun after a params change (rq3_1's bins) | ≤ {RERUN_S:g} s,"
        f" ≤ {RERUN_X:g}x | {rerun['wall_s']:.2f} s ({rerun['cpu_s']:.2f} s) |"
        f" {ratio(rerun['wall_s'], fw):.1f}x ({ratio(rerun['cpu_s'], fc):.1f}x) |"
        f" {verdict(*rerun_ok)} |"
        f" {missed_note(all(rerun_ok), why(rerun_parts, rerun, rerun_jobs))} |",
        f"| 3. no-op rerun | ≤ {NOOP_X:g}x | {noop['wall_s']:.2f} s ({noop['cpu_s']:.2f} s) |"
        f" {ratio(noop['wall_s'], fw):.2f}x ({ratio(noop['cpu_s'], fc):.2f}x) |"
        f" {verdict(noop_ok)} | {missed_note(noop_ok, noop_why)} |",
        fig_row
        or f"| 4. the ten figure jobs | ≤ {FIGURES_S:g} s of job time | measured by"
        " `bench/bench_figures.py`: see [figures.md](figures.md) | – | | |",
        f"| 5. {fan['jobs']}-job subgroup fan-out: orchestration per job beyond its"
        f" computation | ≤ {ORCHESTRATION_S:g} s of CPU | {orch1:.3f} s at `--cores 1`"
        f" ({orch2:.3f} s at `--cores 2`, for information) | – | {verdict(orch_ok)} |"
        f" {missed_note(orch_ok, fan_why)} |",
    ]
    if fig_row:
        lines += [
            "",
            f"Target 4 is quoted from [figures.md](figures.md) (bench/bench_figures.py,"
            f" measured {fig_date}, its own floor).",
        ]
    lines += [
        "",
        "Also measured (targets of the issue without a floor):",
        "",
        "| measurement | limit | measured | met |",
        "|---|---|---|---|",
    ]
    big = scaling[-1] if scaling else None
    small = scaling[0] if scaling else None
    if big:
        size, med, _, _ = big
        lines.append(
            f"| {size:,} respondents → estimates | ≤ 30 s, ≤ 2 GB |"
            f" {med['wall_s']:.2f} s ({med['cpu_s']:.2f} s CPU); peak {med['peak_mb']:.0f} MB |"
            f" {verdict(med['wall_s'] <= 30, med['peak_mb'] <= 2048)} |"
        )
    if big and small and big[0] != small[0]:
        growth = big[0] / small[0]
        ratio_cpu = big[1]["cpu_s"] / small[1]["cpu_s"]
        lines.append(
            f"| growth {small[0]:,} → {big[0]:,} ({growth:.0f}x data) | linear or better |"
            f" CPU x{ratio_cpu:.2f}, jobs s x{big[1]['tsv_s'] / small[1]['tsv_s']:.2f}, wall"
            f" x{big[1]['wall_s'] / small[1]['wall_s']:.2f} | {verdict(ratio_cpu <= growth)} |"
        )
    lines += [
        f"| fan-out, `--cores 1` vs `--cores 2` | speed-up close to 2 |"
        f" {f1['wall_s']:.1f} s vs {f2['wall_s']:.1f} s: x{speed_wall:.2f} |"
        f" {verdict(speed_wall >= 1.7)} |",
        "| bootstrap engine vs scipy / pandas | ≥ 10x faster than scipy | quoted from"
        " [bootstrap.md](bootstrap.md) | met there |",
    ]

    def item_table(title: str, item: dict[str, Any], note: str) -> None:
        runs = item["runs"]
        med = median_run(runs)
        load = item["load"]
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
                f"| ratio to the floor's wall | {ratio(med['wall_s'], fw):.2f}x | |",
                f"| CPU, snakemake + children (s) | {med['cpu_s']:.2f} |"
                f" {fmt_runs(runs, 'cpu_s')} |",
                f"| ratio to the floor's CPU | {ratio(med['cpu_s'], fc):.2f}x | |",
                f"| jobs run | {med['jobs']:.0f} | |",
                f"| jobs with a benchmark TSV | {med['tsv_jobs']:.0f} | |",
                f"| jobs s, summed (s) | {med['tsv_s']:.2f} | {fmt_runs(runs, 'tsv_s')} |",
                f"| peak RSS of the process (MB) | {med['peak_mb']:.0f} | |",
            ]
        )

    item_table(
        "1. Cold run (default target, `--cores 2`)",
        d["cold"],
        f"Each repeat on a fresh copy: no `results/`, no `.snakemake/`, no `__pycache__`."
        f" Target ≤ {COLD_S:g} s and ≤ {COLD_X:g}x the floor.",
    )
    lines += [
        "",
        f"The same cold run at `--cores 1` (interleaved with the runs above): the jobs run one"
        f" after another, so each job's `s` is its own time and the parts add up. Wall"
        f" {serial['wall_s']:.2f} s ({fmt_runs(serial_runs, 'wall_s')}), CPU"
        f" {serial['cpu_s']:.2f} s, jobs s summed {serial['tsv_s']:.2f} s"
        f" ({serial['tsv_jobs']:.0f} of {serial['jobs']:.0f} jobs have a TSV). Its wall time"
        " in parts (the floor, `--list-rules` and the no-op are measured below):",
        "",
        *parts_table(cold_parts, serial),
        "",
        f"Largest jobs (median `s` at `--cores 1`; the first jobs of a run also import the"
        f" libraries, {every_job_import:.1f} s of CPU for all of them, see the last section): "
        + ", ".join(f"{name} {s:.2f} s" for name, s in cold_jobs[:8])
        + ".",
    ]
    item_table(
        "2. One RQ rerun after changing its params",
        d["rerun"],
        "rq3_1's bins [0,20,40,60,80,100] → [0,25,40,60,80,100] by `--configfile`, then the"
        " default target (each repeat first goes back to the default bins, unmeasured)."
        " It reruns rq3_1's bootstrap, its figure and what follows from the changed config"
        f" (provenance, reproduction check, archive manifest). Target ≤ {RERUN_S:g} s and"
        f" ≤ {RERUN_X:g}x the floor.",
    )
    lines += [
        "",
        "Its wall time in parts (at `--cores 2`: jobs that ran side by side overlap, so the"
        " rest can come out negative):",
        "",
        *parts_table(rerun_parts, rerun),
        "",
        "Jobs (median `s`): " + ", ".join(f"{name} {s:.2f} s" for name, s in rerun_jobs) + ".",
    ]
    item_table(
        "3. No-op rerun",
        d["noop"],
        f"`snakemake --cores 2` again on the built project: nothing to do. Target ≤ {NOOP_X:g}x"
        " the floor. This is Snakemake's start-up, parsing the workflow (validating the config"
        " against its schemas, finding each rule's code inputs) and checking the timestamps,"
        " checksums and parameters of every output.",
    )
    lines += [
        "",
        f"`snakemake --list-rules` (parses the Snakefile and rules/, builds no DAG):"
        f" {parse['wall_s']:.2f} s wall ({fmt_runs(d['noop']['parse'], 'wall_s')}),"
        f" {parse['cpu_s']:.2f} s CPU. The no-op's wall time in parts:",
        "",
        *parts_table(noop_parts, noop),
    ]
    noop_prof = d.get("noop_profile")
    if noop_prof:
        lines += [
            "",
            f"CPU profile of a no-op (`snakemake --cores 2`, a cProfile per thread timed by"
            f" the thread's CPU time; {noop_prof['wall_s']:.2f} s wall and"
            f" {noop_prof['cpu_s']:.2f} s CPU under the profiler, which inflates the Python"
            " code's share): own time by the code's owner, largest first.",
            "",
            *profile_lines(noop_prof),
        ]

    lines += [
        "",
        "## 4. The ten figure jobs",
        "",
        "Measured by `bench/bench_figures.py`, see [figures.md](figures.md)"
        + (f" (measured {fig_date})." if fig_date else "."),
        "",
        "## Ingest → estimates of all five analyses on generated exports",
        "",
        "`snakemake --cores 2` with targets `results/{rq1_1,rq1_2,rq3_1,rq3_2,rq5}/estimates.csv`"
        " (ingest, validate, clean and five bootstrap jobs, S = 1000), `results/` removed before"
        " each repeat, the export made by `scripts/generate_synthetic.py --respondents N`."
        " Peak memory: the largest resident set of any one process (os.wait4 of the whole"
        " `snakemake` call, as `/usr/bin/time -v` reports it; the jobs run in Snakemake's"
        " process, so it is that process's) and the largest `max_rss` in the job TSVs (also the"
        " process's, sampled while a job ran). Target at 100,000: ≤ 30 s and ≤ 2 GB, linear"
        " growth.",
        "",
        "| respondents | load start → end | wall (s) | CPU (s) | jobs s, summed | peak RSS,"
        " whole call (MB) | largest TSV max_rss (MB) | generation (s, not counted) |",
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
            f" x{big[1]['peak_mb'] / small[1]['peak_mb']:.2f}. Each run has a fixed part"
            " (Snakemake's start-up, parse and DAG, the libraries' imports once per run) and"
            " the bootstrap's cost depends on the number of distinct answer rows, not of"
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
        " first; each measured run is `snakemake --cores N --forcerun bootstrap_subgroup"
        " <every group's estimates.csv>`, so only the fan-out runs, and right after it the"
        " same call with nothing to do (the no-op: parse and DAG of the same targets). The"
        " runs of the two core counts are interleaved so that both see similar load.",
        "",
        f"Orchestration per job = (CPU of the fan-out − CPU of its no-op − the jobs' summed"
        f" `s`) / {fan['jobs']} jobs: Snakemake's CPU for scheduling, starting, benchmarking and"
        " recording each job, beyond the job's own computation. At `--cores 1` the jobs run one"
        " after another, so a job's `s` is its own time (the first job's includes importing"
        " the libraries); at `--cores 2` two jobs share the process (and the GIL), so their"
        f" `s` overlap and the figure is for information. Target ≤ {ORCHESTRATION_S:g} s.",
        "",
        f"Load average (1 min): {fan['load'][0]:.2f} at start, {fan['load'][1]:.2f} at end.",
        "",
        "| cores | wall (s) | runs | CPU (s) | no-op CPU (s) | jobs s, summed | job s per job |"
        " orchestration CPU per job (s) | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for cores, med, noop_med, orch in ((1, f1, n1, orch1), (2, f2, n2, orch2)):
        runs = fan["runs"][cores]
        lines.append(
            f"| {cores} | {med['wall_s']:.1f} | {fmt_runs(runs, 'wall_s')} | {med['cpu_s']:.1f} |"
            f" {noop_med['cpu_s']:.2f} | {med['tsv_s']:.1f} |"
            f" {med['tsv_s'] / max(med['tsv_jobs'], 1):.3f} | {orch:.3f} |"
            f" {med['peak_mb']:.0f} |"
        )
    lines += [
        "",
        f"Speed-up, wall time of 1 core / 2 cores: **x{speed_wall:.2f}** (ideal 2). The jobs"
        " are independent; the speed-up is bounded by the cores actually free, by Snakemake's"
        " main thread, which schedules and records every job, and by the GIL the job threads"
        f" share outside NumPy. Load average {fan['load'][0]:.1f}–{fan['load'][1]:.1f} on"
        f" {os.cpu_count()} cores.",
    ]
    if fan_prof:
        fan_noop_prof = fan["profile_noop"]
        jobs = fan["jobs"]
        around = fan_prof["cpu_s"] - fan_prof["in_jobs_s"] - fan_noop_prof["cpu_s"]
        snakemake_diff = fan_prof["snakemake_s"] - fan_noop_prof["snakemake_s"]
        profiled_diff = fan_prof["profiled_s"] - fan_noop_prof["profiled_s"]
        lines += [
            "",
            "### What dominates the orchestration",
            "",
            "The target is missed, so the script ran the forced `--cores 1` call once more, and"
            " its no-op, under a profiler: a cProfile per thread timed by the thread's CPU time,"
            " paused inside each job (`surveyflow.entry.run`, whose CPU time is summed"
            " unprofiled instead), so the profile is Snakemake's work around the jobs. The"
            " profiler slows Python code several times over, so its seconds are larger than"
            " the unprofiled ones; their split is what it tells.",
            "",
            f"Under the profiler: the forced call {fan_prof['wall_s']:.1f} s wall,"
            f" {fan_prof['cpu_s']:.1f} s CPU, of which {fan_prof['in_jobs_s']:.1f} s in the"
            f" {fan_prof['jobs']} jobs themselves (their threads' CPU time:"
            f" {fan_prof['in_jobs_s'] / max(fan_prof['jobs'], 1) * 1000:.0f} ms a job; their"
            f" summed `s` above: {f1['tsv_s']:.1f} s); its no-op {fan_noop_prof['cpu_s']:.1f} s"
            f" CPU. Around the jobs, beyond the no-op: {around:.1f} s of CPU, i.e."
            f" {around / jobs * 1000:.0f} ms per job (under the profiler). Profiled own time"
            " of the forced call minus that of its no-op, by the code's owner, largest first:",
            "",
            "| owner of the code (outside the jobs) | s | ms per job |",
            "|---|---|---|",
            *(f"| {owner} | {sec:.2f} | {sec / jobs * 1000:.1f} |" for owner, sec in fan_diff[:15]),
            f"| Snakemake's own modules together (snakemake.*, its interfaces) |"
            f" {snakemake_diff:.2f} | {snakemake_diff / jobs * 1000:.1f} |",
            f"| **all profiled code** | **{profiled_diff:.2f}** |"
            f" {profiled_diff / jobs * 1000:.1f} |",
        ]

    lines += [
        "",
        "## What the jobs import",
        "",
        "A fresh interpreter importing what the jobs import (median of 3; wall / CPU). With"
        " the jobs in threads of Snakemake's process, each `snakemake` call that runs jobs pays"
        " this once, inside its first jobs' `s`; a no-op pays none of it.",
        "",
        "| import | wall (s) | CPU (s) |",
        "|---|---|---|",
        *(f"| {label} | {wall:.2f} | {cpu:.2f} |" for label, wall, cpu in imports),
        "",
        "## Bootstrap engine against scipy.stats.bootstrap and a pandas loop",
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
    parser.add_argument(
        "--floor-repeats", type=int, default=5, help="runs of the floor, at start and at end"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1 repeat, 2 floor runs, small sizes, a fan-out of 2 grouping questions",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "workflow.md", help="the report to write"
    )
    parser.add_argument(
        "--resume",
        metavar="PICKLE",
        help="measurements saved by an interrupted run (bench/_work/workflow_info.pickle)",
    )
    args = parser.parse_args()
    if args.quick:
        args.repeats = 1
        args.floor_repeats = min(args.floor_repeats, 2)
    if args.fanout_repeats is None:
        args.fanout_repeats = args.repeats
    sizes = [1_000, 10_000] if args.quick else [10_000, 100_000]
    saved = WORK.parent / "workflow_info.pickle"  # measurements so far; kept if the report fails
    steps: list[tuple[str, Callable[[], object]]] = [
        ("floor_start", lambda: item_floor(args.floor_repeats)),
        ("cold", lambda: item_cold_noop_rerun(args.repeats)),
        ("noop_profile", profile_noop),
        ("profile", import_profile),
        ("scaling", lambda: item_scaling(args.repeats, sizes)),
        ("fanout", lambda: item_fanout(args.fanout_repeats, args.quick)),
        ("floor_end", lambda: item_floor(args.floor_repeats)),
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
            "slurm": slurm_plugin(),
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
    args.out.write_text(report)
    print(report)
    print(f"written to {args.out}")
    shutil.rmtree(WORK, ignore_errors=True)
    saved.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # bench/_work/, unless another benchmark uses it
        WORK.parent.rmdir()


if __name__ == "__main__":
    main()
