"""What each export variable is to the draft: its question block, its kind and its levels.

What a survey researcher would write by hand, inferred the way they would read the export:

* a codebook's question blocks (or, without one, columns sharing a question text in a labels
  export) are questions; the tool's own metadata columns (lfdn, dispcode, browser ...) are not;
* a block of items whose values are "quoted"/"not quoted" is a multiple-choice question, its
  free-text variable the "other" field;
* items that share one set of 2 to 7 value labels form a Likert matrix; any other coded
  variable is a single-choice question, its levels in code order (a codebook) or as found;
* a free-text variable whose answers are mostly numbers is a `count` (a `percentage` when its
  text or answers speak of percent); any other free text is `text`;
* e-mail, phone, browser, referrer and IP-like variables are personal: left out of the map,
  so they go no further than ingest, and listed for the user to see.

The draft's assembly of questions from these is :mod:`surveyflow.drafting.draft`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from surveyflow.checking.count_parser import parse_count
from surveyflow.checking.percentage_parser import parse_percentage
from surveyflow.reading.base import SurveyExport
from surveyflow.reading.labels import CHECKED_LABELS, best_reading, norm_label

_PERSONAL = re.compile(
    r"e-?mail|phone|telef|mobile|browser|user.?agent|referr?er|\bip\b|ip.?addr|"
    r"first.?name|last.?name|surname|your name|ihr name",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PERCENT = re.compile(r"%|percent|prozent|porcentaje|porcentagem|share of|anteil", re.IGNORECASE)
# A level meaning "nothing chosen yet" (a drop-down's default), not an answer.
_NO_CHOICE = re.compile(
    r"^[\s\-–—]*(?:please\s+(?:make\s+a\s+)?select|bitte\s+(?:aus)?w[äa]hlen|keine\s+angabe"
    r"|por\s+favor|seleccione|selecione)",
    re.IGNORECASE,
)
INTEGER = re.compile(r"^[+-]?\d+$")
# Items named after their question: d3_bachelor, Q8_1 (a stem with a digit: not EFS's v_12).
_PREFIX = re.compile(r"^(?P<stem>[A-Za-z]+\d+)_\w+$")
# LimeSurvey's subquestion columns: Q2[SQ001], Q1[other].
SUBQUESTION = re.compile(r"^(?P<code>[^\[\]]+)\[(?P<item>[^\[\]]+)\]$")
_JOINED = re.compile(r"^\s*\d+(?:\s*,\s*\d+)*\s*$")
# Tools that tick a multiple-choice option with any text and leave it empty otherwise.
TICKS_ANY = frozenset({"qualtrics", "limesurvey"})


def typed_text(export: SurveyExport, name: str) -> bool | None:
    """Whether the tool marks ``name`` as typed text (True), a choice (False), or says nothing.

    Qualtrics names every column's question in its ImportId row: text entry ends in _TEXT.
    """
    import_ids = export.detected.get("import_ids") or {}
    import_id = import_ids.get(name) if isinstance(import_ids, dict) else None
    if not import_id or not str(import_id).upper().startswith("QID"):
        return None
    return str(import_id).upper().endswith("_TEXT")


_DIGIT = re.compile(r"\d")
MAX_LABELS_FOUND = 250  # distinct labels in a labels export beyond which a column is free text
COUNT_SHARE = 0.6  # share of the answers that must read as numbers for a count question
PLAIN_SHARE = 0.3  # ... and that must be the number alone ("12", "12.5", "40%")
_PLAIN_NUMBER = re.compile(r"^\s*[+-]?\d+(?:[.,]\d+)?\s*%?\s*$")


@dataclass
class Variable:
    """One export variable as the draft sees it."""

    name: str
    label: str
    question_text: str
    block: str  # the question block it belongs to (question id or first variable)
    dtype: str = ""
    values: dict[int, str] = field(default_factory=dict)  # value labels, from the codebook
    found: list[str] = field(default_factory=list)  # distinct answers, in order found
    answers: list[str] = field(default_factory=list)  # non-missing answers
    # The tool ticks a multiple-choice option with any text (its code, its label, Y, Yes)
    # and leaves it empty otherwise (Qualtrics, LimeSurvey), rather than writing 1/0.
    ticks_any: bool = False
    # Codes the file declares missing (an SPSS "99 = no answer"): not levels.
    declared: tuple[str, ...] = ()
    # A choice the tool exports as bare codes with no labels anywhere (Qualtrics' numeric
    # values): the codes found in its question block, each its own label until named.
    scale: tuple[int, ...] = ()
    # Its dtype comes from the data file itself (SPSS/Stata), not from an EFS codebook.
    from_file: bool = False
    # The tool says the variable holds typed text (a Qualtrics ImportId ending in _TEXT),
    # or None where it does not say.
    typed: bool | None = None


def _display(text: str) -> str:
    """A question text or label as a person reads it: mis-decoded characters repaired (an
    export saved through the wrong encodings shows "inåÊyour"), spaces collapsed."""
    text = best_reading(text)
    return " ".join(text.replace("\xa0", " ").split())


def _answers(column: Iterable[str], missing: frozenset[str]) -> list[str]:
    return [v for v in (str(c).strip() for c in column) if v and v not in missing]


def _is_metadata(name: str, text: str, export: SurveyExport, in_block: bool) -> bool:
    if in_block:
        return False
    if name in export.metadata or name in export.personal:
        return True
    # (The reader names each tool's own columns: EFS's by surveyflow.reading.efs's pattern.)
    # In an EFS labels export a column without question text is the tool's own too.
    return export.tool == "efs" and export.shape == "labels" and not text


def export_variables(
    export: SurveyExport, missing_codes: Iterable[int]
) -> tuple[list[Variable], list[str]]:
    """The export's question variables in questionnaire order, and its metadata columns."""
    missing = frozenset(str(c) for c in missing_codes)
    frame = export.frame
    codebook = export.codebook
    out: list[Variable] = []
    metadata: list[str] = []
    known = codebook.variables if codebook else {}
    ticks_any = export.tool in TICKS_ANY
    previous_text, block, previous_stem = None, "", None
    for name in frame.columns:
        entry = known.get(name)
        in_block = entry is not None and entry.question_id is not None
        text = export.question_texts.get(name, "") if not entry else entry.question_text
        if _is_metadata(name, text, export, in_block):
            metadata.append(name)
            continue
        bracket = SUBQUESTION.match(name)
        prefix = _PREFIX.match(name)
        if in_block:
            block = entry.question_id
        elif bracket:  # LimeSurvey's Q2[SQ001]: the block is the question code
            block = bracket["code"]
        elif prefix and prefix["stem"] == previous_stem:
            pass  # d3_bachelor after d3_master: items of one question (D3)
        elif text != previous_text or not text:
            block = name
        previous_stem = prefix["stem"] if prefix else None
        previous_text = text
        answers = _answers(frame[name], missing)
        label = entry.label if entry else export.item_labels.get(name, "")
        out.append(
            Variable(
                name=name,
                label=_display(label or (bracket["item"] if bracket else "")),
                question_text=_display(text),
                block=block,
                dtype=entry.dtype if entry else "",
                values=dict(entry.values) if entry else {},
                found=list(dict.fromkeys(answers)),
                answers=answers,
                ticks_any=ticks_any,
                typed=typed_text(export, name),
                declared=tuple(export.declared_missing.get(name, ())),
                from_file=export.tool in ("spss", "stata"),
            )
        )
    if codebook is not None:
        # Questionnaire order is the codebook's; the export may order its columns otherwise.
        order = {name: i for i, name in enumerate(codebook.variables)}
        out.sort(key=lambda v: order.get(v.name, len(order)))
    return out, metadata


def kind_of(var: Variable) -> str:
    """checked | coded | count | percentage | text | personal."""
    if _PERSONAL.search(f"{var.name} {var.label} {var.dtype}") or (
        var.answers and sum(bool(_EMAIL.search(a)) for a in var.answers) * 2 >= len(var.answers)
    ):
        return "personal"
    # The answer labels, not those of the file's missing codes ("-77 = not shown").
    labels = {
        norm_label(v) for c, v in var.values.items() if c >= 0 and str(c) not in var.declared
    } or {norm_label(v) for v in var.found if norm_label(v) not in _NOT_SHOWN}
    if labels and labels <= set(CHECKED_LABELS) | {"0", "1"} and labels - {"0", "1"}:
        return "checked"
    if labels and labels <= _YES_NO and labels & {"y", "yes"}:
        # One yes/no variable is a question; a block of them the options of one (decided
        # by the block).
        return "yesno"
    if var.ticks_any and not var.values and _ticked_option(var, labels):
        return "checked"
    if var.ticks_any and var.typed is not True and joined_codes(var.answers):
        return "joined"
    if var.values:
        return "coded"
    if var.typed is False:  # the tool says it is a choice: coded, whatever its answers look like
        return "coded"
    text_found = [v for v in var.found if not INTEGER.match(v)]
    # An answer counts as a number only if it has digits ("no" parses as 0, but a column of
    # "no"s is free text).
    percent = bool(_PERCENT.search(f"{var.question_text} {var.label}")) or any(
        "%" in a for a in var.answers
    )
    # Typed text by the tool's own account: a Qualtrics _TEXT field, an SPSS/Stata string
    # variable without value labels. Never a list of labels, however often answers repeat.
    typed = var.typed is True or (var.dtype == "string" and var.from_file)
    if not typed and _labels_found(var, text_found):
        return "coded"
    parse = parse_percentage if percent else parse_count
    numeric = [a for a in var.answers if _DIGIT.search(a) and parse(a).value is not None]
    # Free text mentioning a number ("a team of 12 people") parses too: a count question
    # has many answers that are the number alone.
    plain = [a for a in var.answers if _PLAIN_NUMBER.match(a)]
    if (
        var.answers
        and len(numeric) >= COUNT_SHARE * len(var.answers)
        and len(plain) >= PLAIN_SHARE * len(var.answers)
    ):
        return "percentage" if percent else "count"
    # A labels export's coded column: few labels, each given by several respondents (a
    # country list of 48 among 488 answers qualifies; comments that repeat "no" do not).
    if (
        not typed
        and text_found
        and len(text_found) <= MAX_LABELS_FOUND
        and len(var.answers) >= 5 * len(text_found)
    ):
        return "coded"
    return "text"


_YES_NO = frozenset({"y", "yes", "n", "no", "ja", "nein", "oui", "non", "sí", "si"})
_NOT_SHOWN = frozenset({"n/a"})
MAX_SMALL_LEVELS = 15  # distinct labels of a short list a small sample may show all of


def _labels_found(var: Variable, text_found: Sequence[str]) -> bool:
    """A short list of answer labels ("10 to 49 employees", "Germany") in a labels export of a
    small sample: every answer a word label (no bare number, as a count has), few distinct
    ones, each given by two respondents on average."""
    return (
        bool(text_found)
        and len(text_found) == len(var.found)
        and len(text_found) <= MAX_SMALL_LEVELS
        and len(var.answers) >= 2 * len(text_found)
        and not any(_EMAIL.search(a) for a in text_found)
    )


def _ticked_option(var: Variable, labels: set[str]) -> bool:
    """An option the tool ticks with text and leaves empty: Y/Yes/1, or one repeated label
    that is the variable's own item label (Qualtrics' choice text in a split column)."""
    if labels and labels <= {"y", "yes", "1"}:
        return var.typed is not True and not var.values
    return len(labels) == 1 and bool(var.label) and labels == {norm_label(var.label)}


def joined_codes(answers: Sequence[str]) -> list[str]:
    """The choice codes of a column holding several comma-joined choices ("1,3"), in code
    order; [] when it is not one (no answer with two choices, or not all codes)."""
    if not answers or not any("," in a for a in answers):
        return []
    if not all(_JOINED.match(a) for a in answers):
        return []
    return sorted({c.strip() for a in answers for c in a.split(",")}, key=int)


def levels_of(var: Variable) -> tuple[dict[int, str] | list[str], list[str], list[str]]:
    """(levels, per-question missing codes, notes) of a coded variable."""
    notes: list[str] = []
    if var.values:
        # A drop-down's "- Please select a country -" has a code of its own, 0 or the last.
        no_choice = [c for c, lab in var.values.items() if _NO_CHOICE.match(lab)]
        levels = {
            c: lab
            for c, lab in var.values.items()
            if c not in no_choice and c >= 0 and str(c) not in var.declared
        }
        labelled = {str(c) for c in var.values}
        # Codes in the data without a label (a drop-down's 0): "no answer", or validation stops.
        stray = [a for a in var.found if INTEGER.match(a) and a not in labelled | set(var.declared)]
        missing = [str(c) for c in no_choice] + stray
        if stray:
            notes.append(f"code(s) {', '.join(stray)} found without a label: treated as no answer")
        return levels, missing, notes
    if var.scale:
        levels = {code: str(code) for code in var.scale}
        notes.append("codes without labels in the export: name them (levels: code: label)")
        return levels, [], notes
    # Without a codebook the labels are what respondents' cells hold, written as a person
    # reads them (repaired text still matches the cells: labels are compared repaired too).
    found = list(dict.fromkeys(_display(v) for v in var.found if not INTEGER.match(v)))
    no_choice = [v for v in var.found if _NO_CHOICE.match(v)]
    levels = [v for v in found if not _NO_CHOICE.match(v)]
    stray = [v for v in var.found if INTEGER.match(v)]
    notes.append("levels as found in the export: put them in their scale order")
    if stray:
        notes.append(f"code(s) {', '.join(stray)} found without a label: treated as no answer")
    return sorted(levels, key=str.casefold), stray + no_choice, notes


def as_label(answer: str, var: Variable) -> str:
    """A cell as its level label: a code's label (codes export), else the cell (labels)."""
    if INTEGER.match(answer) and int(answer) in var.values:
        return var.values[int(answer)]
    return _display(answer)


def level_labels(levels: dict[int, str] | list[str]) -> tuple[str, ...]:
    return tuple(levels.values()) if isinstance(levels, dict) else tuple(levels)
