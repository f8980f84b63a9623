"""What the benchmark scripts share: the machine description and a scratch copy of the project."""

from __future__ import annotations

import os
import shutil
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
