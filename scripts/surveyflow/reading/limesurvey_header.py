"""The header record of a LimeSurvey export: separator, heading style, column roles, texts.

LimeSurvey's headings are question codes, full question texts or both ("code. text"), as the
user chose when exporting (see :mod:`surveyflow.reading.limesurvey`); which one is told from
the tool's own columns, whose names are the same in every export.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from itertools import islice

from surveyflow.errors import InputError
from surveyflow.textfile import sniff_encoding

SEPARATORS = (",", ";", "\t")

# The tool's own columns by role: question-code heading -> role, English full heading -> role
# (the texts LimeSurvey's createFieldMap and participant table give them).
# A question-code heading is its role.
_CODES = ("id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate")
_CODES += ("datestamp", "ipaddr", "refurl", "interviewtime", "firstname", "lastname", "email")
CODE_ROLES = {name: name for name in _CODES}
FULL_ROLES = {
    "response id": "id",
    "date submitted": "submitdate",
    "last page": "lastpage",
    "start language": "startlanguage",
    "seed": "seed",
    "token": "token",
    "access code": "token",
    "date started": "startdate",
    "date last action": "datestamp",
    "ip address": "ipaddr",
    "referrer url": "refurl",
    "total time": "interviewtime",
    "first name": "firstname",
    "last name": "lastname",
    "email address": "email",
}
PERSONAL_ROLES = frozenset(
    {"token", "ipaddr", "refurl", "firstname", "lastname", "email", "attribute"}
)
# Participant attributes (attribute_1 ...) of a survey with a participant table: anything
# the survey owner stored about a person, so personal.
_ATTRIBUTE_RE = re.compile(r"^attribute_\d+$")
_GROUP_TIME_RE = re.compile(r"^groupTime\d+$")
_FULL_TIME_RE = re.compile(r"^(?:group|question) time: ", re.IGNORECASE)


def decode_head(head: bytes) -> str | None:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # a binary file (SPSS, Stata, a workbook)
    try:
        return head.decode(sniff_encoding(head), errors="replace").lstrip("\ufeff")
    except LookupError:
        return head.decode("latin-1")


def first_record(text: str, sep: str) -> list[str]:
    """The first non-blank record of ``text`` split by ``sep`` (lenient: only a header).

    Parsed from a prefix, since a reader over a large file's whole text copies it; the
    prefix grows until a second record starts after the first (so the first is whole).
    """
    size = 1 << 16
    while True:
        try:
            reader = csv.reader(io.StringIO(text[:size], newline=""), delimiter=sep)
            head = list(islice((r for r in reader if any(c.strip() for c in r)), 2))
        except csv.Error:
            return []
        if len(head) == 2 or size >= len(text):
            return head[0] if head else []
        size *= 4


def _norm(heading: str) -> str:
    """A full heading as compared: underscores (an export option) as spaces, case-folded."""
    return " ".join(heading.replace("_", " ").split()).casefold()


def heading_style(names: Sequence[str]) -> tuple[str, str] | None:
    """("code" | "full" | "codetext", code-text separator) of a header record, or None."""
    stripped = [n.strip() for n in names]
    if "id" in stripped and "submitdate" in stripped:
        return "code", ""
    normed = {_norm(n) for n in stripped}
    if "response id" in normed and "date submitted" in normed:
        return "full", ""
    for name in stripped:
        # "id" + separator + "Response ID": the option "Question code & question text".
        if name.startswith("id") and _norm(name).endswith("response id") and len(name) > 13:
            sep = name[2 : len(name) - len("response id")]
            if any(n.startswith("submitdate" + sep) for n in stripped):
                return "codetext", sep
    return None


def _role(name: str, style: str, sep: str) -> str | None:
    """The role of one of the tool's own columns ("id", "token", "timing" ...), else None."""
    name = name.strip()
    if style == "full":
        return FULL_ROLES.get(_norm(name)) or ("timing" if _FULL_TIME_RE.match(name) else None)
    code = name.partition(sep)[0].strip() if style == "codetext" else name
    if code in CODE_ROLES:
        return CODE_ROLES[code]
    if _GROUP_TIME_RE.match(code):
        return "timing"
    if _ATTRIBUTE_RE.match(code):
        return "attribute"
    return None


def column_roles(names: Sequence[str], style: str, sep: str) -> list[str | None]:
    roles = [_role(n, style, sep) for n in names]
    if style == "full":
        return roles
    codes = [n.partition(sep)[0].strip() if style == "codetext" else n.strip() for n in names]
    # "Q1Time" is the time spent on question Q1: a timing column if Q1 is a question of the
    # export or the column comes after interviewtime (timings are exported last); a
    # question coded "travelTime" before them stays a question.
    bases = {c.split("[")[0] for c, r in zip(codes, roles, strict=True) if r is None}
    after_total = False
    for i, (code, role) in enumerate(zip(codes, roles, strict=True)):
        after_total = after_total or role == "interviewtime"
        if role is None and code.endswith("Time") and (after_total or code[:-4] in bases):
            roles[i] = "timing"
    return roles


def find_header(text: str, option: str | None, path: str) -> tuple[str, str, str]:
    """Separator, heading style and code-text separator; raise if no candidate fits."""
    best: tuple[int, str, str, str] | None = None
    for sep in SEPARATORS if option is None else (option,):
        names = first_record(text, sep)
        style = heading_style(names)
        if style and (best is None or len(names) > best[0]):
            best = (len(names), sep, *style)
    if best is None:
        raise InputError(
            "is not a LimeSurvey response export: its first record names neither the columns "
            "id and submitdate (question-code headings) nor Response ID and Date submitted "
            "(English full question-text headings)"
            + (f", when split at {sep_name(option)}s" if option else "")
            + ".",
            path=path,
            row=1,
            hint="export the responses with headings 'Question code' and the columns id and "
            "submitdate included (full-text headings are recognised in English only), check "
            "export.separator, or set export.tool to the tool that wrote the file",
        )
    return best[1], best[2], best[3]


def sep_name(sep: str | None) -> str:
    return {";": "semicolon", ",": "comma", "\t": "tab"}.get(sep or "", repr(sep))


def heading_texts(
    names: list[str], roles: list[str | None], style: str, sep: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Question texts and item labels from full-text headings ("Text [Subquestion]")."""
    questions: dict[str, str] = {}
    items: dict[str, str] = {}
    if style == "code":
        return questions, items
    for name, role in zip(names, roles, strict=True):
        if role is not None:
            continue
        text = name.partition(sep)[2] if style == "codetext" else name
        text = text.strip()
        if text.endswith("]") and " [" in text:
            text, _, item = text.rpartition(" [")
            items[name] = item[:-1]
        questions[name] = text
    return questions, items
