"""Cleaning through its public entry point: values, the audit log, ratios, multiple choice."""

from __future__ import annotations

import pandas as pd
import pytest

from surveyflow.checking.cleaning import clean_responses, compute_ratio, summarize_log
from surveyflow.config import Question

QUESTIONS = {
    "D7": Question("D7", "count", variable="v_30"),
    "D8": Question("D8", "count", variable="v_31"),
    "Q13": Question(
        "Q13",
        "multiple_choice",
        options={"service": "v_60", "others": "v_63"},
        other_text="v_64",
        other_option="others",
    ),
    "Q14": Question("Q14", "single_choice", variable="v_70"),
    "Q15": Question("Q15", "percentage", variable="v_80"),
    "Q4": Question("Q4", "text", variable="v_50"),
}
LEVELS = {
    "q13_service": [(0, "not quoted"), (1, "quoted")],
    "q13_others": [(0, "not quoted"), (1, "quoted")],
    "q14": [(1, "Yes"), (2, "No")],
}
RATIOS = [{"name": "deployed_share", "numerator": "D8", "denominator": "D7"}]


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {
        "d7": "",
        "d8": "",
        "q13_service": "0",
        "q13_others": "0",
        "q13_other": "",
        "q14": "-99",
        "q15": "",
        "q4": "",
    }
    data = [{"respondent_id": str(100 + i), **base, **row} for i, row in enumerate(rows)]
    return pd.DataFrame(data)


def clean(rows):
    return clean_responses(
        frame(rows), QUESTIONS, LEVELS, missing_codes=(-77, -66, -99), ratios=RATIOS
    )


def log_rules(result, respondent, question):
    log = result.log
    who = log.respondent_id.astype(str) == str(respondent)
    return list(log[who & (log.question == question)].rule)


def test_counts_and_ratio_of_a_valid_pair():
    result = clean([{"d7": "about 10", "d8": "5"}])
    row = result.responses.iloc[0]
    assert (row.d7, row.d8, row.deployed_share) == (10.0, 5.0, 50.0)
    assert log_rules(result, 100, "d7") == ["number_in_text"]
    assert log_rules(result, 100, "d8") == []  # "5" -> 5 is not a change


@pytest.mark.parametrize(
    ("d7", "d8", "rule"),
    [
        ("3", "5", "ratio_numerator_exceeds_denominator"),
        ("0", "0", "ratio_zero_denominator"),
        ("-99", "2", "ratio_missing_input"),
        ("many", "2", "ratio_missing_input"),
    ],
)
def test_invalid_pairs_are_excluded_and_logged(d7, d8, rule):
    result = clean([{"d7": d7, "d8": d8}])
    assert pd.isna(result.responses.deployed_share.iloc[0])
    assert rule in log_rules(result, 100, "deployed_share")


def test_unparseable_count_is_missing_with_reason():
    result = clean([{"d7": "not sure"}])
    assert pd.isna(result.responses.d7.iloc[0])
    entry = result.log[result.log.question == "d7"].iloc[0]
    assert entry.rule == "unparseable" and entry.raw_value == "not sure" and entry.reason


def test_multiple_choice_answered_other_text_and_not_answered():
    result = clean(
        [
            {"q13_service": "1"},
            {"q13_other": "Edge devices"},  # text without the box
            {"q13_service": "0", "q13_others": "0"},  # seen, nothing ticked
            {"q13_service": "-77", "q13_others": "-77", "q13_other": "-77"},
        ]
    )
    out = result.responses
    assert list(out.q13_service) == [True, False, pd.NA, pd.NA]
    assert list(out.q13_others) == [False, True, pd.NA, pd.NA]
    assert out.q13_other.iloc[1] == "Edge devices"
    assert log_rules(result, 101, "q13_others") == ["other_text_implies_option"]
    assert log_rules(result, 102, "q13") == ["not_answered"]
    assert "not_answered" in log_rules(result, 103, "q13")
    assert log_rules(result, 103, "q13_other") == ["missing_code"]


def test_single_choice_codes_become_labels_and_missing_codes_are_logged():
    result = clean([{"q14": "1"}, {"q14": "2"}, {"q14": "-66"}])
    assert list(result.responses.q14.fillna("<NA>")) == ["Yes", "No", "<NA>"]
    assert log_rules(result, 102, "q14") == ["missing_code"]
    assert result.labels["q14"] == ["Yes", "No"]


def test_percentage_and_text():
    result = clean([{"q15": "less than 20%", "q4": "legacy systems"}, {"q15": "most"}])
    assert result.responses.q15.iloc[0] == 10.0
    assert pd.isna(result.responses.q15.iloc[1])
    assert log_rules(result, 101, "q15") == ["vague"]
    assert result.responses.q4.iloc[0] == "legacy systems"


def test_input_is_not_modified_and_summary_counts_rules():
    data = frame([{"d7": "10+", "d8": "twelve"}])
    before = data.copy()
    result = clean_responses(data, QUESTIONS, LEVELS, missing_codes=(-77, -66, -99), ratios=RATIOS)
    pd.testing.assert_frame_equal(data, before)
    summary = summarize_log(result.log)
    assert set(summary.columns) == {"question", "rule", "values"}
    assert summary["values"].sum() == len(result.log)


def test_compute_ratio_is_percent():
    ratio, _ = compute_ratio(pd.Series([1.0, 4.0]), pd.Series([4.0, 4.0]), pd.Series([1, 2]), "r")
    assert list(ratio) == [25.0, 100.0]
