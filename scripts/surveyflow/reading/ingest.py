"""From any tool's export (a SurveyExport) to the canonical responses table of the study.

Completed interviews, canonical columns: the same table whichever survey tool wrote the file."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from surveyflow import reading as readers
from surveyflow.config import Question
from surveyflow.errors import InputError
from surveyflow.reading.base import SurveyExport
from surveyflow.reading.codebook import Codebook
from surveyflow.reading.labels import CHECKED_LABELS, column_labels, labels_to_codes, norm_label

MULTIPLE_CHOICE_LEVELS = ((0, "not quoted"), (1, "quoted"))


@dataclass(frozen=True)
class IngestResult:
    responses: pd.DataFrame
    rows_read: int
    rows_kept: int
    # Rows not kept, by their status as the tool gives it (EFS: the dispcode).
    dropped_by_status: dict[str, int]
    completion_rule: str
    # Cells the export declares missing (SPSS/Stata user-missing values), set empty here:
    # rows of the cleaning log, with the code.
    declared_missing: pd.DataFrame


def resolve_levels(
    questions: Mapping[str, Question],
    codebook: Codebook | None,
    missing_codes: Iterable[int],
    declared_missing: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, list[tuple[int, str]]]:
    """Ordered (code, label) levels of every coded column, from questions.yaml or the codebook.

    Codes the export declares missing (an SPSS file's "99 = no answer") are not levels.
    """
    levels: dict[str, list[tuple[int, str]]] = {}
    declared_missing = declared_missing or {}
    for question in questions.values():
        missing = {str(code) for code in missing_codes} | set(question.missing)
        if question.type == "multiple_choice":
            for column in question.coded_columns():
                levels[column] = list(MULTIPLE_CHOICE_LEVELS)
            continue
        if question.type not in ("single_choice", "likert"):
            continue
        for column, variable in question.columns().items():
            known = sorted(question.levels.items()) if question.levels is not None else []
            if question.levels is None and codebook is not None:
                entry = codebook.variables.get(variable)
                known = entry.values.items() if entry else []
            skip = missing | set(declared_missing.get(variable, ()))
            values = [(code, label) for code, label in known if str(code) not in skip]
            if not values:
                where = codebook.path if codebook else "no codebook configured"
                raise InputError(
                    f"question {question.id}: variable {variable!r} has no value labels "
                    f"in the codebook ({where}).",
                    path=codebook.path if codebook else None,
                    hint=f"give export.codebook, or `levels:` for {question.id} in the questions "
                    "map: a list of its answer labels in order (code = position from 1) or "
                    "code: label pairs; `snakemake draft_config` writes them for you.",
                )
            levels[column] = values
    return levels


def _missing_variables_error(missing: list[tuple[str, str]], export: SurveyExport) -> InputError:
    parts = []
    for qid, variable in missing:
        close = difflib.get_close_matches(variable, list(export.frame.columns), n=3, cutoff=0.6)
        suggestion = f" (closest: {', '.join(close)})" if close else ""
        parts.append(f"{qid} -> {variable}{suggestion}")
    return InputError(
        "the export lacks variables that the questions map names: " + "; ".join(parts) + ".",
        path=export.path,
        hint="correct the variable names in the questions map (the file or inline map that "
        "`questions:` of your config gives), or point export.data at the export of the right "
        "survey.",
    )


# A variable named `<base>_<code>` by the questions map, where the export holds one column
# `<base>` of comma-joined choices (Qualtrics without "split multi-value fields").
_OPTION_RE = re.compile(r"^(?P<base>.+)_(?P<code>[^_]+)$")


def _joined_options(
    frame: pd.DataFrame, questions: Mapping[str, Question], missing: frozenset[str]
) -> pd.DataFrame:
    """One 1/0 column per option derived from a column holding several comma-joined choices.

    An option is ticked where the cell lists its code ("1,3" holds option 1) or its label
    (`levels:` of the question, keyed by the option's code: "Bachelor,Master"); an empty cell
    or a missing code stays as it is, for cleaning to count the question as not answered.
    """
    derived: dict[str, list[str]] = {}
    for question in questions.values():
        if question.type != "multiple_choice":
            continue
        for variable in question.options.values():
            match = _OPTION_RE.match(variable)
            if variable in frame.columns or not match or match["base"] not in frame.columns:
                continue
            code = match["code"]
            label = (question.levels or {}).get(int(code)) if code.isdigit() else None
            wanted = {norm_label(code)} | ({norm_label(label)} if label else set())
            cells = frame[match["base"]].tolist()
            derived[variable] = [_ticked(cell, wanted, label, missing) for cell in cells]
    if not derived:
        return frame
    return frame.assign(**{name: pd.array(v, dtype="str") for name, v in derived.items()})


def _ticked(cell: str, wanted: set[str], label: str | None, missing: frozenset[str]) -> str:
    text = cell.strip()
    if text == "" or text in missing:
        return text
    parts = {norm_label(part) for part in text.split(",")}
    if parts & wanted:
        return "1"
    # A label holding a comma ("Yes, always") spans parts: look for it as a whole.
    if (
        label
        and f",{norm_label(label)}," in f",{','.join(norm_label(p) for p in text.split(','))},"
    ):
        return "1"
    return "0"


def _options_as_ticks(
    responses: pd.DataFrame, questions: Mapping[str, Question], missing: frozenset[str]
) -> pd.DataFrame:
    """Option cells of a tool that ticks with any text (Qualtrics, LimeSurvey) as 1/0.

    Such a tool writes the option's code, its text, "Y" or "Yes" for a ticked option and
    nothing (or "No") for one left empty; cleaning reads an empty option of an answered
    question as not selected, and a question with no option ticked as not answered. Works on
    the canonical columns: LimeSurvey's "other" option has no column of its own, so the
    questions map names its text column as the option too, and the text stays text.
    """
    unticked = {label for label, code in CHECKED_LABELS.items() if code == "0"} | _UNTICKED
    out = {}
    for question in questions.values():
        if question.type != "multiple_choice":
            continue
        for column in question.coded_columns():
            cells = responses[column].tolist()
            # Decided once per distinct cell: a column of 100,000 holds a handful of them.
            ticks = {c: _tick(c, unticked, missing) for c in set(cells)}
            out[column] = pd.array([ticks[c] for c in cells], dtype="str")
    return responses.assign(**out) if out else responses


TICKS_WITH_TEXT = frozenset({"qualtrics", "limesurvey"})
# LimeSurvey's full answers: "No" for an option left unticked.
_UNTICKED = frozenset({"n", "no", "nein", "non"})


def _tick(cell: str, unticked: frozenset[str] | set[str], missing: frozenset[str]) -> str:
    text = cell.strip()
    if text in ("", "0", "1") or text in missing:
        return text
    return "0" if norm_label(text) in unticked else "1"


# LimeSurvey's full answers write "N/A" for a question never shown (or a Yes/No left
# unanswered): no answer, unless the question has a level of that name.
NOT_SHOWN = {"limesurvey": frozenset({"n/a"})}


def _blanked(
    responses: pd.DataFrame,
    export: SurveyExport,
    questions: Mapping[str, Question],
    levels: Mapping[str, Iterable[tuple[int, str]]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells that are no answer in the tool's own terms set empty, each a log row with the
    value: codes the file declares missing (SPSS user-missing, Stata .a-.z), and the tool's
    "not shown" word. Before multiple-choice ticks, so a missing option is not ticked."""
    rows = []
    out = {}
    not_shown = NOT_SHOWN.get(export.tool, frozenset())
    for question in questions.values():
        coded = set(question.coded_columns())
        for column, variable in question.columns().items():
            codes = set(export.declared_missing.get(variable, ()))
            words = set()
            if column in coded and not_shown:
                named = {norm_label(label) for _, label in levels.get(column, ())}
                words = {w for w in not_shown if w not in named}
            if not codes and not words:
                continue
            cells = responses[column]
            # Decided once per distinct cell, then looked up.
            distinct = set(cells.tolist())
            declared_values = {v for v in distinct if v.strip() in codes}
            shown_values = {v for v in distinct if v.strip().casefold() in words} - declared_values
            declared = cells.isin(declared_values)
            hit = declared | cells.isin(shown_values)
            if not hit.any():
                continue
            for rid, value, is_declared in zip(
                responses["respondent_id"][hit], cells[hit], declared[hit], strict=True
            ):
                rule = "declared_missing" if is_declared else "not_shown"
                reason = (
                    "a missing value the file declares"
                    if is_declared
                    else "the tool's word for a question not shown or not answered"
                )
                rows.append((rid, column, value, "", rule, reason))
            out[column] = cells.where(~hit, "")
    log = pd.DataFrame(
        rows, columns=["respondent_id", "question", "raw_value", "clean_value", "rule", "reason"]
    )
    return (responses.assign(**out) if out else responses), log


def _personal_questions(export: SurveyExport, questions: Mapping[str, Question]) -> None:
    named = [
        (q.id, var)
        for q in questions.values()
        for var in q.columns().values()
        if var in export.personal
    ]
    if named:
        listed = "; ".join(f"{qid} -> {var}" for qid, var in named)
        raise InputError(
            f"the questions map names the tool's personal-data columns ({listed}), which "
            "never go further than ingest.",
            path=export.path,
            hint="remove these questions from the questions map of your config.",
        )


def _respondent_ids(kept: pd.DataFrame, export: SurveyExport) -> pd.Series:
    column = export.id_column
    if column is None or column not in kept.columns:
        raise InputError(
            "has no respondent-id column"
            + (f" {column!r}" if column else "")
            + f" (columns: {', '.join(list(kept.columns)[:8])} ...).",
            path=export.path,
            hint="set export.id_column in your config to the variable that identifies a "
            "respondent.",
        )
    # Repeated ids are left to validation, which lists every one of them.
    ids = kept[column].str.strip()
    blank = ids == ""
    if blank.any():
        rows = list(kept.index[blank][:5])
        raise InputError(
            f"completed interviews without a respondent id in column {column!r}: rows {rows}.",
            path=export.path,
            row=int(rows[0]),
            column=column,
            hint="set export.id_column in your config to a column that identifies every "
            "respondent, or fill in the missing ids.",
        )
    return ids


def build_responses(
    export: SurveyExport,
    questions: Mapping[str, Question],
    settings: Mapping[str, Any],
    *,
    missing_codes: Iterable[int] = (),
    levels: Mapping[str, Iterable[tuple[int, str]]] | None = None,
) -> IngestResult:
    """Keep completed interviews and map the export's variables to canonical columns (as text).

    ``settings`` is the config's `export:` block (with the EFS dispcode lists). A labels-shape
    export is decoded first (codebook, questions map, the tool's own labels); multiple-choice
    options are made 1/0 whatever way the tool writes them.
    """
    codebook = export.codebook
    missing = frozenset(str(code) for code in missing_codes)
    frame = export.frame
    if export.shape == "labels":
        frame = labels_to_codes(
            export, codebook, labels=column_labels(questions, codebook), status_column=None
        )
    frame = _joined_options(frame, questions, missing)
    _personal_questions(export, questions)
    absent = [
        (q.id, var)
        for q in questions.values()
        for var in q.columns().values()
        if var not in frame.columns
    ]
    if absent:
        raise _missing_variables_error(absent, export)

    completion = readers.completion(export, settings)
    keep = completion.completed.to_numpy(dtype=bool)
    status = completion.status
    if not keep.any():
        found = ", ".join(
            f"{code} ({n}x)" for code, n in status.value_counts().sort_index().items()
        )
        raise InputError(
            f"0 of {len(frame)} interviews completed by the rule {completion.rule}; statuses "
            f"found: {found}.",
            path=export.path,
            hint="set the completion rule in your config (completed_dispcodes for EFS, or "
            "export.completed: {variable: ..., values: [...]}) to what marks a completed "
            "interview in this export, or point export.data at the final export.",
        )
    dropped = status[~keep].value_counts().sort_index()
    kept = frame[keep]
    out: dict[str, Any] = {
        "respondent_id": _respondent_ids(kept, export).to_numpy(),
        "status": status[keep].to_numpy(),
        "source_row": kept.index.to_numpy(dtype="int64"),
    }
    for question in questions.values():
        for column, variable in question.columns().items():
            out[column] = kept[variable].to_numpy()
    responses, declared = _blanked(pd.DataFrame(out), export, questions, levels or {})
    # Tools that tick an option with text; a statistics file codes its options (1/0, or a
    # dichotomy set's counted value made 1/0 by the reader), and another code stays for
    # validation to report rather than being read as ticked.
    if export.tool in TICKS_WITH_TEXT:
        responses = _options_as_ticks(responses, questions, missing)
    return IngestResult(
        responses=responses,
        rows_read=len(frame),
        rows_kept=int(keep.sum()),
        dropped_by_status={str(k): int(v) for k, v in dropped.items()},
        completion_rule=completion.rule,
        declared_missing=declared,
    )
