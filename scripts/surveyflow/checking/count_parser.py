"""Parse answers to a "how many ...?" question: the count rules and their documentation table.

Rule names, results and the text's normalisation are shared with the percentage parser
(:mod:`surveyflow.checking.parsers`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import partial

from surveyflow.checking.number_words import (
    COUNT_WORD_RE as _COUNT_WORD_RE,
)
from surveyflow.checking.number_words import (
    COUNT_WORD_SUB as _COUNT_WORD_SUB,
)
from surveyflow.checking.number_words import (
    VAGUE_COUNT as _VAGUE_COUNT,
)
from surveyflow.checking.number_words import (
    fmt_number as _fmt,
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

__all__ = ["COUNT_RULES", "DEFAULT_MAX_COUNT", "parse_count"]

# The plausibility limit of a count (config `cleaning.max_count`, per question `max_count:`). It
# is generous on purpose: it removes impossible answers ("1" and 30 zeros), not large ones, which
# are the analysis' business. 10,000 ML projects is far beyond any one person's career.
DEFAULT_MAX_COUNT = 10_000

# Documentation tables: (rule name, what it does, example raw -> example clean).
# Tests parse the example column and check it against the parser.
COUNT_RULES: tuple[tuple[str, str, str], ...] = (
    ("integer", "a whole number (thousands separators allowed)", '" 1,000 " -> 1000'),
    ("number_in_text", "exactly one number among other words", '"about 10" -> 10'),
    ("open_bound", "an open lower bound takes the bound", '"more than 30" -> 30'),
    ("range_midpoint", "a range takes its midpoint, which may end in .5", '"15-20" -> 17.5'),
    ("number_word", "English number words", '"a dozen projects" -> 12'),
    ("missing_code", "a missing-value code of the survey tool", '"-99" -> missing'),
    ("empty", "empty, blank or NaN", '"  " -> missing'),
    ("power", "a superscript or ^ exponent (never digits run together)", '"10³" -> 1000'),
    ("spreadsheet_date", "a range a spreadsheet turned into a date", '"01. Mar" -> missing'),
    ("fractional", "a typed decimal number cannot be a count", '"2.5" -> missing'),
    ("negative", "a negative number cannot be a count", '"-3" -> missing'),
    ("implausible", "above the count's plausibility limit, or not finite", '"20000" -> missing'),
    ("unparseable", "no number, several unrelated numbers, an upper bound", '"many" -> missing'),
)

# Results without a value are built once, as in surveyflow.checking.parsers.
_NOT_FINITE = Parsed(None, "implausible", "not a finite number")
_EXPONENT_IN_TEXT = Parsed(None, "unparseable", "an exponent among other words")
_NEGATIVE = Parsed(None, "negative", "a count cannot be negative")
_FRACTIONAL = Parsed(None, "fractional", "a count must be a whole number")
_VAGUE_COUNT_RESULT = Parsed(None, "unparseable", "vague quantity, not a number")
_PLAIN_COUNT = re.compile(rf"(-?) ?{NUMBER_PART}")
_POWER = re.compile(r"([0-9]+) ?\^ ?([0-9]+)")  # "10^5", and "10⁵" after normalisation


def _count_problem(value: float, max_count: float) -> Parsed | None:
    if value < 0:
        return _NEGATIVE
    if not math.isfinite(value):
        return _NOT_FINITE
    if value > max_count:
        reason = f"more than {_fmt(float(max_count))}, the plausibility limit of this count"
        return Parsed(None, "implausible", reason)
    if not value.is_integer():
        return _FRACTIONAL
    return None


def _count(value: float, rule: str, max_count: float, codes: frozenset[float] = NO_CODES) -> Parsed:
    if value in codes:
        return missing_code(value)
    return _count_problem(value, max_count) or Parsed(value + 0.0, rule)  # -0.0 becomes 0.0


def _power(m: re.Match[str]) -> float:
    try:  # float() of a huge digit string is inf, where int() would raise
        return math.pow(float(m[1]), float(m[2]))
    except OverflowError:
        return math.inf


def parse_count(
    raw: object,
    missing_codes: Iterable[int] = DEFAULT_MISSING_CODES,
    *,
    spreadsheet_dates: str = "missing",
    max_count: float = DEFAULT_MAX_COUNT,
) -> Parsed:
    """Parse an answer to a "how many ...?" question into a non-negative number.

    A typed number must be whole. A range gives its midpoint, which may end in .5: "15-20" is
    17.5. Rounding would pick 17 or 18 by a convention the respondent never saw and bias the
    D8/D7 ratio, and dropping ranges would lose the answers of those unsure of an exact count;
    the midpoint is the usual estimate of an interval answer, and the rule name keeps it apart
    from exact counts in the log. An open bound ("10+") gives the bound. Anything above
    `max_count` or not finite is ``implausible``; a spreadsheet date is ``spreadsheet_date``,
    missing or (``spreadsheet_dates="range"``) read as the range it encodes.
    """
    check_mode(spreadsheet_dates)
    prepared = prepare(raw)
    if isinstance(prepared, Parsed):
        return prepared
    codes = missing_code_set(missing_codes)
    if isinstance(prepared, float):
        return _count(prepared, "integer", max_count, codes)
    t = prepared
    if m := _PLAIN_COUNT.fullmatch(t):
        return _count(signed(m), "integer", max_count, codes)
    typed = partial(parse_count, missing_codes=(), max_count=max_count)
    if date := resolve_date(t, spreadsheet_dates, typed):
        return Parsed(date[0], "spreadsheet_date", date[1])
    if "^" in t:
        m = _POWER.fullmatch(t)
        return _count(_power(m), "power", max_count) if m else _EXPONENT_IN_TEXT
    if "%" in t or ("p" in t and PERCENT_WORD.search(t)):
        return Parsed(None, "unparseable", "a percentage, not a count")

    words = 0
    if t == "no":
        t, words = "0", 1
    elif LETTER.search(t):
        t, words = _COUNT_WORD_RE.subn(_COUNT_WORD_SUB, t)
    found = list(NUMBER.finditer(t))
    if not found:
        return _VAGUE_COUNT_RESULT if _VAGUE_COUNT.search(t) else NO_NUMBER
    if len(found) > 2:
        return AMBIGUOUS
    if len(found) == 2:
        first, second = found
        if not is_range(t, first, second):
            return AMBIGUOUS
        low, high = float(first[0]), float(second[0])
        # Both ends are judged, so a range reaching past the limit is implausible as a whole.
        if problem := _count_problem(low, max_count) or _count_problem(high, max_count):
            return problem
        if low > high:
            return REVERSED_RANGE
        return Parsed((low + high) / 2, "range_midpoint")

    (number,) = found
    word_rule = "number_word" if words else None
    if m := _PLAIN_COUNT.fullmatch(t):
        return _count(signed(m), word_rule or "integer", max_count)
    side = bound_side(t, number)
    if side == "upper":
        return Parsed(None, "unparseable", "an upper bound, not a count")
    value = float(number[0])
    if side == "lower":
        return _count(value, "open_bound", max_count)
    if number.start() == 1 and t[0] == "-":
        value = -value
    return _count(value, word_rule or "number_in_text", max_count)
