"""Recognise free-text counts and percentages that a spreadsheet turned into dates.

Typed into Excel (or LibreOffice, Google Sheets) the range "1-3" is taken for a date, and the
cell then shows that date: "01-Mar" or "01. Mrz" where the locale reads day first (UK, German),
"3-Jan" where it reads month first (US), or a full date with the year of entry ("1/3/2017",
"01.03.2017", "2017-03-01 00:00:00" as openpyxl reads a date cell back). The number parsers would
read "01. Mar" as 1 without a word, so :func:`read_spreadsheet_date` recognises such answers first:
only a whole answer of one of the shapes below, never a date inside other words.

Which range each form most likely encodes (``SpreadsheetDate.encoded``), and why:

* **Day and month name** ("01. Mar", "3-Jan", "05-Oct", "1. März", "20-Oct-17"): the day and the
  month's number, the lower first. Whether the locale read the typed "1-3" day first (1 March,
  "01-Mar") or month first (January 3, "3-Jan") is not in the cell, but it does not matter: the
  two numbers are the ends of the range and a range is typed low to high, so sorting them gives
  the range in either locale ("01. Mar" and "3-Jan" are both 1-3; "05. Oct" and "10-May" both
  5-10). A year shown beside them is the year of entry, added by the spreadsheet, and is ignored
  (but see the year rule).
* **Month name and a number** ("Jan-03", "Oct-50", "Okt. 15"): Excel shows "mmm-yy" when the
  second typed number cannot be a day of the month ("10-50" becomes October 1950, "Oct-50"); the
  number is the range's other end either way, so the reading is the month and the number, sorted
  (10-50, 1-3). A number 0 gives no range ("0-5" stays text in a spreadsheet, so "May-00" cannot
  come from a range); a four-digit number is a year (the year rule).
* **Numeric date** ("1/3/2017", "03.01.2017", "10-06-2017", "2017-03-01 00:00:00"): day and
  month, sorted, so that d/m and m/d orders need not be told apart (as above). It must be a real
  date in one of the two orders; a two-digit year is read in Excel's window (00-29 are 2000-2029,
  30-99 are 1930-1999). A day and month without a year ("1/3", "12/20", "03.01") is not taken
  for a date: spreadsheets do not display dates that way, and "12/20" in a percentage is a
  fraction.

Year rule, for every form that shows a year: a year from 2000 is the year of entry and is
ignored. A date on the first of a month in 1930-1999 is Excel's reading of "month-yy" ("10-50"
is 1 October 1950): the range is the month and the two-digit year (10-50). Any other year gives no
range: a date in 1900-1929 is mostly a small number in a cell formatted as a date (Excel's day 5
is 5 January 1900), and another 1930-1999 date cannot come from a typed range. Those answers are
still recognised, so they are flagged, but ``encoded`` is ``None``. One reading is knowingly
wrong: "5-20" typed day first is May 2020, and in a full date format ("01/05/2020") it cannot be
told from the year-of-entry date 1 May, so it reads 1-5; Excel's own display, "May-20", reads 5-20.

A month-name form whose day does not exist ("31-Feb") is recognised too, with no range: no
spreadsheet writes it, but an answer shaped like a date is not a count either.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MODES",
    "MONTHS",
    "SpreadsheetDate",
    "check_mode",
    "read_spreadsheet_date",
    "resolve_date",
]

# What a spreadsheet date becomes (config `cleaning.spreadsheet_dates`); the first is the default.
# Missing is the default because a reading is a guess about how the cell was typed; "range" is
# for a study that prefers the guess, which the log then names for every answer.
MODES = ("missing", "range")

# English and German month names and the abbreviations spreadsheets show: Excel's German "MMM"
# is Jan Feb Mrz Apr Mai Jun Jul Aug Sep Okt Nov Dez, LibreOffice's is Mär, Austrian German has
# Jän/Jänner and Feber.
# fmt: off
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "januar", "jän", "jänner"),
            ("feb", "february", "februar", "feber"),
            ("mar", "march", "mär", "märz", "mrz", "maerz"),
            ("apr", "april"),
            ("may", "mai"),
            ("jun", "june", "juni"),
            ("jul", "july", "juli"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october", "okt", "oktober"),
            ("nov", "november"),
            ("dec", "december", "dez", "dezember"),
        ),
        start=1,
    )
    for name in names
}
# fmt: on

_MONTH = "(?P<month>{})\\.?".format("|".join(sorted(MONTHS, key=len, reverse=True)))
# Between day, month and year: "01. Mar", "1-Mar", "01.Mrz", "1 Mar", "1/Mar".
_SEP = r"(?: ?[-/.] ?| )"
_DAY_MONTH = re.compile(rf"(?P<day>[0-9]{{1,2}}){_SEP}{_MONTH}(?:{_SEP}(?P<year>[0-9]{{2,4}}))?")
_MONTH_NUMBER = re.compile(rf"{_MONTH}{_SEP}(?P<number>[0-9]{{1,2}}|[0-9]{{4}})")
# Full numeric dates: "/" or "." with a two- or four-digit year, "-" only with four digits (a
# "1-3-17" is a list more often than a date), and ISO with an optional midnight time.
_NUMERIC = re.compile(
    r"(?P<a>[0-9]{1,2})(?P<sep>[./]) ?(?P<b>[0-9]{1,2})(?P=sep) ?(?P<year>[0-9]{2,4})"
)
_NUMERIC_DASH = re.compile(r"(?P<a>[0-9]{1,2})-(?P<b>[0-9]{1,2})-(?P<year>[0-9]{4})")
_ISO = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?:[ t]00:00(?::00)?)?"
)
_HINT = re.compile(r"[0-9].*(?:[a-zäöü]|[./-].*[./-])|[a-zäöü].*[0-9]")  # cheap pre-check

_LEAP_YEAR = 2000  # a day and month without a year: 29 February exists


@dataclass(frozen=True, slots=True)
class SpreadsheetDate:
    """An answer that looks like a spreadsheet's date: its form and the range it encodes.

    ``encoded`` is ``(low, high)``, or ``None`` when no range can be read, and then ``why_not``
    says why.
    """

    form: str
    encoded: tuple[int, int] | None
    why_not: str | None = None

    def describe(self) -> str:
        return f"looks like a date a spreadsheet made ({self.form})"


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    if len(text) == 2:  # Excel's two-digit-year window
        return 2000 + year if year < 30 else 1900 + year
    return year if len(text) == 4 else -1  # a three-digit year is no year


def _exists(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _encoded(form: str, year: int | None, dates: list[tuple[int, int]]) -> SpreadsheetDate:
    """The reading of the valid (month, day) interpretations of a date shown with `year`."""
    if year is None or year >= 2000:  # no year, or the year of entry
        month, day = dates[0]  # d/m and m/d give the same pair once sorted
        return SpreadsheetDate(form, (min(month, day), max(month, day)))
    firsts = [month for month, day in dates if day == 1]
    if year >= 1930 and firsts:  # Excel's reading of "month-yy"
        return SpreadsheetDate(form, (min(firsts[0], year - 1900), max(firsts[0], year - 1900)))
    return SpreadsheetDate(
        form,
        None,
        f"a date in {year} encodes no range (a number shown as a date, or a real date)",
    )


def _numeric(form: str, a: int, b: int, year: int) -> SpreadsheetDate | None:
    if not 1900 <= year <= 2099:
        return None
    dates = [(m, d) for m, d in ((b, a), (a, b)) if _exists(year, m, d)]
    return _encoded(form, year, dates) if dates else None


def read_spreadsheet_date(text: str) -> SpreadsheetDate | None:
    """Recognise a whole answer that looks like a spreadsheet's date; ``None`` if it does not.

    Pure and never raises. The text is NFKC-normalised, lower-cased and its whitespace collapsed
    here too, so raw answers and the parsers' normalised text both work.
    """
    t = " ".join(unicodedata.normalize("NFKC", text).lower().split()).rstrip(" .")
    if len(t) > 40 or not _HINT.search(t):
        return None
    if m := _DAY_MONTH.fullmatch(t):
        month, day, year = MONTHS[m["month"]], int(m["day"]), _year(m["year"])
        form = "day and month name"
        if year is not None and not 1900 <= year <= 2099:
            return SpreadsheetDate(form, None, "not a valid date")
        if not _exists(year or _LEAP_YEAR, month, day):
            return SpreadsheetDate(form, None, "not a valid date")
        return _encoded(form, year, [(month, day)])
    if m := _MONTH_NUMBER.fullmatch(t):
        month, number, form = MONTHS[m["month"]], int(m["number"]), "month name and number"
        if len(m["number"]) == 4:  # "mmm-yyyy": a day is not shown, so only "month-yy" reads
            if 1930 <= number <= 1999:
                return _encoded(form, number, [(month, 1)])
            return SpreadsheetDate(form, None, "a month and a year encode no range")
        if number == 0:
            return SpreadsheetDate(form, None, "a number 0 cannot end a range typed low to high")
        return SpreadsheetDate(form, (min(month, number), max(month, number)))
    if m := _ISO.fullmatch(t):
        year, month, day = int(m["year"]), int(m["month"]), int(m["day"])
        if not (1900 <= year <= 2099 and _exists(year, month, day)):
            return None
        return _encoded("ISO date", year, [(month, day)])
    if m := _NUMERIC.fullmatch(t) or _NUMERIC_DASH.fullmatch(t):
        return _numeric("numeric date", int(m["a"]), int(m["b"]), _year(m["year"]) or -1)
    return None


def check_mode(mode: str) -> None:
    """Refuse an unknown `spreadsheet_dates` option, so a typo does not silently mean missing."""
    if mode not in MODES:
        raise ValueError(f"spreadsheet_dates must be one of {', '.join(MODES)}, not {mode!r}")


def resolve_date(
    text: str, mode: str, read_range: Callable[[str], Any]
) -> tuple[float | None, str] | None:
    """``(value, reason)`` of an answer that is a spreadsheet date under `mode`, else ``None``.

    `read_range` parses the typed range ("1-3") as the caller parses any answer (it returns a
    ``surveyflow.checking.parsers.Parsed``), so a date read as a range is treated exactly like
    that range: the same midpoint, the same limits. The reason always says what was recognised.
    """
    date = read_spreadsheet_date(text)
    if date is None:
        return None
    if date.encoded is None:
        return None, f"{date.describe()}: {date.why_not}"
    low, high = date.encoded
    reading = f"{date.describe()}, most likely the range {low}-{high}"
    if mode == "missing":
        return None, f"{reading}: set missing (cleaning.spreadsheet_dates: missing)"
    typed = read_range(f"{low}-{high}")
    if typed.value is None:
        return None, f"{reading}, read as such: {typed.reason}"
    return typed.value, f"{reading}, read as such ({typed.rule})"
