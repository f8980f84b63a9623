"""Config and questions.yaml validation: errors name the key and what it takes."""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT

from surveyflow.config import load_questions, load_yaml, validate_against_schema
from surveyflow.errors import InputError

SCHEMA = ROOT / "config/schemas/config.schema.yaml"
QSCHEMA = ROOT / "config/schemas/questions.schema.yaml"


def default_config() -> dict:
    """config.yaml and analyses.yaml, merged as the Snakefile's two configfile: directives do."""
    return {**load_yaml(ROOT / "config/config.yaml"), **load_yaml(ROOT / "config/analyses.yaml")}


def test_shipped_config_and_questions_are_valid():
    validate_against_schema(default_config(), SCHEMA, source="config.yaml")
    questions = load_questions(ROOT / "config/questions.yaml", QSCHEMA)
    assert {"D7", "D8", "Q13", "Q14", "Q15", "Q16"} <= set(questions)
    assert questions["Q13"].columns()["q13_other"] == "v_64"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("synthetic", "yes", "key 'synthetic' must be true or false, but is 'yes'"),
        ("completed_dispcodes", [31, "x"], "key 'completed_dispcodes.1' must be an integer"),
        ("export", {"data": 5}, "key 'export.data' must be a string, but is 5 (int)"),
        ("export", {"data": "a.csv", "separator": "|"}, "key 'export.separator'"),
        ("export", {"data": "a.csv", "encodng": "utf-8"}, "(a typo?)"),
    ],
)
def test_schema_violation_names_key_and_type(key, value, expected):
    config = default_config()
    config[key] = value
    with pytest.raises(InputError) as info:
        validate_against_schema(config, SCHEMA, source="my.yaml")
    assert expected in str(info.value)
    assert "my.yaml" in str(info.value)


def test_missing_required_key_is_named():
    config = default_config()
    del config["missing_codes"]
    with pytest.raises(InputError, match="'missing_codes' is a required property"):
        validate_against_schema(config, SCHEMA, source="my.yaml")


def write_questions(tmp_path, questions: dict):
    path = tmp_path / "questions.yaml"
    path.write_text(yaml.safe_dump({"questions": questions}))
    return path


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"Q1": {"type": "number", "variable": "v_1"}}, "key 'questions.Q1.type'"),
        ({"Q1": {"type": "count"}}, "question Q1: a count question needs `variable:`"),
        ({"Q1": {"type": "multiple_choice"}}, "needs `options:`"),
        (
            {"Q1": {"type": "likert", "variable": "v_1", "items": {"a": "v_2"}}},
            "exactly one of `variable:` or `items:`",
        ),
        (
            {"Q1": {"type": "multiple_choice", "options": {"a": "v_1"}, "other_option": "b"}},
            "other_option 'b' is not one of its options",
        ),
        (
            {"Q1": {"type": "multiple_choice", "options": {"other": "v_1"}, "other_text": "v_2"}},
            "option key 'other' clashes",
        ),
        (
            {"Q1": {"type": "text", "variable": "v_1"}, "q1": {"type": "text", "variable": "v_2"}},
            "both produce column 'q1'",
        ),
    ],
)
def test_bad_questions_yaml(tmp_path, spec, expected):
    path = write_questions(tmp_path, spec)
    with pytest.raises(InputError) as info:
        load_questions(path, QSCHEMA)
    assert expected in str(info.value)
    assert str(path) in str(info.value)
