"""Infer a questions map from an export (and its codebook, if any): the draft of a config.

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

Question ids: the tool's question id when the codebook gives one, otherwise the variable name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from surveyflow.checking.parsers import parse_count, parse_percentage
from surveyflow.reading.base import SurveyExport
from surveyflow.reading.labels import CHECKED_LABELS, best_reading, norm_label

_PERSONAL = re.compile(
    r"e-?mail|phone|telef|mobile|browser|user.?agent|referr?er|\bip\b|ip.?addr|"
    r"first.?name|last.?name|surname|your name|ihr name",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PERCENT = re.compile(r"%|percent|prozent|porcentaje|porcentagem|share of|anteil", re.IGNORECASE)
_OTHER = re.compile(r"^\s*(?:other|others|andere|sonstige|otro|otra|outro|autre)", re.IGNORECASE)
# A level meaning "nothing chosen yet" (a drop-down's default), not an answer.
_NO_CHOICE = re.compile(
    r"^[\s\-–—]*(?:please\s+(?:make\s+a\s+)?select|bitte\s+(?:aus)?w[äa]hlen|keine\s+angabe"
    r"|por\s+favor|seleccione|selecione)",
    re.IGNORECASE,
)
_INT = re.compile(r"^[+-]?\d+$")
# Items named after their question: d3_bachelor, Q8_1 (a stem with a digit: not EFS's v_12).
_PREFIX = re.compile(r"^(?P<stem>[A-Za-z]+\d+)_\w+$")
# LimeSurvey's subquestion columns: Q2[SQ001], Q1[other].
_SUBQUESTION = re.compile(r"^(?P<code>[^\[\]]+)\[(?P<item>[^\[\]]+)\]$")
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
MAX_LIKERT_LEVELS = 7  # what a diverging bar chart reads; longer lists are single choices
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


@dataclass
class DraftQuestion:
    """One entry of the drafted questions map, with what the user reads beside it."""

    id: str
    spec: dict[str, Any]
    text: str
    notes: list[str] = field(default_factory=list)
    item_labels: dict[str, str] = field(default_factory=dict)  # option/item key -> label
    levels: list[str] = field(default_factory=list)  # level labels in code order (coded ones)
    observed: list[str] = field(default_factory=list)  # the levels the export holds, same order


@dataclass
class Draft:
    questions: list[DraftQuestion]
    personal: list[tuple[str, str]]  # (variable, why)
    metadata: list[str]  # the tool's own columns, left out


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
        bracket = _SUBQUESTION.match(name)
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


def _kind(var: Variable) -> str:
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
    if var.ticks_any and var.typed is not True and _joined_codes(var.answers):
        return "joined"
    if var.values:
        return "coded"
    if var.typed is False:  # the tool says it is a choice: coded, whatever its answers look like
        return "coded"
    text_found = [v for v in var.found if not _INT.match(v)]
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


def _joined_codes(answers: Sequence[str]) -> list[str]:
    """The choice codes of a column holding several comma-joined choices ("1,3"), in code
    order; [] when it is not one (no answer with two choices, or not all codes)."""
    if not answers or not any("," in a for a in answers):
        return []
    if not all(_JOINED.match(a) for a in answers):
        return []
    return sorted({c.strip() for a in answers for c in a.split(",")}, key=int)


def _levels(var: Variable) -> tuple[dict[int, str] | list[str], list[str], list[str]]:
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
        stray = [a for a in var.found if _INT.match(a) and a not in labelled | set(var.declared)]
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
    found = list(dict.fromkeys(_display(v) for v in var.found if not _INT.match(v)))
    no_choice = [v for v in var.found if _NO_CHOICE.match(v)]
    levels = [v for v in found if not _NO_CHOICE.match(v)]
    stray = [v for v in var.found if _INT.match(v)]
    notes.append("levels as found in the export: put them in their scale order")
    if stray:
        notes.append(f"code(s) {', '.join(stray)} found without a label: treated as no answer")
    return sorted(levels, key=str.casefold), stray + no_choice, notes


def _as_label(answer: str, var: Variable) -> str:
    """A cell as its level label: a code's label (codes export), else the cell (labels)."""
    if _INT.match(answer) and int(answer) in var.values:
        return var.values[int(answer)]
    return _display(answer)


def _level_labels(levels: dict[int, str] | list[str]) -> tuple[str, ...]:
    return tuple(levels.values()) if isinstance(levels, dict) else tuple(levels)


def _key(var: Variable) -> str:
    """An option's or item's key (its column's suffix): the variable, or the subquestion code
    of LimeSurvey's Q2[SQ001], as a name a column can carry."""
    bracket = _SUBQUESTION.match(var.name)
    key = bracket["item"] if bracket else var.name
    return key if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key) else "k_" + re.sub(r"\W", "_", key)


def _question_id(block: str, suffix: str | None = None) -> str:
    """An id a config key can be: the block (a question id, a variable name), or a slug of
    it (a full question text as LimeSurvey's headings give it: "q_what_is_the_size_of")."""
    base = block if _IDENT.match(block) else f"q_{_slug(block)}"
    if not suffix:
        return base
    suffix = suffix if _IDENT.match(suffix) else _slug(suffix)
    return f"{base}_{suffix}"


_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _slug(text: str, words: int = 5) -> str:
    """The first words of a text as an identifier part: letters and digits, lower case."""
    parts = re.findall(r"[A-Za-z0-9]+", best_reading(text).lower())
    return "_".join(parts[:words]) or "x"


def _block_questions(block: str, variables: Sequence[Variable]) -> list[DraftQuestion]:
    """The questions of one block: the first closed one takes the block's id, the others
    (an "other" text field, further variables) the id with a suffix."""
    kinds = {v.name: _kind(v) for v in variables}
    yes_no = [v for v in variables if kinds[v.name] == "yesno"]
    for var in yes_no:
        kinds[var.name] = "checked" if len(yes_no) > 1 else "coded"
    checked = [v for v in variables if kinds[v.name] == "checked"]
    if checked:
        # Beside ticked/unticked items, a variable without value labels is the "other" text
        # field, however often respondents typed the same word into it.
        for v in variables:
            if kinds[v.name] == "coded" and not v.values:
                kinds[v.name] = "text"
    coded = [v for v in variables if kinds[v.name] == "coded"]
    joined = [v for v in variables if kinds[v.name] == "joined"]
    # Bare codes (a choice the tool marks as one, exported as numbers): the block's items
    # share one scale, the codes any of them holds.
    bare = [v for v in coded if not v.values and v.typed is False]
    scale = sorted({int(a) for v in bare for a in v.found if _INT.match(a)})
    for var in bare:
        if all(_INT.match(a) for a in var.found):
            var.scale = tuple(scale)
    free = [v for v in variables if kinds[v.name] in ("count", "percentage", "text")]
    text = variables[0].question_text
    parts: list[DraftQuestion] = []

    def next_id(suffix: str) -> str:
        return _question_id(block, suffix if parts else None)

    if checked:
        spec: dict[str, Any] = {"type": "multiple_choice", "options": {}}
        for var in checked:
            spec["options"][_key(var)] = var.name
        other = [v for v in free if kinds[v.name] == "text"]
        if len(other) == 1:
            spec["other_text"] = other[0].name
            free = [v for v in free if v is not other[0]]
            tagged = [v.name for v in checked if _OTHER.match(v.label)]
            if tagged:
                spec["other_option"] = tagged[-1]
        labels = {_key(v): v.label or v.name for v in checked}
        parts.append(DraftQuestion(next_id(""), spec, text, [], labels))
    for var in joined:
        # One column of comma-joined choices (Qualtrics without "split multi-value fields"):
        # the ingest stage derives the option columns <variable>_<code> from it.
        codes = _joined_codes(var.answers)
        spec = {"type": "multiple_choice", "options": {}}
        for code in codes:
            spec["options"][f"{_key(var)}_{code}"] = f"{var.name}_{code}"
        labels = {f"{_key(var)}_{code}": f"choice {code}" for code in codes}
        note = "one column of comma-joined choice codes: option labels unknown, name them"
        parts.append(DraftQuestion(next_id(var.name), spec, text, [note], labels))
    groups: dict[tuple[str, ...], list[tuple[Variable, Any, list[str], list[str]]]] = {}
    for var in coded:
        levels, missing, notes = _levels(var)
        groups.setdefault(_level_labels(levels), []).append((var, levels, missing, notes))
    for labels_key, members in groups.items():
        matrix = len(members) > 1 and 2 <= len(labels_key) <= MAX_LIKERT_LEVELS
        batches = [members] if matrix else [[m] for m in members]
        for batch in batches:
            first, levels = batch[0][0], batch[0][1]
            spec = {"type": "likert", "items": {_key(v): v.name for v, *_ in batch}}
            if not matrix:
                spec = {"type": "single_choice", "variable": first.name}
            # A codebook gives the levels (and decodes labels); without one they are written.
            if not first.values:
                spec["levels"] = levels
            missing = sorted({m for _, _, miss, _ in batch for m in miss})
            if missing:
                spec["missing"] = missing
            notes = sorted({n for *_, ns in batch for n in ns})
            labels = {_key(v): v.label or v.name for v, *_ in batch}
            # A block of several single choices (ranks "Top 1 … Top 5"): each says which it is.
            title = f"{text} [{first.label}]" if len(coded) > 1 and first.label else text
            question = DraftQuestion(next_id(first.name), spec, title, notes, labels)
            question.levels = list(_level_labels(levels))
            found = {_as_label(a, first) for v, *_ in batch for a in v.found}
            question.observed = [lab for lab in question.levels if lab in found]
            parts.append(question)
    for var in free:
        spec = {"type": kinds[var.name], "variable": var.name}
        suffix = "other" if _OTHER.match(var.label) and parts else var.name
        label = f"{text} [{var.label}]" if var.label else text
        parts.append(DraftQuestion(next_id(suffix), spec, label, [], {}))
    return parts


def draft_questions(export: SurveyExport, missing_codes: Iterable[int]) -> Draft:
    """The drafted questions map of an export, in questionnaire order."""
    variables, metadata = export_variables(export, missing_codes)
    personal = [(name, "the survey tool's personal-data column") for name in export.personal]
    personal += [(v.name, v.label or v.question_text) for v in variables if _kind(v) == "personal"]
    kept = [v for v in variables if _kind(v) != "personal"]
    blocks: dict[str, list[Variable]] = {}
    for var in kept:
        blocks.setdefault(var.block, []).append(var)
    questions: list[DraftQuestion] = []
    seen: set[str] = set()
    for block, members in blocks.items():
        for question in _block_questions(block, members):
            while question.id in seen:  # two blocks with one name: keep both
                question.id += "_2"
            seen.add(question.id)
            questions.append(question)
    return Draft(questions=questions, personal=personal, metadata=metadata)


_DONE = re.compile(
    r"\b(?:complete[d]?|finished|submitted|done|beendet|abgeschlossen|vollständig)\b", re.I
)
_NOT_DONE = re.compile(
    r"\b(?:incomplete|uncompleted|unfinished|not|partial(?:ly)?|nicht|teilweise|abgebrochen"
    r"|unvollständig)\b",
    re.I,
)
_STATUS_NAME = re.compile(r"^(?:status|state|complete[d]?|finished|submitted|done)$", re.I)


def guess_completion(export: SurveyExport) -> dict[str, Any] | None:
    """For a file without a survey tool's status column: the variable whose value labels say
    which interviews are complete ("1 = complete, 2 = partial") and the codes that do, as
    `export.completed` (the draft asks the user to check it), or None."""
    codebook = export.codebook
    if codebook is None:
        return None
    for name, var in codebook.variables.items():
        done = [
            code
            for code, label in var.values.items()
            if _DONE.search(label) and not _NOT_DONE.search(label)
        ]
        others = [code for code in var.values if code not in done]
        named = _STATUS_NAME.match(name) or _STATUS_NAME.match(var.label.strip())
        if done and others and (named or len(var.values) <= 4):
            return {"variable": name, "values": done}
    return None


def count_bins(answers: Sequence[str]) -> list[float]:
    """Bin edges for a count question: from its smallest answer (rounded down) up to its
    largest, at round numbers, so that every parsed answer falls inside (a share_per_bin needs
    that) and no bin lies below every answer."""
    values = sorted(v for a in answers if (v := parse_count(a).value) is not None)
    low = float(math.floor(values[0])) if values else 0.0
    top = values[-1] if values else 10.0
    edges = [low]
    for step in (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000, 100000):
        if edges[-1] < step < top:
            edges.append(float(step))
    edges.append(float(top) if top > edges[-1] else edges[-1] + 1)
    # At most six bins: keep the outer edges and every other inner one.
    while len(edges) > 7:
        edges = [edges[0], *edges[1:-1][1::2], edges[-1]]
    return edges
