"""What the README claims about every run, checked on the default run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import snakemake


@pytest.mark.workflow
def test_every_job_has_one_log_and_one_benchmark(default_run):
    results = default_run.workdir / "results"
    logs = {p.stem for p in (results / "logs").glob("*.log")}
    benchmarks = {p.stem for p in (results / "benchmarks").glob("*.tsv")}
    assert logs and logs == benchmarks


@pytest.mark.workflow
def test_a_job_run_alone_gives_the_bytes_of_the_full_run(default_run, built):
    """One bootstrap job, run by itself (nothing else to do), writes the same bytes."""
    for name in ("estimates.csv", "replicates.npz"):
        (built / "results/rq3_1" / name).unlink()
    run = snakemake(built, "results/rq3_1/estimates.csv")
    assert run.returncode == 0, run.output[-2000:]
    assert "1 of 1 steps (100%) done" in run.output  # that job, and nothing else
    for name in ("estimates.csv", "replicates.npz"):
        alone = (built / "results/rq3_1" / name).read_bytes()
        assert alone == (default_run.workdir / "results/rq3_1" / name).read_bytes(), name


@pytest.mark.workflow
def test_after_a_kill_unlock_and_the_next_run_finishes(project):
    """The README's troubleshooting: a killed run leaves its lock; --unlock, then rerun."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "1", "results/clean/responses.csv"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not (project / "results/ingest").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert any((project / ".snakemake/locks").iterdir())
    locked = snakemake(project, "results/clean/responses.csv")
    assert locked.returncode != 0 and "cannot be locked" in locked.output
    assert snakemake(project, "--unlock").returncode == 0
    run = snakemake(project, "results/clean/responses.csv")
    assert run.returncode == 0, run.output[-2000:]
    assert (project / "results/clean/responses.csv").stat().st_size > 0
