"""Parse answers to a "what percentage ...?" question: the percentage rules and their table.

Rule names, results and the text's normalisation are shared with the count parser
(:mod:`surveyflow.checking.parsers`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial

from surveyflow.checking.number_words import (
    PCT_WORD_RE as _PCT_WORD_RE,
)
from surveyflow.checking.number_words import (
    PCT_WORD_SUB as _PCT_WORD_SUB,
)
from surveyflow.checking.number_words import (
    QUANTIFIER_RE as _QUANTIFIER_RE,
)
from surveyflow.checking.number_words import (
    QUANTIFIER_SUB as _QUANTIFIER_SUB,
)
from surveyflow.checking.number_words import (
    VAGUE_PERCENT as _VAGUE_PERCENT,
)
from surveyflow.checking.parsers import (
    AMBIGUOUS,
    DEFAULT_MISSING_CODES,
    LETTER,
    NO_CODES,
    NO_NUMBER,
    NUMBER,
    NUMBER_PART,
    PERCENT_WORD,
    REVERSED_RANGE,
    Parsed,
    bound_side,
    is_range,
    missing_code,
    missing_code_set,
    prepare,
    signed,
)
from surveyflow.checking.spreadsheet_dates import check_mode, resolve_date

__all__ = ["PERCENTAGE_RULES", "parse_percentage"]

# Documentation tables: (rule name, what it does, example raw -> example clean).
# Tests parse the example column and check it against the parser.
PERCENTAGE_RULES: tuple[tuple[str, str, str], ...] = (
    ("percent", "a number with or without % (decimal comma allowed)", '"35,5%" -> 35.5'),
    ("number_in_text", "exactly one number among other words", '"about 35 %" -> 35'),
    ("range_midpoint", "a range takes its midpoint", '"20-30%" -> 25'),
    ("word", "none/no/zero, all/every/everything, half, number words", '"all" -> 100'),
    ("upper_bound", "'less than x' is the range [0, x]: its midpoint", '"less than 20%" -> 10'),
    ("lower_bound", "'more than x' is the range [x, 100]: its midpoint", '"more than 80%" -> 90'),
    ("fraction", "a fraction as a percentage", '"1 out of 4" -> 25'),
    ("spreadsheet_date", "a range a spreadsheet turned into a date", '"20-Oct" -> missing'),
    ("vague", "a vague quantity, not a percentage", '"most" -> missing'),
    ("out_of_range", "a value below 0 or above 100", '"150%" -> missing'),
    ("missing_code", "a missing-value code of the survey tool", '"-77" -> missing'),
    ("empty", "empty, blank or NaN", '"" -> missing'),
    ("unparseable", "no number, or several unrelated numbers", '"not sure" -> missing'),
)

# Results without a value are built once, as in surveyflow.checking.parsers.
_EXPONENT_PERCENT = Parsed(None, "unparseable", "an exponent, not a percentage")
_OUT_OF_RANGE = Parsed(None, "out_of_range", "percentage outside 0-100")
_VAGUE = Parsed(None, "vague", "vague quantity, not a percentage")
_DIGIT = re.compile(r"[0-9]")
_PLAIN_PERCENT = re.compile(rf"(-?) ?{NUMBER_PART} ?%?")
_FRACTION_SEP = re.compile(r" ?/ ?| (?:out of|of|in) (?:the )?")


def _percent(value: float, rule: str, codes: frozenset[float] = NO_CODES) -> Parsed:
    if value in codes:
        return missing_code(value)
    if not 0 <= value <= 100:  # also rejects inf
        return _OUT_OF_RANGE
    return Parsed(value + 0.0, rule)


def parse_percentage(
    raw: object,
    missing_codes: Iterable[int] = DEFAULT_MISSING_CODES,
    *,
    spreadsheet_dates: str = "missing",
) -> Parsed:
    """Parse an answer to a "what percentage ...?" question into a float in [0, 100].

    A spreadsheet date is ``spreadsheet_date``, missing or (``spreadsheet_dates="range"``) read
    as the range it encodes ("20-Oct" as 10-20%, so 15).
    """
    check_mode(spreadsheet_dates)
    prepared = prepare(raw)
    if isinstance(prepared, Parsed):
        return prepared
    codes = missing_code_set(missing_codes)
    if isinstance(prepared, float):
        return _percent(prepared, "percent", codes)
    t = prepared
    if "p" in t:
        t = PERCENT_WORD.sub("%", t)
    if m := _PLAIN_PERCENT.fullmatch(t):
        return _percent(signed(m), "percent", codes)
    if date := resolve_date(t, spreadsheet_dates, partial(parse_percentage, missing_codes=())):
        return Parsed(date[0], "spreadsheet_date", date[1])
    if "^" in t:  # "5²" is no percentage, and must not become 52
        return _EXPONENT_PERCENT

    words = 0
    if LETTER.search(t):
        if not _DIGIT.search(t):
            if t == "no":
                return Parsed(0.0, "word")
            if _VAGUE_PERCENT.search(t):
                return _VAGUE
            t, words = _QUANTIFIER_RE.subn(_QUANTIFIER_SUB, t)
            t = t.strip()
        t, more = _PCT_WORD_RE.subn(_PCT_WORD_SUB, t)
        words += more
    found = list(NUMBER.finditer(t))
    if not found:
        return NO_NUMBER
    if len(found) > 2:
        return AMBIGUOUS
    if len(found) == 2:
        first, second = found
        low, high = float(first[0]), float(second[0])
        if is_range(t, first, second):
            if low > high:
                return REVERSED_RANGE
            if high > 100:
                return _OUT_OF_RANGE
            return _percent((low + high) / 2, "range_midpoint")
        if _FRACTION_SEP.fullmatch(t, first.end(), second.start()):
            if high == 0:
                return Parsed(None, "unparseable", "fraction with zero denominator")
            return _percent(100 * low / high, "fraction")
        return AMBIGUOUS

    (number,) = found
    word_rule = "word" if words else None
    if m := _PLAIN_PERCENT.fullmatch(t):
        return _percent(signed(m), word_rule or "percent")
    value = float(number[0])
    side = bound_side(t, number)
    if side is not None and value > 100:
        return _OUT_OF_RANGE
    # An open interval is read as the range it names, so it bins on the side the respondent
    # meant: taken literally, "less than 20%" would land in the 20-40% bin.
    if side == "upper":
        return _percent(value / 2, "upper_bound")
    if side == "lower":
        return _percent((value + 100) / 2, "lower_bound")
    if number.start() == 1 and t[0] == "-":
        value = -value
    return _percent(value, word_rule or "number_in_text")
