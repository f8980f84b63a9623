"""Ingest time of a 100,000-respondent export in each of the nine forms, written to
bench/ingest_tools.md.

The respondents are tests/data/survey-forms/respondents.csv repeated (ids 1 … N), written by
tests/formgen.py in each form; what is timed is what the ingest job does with the file: the
reader (`surveyflow.reading.read`), the levels, and `build_responses` (labels decoded,
options ticked, completed interviews kept, declared-missing codes blanked). The target of
issue 11: no form slower than 2x the EFS codes export. Medians of 3 runs on this machine;
nothing here is asserted.

    .venv/bin/python bench/bench_ingest_tools.py [N]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests"), str(Path(__file__).parent)]

import formgen  # noqa: E402
import pandas as pd  # noqa: E402
import pyreadstat  # noqa: E402
import yaml  # noqa: E402
from benchlib import machine  # noqa: E402

from surveyflow import readers  # noqa: E402
from surveyflow.config import load_questions  # noqa: E402
from surveyflow.reading.ingest import build_responses, resolve_levels  # noqa: E402

SCHEMA = ROOT / "config/schemas/questions.schema.yaml"
DEFAULTS = yaml.safe_load((ROOT / "config/config.yaml").read_text())
REPEATS = 3


def respondents(n: int) -> list[dict[str, str]]:
    """The shared respondents repeated to n, each with its own id."""
    base = formgen.load_respondents()
    return [{**base[i % len(base)], "id": str(i + 1)} for i in range(n)]


def ingest(form_dir: Path) -> tuple[float, int]:
    """Seconds for what the ingest job does with this form's file, and the rows kept."""
    config = yaml.safe_load((form_dir / "config.yaml").read_text())
    data = form_dir / Path(config["export"]["data"]).name
    settings = {
        **config["export"],
        "data": str(data),
        "completed_dispcodes": DEFAULTS["completed_dispcodes"],
        "known_dispcodes": DEFAULTS["known_dispcodes"],
    }
    if settings.get("codebook"):
        settings["codebook"] = str(form_dir / Path(settings["codebook"]).name)
    questions = load_questions(config["questions"], SCHEMA)
    missing = DEFAULTS["missing_codes"]
    start = time.perf_counter()
    export = readers.read(data, settings)
    levels = resolve_levels(questions, export.codebook, missing, export.declared_missing)
    result = build_responses(export, questions, settings, missing_codes=missing, levels=levels)
    return time.perf_counter() - start, result.rows_kept


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        formgen.write_all(out, respondents(n))
        written = time.perf_counter() - start
        rows = []
        for form in formgen.FORMS:
            directory = out / form
            size = sum(p.stat().st_size for p in directory.iterdir() if p.name != "config.yaml")
            times, kept = [], 0
            for _ in range(REPEATS):
                seconds, kept = ingest(directory)
                times.append(seconds)
            rows.append((form, size, statistics.median(times), min(times), kept))
    floor = next(t for form, _, t, _, _ in rows if form == "efs-codes")
    lines = [
        "# Ingest time per export form",
        "",
        f"Measured {dt.date.today().isoformat()} with `bench/bench_ingest_tools.py` on "
        + machine(f"pandas {pd.__version__}", f"pyreadstat {pyreadstat.__version__}")
        + ".",
        "",
        f"{n:,} respondents (tests/data/survey-forms/respondents.csv repeated), written by "
        f"tests/formgen.py in each form ({written:.0f} s). Timed: reading the file and "
        "building the ingested table (labels decoded, options ticked, completed interviews "
        f"kept), median of {REPEATS}. Target: no form slower than 2x the EFS codes export.",
        "",
        "| form | file size | median | fastest | ratio to EFS codes | rows kept |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for form, size, median, fastest, kept in rows:
        lines.append(
            f"| {form} | {size / 2**20:.1f} MiB | {median:.2f} s | {fastest:.2f} s | "
            f"{median / floor:.2f} | {kept:,} |"
        )
    slow = [form for form, _, median, _, _ in rows if median > 2 * floor]
    lines += [
        "",
        "Every form within 2x of the EFS codes export."
        if not slow
        else f"Slower than 2x: {', '.join(slow)}.",
    ]
    text = "\n".join(lines) + "\n"
    (Path(__file__).parent / "ingest_tools.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
