"""What the benchmark scripts share: the machine description, a scratch copy of the project,
and a check of what would stretch Snakemake's start-up."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

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
