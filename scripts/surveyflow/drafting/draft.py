"""Infer a questions map from an export (and its codebook, if any): the draft of a config.

Each variable's question block, kind and levels come from :mod:`surveyflow.drafting.draft_kinds`
(which lists the rules); here a block's variables become its questions: a multiple-choice
question of its ticked options (with its "other" text field), Likert matrices of items sharing
one scale, single choices, and free-text questions.

Question ids: the tool's question id when the codebook gives one, otherwise the variable name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from surveyflow.checking.count_parser import parse_count
from surveyflow.drafting.draft_kinds import (
    INTEGER,
    SUBQUESTION,
    Variable,
    as_label,
    export_variables,
    joined_codes,
    kind_of,
    level_labels,
    levels_of,
)
from surveyflow.reading.base import SurveyExport
from surveyflow.reading.labels import best_reading

_OTHER = re.compile(r"^\s*(?:other|others|andere|sonstige|otro|otra|outro|autre)", re.IGNORECASE)
MAX_LIKERT_LEVELS = 7  # what a diverging bar chart reads; longer lists are single choices


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


def _key(var: Variable) -> str:
    """An option's or item's key (its column's suffix): the variable, or the subquestion code
    of LimeSurvey's Q2[SQ001], as a name a column can carry."""
    bracket = SUBQUESTION.match(var.name)
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
    kinds = {v.name: kind_of(v) for v in variables}
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
    scale = sorted({int(a) for v in bare for a in v.found if INTEGER.match(a)})
    for var in bare:
        if all(INTEGER.match(a) for a in var.found):
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
        codes = joined_codes(var.answers)
        spec = {"type": "multiple_choice", "options": {}}
        for code in codes:
            spec["options"][f"{_key(var)}_{code}"] = f"{var.name}_{code}"
        labels = {f"{_key(var)}_{code}": f"choice {code}" for code in codes}
        note = "one column of comma-joined choice codes: option labels unknown, name them"
        parts.append(DraftQuestion(next_id(var.name), spec, text, [note], labels))
    groups: dict[tuple[str, ...], list[tuple[Variable, Any, list[str], list[str]]]] = {}
    for var in coded:
        levels, missing, notes = levels_of(var)
        groups.setdefault(level_labels(levels), []).append((var, levels, missing, notes))
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
            question.levels = list(level_labels(levels))
            found = {as_label(a, first) for v, *_ in batch for a in v.found}
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
    personal += [
        (v.name, v.label or v.question_text) for v in variables if kind_of(v) == "personal"
    ]
    kept = [v for v in variables if kind_of(v) != "personal"]
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
