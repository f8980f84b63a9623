"""What the benchmark scripts share: the machine description, a scratch copy of the project,
a check of what would stretch Snakemake's start-up, timed snakemake calls and Snakemake's own
floor (its no-op on a one-rule workflow), to which the workflow's targets are ratios."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import marshal
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Everything the workflow needs to run from a copy (no results, no .snakemake).
PARTS = (
    "Snakefile", "rules", "scripts", "config", "data", "profiles", "environment.yml", "report",
    "CITATION.cff", "requirements.txt",
)  # fmt: skip


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def ram_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def copy_project(dest: Path) -> Path:
    """A fresh copy of the workflow at `dest` (replacing what was there)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for part in PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def machine(*versions: str) -> str:
    """One line naming the machine, Python and the given versions (e.g. "NumPy 2.4.6")."""
    return ", ".join(
        (
            f"{platform.system()} {platform.machine()}",
            cpu_model(),
            f"{os.cpu_count()} cores",
            f"{ram_gib():.0f} GiB RAM",
            f"Python {platform.python_version()}",
            *versions,
        )
    )


def snakemake_version() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--version"], capture_output=True, text=True
    )
    return f"Snakemake {done.stdout.strip()}"


def scontrol_seconds() -> float | None:
    """How long `scontrol show config` takes here (None: no SLURM client installed).

    The SLURM executor plugin runs it whenever Snakemake loads its plugins, i.e. at the start of
    every `snakemake` call: with the client installed and no controller answering, that adds
    up to 10 s (the plugin's timeout) to each call, which a benchmark must not mistake for the
    workflow's cost.
    """
    if shutil.which("scontrol") is None:
        return None
    start = time.perf_counter()
    subprocess.run(["scontrol", "show", "config"], capture_output=True, timeout=30)
    return time.perf_counter() - start


def check_scontrol() -> str:
    """A sentence for the report; warns on stderr when Snakemake's start-up would be stretched."""
    seconds = scontrol_seconds()
    if seconds is None:
        return "No SLURM client on the machine (Snakemake's start-up is not affected by it)."
    if seconds > 1:
        print(
            f"warning: `scontrol show config` takes {seconds:.1f} s here; the SLURM executor "
            "plugin runs it at every snakemake start, so wall times include it. Start the "
            "controller (bash .ci/slurm-up.sh) or uninstall the SLURM client first.",
            file=sys.stderr,
        )
    return (
        f"`scontrol show config` took {seconds:.2f} s (the SLURM executor plugin runs it at "
        "every snakemake start; with a SLURM client but no controller it waits up to 10 s)."
    )


# --- timing snakemake calls, and Snakemake's own floor ----------------------------------------

Run = dict[str, Any]  # measures (floats), and what else a benchmark keeps with them
# The floor: Snakemake's own no-op, on a workflow of one rule (built once, then rerun).
FLOOR_SNAKEFILE = 'rule a:\n    output: "a.txt"\n    shell: "touch {output}"\n'


def load1() -> float:
    """1-minute load average."""
    return os.getloadavg()[0]


def run_timed(cmd: Sequence[str], cwd: Path, log: Path | None = None) -> Run:
    """Run a command; wall time, CPU time (user + system of it and its waited descendants,
    from os.wait4), peak RSS (MB) of its largest process and the jobs Snakemake counted."""
    log = log or cwd / "bench_last.log"
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(cmd)}\n{log.read_text()[-3000:]}")
    steps = re.findall(r"(\d+) of (\d+) steps", log.read_text(errors="replace"))
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # kB on Linux
        "jobs": float(steps[-1][1]) if steps else 0.0,
    }


def smk(cores: int, *args: str) -> list[str]:
    """A snakemake command line, with the interpreter (and so the venv) running this script."""
    return [sys.executable, "-m", "snakemake", "--cores", str(cores), *args]


def median_run(runs: Sequence[Run]) -> Run:
    """Median of every measure (every number) over the runs."""
    return {
        key: statistics.median(r[key] for r in runs)
        for key, value in runs[0].items()
        if isinstance(value, int | float)
    }


def measure_floor(repeats: int, where: Path) -> list[Run]:
    """Snakemake's own no-op: `snakemake --cores 1` on a one-rule Snakefile in the scratch dir
    `where`, built once (unmeasured), then `repeats` measured runs with nothing to do."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    (where / "Snakefile").write_text(FLOOR_SNAKEFILE)
    run_timed(smk(1), where)
    return [run_timed(smk(1), where) for _ in range(repeats)]


def floor_lines(start: Sequence[Run], end: Sequence[Run], floor: Run) -> list[str]:
    """Markdown: the floor measured at the start and at the end of a run, and their median."""

    def row(label: str, runs: Sequence[Run]) -> str:
        med = median_run(runs)
        each = ", ".join(f"{r['wall_s']:.2f}" for r in runs)
        return f"| {label} | {med['wall_s']:.2f} | {med['cpu_s']:.2f} | {each} |"

    return [
        "Snakemake's own no-op, measured in the same run with the same interpreter and venv:"
        ' a scratch directory with a one-rule Snakefile (`rule a: output: "a.txt"; shell:'
        ' "touch {output}"`), built once, then `snakemake --cores 1` with nothing to do. It'
        " is what any `snakemake` call costs here (interpreter, Snakemake's and its plugins'"
        " imports, a trivial parse and DAG); the ratios below are to the median of all its"
        " runs, at the start and at the end (the machine may drift).",
        "",
        "| floor | wall (s) | CPU (s) | runs, wall (s) |",
        "|---|---|---|---|",
        row("at the start", start),
        row("at the end", end),
        f"| **all runs (used for the ratios)** | **{floor['wall_s']:.2f}** |"
        f" **{floor['cpu_s']:.2f}** | |",
    ]


def slurm_plugin() -> str:
    """A sentence for the report: is the SLURM executor plugin importable here, and what does
    importing it cost (Snakemake imports its executor plugins at every start)."""
    name = "snakemake_executor_plugin_slurm"
    if importlib.util.find_spec(name) is None:
        return (
            f"`{name}` is not importable in this venv (`pip install -r requirements.txt`"
            " only, as the README installs): Snakemake's start-up does not include it."
        )
    try:
        version = importlib.metadata.version("snakemake-executor-plugin-slurm")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    cpu = []
    for code in ("pass", f"import {name}"):
        cmd = [sys.executable, "-c", code]
        runs = [run_timed(cmd, Path.cwd(), Path(os.devnull)) for _ in range(3)]
        cpu.append(statistics.median(r["cpu_s"] for r in runs))
    return (
        f"`{name}` {version} is importable in this venv (requirements-slurm.txt installs"
        " it; the README's `pip install -r requirements.txt` does not): Snakemake imports it,"
        f" and pandas through it, at every start; importing it alone costs"
        f" {cpu[1] - cpu[0]:.2f} s of CPU in a fresh interpreter. The floor and the workflow"
        " are measured with the same venv, so the ratios are fair either way; the absolute"
        " times are lower without it."
    )


def ratio(value: float, floor: float) -> float:
    return value / floor if floor > 0 else float("nan")


def verdict(*met: bool) -> str:
    return "**met**" if all(met) else "**missed**"


# --- where Snakemake's own CPU time goes -------------------------------------------------------

# `python -c PROFILER OUT ARGS...` runs `snakemake ARGS...` with a cProfile.Profile per thread
# (the main thread, the job threads of `force-use-threads`, the benchmark timers), each timed by
# its thread's CPU time (time.thread_time), so threads waiting on a lock or a queue count nothing.
# Inside a job (the workflow's `surveyflow.entry.run`, which every rule's `run:` block calls) the
# thread's profiler is paused and the job's CPU time is summed instead: the profile is what
# Snakemake spends around the jobs, unslowed jobs are not in it.
PROFILER = """
import cProfile, marshal, os, runpy, sys, threading, time
out, args = sys.argv[1], sys.argv[2:]
profilers, lock, local = [], threading.Lock(), threading.local()
jobs = [0.0, 0]  # CPU seconds in the jobs, number of jobs

def start(frame, event, arg):  # first event of every new thread: give it its own profiler
    sys.setprofile(None)
    local.prof = cProfile.Profile(time.thread_time)
    with lock:
        profilers.append(local.prof)
    local.prof.enable()

if os.path.isfile("scripts/surveyflow/entry.py"):
    sys.path.insert(0, "scripts")
    from surveyflow import entry
    _run = entry.run

    def run(*args, **kwargs):
        prof = getattr(local, "prof", None)
        if prof is not None:
            prof.disable()
        begin = time.thread_time()
        try:
            return _run(*args, **kwargs)
        finally:
            spent = time.thread_time() - begin
            with lock:
                jobs[0] += spent
                jobs[1] += 1
            if prof is not None:
                prof.enable()

    entry.run = run

threading.setprofile(start)
local.prof = main = cProfile.Profile(time.thread_time)
profilers.append(main)
sys.argv = ["snakemake", *args]
code = 0
main.enable()
try:
    runpy.run_module("snakemake", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
main.disable()
threading.setprofile(None)
stats = {}
with lock:
    for prof in profilers:
        # not create_stats(): disabling another thread's profiler here would charge its
        # unfinished calls (a thread still waiting) with this thread's clock
        prof.snapshot_stats()
        for key, (cc, nc, tt, ct, _) in prof.stats.items():
            old = stats.get(key, (0, 0, 0.0, 0.0))
            stats[key] = (old[0] + cc, old[1] + nc, old[2] + tt, old[3] + ct)
with open(out, "wb") as handle:
    marshal.dump((stats, jobs[0], jobs[1]), handle)
sys.exit(code)
"""


def _profile_group(filename: str, function: str) -> str:
    """Who owns a profiled function: a package (Snakemake by module), the jobs' code, the
    standard library, or a built-in (by name: file stats, locks, sqlite...)."""
    if filename == "~":
        return "built-in " + function.strip("<>{}").removeprefix("built-in method ")
    parts = Path(filename).parts
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1 :]
        package = rest[0].split(".")[0] if rest else "?"
        if package == "snakemake" and len(rest) > 1:
            return "snakemake." + Path(rest[1]).stem
        return package
    if "scripts" in parts:
        return "the jobs' code (scripts/, surveyflow)"
    if filename.startswith("<frozen"):
        return "the import machinery (frozen)"
    if filename.startswith(sys.base_prefix) or filename.startswith(sys.prefix):
        stem = Path(filename).stem
        return f"standard library: {Path(filename).parent.name if stem == '__init__' else stem}"
    return "the Snakefile and rules/*.smk"


def profile_snakemake(args: Sequence[str], cwd: Path) -> dict[str, Any]:
    """Run `snakemake ARGS` under PROFILER: the call's wall and CPU time, the jobs' own CPU time
    (unprofiled) and number, and the profiled CPU time around the jobs, in all and summed by
    owner (`_profile_group`), largest first."""
    out = cwd / "bench_profile.marshal"
    res = run_timed([sys.executable, "-c", PROFILER, str(out), *args], cwd)
    stats, jobs_cpu, jobs = marshal.loads(out.read_bytes())
    out.unlink()
    by_owner: dict[str, float] = {}
    for (filename, _, function), (_, _, own, _) in stats.items():
        owner = _profile_group(filename, function)
        by_owner[owner] = by_owner.get(owner, 0.0) + own
    return {
        "wall_s": res["wall_s"],
        "cpu_s": res["cpu_s"],
        "jobs": jobs,
        "in_jobs_s": jobs_cpu,
        "profiled_s": sum(by_owner.values()),
        "snakemake_s": sum(s for owner, s in by_owner.items() if owner.startswith("snakemake")),
        "by_owner": sorted(by_owner.items(), key=lambda item: -item[1]),
    }


def profile_lines(prof: dict[str, Any], top: int = 12) -> list[str]:
    """Markdown table of a profile's largest owners of CPU time."""
    total = prof["profiled_s"] or 1.0
    return [
        "| owner of the code (own CPU time, all threads, outside the jobs) | s | share |",
        "|---|---|---|",
        *(
            f"| {owner} | {seconds:.2f} | {seconds / total:.0%} |"
            for owner, seconds in prof["by_owner"][:top]
        ),
        f"| Snakemake's own modules together (snakemake.*, its interfaces) |"
        f" {prof['snakemake_s']:.2f} | {prof['snakemake_s'] / total:.0%} |",
        f"| **all profiled code** | **{prof['profiled_s']:.2f}** | |",
    ]
