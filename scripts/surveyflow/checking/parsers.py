"""Turn free-text survey answers into numbers, naming the rule that did it.

Each parser is a pure function that never raises. It returns a :class:`Parsed`: the value
(``None`` when missing), the name of the rule that produced it and, for a missing value, a reason
a person can read. Rule names are stable snake_case identifiers. They appear in the audit log and
in the README table built from the tables beside each parser: ``COUNT_RULES`` in
:mod:`surveyflow.checking.count_parser`, ``PERCENTAGE_RULES`` in
:mod:`surveyflow.checking.percentage_parser`. The tests check every example in those tables, so
the documentation cannot drift from the code. This module holds what both parsers share: the
result type, the text's normalisation, bounds and ranges, and the handling of non-text input.

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

from surveyflow.checking.number_words import fmt_number as _fmt

__all__ = [
    "AMBIGUOUS",
    "DEFAULT_MISSING_CODES",
    "LETTER",
    "NO_CODES",
    "NO_NUMBER",
    "NUMBER",
    "NUMBER_PART",
    "PERCENT_WORD",
    "REVERSED_RANGE",
    "Parsed",
    "bound_side",
    "is_range",
    "missing_code",
    "missing_code_set",
    "prepare",
    "signed",
]

DEFAULT_MISSING_CODES: tuple[int, ...] = (-77, -66, -99)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed answer: ``value`` is ``None`` when missing, and then ``reason`` says why.

    A value has no reason, except when it is an interpretation the log must explain: a
    spreadsheet date read as a range.
    """

    value: float | None
    rule: str
    reason: str | None = None


# Results without a value are shared: Parsed is immutable and building one takes time.
_EMPTY = Parsed(None, "empty", "empty answer")
NO_NUMBER = Parsed(None, "unparseable", "no number found")
AMBIGUOUS = Parsed(None, "unparseable", "ambiguous: several numbers")
REVERSED_RANGE = Parsed(None, "unparseable", "range with low end above high end")
NO_CODES: frozenset[float] = frozenset()
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
PERCENT_WORD = re.compile(r" ?\b(?:per ?cent|pct)\b")
LETTER = re.compile(r"[a-z]")

NUMBER_PART = r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)"  # one unsigned number, captured
NUMBER = re.compile(NUMBER_PART)


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


def bound_side(t: str, number: re.Match[str]) -> str | None:
    """Return "upper" or "lower" when a bound phrase sits next to the number, else None."""
    side = _BOUND_BEFORE.search(t, 0, number.start()) or _BOUND_AFTER.match(t, number.end())
    return side.lastgroup if side else None


def is_range(t: str, first: re.Match[str], second: re.Match[str]) -> bool:
    sep = _RANGE_SEP.fullmatch(t, first.end(), second.start())
    if sep is None or t[first.start() - 1 : first.start()] == "-":  # "-3-5" is not a range
        return False
    return sep["word"] != "and" or t.endswith("between ", 0, first.start())


# --- shared input handling -------------------------------------------------------------------


def prepare(raw: object) -> Parsed | float | str:
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


def missing_code_set(missing_codes: Iterable[int]) -> frozenset[float]:
    if missing_codes is DEFAULT_MISSING_CODES:
        return _DEFAULT_CODES
    return frozenset(missing_codes)


def signed(m: re.Match[str]) -> float:
    return -float(m[2]) if m[1] else float(m[2])


def missing_code(value: float) -> Parsed:
    return Parsed(None, "missing_code", f"missing-value code {_fmt(value)}")
