"""Schemas and lazy validation through the public functions: every failure, located."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from surveyflow.checking.schemas import clean_schema, ingested_schema, read_clean_responses
from surveyflow.checking.validation import collect_failures, validate_or_raise
from surveyflow.config import Question, load_questions
from surveyflow.errors import InputError

QUESTIONS = {
    "D7": Question("D7", "count", variable="v_30"),
    "D8": Question("D8", "count", variable="v_31"),
    "Q14": Question("Q14", "single_choice", variable="v_70"),
    "Q15": Question("Q15", "percentage", variable="v_80"),
    "Q16": Question("Q16", "multiple_choice", options={"a": "v_90", "b": "v_91"}),
}
LEVELS = {
    "q14": [(1, "Yes"), (2, "No")],
    "q16_a": [(0, "x"), (1, "y")],
    "q16_b": [(0, "x"), (1, "y")],
}
RATIOS = [{"name": "share", "numerator": "D8", "denominator": "D7"}]


def ingested(rows):
    base = {
        "status": "31",
        "source_row": "2",
        "d7": "",
        "d8": "",
        "q14": "1",
        "q15": "",
        "q16_a": "0",
        "q16_b": "1",
    }
    return pd.DataFrame(
        [
            {"respondent_id": str(i + 1), **base, "source_row": str(i + 2), **r}
            for i, r in enumerate(rows)
        ]
    )


def schema():
    return ingested_schema(QUESTIONS, LEVELS, missing_codes=[-77, -66, -99])


def test_valid_ingested_table_passes():
    validated, failures = collect_failures(ingested([{}, {"q14": "-99", "q16_a": "-77"}]), schema())
    assert validated is not None and failures.empty


def test_every_failure_is_collected_with_respondent_row_and_variable():
    frame = ingested([{"q14": "7"}, {"q16_b": "2"}, {"respondent_id": ""}, {}])
    frame.loc[3, "respondent_id"] = "1"
    validated, failures = collect_failures(frame, schema(), {"q14": "v_70", "q16_b": "v_91"})
    assert validated is None
    problems = set(
        zip(failures.source_row.astype(str), failures.column, failures.problem, strict=True)
    )
    assert ("2", "q14", "code outside the codebook's levels") in problems
    assert ("3", "q16_b", "multiple-choice item not 0/1/missing") in problems
    assert ("4", "respondent_id", "empty respondent id") in problems
    assert {
        ("2", "respondent_id", "duplicate respondent id"),
        ("5", "respondent_id", "duplicate respondent id"),
    } <= problems
    assert failures.loc[failures.column == "q14", "variable"].item() == "v_70"


def test_validate_or_raise_writes_all_failures_and_names_the_source(tmp_path):
    failures_path = tmp_path / "ingest_failures.csv"
    with pytest.raises(InputError) as info:
        validate_or_raise(
            ingested([{"q14": "7"}, {"q14": "8"}]),
            schema(),
            stage="ingested",
            source="export.csv",
            failures_path=str(failures_path),
        )
    message = str(info.value)
    assert "export.csv" in message and "2 problem(s)" in message and "'7'" in message
    assert len(pd.read_csv(failures_path)) == 2


def clean_frame(**overrides):
    data = {
        "respondent_id": ["1", "2"],
        "d7": [4.0, 10.0],
        "d8": [2.0, 5.0],
        "q14": ["Yes", None],
        "q15": [35.0, None],
        "q16_a": pd.array([True, None], dtype="boolean"),
        "q16_b": pd.array([False, None], dtype="boolean"),
        "share": [50.0, 50.0],
    }
    data.update(overrides)
    return pd.DataFrame(data)


CLEAN_LABELS = {"q14": ["Yes", "No"]}


def test_clean_schema_accepts_a_clean_table():
    validated, failures = collect_failures(
        clean_frame(), clean_schema(QUESTIONS, CLEAN_LABELS, RATIOS)
    )
    assert validated is not None, failures


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"d7": [-1.0, 10.0], "share": [None, 50.0]}, "count is negative"),
        ({"q15": [135.0, None]}, "percentage outside [0, 100]"),
        ({"d8": [6.0, 5.0]}, "D8 > D7"),
        ({"q14": ["Maybe", None]}, "label not among the levels"),
    ],
)
def test_clean_schema_rejects(overrides, problem):
    _, failures = collect_failures(
        clean_frame(**overrides), clean_schema(QUESTIONS, CLEAN_LABELS, RATIOS)
    )
    assert any(problem in p for p in failures.problem), failures


def test_clean_csv_read_back_validates(default_run):
    questions = load_questions(
        ROOT / "config/questions.yaml", ROOT / "config/schemas/questions.schema.yaml"
    )
    import json

    results = default_run.workdir / "results"
    labels = json.loads((results / "clean/levels.json").read_text())
    ratios = [{"name": "deployed_share", "numerator": "D8", "denominator": "D7"}]
    frame = read_clean_responses(results / "clean/responses.csv", questions, ["deployed_share"])
    validated, failures = collect_failures(frame, clean_schema(questions, labels, ratios))
    assert validated is not None, failures
