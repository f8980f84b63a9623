"""Shared fixtures: run the real workflow with `snakemake` in a temporary copy of the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
PROJECT_PARTS = (
    "Snakefile",
    "rules",
    "scripts",
    "config",
    "data",
    "profiles",
    "environment.yml",
    "report",
    "CITATION.cff",
    "requirements.txt",
)


@dataclass
class Run:
    workdir: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def copy_project(dest: Path) -> Path:
    """A fresh copy of the workflow (no results, no .snakemake) to run in isolation."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


def snakemake(workdir: Path, *args: str, config: dict | None = None, timeout: int = 600) -> Run:
    """Run the real snakemake CLI of this environment in `workdir`."""
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1", *args]
    if config is not None:
        path = workdir / "test-config.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        cmd += ["--configfile", str(path)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=env
    )
    return Run(workdir, proc.returncode, proc.stdout, proc.stderr)


def require(present: bool, what: str, command: str) -> None:
    """Skip a test whose tool is missing, saying how to get it; under CI=true, fail instead.

    A fresh machine (only python3, no Chromium, no cluster) must pass the README's test
    command; CI provides the tools, so there a missing one is a broken CI, not a skip.
    """
    if present:
        return
    message = f"{what} is not available here; {command} provides it"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: this test must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The workflow's default target on the embedded synthetic export, run once per session."""
    workdir = copy_project(tmp_path_factory.mktemp("default") / "project")
    run = snakemake(workdir)
    assert run.returncode == 0, run.output
    return run


@pytest.fixture
def built(default_run: Run, tmp_path: Path) -> Path:
    """A copy of the built default run (results and .snakemake, modification times kept), for
    tests that change something and look at what reruns."""
    dest = tmp_path / "built"
    shutil.copytree(default_run.workdir, dest, symlinks=True)
    return dest
