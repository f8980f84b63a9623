"""The whole workflow through SLURM (the official executor plugin) gives the local run's bytes.

Runs only where a SLURM cluster answers (`.ci/run` starts a single-node one with
`.ci/slurm-up.sh`); elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys

import pytest
from conftest import copy_project, require

pytestmark = pytest.mark.slurm


def slurm_is_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    probe = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=30)
    return probe.returncode == 0 and any(s in probe.stdout for s in ("idle", "mix", "alloc"))


def results(workdir):
    root = workdir / "results"
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.parts[-2] not in ("logs", "benchmarks")
    }


def test_workflow_on_slurm_matches_the_local_run(request, tmp_path):
    require(slurm_is_up(), "a SLURM cluster", "`bash .ci/slurm-up.sh` (as root; see the README)")
    require(
        importlib.util.find_spec("snakemake_executor_plugin_slurm") is not None,
        "the SLURM executor plugin",
        "`.venv/bin/pip install -r requirements-slurm.txt`",
    )
    # Asked for only now, so that a machine without a cluster does not build it for nothing.
    default_run = request.getfixturevalue("default_run")
    workdir = copy_project(tmp_path / "project")
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "--workflow-profile",
        "profiles/slurm",
        "--jobs",
        "4",
        "--slurm-init-seconds-before-status-checks",
        "2",
    ]
    # The plugin can wait forever when status queries fail: bound it.
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "SLURM" in proc.stdout + proc.stderr  # really went through the executor
    slurm_results, local_results = results(workdir), results(default_run.workdir)
    assert any(name.startswith("subgroups/") for name in slurm_results)
    assert slurm_results.keys() == local_results.keys()
    different = [name for name in slurm_results if slurm_results[name] != local_results[name]]
    assert different == []
