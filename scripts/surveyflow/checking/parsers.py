"""Turn free-text survey answers into numbers, naming the rule that did it.

Each parser is a pure function that never raises. It returns a :class:`Parsed`: the value
(``None`` when missing), the name of the rule that produced it and, for a missing value, a reason
a person can read. Rule names are stable snake_case identifiers. They appear in the audit log and
in the README table built from :data:`COUNT_RULES` and :data:`PERCENTAGE_RULES`. The tests check
every example in those tables, so the documentation cannot drift from the code.

Text is NFKC-normalised, lower-cased and has its whitespace collapsed before matching, so full-width
digits, non-breaking spaces and en/em dashes behave like their ASCII forms. Superscript digits are
the one exception: NFKC would run "10⁵" together into "105", so they become an exponent first.

A whole answer that looks like a date a spreadsheet made of a range ("01. Mar" from "1-3") is
never read as the number in it: :mod:`surveyflow.checking.spreadsheet_dates` recognises it, and the
``spreadsheet_dates`` option sets it missing or reads it as the range it most likely encodes.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from surveyflow.checking.number_words import (
    COUNT_WORD_RE as _COUNT_WORD_RE,
)
from surveyflow.checking.number_words import (
    COUNT_WORD_SUB as _COUNT_WORD_SUB,
)
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
    VAGUE_COUNT as _VAGUE_COUNT,
)
from surveyflow.checking.number_words import (
    VAGUE_PERCENT as _VAGUE_PERCENT,
)
from surveyflow.checking.number_words import (
    fmt_number as _fmt,
)
from surveyflow.checking.spreadsheet_dates import check_mode, resolve_date

__all__ = [
    "COUNT_RULES",
    "DEFAULT_MAX_COUNT",
    "DEFAULT_MISSING_CODES",
    "PERCENTAGE_RULES",
    "Parsed",
    "parse_count",
    "parse_percentage",
]

DEFAULT_MISSING_CODES: tuple[int, ...] = (-77, -66, -99)
# The plausibility limit of a count (config `cleaning.max_count`, per question `max_count:`). It
# is generous on purpose: it removes impossible answers ("1" and 30 zeros), not large ones, which
# are the analysis' business. 10,000 ML projects is far beyond any one person's career.
DEFAULT_MAX_COUNT = 10_000


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed answer: ``value`` is ``None`` when missing, and then ``reason`` says why.

    A value has no reason, except when it is an interpretation the log must explain: a
    spreadsheet date read as a range.
    """

    value: float | None
    rule: str
    reason: str | None = None


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

# Results without a value are shared: Parsed is immutable and building one takes time.
_EMPTY = Parsed(None, "empty", "empty answer")
_NO_NUMBER = Parsed(None, "unparseable", "no number found")
_AMBIGUOUS = Parsed(None, "unparseable", "ambiguous: several numbers")
_REVERSED_RANGE = Parsed(None, "unparseable", "range with low end above high end")
_NOT_FINITE = Parsed(None, "implausible", "not a finite number")
_EXPONENT_IN_TEXT = Parsed(None, "unparseable", "an exponent among other words")
_EXPONENT_PERCENT = Parsed(None, "unparseable", "an exponent, not a percentage")
_NEGATIVE = Parsed(None, "negative", "a count cannot be negative")
_FRACTIONAL = Parsed(None, "fractional", "a count must be a whole number")
_OUT_OF_RANGE = Parsed(None, "out_of_range", "percentage outside 0-100")
_VAGUE = Parsed(None, "vague", "vague quantity, not a percentage")
_VAGUE_COUNT_RESULT = Parsed(None, "unparseable", "vague quantity, not a number")
_NO_CODES: frozenset[float] = frozenset()
_DEFAULT_CODES: frozenset[float] = frozenset(DEFAULT_MISSING_CODES)

# --- normalisation ---------------------------------------------------------------------------

_SUPERSCRIPTS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# NFKC leaves dashes, the minus sign and the fraction slash of "½" alone.
_CHAR_MAP = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-")
    | {"\u2044": "/", "\u2215": "/"}
)
# "1,000" and "1 000": a leading group of 1-3 digits then groups of exactly three.
_THOUSANDS = re.compile(r"(?<![0-9.,])[1-9][0-9]{0,2}(?:[, ][0-9]{3})+(?![0-9]|[.,][0-9])")
_DIGIT_SEPARATOR = re.compile(r"[0-9][, ][0-9]")  # cheap guard for the two substitutions
# Whatever comma is left between digits is a decimal comma ("35,5%").
_DECIMAL_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9])")
_PERCENT_WORD = re.compile(r" ?\b(?:per ?cent|pct)\b")
_LETTER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")

_N = r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)"  # one unsigned number, captured
_NUMBER = re.compile(_N)
_PLAIN_COUNT = re.compile(rf"(-?) ?{_N}")
_PLAIN_PERCENT = re.compile(rf"(-?) ?{_N} ?%?")
_POWER = re.compile(r"([0-9]+) ?\^ ?([0-9]+)")  # "10^5", and "10⁵" after normalisation


def _normalise(text: str) -> str:
    if not text.isascii():  # ASCII is already in NFKC form and has no fancy dashes
        text = _SUPERSCRIPTS.sub(lambda m: "^" + m[0].translate(_SUPERSCRIPT_DIGITS), text)
        text = unicodedata.normalize("NFKC", text).translate(_CHAR_MAP)
    text = text.lower()
    text = " ".join(text.split()).strip("\"'`").rstrip(" .!?;:,").strip()
    if _DIGIT_SEPARATOR.search(text):
        text = _THOUSANDS.sub(lambda m: m.group().replace(",", "").replace(" ", ""), text)
        text = _DECIMAL_COMMA.sub(".", text)
    return text


# --- bounds and ranges -----------------------------------------------------------------------
# The parsers first find the numbers, then look only at the text around them: a phrase right
# before or after a lone number makes it a bound, a separator between two numbers a range.

# "no more than 5" is an upper bound and "no less than 5" a lower one, unlike the bare phrases.
_UNNEGATED = r"(?<!no )(?<!not )"
# fmt: off
_LOWER_BEFORE = (
    _UNNEGATED + "more than", _UNNEGATED + "greater than", "over", "above", "at least",
    "upwards of", "in excess of", "no less than", "not less than", "no fewer than",
    "not fewer than", r"min(?:imum)?\.?", r">=?", "≥", r"\+",
)
_LOWER_AFTER = (
    r"\+", "plus", r"(?:or|and) (?:more|above|over|higher|up)", "at least", "min(?:imum)?",
)
_UPPER_BEFORE = (
    _UNNEGATED + "less than", _UNNEGATED + "fewer than", "under", "below", "up to", "at most",
    "no more than", "not more than", r"max(?:imum)?\.?", r"<=?", "≤",
)
# fmt: on
_UPPER_AFTER = (r"(?:or|and) (?:less|fewer|below|under)", "at most", "max(?:imum)?")

_BOUND_BEFORE = re.compile(
    rf"(?<![a-z])(?:(?P<upper>{'|'.join(_UPPER_BEFORE)})|(?P<lower>{'|'.join(_LOWER_BEFORE)})) ?\Z"
)
_BOUND_AFTER = re.compile(
    rf" ?%? ?(?:(?P<upper>{'|'.join(_UPPER_AFTER)})|(?P<lower>{'|'.join(_LOWER_AFTER)}))(?![a-z])"
)
# "and" joins a range only after "between": "3 and 5" alone lists two numbers.
_RANGE_SEP = re.compile(r" ?%? ?(?:-{1,2}|~|\.\.\.?) ?| ?%? (?P<word>to|or|till|until|and) ")
_FRACTION_SEP = re.compile(r" ?/ ?| (?:out of|of|in) (?:the )?")


def _bound_side(t: str, number: re.Match[str]) -> str | None:
    """Return "upper" or "lower" when a bound phrase sits next to the number, else None."""
    side = _BOUND_BEFORE.search(t, 0, number.start()) or _BOUND_AFTER.match(t, number.end())
    return side.lastgroup if side else None


def _is_range(t: str, first: re.Match[str], second: re.Match[str]) -> bool:
    sep = _RANGE_SEP.fullmatch(t, first.end(), second.start())
    if sep is None or t[first.start() - 1 : first.start()] == "-":  # "-3-5" is not a range
        return False
    return sep["word"] != "and" or t.endswith("between ", 0, first.start())


# --- shared input handling -------------------------------------------------------------------


def _prepare(raw: object) -> Parsed | float | str:
    """Return a final result, a number given as a number, or normalised non-empty text."""
    if raw is None:
        return _EMPTY
    if isinstance(raw, str):
        text = _normalise(raw)
        return text if text else _EMPTY
    if isinstance(raw, bool):
        return Parsed(None, "unparseable", "a boolean is not a number")
    if isinstance(raw, numbers.Real | Decimal):
        try:
            value = float(raw)
        except (ValueError, TypeError, OverflowError):
            return Parsed(None, "unparseable", "not a finite number")
        return _EMPTY if math.isnan(value) else value
    if type(raw).__name__ in ("NAType", "NaTType"):  # pandas missing values, without pandas
        return _EMPTY
    return Parsed(None, "unparseable", f"unsupported type {type(raw).__name__}")


def _codes(missing_codes: Iterable[int]) -> frozenset[float]:
    if missing_codes is DEFAULT_MISSING_CODES:
        return _DEFAULT_CODES
    return frozenset(missing_codes)


def _signed(m: re.Match[str]) -> float:
    return -float(m[2]) if m[1] else float(m[2])


# --- counts ----------------------------------------------------------------------------------


def _missing_code(value: float) -> Parsed:
    return Parsed(None, "missing_code", f"missing-value code {_fmt(value)}")


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


def _count(
    value: float, rule: str, max_count: float, codes: frozenset[float] = _NO_CODES
) -> Parsed:
    if value in codes:
        return _missing_code(value)
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
    prepared = _prepare(raw)
    if isinstance(prepared, Parsed):
        return prepared
    codes = _codes(missing_codes)
    if isinstance(prepared, float):
        return _count(prepared, "integer", max_count, codes)
    t = prepared
    if m := _PLAIN_COUNT.fullmatch(t):
        return _count(_signed(m), "integer", max_count, codes)
    typed = partial(parse_count, missing_codes=(), max_count=max_count)
    if date := resolve_date(t, spreadsheet_dates, typed):
        return Parsed(date[0], "spreadsheet_date", date[1])
    if "^" in t:
        m = _POWER.fullmatch(t)
        return _count(_power(m), "power", max_count) if m else _EXPONENT_IN_TEXT
    if "%" in t or ("p" in t and _PERCENT_WORD.search(t)):
        return Parsed(None, "unparseable", "a percentage, not a count")

    words = 0
    if t == "no":
        t, words = "0", 1
    elif _LETTER.search(t):
        t, words = _COUNT_WORD_RE.subn(_COUNT_WORD_SUB, t)
    found = list(_NUMBER.finditer(t))
    if not found:
        return _VAGUE_COUNT_RESULT if _VAGUE_COUNT.search(t) else _NO_NUMBER
    if len(found) > 2:
        return _AMBIGUOUS
    if len(found) == 2:
        first, second = found
        if not _is_range(t, first, second):
            return _AMBIGUOUS
        low, high = float(first[0]), float(second[0])
        # Both ends are judged, so a range reaching past the limit is implausible as a whole.
        if problem := _count_problem(low, max_count) or _count_problem(high, max_count):
            return problem
        if low > high:
            return _REVERSED_RANGE
        return Parsed((low + high) / 2, "range_midpoint")

    (number,) = found
    word_rule = "number_word" if words else None
    if m := _PLAIN_COUNT.fullmatch(t):
        return _count(_signed(m), word_rule or "integer", max_count)
    side = _bound_side(t, number)
    if side == "upper":
        return Parsed(None, "unparseable", "an upper bound, not a count")
    value = float(number[0])
    if side == "lower":
        return _count(value, "open_bound", max_count)
    if number.start() == 1 and t[0] == "-":
        value = -value
    return _count(value, word_rule or "number_in_text", max_count)


# --- percentages -----------------------------------------------------------------------------


def _percent(value: float, rule: str, codes: frozenset[float] = _NO_CODES) -> Parsed:
    if value in codes:
        return _missing_code(value)
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
    prepared = _prepare(raw)
    if isinstance(prepared, Parsed):
        return prepared
    codes = _codes(missing_codes)
    if isinstance(prepared, float):
        return _percent(prepared, "percent", codes)
    t = prepared
    if "p" in t:
        t = _PERCENT_WORD.sub("%", t)
    if m := _PLAIN_PERCENT.fullmatch(t):
        return _percent(_signed(m), "percent", codes)
    if date := resolve_date(t, spreadsheet_dates, partial(parse_percentage, missing_codes=())):
        return Parsed(date[0], "spreadsheet_date", date[1])
    if "^" in t:  # "5²" is no percentage, and must not become 52
        return _EXPONENT_PERCENT

    words = 0
    if _LETTER.search(t):
        if not _DIGIT.search(t):
            if t == "no":
                return Parsed(0.0, "word")
            if _VAGUE_PERCENT.search(t):
                return _VAGUE
            t, words = _QUANTIFIER_RE.subn(_QUANTIFIER_SUB, t)
            t = t.strip()
        t, more = _PCT_WORD_RE.subn(_PCT_WORD_SUB, t)
        words += more
    found = list(_NUMBER.finditer(t))
    if not found:
        return _NO_NUMBER
    if len(found) > 2:
        return _AMBIGUOUS
    if len(found) == 2:
        first, second = found
        low, high = float(first[0]), float(second[0])
        if _is_range(t, first, second):
            if low > high:
                return _REVERSED_RANGE
            if high > 100:
                return _OUT_OF_RANGE
            return _percent((low + high) / 2, "range_midpoint")
        if _FRACTION_SEP.fullmatch(t, first.end(), second.start()):
            if high == 0:
                return Parsed(None, "unparseable", "fraction with zero denominator")
            return _percent(100 * low / high, "fraction")
        return _AMBIGUOUS

    (number,) = found
    word_rule = "word" if words else None
    if m := _PLAIN_PERCENT.fullmatch(t):
        return _percent(_signed(m), word_rule or "percent")
    value = float(number[0])
    side = _bound_side(t, number)
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
