"""The pip pins and the conda environment agree; README and CI run the same commands."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from conftest import ROOT


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_requirements_are_all_pinned_exactly():
    text = (ROOT / "requirements.txt").read_text()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][^ ]*", ln) for ln in lines)


def test_environment_yml_mirrors_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pins = dict(item.lower().split("==") for item in pip_section)
    assert conda_pins == _requirements()


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", text, flags=re.S)
    return [line for line in blocks[0].splitlines() if line.strip()]


def test_readme_opens_with_two_setup_commands():
    text = (ROOT / "README.md").read_text()
    first_block = text.index("```")
    assert "python3" in text[first_block : first_block + 400]
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[0].startswith("python3 -m venv") and "snakemake --cores all" in commands[0]
    assert commands[1].startswith("python3 -m venv") and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _readme_commands()[1] in ci


def test_readme_cleaning_rules_table_is_generated_from_the_code():
    from surveyflow.checking.cleaning import rules_markdown

    text = (ROOT / "README.md").read_text()
    start = text.index("<!-- cleaning-rules:start -->\n") + len("<!-- cleaning-rules:start -->\n")
    end = text.index("\n<!-- cleaning-rules:end -->")
    assert text[start:end] == rules_markdown()


def test_the_slurm_plugins_are_optional_and_pinned():
    """A local run does not load the SLURM executor plugin (it waits ~9 s on a SLURM client
    without a controller at every start); the SLURM path installs it from its own file."""
    assert not [name for name in _requirements() if "slurm" in name]
    lines = (ROOT / "requirements-slurm.txt").read_text().splitlines()
    pins = [ln for ln in lines if ln.strip() and not ln.startswith(("#", "-r"))]
    assert "-r requirements.txt" in lines
    assert sorted(p.split("==")[0] for p in pins) == [
        "snakemake-executor-plugin-slurm",
        "snakemake-executor-plugin-slurm-jobstep",
    ]
    assert all(re.fullmatch(r"[a-z\-]+==[0-9][^ ]*", p) for p in pins)
    assert "requirements-slurm.txt" in (ROOT / ".ci" / "run").read_text()


def test_the_repository_stands_alone_and_the_docs_it_cites_exist():
    """No file points outside the repository (design notes and Zenodo API notes live in docs/),
    and every docs/ page that code, config, tests or README name exists, with every section a
    citation names (a page name, a comma, then the section title in quotes)."""
    # Split, so that this file does not match itself.
    outside = re.compile(rb"\.\./" rb"shared|/work/" rb"shared")
    skipped = {".git", ".venv", ".snakemake", ".pytest_cache", ".ruff_cache", ".hypothesis"}
    skipped_paths = {ROOT / "results", ROOT / "tests" / "data", ROOT / "bench" / "_work"}
    skipped_paths.add(ROOT / "data" / "fetched")
    pointing_out = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [
            d
            for d in dirs
            if d not in skipped and d != "__pycache__" and Path(folder, d) not in skipped_paths
        ]
        for name in files:
            path = Path(folder, name)
            if outside.search(path.read_bytes()):
                pointing_out.append(str(path.relative_to(ROOT)))
    assert not pointing_out, f"files pointing outside the repository: {pointing_out}"

    sources = [ROOT / "README.md", ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]
    sources += sorted((ROOT / "scripts").rglob("*.py")) + sorted((ROOT / "tests").glob("*.py"))
    sources += sorted(p for p in (ROOT / "config").rglob("*") if p.is_file())
    named, cited = set(), set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        named.update(re.findall(r"docs/([a-z-]+\.md)", text))
        for pattern in (
            r"docs/([a-z-]+\.md),\s*\"([^\"]{1,120})\"",
            r"docs/([a-z-]+\.md),\s*'([^']{1,120})'",
        ):
            cited.update(
                (page, " ".join(title.split())) for page, title in re.findall(pattern, text)
            )
    assert {"design.md", "zenodo-api.md", "stages.md"} <= named
    missing = sorted(page for page in named if not (ROOT / "docs" / page).is_file())
    assert not missing, f"docs pages named but missing: {missing}"
    headings = {
        page: {
            line.lstrip("#").strip()
            for line in (ROOT / "docs" / page).read_text().splitlines()
            if line.startswith("#")
        }
        for page in named
    }
    unresolved = sorted((page, title) for page, title in cited if title not in headings[page])
    assert not unresolved, f"cited sections without a heading of that title: {unresolved}"
