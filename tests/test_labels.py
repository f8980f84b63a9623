"""Labels-shape exports without a codebook: the tool's own labels, `levels:` lists, own missing.

Expectations come from the export format (EFS writes "Completed (31)", "quoted"/"not quoted"),
from hand-written tiny exports, and from the codes export of the same synthetic data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, copy_project, snakemake
from exportgen import write_labels_export

from surveyflow import reading as readers
from surveyflow.checking.cleaning import clean_responses
from surveyflow.config import load_questions
from surveyflow.errors import InputError
from surveyflow.reading.efs_files import read_codebook, read_export
from surveyflow.reading.ingest import build_responses, resolve_levels

SCHEMA = ROOT / "config/schemas/questions.schema.yaml"
SYNTHETIC = ROOT / "data/raw/synthetic"
DATA = SYNTHETIC / "SYNTHETIC_data_project_900001_2022_04_30.csv"
CODEBOOK = SYNTHETIC / "SYNTHETIC_codebook_project_900001_2022_04_30.csv"

QUESTIONS = {
    "questions": {
        "Q1": {
            "type": "multiple_choice",
            "text": "Which tools do you use?",
            # Option keys keep their case: columns q1_CI and q1_docker.
            "options": {"CI": "v_1", "docker": "v_2"},
        },
        "Q2": {"type": "single_choice", "variable": "v_3", "levels": ["Yes", "No"]},
        "Q3": {
            "type": "likert",
            "items": {"speed": "v_4"},
            "levels": {0: "Please make a selection", 1: "Low", 2: "Medium", 3: "High"},
            "missing": [0],
        },
    }
}
HEADER = [
    ["", "", "Which tools do you use?", "", "Is it deployed?", "How fast?"],
    ["", "", "CI", "Docker", "Deployed", "Speed"],
    ["lfdn", "dispcode", "v_1", "v_2", "v_3", "v_4"],
]


def _export(tmp_path: Path, rows: list[list[str]], questions: dict = QUESTIONS):
    path = tmp_path / "export.csv"
    text = "\r\n".join(";".join(f'"{c}"' for c in r) for r in [*HEADER, *rows]) + "\r\n"
    path.write_bytes(text.encode("cp1252"))
    qpath = tmp_path / "questions.yaml"
    qpath.write_text(yaml.safe_dump(questions, allow_unicode=True), encoding="utf-8")
    return readers.read(path, {"tool": "efs"}), load_questions(qpath, SCHEMA)


def _efs(completed, known, **more):
    """The export block of a config as the ingest rule passes it (EFS dispcode lists beside)."""
    return {"tool": "efs", "completed_dispcodes": completed, "known_dispcodes": known, **more}


def test_a_labels_export_decodes_without_a_codebook(tmp_path):
    export, questions = _export(
        tmp_path,
        [
            ["1", "Completed (31)", "quoted", "not quoted", "Yes", "High"],
            ["2", "Completed after break (32)", "ausgewählt", "nicht ausgewählt", "No", "Low"],
            ["3", "Suspended (22)", "quoted", "quoted", "No", "Medium"],
            ["4", "Completed (31)", "Not  Quoted", "QUOTED", "No", "Please make a selection"],
        ],
    )
    assert export.shape == "labels"
    result = build_responses(export, questions, _efs([31, 32], [22, 31, 32]))
    frame = result.responses
    assert result.rows_read == 4 and result.rows_kept == 3
    assert result.dropped_by_status == {"22": 1}
    assert list(frame["status"]) == ["31", "32", "31"]
    assert list(frame["respondent_id"]) == ["1", "2", "4"]
    assert list(frame["q1_CI"]) == ["1", "1", "0"]
    assert list(frame["q1_docker"]) == ["0", "0", "1"]
    assert list(frame["q2"]) == ["1", "2", "2"]  # list levels: code = position from 1
    assert list(frame["q3_speed"]) == ["3", "1", "0"]

    levels = resolve_levels(questions, None, [-77, -66, -99])
    assert levels["q2"] == [(1, "Yes"), (2, "No")]
    # The question's own missing code is not a level.
    assert levels["q3_speed"] == [(1, "Low"), (2, "Medium"), (3, "High")]

    clean = clean_responses(frame, questions, levels, missing_codes=[-77, -66, -99])
    assert list(clean.responses["q3_speed"].fillna("<NA>")) == ["High", "Low", "<NA>"]
    assert list(clean.responses["q2"]) == ["Yes", "No", "No"]
    log = clean.log
    # Only the Likert item's own missing code is logged; the multiple-choice 0s are answers.
    assert list(log["question"]) == ["q3_speed"]
    assert list(log["raw_value"]) == ["0"] and list(log["rule"]) == ["missing_code"]


def test_a_status_label_without_its_code_names_the_config_key(tmp_path):
    export, questions = _export(tmp_path, [["1", "Beendet", "quoted", "quoted", "Yes", "Low"]])
    with pytest.raises(InputError) as caught:
        build_responses(export, questions, _efs([31], [31]))
    message = str(caught.value)
    assert "export.status_labels" in message and "'Beendet'" in message
    assert "row 4" in message and "column 'dispcode'" in message
    result = build_responses(export, questions, _efs([31], [31], status_labels={"Beendet": 31}))
    assert list(result.responses["status"]) == ["31"]


def test_no_completed_interview_stops_ingest_with_the_codes_found(tmp_path):
    export, questions = _export(
        tmp_path,
        [
            ["1", "Suspended (22)", "quoted", "quoted", "Yes", "Low"],
            ["2", "Suspended (22)", "quoted", "quoted", "Yes", "Low"],
            ["3", "Started (21)", "quoted", "quoted", "Yes", "Low"],
        ],
    )
    with pytest.raises(InputError) as caught:
        build_responses(export, questions, _efs([31, 32], [21, 22, 31, 32]))
    message = str(caught.value)
    assert "0 of 3 interviews completed" in message
    assert "21 (1x), 22 (2x)" in message and "dispcode in [31, 32] (completed_dispcodes)" in message


def test_yaml_booleans_in_levels_are_refused_with_the_fix(tmp_path):
    path = tmp_path / "q.yaml"
    # YAML 1.1 reads a bare Yes/No as true/false: the label would be lost.
    path.write_text(
        "questions:\n  Q2:\n    type: single_choice\n    variable: v_3\n    levels: [Yes, No]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match='quote it, e.g. "Yes"'):
        load_questions(path, SCHEMA)


def _levels_from_codebook(questions: dict) -> dict:
    """The default questions map with every coded question's levels written out, as a user
    without a codebook would: a list where the codes are 1..k, code: label pairs otherwise."""
    codebook = read_codebook(CODEBOOK)
    for spec in questions["questions"].values():
        if spec["type"] not in ("single_choice", "likert"):
            continue
        variable = spec.get("variable") or next(iter(spec["items"].values()))
        values = codebook.variables[variable].values
        if list(values) == list(range(1, len(values) + 1)):
            spec["levels"] = list(values.values())
        else:
            spec["levels"] = {int(code): label for code, label in values.items()}
    return questions


def test_labels_export_of_the_default_survey_without_codebook_gives_the_codes_results(
    default_run, tmp_path
):
    """Same data as the default codes export, written in the labels shape: no codebook, a
    questions map with levels; the clean table and every estimate are the same bytes."""
    workdir = copy_project(tmp_path / "project")
    codes = read_export(DATA)
    labels_path = workdir / "data/raw/labels-export.csv"
    write_labels_export(codes.frame, read_codebook(CODEBOOK), labels_path, encoding="cp1252")
    assert read_export(labels_path).shape == "labels"
    questions = _levels_from_codebook(yaml.safe_load((ROOT / "config/questions.yaml").read_text()))
    (workdir / "labels-questions.yaml").write_text(
        yaml.safe_dump(questions, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    analyses = ["rq1_1", "rq1_2", "rq3_1", "rq3_2", "rq5"]
    run = snakemake(
        workdir,
        "--cores",
        "2",
        *[f"results/{name}/estimates.csv" for name in analyses],
        config={
            "export": {"data": "data/raw/labels-export.csv", "codebook": None},
            "questions": "labels-questions.yaml",
        },
    )
    assert run.returncode == 0, run.output[-3000:]
    manifest = pd.read_json(workdir / "results/ingest/manifest.json", typ="series")
    assert manifest["detected"]["shape"] == "labels"
    assert manifest["rows_kept"] == 188  # the paper's completed interviews
    for name in ["clean/responses.csv", *[f"{a}/estimates.csv" for a in analyses]]:
        ours = (workdir / "results" / name).read_bytes()
        assert ours == (default_run.workdir / "results" / name).read_bytes(), name


def test_mis_decoded_labels_match_the_codebook_label_they_came_from():
    from surveyflow.reading.labels import repaired

    # UTF-8 read as Latin-1; and that text saved again as Mac Roman, then read as Latin-1.
    assert "Español" in repaired("Español".encode().decode("latin-1"))
    twice = "Español".encode().decode("latin-1").encode("mac_roman").decode("latin-1")
    assert twice == "EspaÌ±ol" and "Español" in repaired(twice)
    assert repaired("Español") == []  # a correct label has nothing to undo


def test_the_best_reading_of_a_mis_decoded_label_is_the_original_text():
    from surveyflow.reading.labels import best_reading

    assert best_reading("EspaÌ±ol") == "Español"  # as the real NaPiRE export holds it
    assert best_reading("inåÊyour") == "in\xa0your"
    assert best_reading("EspaÃ±ol") == "Español"
    assert best_reading("Español") == "Español" and best_reading("plain") == "plain"
