"""Free-text answers to numbers: every rule by example, plus properties over arbitrary text."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyflow.checking.count_parser import COUNT_RULES, DEFAULT_MAX_COUNT, parse_count
from surveyflow.checking.parsers import Parsed
from surveyflow.checking.percentage_parser import PERCENTAGE_RULES, parse_percentage

M = None  # expected value of a missing answer

COUNT_CASES: list[tuple[object, float | None, str]] = [
    # integer
    ("12", 12, "integer"),
    (" 7 ", 7, "integer"),
    ("0", 0, "integer"),
    ("-0", 0, "integer"),
    ("1,000", 1000, "integer"),
    ("1 000", 1000, "integer"),
    ("2.0", 2, "integer"),
    ("１２", 12, "integer"),  # full-width digits
    ("12.", 12, "integer"),
    (7, 7, "integer"),
    (12.0, 12, "integer"),
    (np.int64(3), 3, "integer"),
    (Decimal("4"), 4, "integer"),
    # number_in_text
    ("about 10", 10, "number_in_text"),
    ("approx. 15", 15, "number_in_text"),
    ("approximately 8", 8, "number_in_text"),
    ("around 6", 6, "number_in_text"),
    ("~20", 20, "number_in_text"),
    ("20 projects", 20, "number_in_text"),
    ("ca. 5", 5, "number_in_text"),
    ("roughly 3", 3, "number_in_text"),
    ("About  1,000 users", 1000, "number_in_text"),
    ("10 or so", 10, "number_in_text"),
    ("- 5 projects", 5, "number_in_text"),  # a bullet, not a sign
    # open_bound
    ("10+", 10, "open_bound"),
    ("more than 30", 30, "open_bound"),
    (">50", 50, "open_bound"),
    (">= 50", 50, "open_bound"),
    ("at least 4", 4, "open_bound"),
    ("over 12", 12, "open_bound"),
    ("+20", 20, "open_bound"),
    ("50 or more", 50, "open_bound"),
    ("10+ projects", 10, "open_bound"),
    ("no less than 5", 5, "open_bound"),
    ("more than ten", 10, "open_bound"),
    ("More than a dozen", 12, "open_bound"),
    # range_midpoint
    ("3-5", 4, "range_midpoint"),
    ("3 - 5", 4, "range_midpoint"),
    ("3\u20135", 4, "range_midpoint"),  # en dash
    ("3 \u2014 5", 4, "range_midpoint"),  # em dash
    ("3 to 5", 4, "range_midpoint"),
    ("between 3 and 5", 4, "range_midpoint"),
    ("5 or 6", 5.5, "range_midpoint"),
    ("3-5 projects", 4, "range_midpoint"),
    ("5-5", 5, "range_midpoint"),
    ("1,000-2,000", 1500, "range_midpoint"),
    ("five to ten", 7.5, "range_midpoint"),
    ("5 or six", 5.5, "range_midpoint"),
    ("one or two", 1.5, "range_midpoint"),
    ("15-20", 17.5, "range_midpoint"),  # a midpoint is an estimate, documented as x.5
    ("9999-10000", 9999.5, "range_midpoint"),  # both ends within the limit
    # number_word
    ("five", 5, "number_word"),
    ("FIVE", 5, "number_word"),
    ("about five", 5, "number_word"),
    ("five projects", 5, "number_word"),
    ("Twenty", 20, "number_word"),
    ("twenty-five", 25, "number_word"),
    ("thirty", 30, "number_word"),
    ("forty", 40, "number_word"),
    ("fifty", 50, "number_word"),
    ("nineteen", 19, "number_word"),
    ("hundred", 100, "number_word"),
    ("a hundred", 100, "number_word"),
    ("two hundred", 200, "number_word"),
    ("a dozen", 12, "number_word"),
    ("dozen", 12, "number_word"),
    ("a dozen projects", 12, "number_word"),
    ("half a dozen", 6, "number_word"),
    ("a couple", 2, "number_word"),
    ("a couple of projects", 2, "number_word"),
    ("none", 0, "number_word"),
    ("None", 0, "number_word"),
    ("no", 0, "number_word"),
    ("No.", 0, "number_word"),
    ("zero", 0, "number_word"),
    ("nil", 0, "number_word"),
    # power: read, never run together ("10⁵" is not 105)
    ("10³", 1000, "power"),
    ("10^3", 1000, "power"),
    ("2 ^ 5", 32, "power"),
    ("10\u00b2", 100, "power"),
    # spreadsheet_date (tests/test_spreadsheet_dates.py has the forms)
    ("01. Mar", M, "spreadsheet_date"),
    ("3-Jan", M, "spreadsheet_date"),
    # implausible: above the limit, or not finite
    ("20000", M, "implausible"),
    ("10001", M, "implausible"),
    ("1" + "0" * 30, M, "implausible"),
    ("10⁵", M, "implausible"),  # 100000, judged by the limit
    ("more than 20000", M, "implausible"),
    ("5-20000", M, "implausible"),  # a range reaching past the limit
    ("9" * 308 + "-" + "9" * 308, M, "implausible"),  # its midpoint overflowed to inf
    ("9" * 400, M, "implausible"),  # inf as a float
    (float("inf"), M, "implausible"),
    (1e30, M, "implausible"),
    # missing_code
    ("-77", M, "missing_code"),
    ("-66", M, "missing_code"),
    ("-99", M, "missing_code"),
    ("-99.0", M, "missing_code"),
    ("\u221299", M, "missing_code"),  # unicode minus sign
    (-99, M, "missing_code"),
    (-77.0, M, "missing_code"),
    # empty
    ("", M, "empty"),
    ("   ", M, "empty"),
    ("\t\n", M, "empty"),
    (None, M, "empty"),
    (float("nan"), M, "empty"),
    (np.nan, M, "empty"),
    (pd.NA, M, "empty"),
    # fractional
    ("2.5", M, "fractional"),
    ("2,5", M, "fractional"),
    (".5", M, "fractional"),
    ("about 2.5", M, "fractional"),
    ("2.5-3.5", M, "fractional"),
    (2.5, M, "fractional"),
    # negative
    ("-5", M, "negative"),
    ("-5 projects", M, "negative"),
    (-3, M, "negative"),
    # unparseable
    ("many", M, "unparseable"),
    ("lots", M, "unparseable"),
    ("not sure", M, "unparseable"),
    ("I don't know", M, "unparseable"),
    ("no idea", M, "unparseable"),
    ("10 (3 in prod)", M, "unparseable"),
    ("3/4", M, "unparseable"),
    ("3 and 5", M, "unparseable"),
    ("5-3", M, "unparseable"),
    ("1, 2, 3", M, "unparseable"),
    ("less than 5", M, "unparseable"),
    ("no more than 5", M, "unparseable"),
    ("10%", M, "unparseable"),
    ("ten percent", M, "unparseable"),
    ("about 10⁵", M, "unparseable"),  # an exponent among words
    (True, M, "unparseable"),
    (b"12", M, "unparseable"),
    ([1], M, "unparseable"),
]

PERCENTAGE_CASES: list[tuple[object, float | None, str]] = [
    # percent
    ("35%", 35, "percent"),
    ("35", 35, "percent"),
    ("35 %", 35, "percent"),
    ("35.5%", 35.5, "percent"),
    ("35,5%", 35.5, "percent"),
    ("35％", 35, "percent"),  # full-width percent sign
    ("0", 0, "percent"),
    ("100", 100, "percent"),
    ("100%", 100, "percent"),
    ("35 percent", 35, "percent"),
    (35, 35, "percent"),
    (35.5, 35.5, "percent"),
    # number_in_text
    ("about 35 %", 35, "number_in_text"),
    ("approx 40%", 40, "number_in_text"),
    ("around 10 percent", 10, "number_in_text"),
    ("~50%", 50, "number_in_text"),
    ("35% of projects", 35, "number_in_text"),
    # range_midpoint
    ("20-30%", 25, "range_midpoint"),
    ("20% - 30%", 25, "range_midpoint"),
    ("20 to 30 %", 25, "range_midpoint"),
    ("between 20 and 30%", 25, "range_midpoint"),
    ("20\u201330%", 25, "range_midpoint"),
    ("20 percent to 30 percent", 25, "range_midpoint"),
    ("0-5%", 2.5, "range_midpoint"),
    # word
    ("none", 0, "word"),
    ("no", 0, "word"),
    ("zero", 0, "word"),
    ("not at all", 0, "word"),
    ("none at all", 0, "word"),
    ("all", 100, "word"),
    ("All of them", 100, "word"),
    ("every", 100, "word"),
    ("everything", 100, "word"),
    ("half", 50, "word"),
    ("about half", 50, "word"),
    ("a quarter", 25, "word"),
    ("three quarters", 75, "word"),
    ("a third", 100 / 3, "word"),
    ("two thirds", 200 / 3, "word"),
    ("ten percent", 10, "word"),
    ("twenty-five %", 25, "word"),
    ("one hundred percent", 100, "word"),
    # upper_bound
    ("less than 20%", 10, "upper_bound"),
    ("<20%", 10, "upper_bound"),
    ("under 20%", 10, "upper_bound"),
    ("below 20", 10, "upper_bound"),
    ("up to 20%", 10, "upper_bound"),
    ("20% or less", 10, "upper_bound"),
    ("no more than 20%", 10, "upper_bound"),
    ("less than half", 25, "upper_bound"),
    # lower_bound
    ("more than 80%", 90, "lower_bound"),
    (">80%", 90, "lower_bound"),
    ("over 80%", 90, "lower_bound"),
    ("at least 80%", 90, "lower_bound"),
    ("80%+", 90, "lower_bound"),
    ("80% or more", 90, "lower_bound"),
    ("not less than 80%", 90, "lower_bound"),
    ("more than half", 75, "lower_bound"),
    # fraction
    ("1/3", 100 / 3, "fraction"),
    ("1 / 4", 25, "fraction"),
    ("3 out of 4", 75, "fraction"),
    ("1 in 4", 25, "fraction"),
    ("2 of 10", 20, "fraction"),
    ("\u00bd", 50, "fraction"),  # vulgar fraction one half
    ("none of the 5", 0, "fraction"),
    # spreadsheet_date
    ("20-Oct", M, "spreadsheet_date"),
    ("Oct-20", M, "spreadsheet_date"),
    # vague
    ("most", M, "vague"),
    ("few", M, "vague"),
    ("some", M, "vague"),
    ("many", M, "vague"),
    ("majority", M, "vague"),
    ("the majority", M, "vague"),
    ("a lot", M, "vague"),
    ("not many", M, "vague"),
    ("hardly any", M, "vague"),
    ("not all", M, "vague"),
    ("Most of them", M, "vague"),
    # out_of_range
    ("150%", M, "out_of_range"),
    ("120", M, "out_of_range"),
    ("-5", M, "out_of_range"),
    ("-5%", M, "out_of_range"),
    ("more than 120%", M, "out_of_range"),
    ("50-150%", M, "out_of_range"),
    ("5/4", M, "out_of_range"),
    ("1,000%", M, "out_of_range"),
    (150, M, "out_of_range"),
    (float("inf"), M, "out_of_range"),
    # missing_code
    ("-77", M, "missing_code"),
    ("-66", M, "missing_code"),
    ("-99", M, "missing_code"),
    ("-99.0", M, "missing_code"),
    (-99, M, "missing_code"),
    # empty
    ("", M, "empty"),
    ("  ", M, "empty"),
    (None, M, "empty"),
    (float("nan"), M, "empty"),
    (pd.NA, M, "empty"),
    # unparseable
    ("not sure", M, "unparseable"),
    ("I don't know", M, "unparseable"),
    ("10 (3 in prod)", M, "unparseable"),
    ("30-20%", M, "unparseable"),
    ("20 and 30", M, "unparseable"),
    ("all 5 projects, 40%", M, "unparseable"),
    ("2/0", M, "unparseable"),
    ("5²", M, "unparseable"),  # not 52
    ("10²%", M, "unparseable"),  # not 102
    (True, M, "unparseable"),
    (object(), M, "unparseable"),
]


def _check(result: Parsed, value: float | None, rule: str) -> None:
    assert result.rule == rule, result
    if value is None:
        assert result.value is None, result
        assert result.reason, result
    else:
        assert result.value == pytest.approx(value), result
        assert result.reason is None, result


@pytest.mark.parametrize(("raw", "value", "rule"), COUNT_CASES)
def test_parse_count(raw: object, value: float | None, rule: str) -> None:
    _check(parse_count(raw), value, rule)


@pytest.mark.parametrize(("raw", "value", "rule"), PERCENTAGE_CASES)
def test_parse_percentage(raw: object, value: float | None, rule: str) -> None:
    _check(parse_percentage(raw), value, rule)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2.5", "a count must be a whole number"),
        ("many", "vague quantity, not a number"),
        ("not sure", "no number found"),
        ("10 (3 in prod)", "ambiguous: several numbers"),
        ("-99", "missing-value code -99"),
        ("20000", "more than 10000, the plausibility limit of this count"),
        ("9" * 400, "not a finite number"),
    ],
)
def test_count_reasons(raw: str, reason: str) -> None:
    assert parse_count(raw).reason == reason


def test_percentage_vague_reason() -> None:
    assert parse_percentage("most").reason == "vague quantity, not a percentage"


def test_custom_missing_codes() -> None:
    assert parse_count("-8", missing_codes=[-8]).rule == "missing_code"
    assert parse_count("-99", missing_codes=[-8]).rule == "negative"
    assert parse_count("999", missing_codes=(999,)).rule == "missing_code"
    assert parse_percentage("-8", missing_codes={-8}).rule == "missing_code"
    assert parse_percentage("-99", missing_codes=()).rule == "out_of_range"
    # a code only counts as a whole answer, not inside text
    assert parse_count("about 999", missing_codes=(999,)) == Parsed(999.0, "number_in_text")


# --- the documentation tables ------------------------------------------------------------------

_EXAMPLE = re.compile(r'"(?P<raw>.*)" -> (?P<clean>missing|[0-9.]+)')


@pytest.mark.parametrize(
    ("table", "parse", "cases"),
    [
        (COUNT_RULES, parse_count, COUNT_CASES),
        (PERCENTAGE_RULES, parse_percentage, PERCENTAGE_CASES),
    ],
    ids=["count", "percentage"],
)
def test_rule_tables_match_code(table, parse, cases) -> None:
    names = [name for name, _, _ in table]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", name) for name in names)
    # every documented rule is produced by some example, and no example yields an undocumented one
    assert {rule for _, _, rule in cases} == set(names)
    for name, description, example in table:
        assert description
        m = _EXAMPLE.fullmatch(example)
        assert m, f"example of {name} is not '\"raw\" -> clean': {example}"
        clean = None if m["clean"] == "missing" else float(m["clean"])
        _check(parse(m["raw"]), clean, name)


# --- properties over arbitrary input -----------------------------------------------------------

COUNT_RULE_NAMES = frozenset(name for name, _, _ in COUNT_RULES)
PERCENTAGE_RULE_NAMES = frozenset(name for name, _, _ in PERCENTAGE_RULES)

_TOKENS = [
    *"0123456789",
    "12",
    "100",
    "-77",
    "1,000",
    " ",
    "  ",
    ".",
    ",",
    "-",
    "\u2013",
    "\u2014",
    "\u2212",
    "~",
    "+",
    "%",
    "/",
    ">",
    "<",
    "(",
    ")",
    "\u00bd",
    "five",
    "twenty",
    "hundred",
    "dozen",
    "a",
    "half",
    "third",
    "all",
    "none",
    "no",
    "not",
    "at",
    "least",
    "more",
    "less",
    "than",
    "over",
    "under",
    "between",
    "and",
    "or",
    "to",
    "of",
    "out",
    "in",
    "about",
    "approx.",
    "percent",
    "most",
    "many",
    "projects",
]
token_text = st.lists(st.sampled_from(_TOKENS), max_size=8).map("".join)
spaced_text = st.lists(st.sampled_from(_TOKENS), max_size=8).map(" ".join)
any_text = st.one_of(st.text(), token_text, spaced_text)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
)


def _check_invariants(result: Parsed, rule_names: frozenset[str]) -> None:
    assert isinstance(result, Parsed)
    assert result.rule in rule_names
    if result.value is None:
        assert isinstance(result.reason, str) and result.reason
    else:
        assert result.reason is None
        assert isinstance(result.value, float)
        assert math.isfinite(result.value) and result.value >= 0


def _check_count(result: Parsed) -> None:
    _check_invariants(result, COUNT_RULE_NAMES)
    if result.value is not None:
        whole = result.value * 2 if result.rule == "range_midpoint" else result.value
        assert whole.is_integer(), result


def _check_percentage(result: Parsed) -> None:
    _check_invariants(result, PERCENTAGE_RULE_NAMES)
    if result.value is not None:
        assert 0 <= result.value <= 100


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_count_properties_on_text(text: str) -> None:
    _check_count(parse_count(text))


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_percentage_properties_on_text(text: str) -> None:
    _check_percentage(parse_percentage(text))


@settings(max_examples=100, deadline=None)
@given(numbers)
def test_properties_on_numbers(value: float) -> None:
    _check_count(parse_count(value))
    _check_percentage(parse_percentage(value))
    _check_count(parse_count(str(value)))
    _check_percentage(parse_percentage(str(value)))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_whole_numbers_round_trip(n: int) -> None:
    assert parse_count(str(n), max_count=10**6) == Parsed(float(n), "integer")
    assert parse_count(f"{n:,}", max_count=10**6) == Parsed(float(n), "integer")
    if n > DEFAULT_MAX_COUNT:
        assert parse_count(str(n)).rule == "implausible"
    result = parse_percentage(f"{n}%")
    if n <= 100:
        assert result == Parsed(float(n), "percent")
    else:
        assert result.rule == "out_of_range"
