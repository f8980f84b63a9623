"""Words that stand for numbers in free-text answers: "a dozen", "twenty-five", "half", "all".

The tables and regular expressions the count and percentage parsers
(surveyflow.checking.count_parser, surveyflow.checking.percentage_parser) use to turn number
words into digits before they look for numbers, and the vague quantities ("several", "most")
that are no number at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "COUNT_WORD_RE",
    "COUNT_WORD_SUB",
    "PCT_WORD_RE",
    "PCT_WORD_SUB",
    "QUANTIFIER_RE",
    "QUANTIFIER_SUB",
    "VAGUE_COUNT",
    "VAGUE_PERCENT",
    "fmt_number",
]


# fmt: off
_SMALL = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
_UNIT_VALUE = {w: float(i) for i, w in enumerate(_SMALL)}
_TENS_VALUE = {w: 20.0 + 10 * i for i, w in enumerate(_TENS)}

# fmt: off
_COUNT_WORDS: dict[str, float] = _UNIT_VALUE | {
    "none": 0, "nil": 0, "a couple": 2, "couple": 2, "half a dozen": 6, "a dozen": 12,
    "one dozen": 12, "dozen": 12,
}
# Percentage-only words that are numbers wherever they appear.
_FRACTION_WORDS: dict[str, float] = {
    "half": 50, "a half": 50, "one half": 50, "quarter": 25, "a quarter": 25, "one quarter": 25,
    "three quarters": 75, "a third": 100 / 3, "one third": 100 / 3, "two thirds": 200 / 3,
}
# Quantifiers that are common filler next to a number ("all 5 projects, 40%"), so they count only
# in answers without digits. "at all" is dropped so "none at all" stays a single zero.
_QUANTIFIER_WORDS: dict[str, float | None] = {
    "all": 100, "every": 100, "everything": 100, "every one": 100, "every single one": 100,
    "not at all": 0, "at all": None,
}
# fmt: on


def _alternation(words: Iterable[str]) -> str:
    # Longest first, so "one third" wins over "one" and "half a dozen" over "dozen".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _word_regex(literals: Iterable[str]) -> re.Pattern[str]:
    units = _alternation(_SMALL[1:10])
    return re.compile(
        rf"\b(?:(?:(?P<mult>a|{units}) )?hundred"
        rf"|(?P<tens>{_alternation(_TENS)})(?:[- ](?P<unit>{units}))?"
        rf"|(?P<lit>{_alternation(literals)}))\b"
    )


def fmt_number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _word_replacer(table: Mapping[str, float | None]) -> Callable[[re.Match[str]], str]:
    def replace(m: re.Match[str]) -> str:
        if m["lit"] is not None:
            value = table[m["lit"]]
            return "" if value is None else fmt_number(float(value))
        if m["tens"] is not None:
            return fmt_number(_TENS_VALUE[m["tens"]] + (_UNIT_VALUE[m["unit"]] if m["unit"] else 0))
        mult = m["mult"]
        return fmt_number(100 * (_UNIT_VALUE[mult] if mult and mult != "a" else 1.0))

    return replace


COUNT_WORD_RE = _word_regex(_COUNT_WORDS)
COUNT_WORD_SUB = _word_replacer(_COUNT_WORDS)
_PCT_WORDS: dict[str, float | None] = {**_COUNT_WORDS, **_FRACTION_WORDS}
PCT_WORD_RE = _word_regex(_PCT_WORDS)
PCT_WORD_SUB = _word_replacer(_PCT_WORDS)
QUANTIFIER_RE = re.compile(rf"\b(?P<lit>{_alternation(_QUANTIFIER_WORDS)})\b")
QUANTIFIER_SUB = _word_replacer(_QUANTIFIER_WORDS)

# fmt: off
_VAGUE_COMMON = (
    "many", "lots", "a lot", "few", "a few", "several", "some", "handful", "a handful",
    "numerous", "multiple",
)
_VAGUE_COUNT_WORDS = (*_VAGUE_COMMON, "dozens", "hundreds", "countless", "various")
VAGUE_COUNT = re.compile(rf"\b(?:{_alternation(_VAGUE_COUNT_WORDS)})\b")
_VAGUE_PERCENT_WORDS = (
    *_VAGUE_COMMON, "most", "mostly", "majority", "minority", "not many", "hardly any", "little",
    "partly", "partially", "rarely", "sometimes", "often", "usually", "occasionally", "not all",
    "not every", "not everything",
)
# fmt: on
VAGUE_PERCENT = re.compile(rf"\b(?:{_alternation(_VAGUE_PERCENT_WORDS)})\b")
