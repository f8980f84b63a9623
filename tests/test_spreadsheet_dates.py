"""Counts and percentages a spreadsheet turned into dates, implausible counts, exponents, ratios.

Expected ranges are worked out by hand from how a spreadsheet stores a typed range, and the
displays of the round-trip test are rendered by `datetime`, not taken from the code under test.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT

from surveyflow.checking.cleaning import clean_responses, compute_ratio
from surveyflow.checking.count_parser import DEFAULT_MAX_COUNT, parse_count
from surveyflow.checking.percentage_parser import parse_percentage
from surveyflow.checking.spreadsheet_dates import MODES, read_spreadsheet_date
from surveyflow.config import Question, load_questions, load_yaml
from surveyflow.errors import InputError

# (answer as the export holds it, the range it encodes or None when none can be read)
MANGLED: list[tuple[str, tuple[int, int] | None]] = [
    # day and month name: the day-first locale stores "1-3" as 1 March ...
    ("01. Mar", (1, 3)),
    ("01. Mrz", (1, 3)),  # German Excel's abbreviation
    ("01. Mär", (1, 3)),  # LibreOffice's German one
    ("1. März", (1, 3)),
    ("05. Oct", (5, 10)),
    ("05. Okt", (5, 10)),
    ("5. Oktober", (5, 10)),
    ("05-Oct", (5, 10)),  # UK d-mmm
    ("3. Jän", (1, 3)),  # Austrian German
    ("02. Mai", (2, 5)),
    ("3. Dez", (3, 12)),
    ("15. Dezember", (12, 15)),  # month first: "12-15" is December 15
    # ... the month-first locale (US) stores "1-3" as January 3, shown "3-Jan"
    ("3-Jan", (1, 3)),
    ("10-May", (5, 10)),
    ("20-Oct", (10, 20)),
    ("4-Apr", (4, 4)),  # "4-4"
    ("1 MAR", (1, 3)),
    ("  3-jan ", (1, 3)),
    ("\uff11-Mar", (1, 3)),  # full-width digit one
    # month name and number: "mmm-yy" when the second number is no day of the month
    ("Jan-03", (1, 3)),
    ("Oct-20", (10, 20)),  # UK: "10-20" has no month 20, so October 2020
    ("Oct-50", (10, 50)),  # "10-50": October 1950
    ("Dec-99", (12, 99)),
    ("Sept. 10", (9, 10)),
    ("Okt. 15", (10, 15)),
    ("Oct-1950", (10, 50)),  # "mmm-yyyy" of the same October 1950
    # numeric dates with the year of entry (ignored); d/m or m/d need not be known
    ("1/3/2017", (1, 3)),  # US m/d/yyyy of January 3
    ("03.01.2017", (1, 3)),  # the same January 3 opened in a German locale
    ("01.03.2017", (1, 3)),  # German: "1-3" is 1 March
    ("10-06-2017", (6, 10)),
    ("1/3/17", (1, 3)),  # two-digit year 17 is 2017 in Excel's window
    ("2017-03-01 00:00:00", (1, 3)),  # a date cell as openpyxl reads it back
    ("2017-01-03", (1, 3)),
    # a first of the month in 1930-1999 is "month-yy": "10-50" stored as 1 October 1950
    ("1-Oct-50", (10, 50)),
    ("01.10.1950", (10, 50)),
    ("10/1/1950", (10, 50)),
    ("1950-10-01 00:00:00", (10, 50)),
    ("3/1/1975", (3, 75)),  # US "3-75": March 1975, shown m/d/yyyy
    # recognised, flagged, but no range can be read
    ("05.01.1900", None),  # Excel's day number 5 in a date format (see the test below)
    ("3/5/1975", None),  # not a first of the month: no typed range gives it
    ("31-Feb", None),  # no such day: no spreadsheet writes it, and it is no count
    ("Jan 2017", None),  # a month and a year
    ("May-00", None),  # "0-5" stays text in a spreadsheet, so it is not from a range
]

# Answers that must not be taken for dates (and what the parsers then make of them is theirs).
LOOK_ALIKES = [
    "3-5",
    "10+",
    "about 10",
    "1.5",
    "2017",
    "12/20",  # a day and month without a year are no spreadsheet display; a fraction in Q15
    "1/3",
    "03.01",  # a decimal number, not "3 January"
    "50%",
    "ca. 5",
    "5 - 10",
    "Jan",
    "March",
    "3 to 5",
    "1,000",
    "20-30%",
    "between 3 and 5",
    "maybe 5",
    "may be 10",
    "1-3 months",
    "2017-2018",
    "1-3-5",
    "10 (3 in prod)",
    "10 or 12",
    "1.000",
]

EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DE = ("Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")


def test_the_tables_are_large_enough():
    assert len(MANGLED) >= 25 and len(LOOK_ALIKES) >= 15
    assert len({raw for raw, _ in MANGLED}) == len(MANGLED)


@pytest.mark.parametrize(("raw", "encoded"), MANGLED)
def test_mangled_forms_are_recognised_with_their_range(raw, encoded):
    date = read_spreadsheet_date(raw)
    assert date is not None
    assert date.encoded == encoded
    assert (date.why_not is None) == (encoded is not None)


@pytest.mark.parametrize(("raw", "encoded"), MANGLED)
def test_mangled_forms_are_flagged_and_missing_by_default(raw, encoded):
    for parse in (parse_count, parse_percentage):
        result = parse(raw)
        assert result.rule == "spreadsheet_date" and result.value is None
        assert "spreadsheet" in result.reason
        if encoded is not None:
            assert f"range {encoded[0]}-{encoded[1]}" in result.reason


@pytest.mark.parametrize(("raw", "encoded"), MANGLED)
def test_mangled_forms_under_range_are_read_as_the_typed_range(raw, encoded):
    count = parse_count(raw, spreadsheet_dates="range")
    percent = parse_percentage(raw, spreadsheet_dates="range")
    assert count.rule == percent.rule == "spreadsheet_date"
    assert count.reason and percent.reason  # the log says what was read, value or not
    if encoded is None:
        assert count.value is None and percent.value is None
        return
    low, high = encoded
    midpoint = (low + high) / 2  # what the typed range "low-high" gives (range_midpoint)
    assert count.value == midpoint == parse_count(f"{low}-{high}").value
    assert percent.value == midpoint == parse_percentage(f"{low}-{high}%").value
    assert f"range {low}-{high}" in count.reason


@pytest.mark.parametrize("raw", LOOK_ALIKES)
def test_look_alikes_are_not_flagged(raw):
    assert read_spreadsheet_date(raw) is None
    for mode in MODES:
        assert parse_count(raw, spreadsheet_dates=mode).rule != "spreadsheet_date"
        assert parse_percentage(raw, spreadsheet_dates=mode).rule != "spreadsheet_date"


def test_some_look_alikes_keep_their_meaning():
    assert parse_count("3-5").value == 4 and parse_count("3-5").rule == "range_midpoint"
    assert parse_percentage("12/20").value == 60 and parse_percentage("12/20").rule == "fraction"
    assert parse_count("Jan").value is None and parse_count("Jan").rule == "unparseable"


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _full(d: datetime.date) -> list[str]:
    """A stored date in the full formats: US, UK, German, and as openpyxl reads it."""
    return [
        f"{d.month}/{d.day}/{d.year}",
        f"{d:%d/%m/%Y}",
        f"{d:%d.%m.%Y}",
        f"{d:%Y-%m-%d} 00:00:00",
    ]


def _displays(low: int, high: int) -> list[str]:
    """How a spreadsheet shows the typed range "low-high", in a month-first and a day-first
    locale: the date it stores is decided by `datetime`, not by the code under test."""
    shown = []
    for month, day in ((low, high), (high, low)):  # month first (US), day first (UK, DE)
        stored = _date(2017, month, day)
        if stored is not None:
            shown += [f"{stored.day}-{EN[stored.month - 1]}", f"{stored:%d}. {DE[month - 1]}"]
            shown += _full(stored)
        elif low <= 12:  # no such day: month `low` of the two-digit year `high`
            shown.append(f"{EN[low - 1]}-{high:02d}")
            if high >= 30:  # 1930-1999 in Excel's window; a first of the month
                shown += _full(datetime.date(1900 + high, low, 1))
    return shown


def test_every_typed_range_round_trips_through_its_displays():
    checked = 0
    for low in range(1, 13):  # a first number above 12 is no month in either order: text
        for high in range(low, 100):
            for shown in _displays(low, high):
                date = read_spreadsheet_date(shown)
                assert date is not None and date.encoded == (low, high), (low, high, shown)
                checked += 1
    assert checked > 3000


def test_the_hand_computed_facts_behind_the_table():
    # US reads "1-3" month first: January 3, shown d-mmm as "3-Jan"; UK day first: "01-Mar".
    assert f"{datetime.date(2017, 1, 3).day}-{EN[0]}" == "3-Jan"
    assert f"{datetime.date(2017, 3, 1):%d}-{EN[2]}" == "01-Mar"
    # Excel's day number n (1 to 59) is n days after 31 December 1899: 5 is 5 January 1900.
    assert f"{datetime.date(1899, 12, 31) + datetime.timedelta(days=5):%d.%m.%Y}" == "05.01.1900"
    # "10-50" has no day 50: October of the year 50, which Excel's window puts in 1950.
    assert _date(2017, 10, 50) is None and f"{datetime.date(1950, 10, 1):%Y-%m-%d}" == "1950-10-01"
    assert _date(2017, 2, 31) is None  # "31-Feb" exists nowhere


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="spreadsheet_dates"):
        parse_count("01. Mar", spreadsheet_dates="ranges")
    with pytest.raises(ValueError, match="spreadsheet_dates"):
        parse_percentage("12", spreadsheet_dates="")


def test_config_default_and_schema_agree_with_the_library():
    config = load_yaml(ROOT / "config/config.yaml")["cleaning"]
    schema = load_yaml(ROOT / "config/schemas/config.schema.yaml")
    cleaning = schema["properties"]["cleaning"]["properties"]
    assert config["spreadsheet_dates"] == cleaning["spreadsheet_dates"]["default"] == MODES[0]
    assert tuple(cleaning["spreadsheet_dates"]["enum"]) == MODES
    assert config["max_count"] == cleaning["max_count"]["default"] == DEFAULT_MAX_COUNT == 10_000
    smk = (ROOT / "rules/clean.smk").read_text()
    assert f'.get("spreadsheet_dates", "{MODES[0]}")' in smk
    assert f'.get("max_count", {DEFAULT_MAX_COUNT})' in smk


# --- implausible counts and exponents -------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["1" + "0" * 30, "9" * 309 + "-" + "9" * 309, "9" * 308 + "-" + "9" * 308, "10001", 1e30],
)
def test_implausible_counts_are_missing_with_their_rule(raw):
    result = parse_count(raw)
    assert (result.value, result.rule) == (None, "implausible") and result.reason


def test_the_limit_is_configurable():
    assert parse_count("10000").value == 10_000  # the limit itself is plausible
    assert parse_count("5000", max_count=1000).rule == "implausible"
    assert parse_count("more than 30", max_count=20).rule == "implausible"
    assert parse_count("10-30", max_count=20).rule == "implausible"
    assert parse_count("20000", max_count=10**6).value == 20_000


def test_superscript_exponents_are_read_never_concatenated():
    assert parse_count("10⁵", max_count=10**6).value == 100_000  # 10**5, not 105
    assert parse_count("10⁵").rule == "implausible"  # 100000 is above the default limit
    assert parse_count("2³").value == 8
    assert parse_count("10" + "⁹" * 500).rule == "implausible"  # an overflow, not an error
    assert parse_percentage("5²").value is None  # not 52%
    assert parse_percentage("10¹").value is None  # not 101 (out of range) nor 10


# --- through the cleaning entry point ---------------------------------------------------------

QUESTIONS = {
    "D7": Question("D7", "count", variable="v_30"),
    "D8": Question("D8", "count", variable="v_31", max_count=50),
    "Q15": Question("Q15", "percentage", variable="v_80"),
}
RATIOS = [{"name": "deployed_share", "numerator": "D8", "denominator": "D7"}]


def _clean(rows: list[dict], **options):
    base = {"d7": "", "d8": "", "q15": ""}
    frame = pd.DataFrame([{"respondent_id": str(100 + i), **base, **r} for i, r in enumerate(rows)])
    return clean_responses(
        frame, QUESTIONS, {}, missing_codes=(-77, -66, -99), ratios=RATIOS, **options
    )


def _log_row(result, respondent: int, question: str) -> pd.Series:
    log = result.log
    rows = log[(log.respondent_id.astype(str) == str(respondent)) & (log.question == question)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_a_mangled_date_is_in_the_cleaning_log_with_its_rule_and_reason():
    rows = [{"d7": "01. Mar", "d8": "1", "q15": "20-Oct"}]
    missing = _clean(rows)
    entry = _log_row(missing, 100, "d7")
    assert (entry.raw_value, entry.clean_value, entry.rule) == ("01. Mar", "", "spreadsheet_date")
    assert "range 1-3" in entry.reason and "set missing" in entry.reason
    assert pd.isna(missing.responses.d7.iloc[0]) and pd.isna(missing.responses.q15.iloc[0])
    assert _log_row(missing, 100, "q15").rule == "spreadsheet_date"

    read = _clean(rows, spreadsheet_dates="range")
    entry = _log_row(read, 100, "d7")
    assert (entry.clean_value, entry.rule) == ("2", "spreadsheet_date")  # 1-3 -> midpoint 2
    assert "range 1-3" in entry.reason and "read as such" in entry.reason
    out = read.responses.iloc[0]
    assert (out.d7, out.q15, out.deployed_share) == (2.0, 15.0, 50.0)  # 10-20% -> 15; 1/2


def test_cleaning_limits_counts_per_question():
    result = _clean([{"d7": "60", "d8": "60"}, {"d7": "20000", "d8": "5"}])
    out = result.responses
    assert out.d7.iloc[0] == 60 and pd.isna(out.d8.iloc[0])  # D8's own limit is 50
    assert _log_row(result, 100, "d8").rule == "implausible"
    assert pd.isna(out.d7.iloc[1]) and _log_row(result, 101, "d7").rule == "implausible"
    assert _clean([{"d7": "20000"}], max_count=10**5).responses.d7.iloc[0] == 20_000


def test_an_undefined_ratio_is_a_log_row_never_a_silent_drop():
    num = pd.Series([0.0, 5.0, np.inf, 3.0, np.nan, 2.0])
    den = pd.Series([0.0, 0.0, np.inf, np.inf, 4.0, 4.0])
    ids = pd.Series(range(1, 7))
    ratio, logs = compute_ratio(num, den, ids, "r")
    log = pd.concat([frame for frame in logs if frame is not None])
    assert set(log.respondent_id) == set(ids[ratio.isna()])  # every undefined ratio is logged
    assert len(log) == ratio.isna().sum() == 5
    rules = dict(zip(log.respondent_id, log.rule, strict=True))
    assert rules[1] == rules[2] == "ratio_zero_denominator"
    assert rules[3] == rules[4] == rules[5] == "ratio_missing_input"
    assert ratio.iloc[5] == 50.0
    # and through cleaning: D7 = 0 gives the ratio's log row
    cleaned = _clean([{"d7": "0", "d8": "0"}])
    assert _log_row(cleaned, 100, "deployed_share").rule == "ratio_zero_denominator"


def test_max_count_in_questions_yaml(tmp_path):
    schema = ROOT / "config/schemas/questions.schema.yaml"
    path = tmp_path / "questions.yaml"
    spec = {"D7": {"type": "count", "variable": "v_30", "max_count": 500}}
    path.write_text(yaml.safe_dump({"questions": spec}))
    assert load_questions(path, schema)["D7"].max_count == 500
    spec["D7"]["max_count"] = 0
    path.write_text(yaml.safe_dump({"questions": spec}))
    with pytest.raises(InputError, match="max_count"):
        load_questions(path, schema)
    spec = {"Q15": {"type": "percentage", "variable": "v_80", "max_count": 500}}
    path.write_text(yaml.safe_dump({"questions": spec}))
    with pytest.raises(InputError, match="count question only"):
        load_questions(path, schema)
