"""Bad input: a non-zero exit, one paragraph naming the file and what to do, raw files unchanged."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
from conftest import snakemake

DATA = "data/raw/synthetic/SYNTHETIC_data_project_900001_2022_04_30.csv"
CODEBOOK = "data/raw/synthetic/SYNTHETIC_codebook_project_900001_2022_04_30.csv"


def checksums(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def records(project: Path) -> list[list[str]]:
    text = (project / DATA).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def encode(rows: list[list[str]]) -> list[bytes]:
    out = io.StringIO()
    csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8").split(b"\r\n")


def write_bad(project: Path, lines: list[bytes], name: str = "bad.csv") -> str:
    path = project / "data" / "raw" / "bad" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\r\n".join(lines))
    return str(path.relative_to(project))


def completed_rows(rows: list[list[str]]) -> list[int]:
    d = rows[0].index("dispcode")
    return [i for i, row in enumerate(rows[1:], 1) if row[d] in ("31", "32")]


def set_cell(rows: list[list[str]], row: int, column: str, value: str) -> None:
    rows[row][rows[0].index(column)] = value


def run_bad(project: Path, export: dict | None = None, **overrides):
    raw_before = checksums(project / "data")
    config = {"export": {**{"data": DATA, "codebook": CODEBOOK}, **(export or {})}, **overrides}
    # The clean table is the stage every bad input must stop before.
    run = snakemake(project, "results/clean/responses.csv", config=config)
    assert run.returncode != 0, run.output
    assert checksums(project / "data") == raw_before, "raw data was modified"
    return run


def assert_message(run, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment in run.output, f"{fragment!r} not in output:\n{run.output[-3000:]}"


def test_missing_export_file(project):
    run = run_bad(project, {"data": "data/raw/nowhere.csv"})
    assert_message(run, "data/raw/nowhere.csv", "does not exist", "What to do: set export.data")


def test_file_that_is_not_an_export(project):
    path = write_bad(project, [b"name,score", b"alice,3"], "scores.csv")
    run = run_bad(project, {"data": path})
    assert_message(run, path, "is not an export of a survey tool the workflow reads", "What to do")
    # Told it is an EFS export, the EFS reader says what it looked for.
    run = run_bad(project, {"data": path, "tool": "efs"})
    assert_message(run, path, "does not look like an EFS/Unipark export", "What to do")


def test_wrong_separator(project):
    run = run_bad(project, {"separator": ","})
    assert_message(run, DATA, "What to do")


def test_variable_missing_from_export_suggests_closest(project):
    rows = records(project)
    rows[0][rows[0].index("v_70")] = "v_700"
    path = write_bad(project, encode(rows))
    run = run_bad(project, {"data": path})
    assert_message(run, path, "Q14 -> v_70 (closest: v_700", "questions.yaml")


def test_duplicate_respondent_ids(project):
    rows = records(project)
    first, second = completed_rows(rows)[:2]
    lfdn = rows[first][rows[0].index("lfdn")]
    set_cell(rows, second, "lfdn", lfdn)
    path = write_bad(project, encode(rows))
    run = run_bad(project, {"data": path})
    assert_message(
        run,
        path,
        "duplicate respondent id",
        f"respondent {lfdn}",
        "results/validation/ingest_failures.csv",
    )
    failures = (project / "results/validation/ingest_failures.csv").read_text()
    assert "duplicate respondent id" in failures


def test_code_outside_the_codebook(project):
    rows = records(project)
    row = completed_rows(rows)[3]
    set_cell(rows, row, "v_70", "7")
    path = write_bad(project, encode(rows))
    run = run_bad(project, {"data": path})
    assert_message(
        run, path, "code outside the codebook's levels", f"(row {row + 1}), column 'q14'", "'7'"
    )


def test_empty_export(project):
    path = write_bad(project, [b""], "empty.csv")
    run = run_bad(project, {"data": path})
    assert_message(run, path, "What to do")


def test_header_only_export(project):
    path = write_bad(project, encode(records(project)[:1]), "header.csv")
    run = run_bad(project, {"data": path})
    assert_message(run, path, "no responses")


def test_short_row(project):
    rows = records(project)
    rows[5] = rows[5][:-1]
    path = write_bad(project, encode(rows))
    run = run_bad(project, {"data": path})
    assert_message(run, path, "row 6", "What to do")


def test_bytes_invalid_in_declared_encoding(project):
    lines = encode(records(project))
    lines[7] = lines[7].replace(b'"-77"', b'"M\xfcller"', 1)
    assert b"\xfc" in lines[7]
    path = write_bad(project, lines)
    run = run_bad(project, {"data": path, "encoding": "utf-8"})
    assert_message(run, path, "line 8", "utf-8", "export.encoding")


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"missing_codes": "-99"}, "key 'missing_codes' must be a list"),
        ({"synthetic": "maybe"}, "key 'synthetic' must be true or false"),
    ],
)
def test_config_violating_the_schema(project, override, fragment):
    run = run_bad(project, **override)
    assert_message(run, fragment, "config/schemas/config.schema.yaml")
