"""From a parsed export to the canonical responses: completed interviews, canonical columns."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from surveyflow.config import Question
from surveyflow.efs import Codebook, RawExport
from surveyflow.errors import InputError
from surveyflow.labels import column_labels, labels_to_codes

MULTIPLE_CHOICE_LEVELS = ((0, "not quoted"), (1, "quoted"))


@dataclass(frozen=True)
class IngestResult:
    responses: pd.DataFrame
    rows_read: int
    rows_kept: int
    dropped_by_dispcode: dict[int, int]


def resolve_levels(
    questions: Mapping[str, Question], codebook: Codebook | None, missing_codes: Iterable[int]
) -> dict[str, list[tuple[int, str]]]:
    """Ordered (code, label) levels of every coded column, from questions.yaml or the codebook."""
    levels: dict[str, list[tuple[int, str]]] = {}
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
            values = [(code, label) for code, label in known if str(code) not in missing]
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


def _missing_variables_error(missing: list[tuple[str, str]], export: RawExport) -> InputError:
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


def _integer_column(
    frame: pd.DataFrame, column: str, path: str, hint: str | None = None
) -> pd.Series:
    values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
    bad = values.isna() | (values != values.round())
    if bad.any():
        rows = list(frame.index[bad][:5])
        raise InputError(
            f"column {column!r} must hold whole numbers; rows {rows} do not "
            f"(first value: {frame.loc[rows[0], column]!r}).",
            path=path,
            row=int(rows[0]),
            column=column,
            hint=hint or "check that this is an unmodified export of the survey tool.",
        )
    return values.astype("int64")


_STATUS_HINT = (
    "a labels export spells the status as 'Completed (31)'; for a status label without its "
    "code in parentheses, map it in your config under export.status_labels (label: code, "
    "e.g. {{{value!r}: 31}}), or export the data with codes and give export.codebook."
)


def _status_column(frame: pd.DataFrame, path: str) -> pd.Series:
    """The dispcode column as integers; an error names the config key that decodes a label."""
    column = frame["dispcode"]
    bad = column[~column.str.strip().str.fullmatch(r"[+-]?\d+")]
    hint = _STATUS_HINT.format(value=bad.iloc[0].strip()) if len(bad) else None
    return _integer_column(frame, "dispcode", path, hint)


def build_responses(
    export: RawExport,
    codebook: Codebook | None,
    questions: Mapping[str, Question],
    *,
    completed: Iterable[int],
    known: Iterable[int],
    status_labels: Mapping[str, int] | None = None,
) -> IngestResult:
    """Keep completed interviews and map the export's variables to canonical columns (as text).

    A labels-shape export is decoded first (codebook, questions map, the tool's own labels);
    it needs no codebook when the questions map gives the levels of its coded questions.
    """
    frame = export.frame
    if export.shape == "labels":
        frame = labels_to_codes(
            export,
            codebook,
            labels=column_labels(questions, codebook),
            status_labels=status_labels,
        )
    for required in ("lfdn", "dispcode"):
        if required not in frame.columns:
            raise InputError(
                f"has no {required!r} column, which every EFS export carries.",
                path=export.path,
                hint="export the raw data (all variables) from the survey tool.",
            )
    missing = [
        (q.id, var)
        for q in questions.values()
        for var in q.columns().values()
        if var not in frame.columns
    ]
    if missing:
        raise _missing_variables_error(missing, export)

    dispcode = _status_column(frame, export.path)
    unknown = ~dispcode.isin(list(known))
    if unknown.any():
        rows = list(frame.index[unknown][:5])
        raise InputError(
            f"unknown dispcode(s) {sorted(set(dispcode[unknown]))} in rows {rows}.",
            path=export.path,
            row=int(rows[0]),
            column="dispcode",
            hint="add the code to known_dispcodes in the config if the survey tool uses it.",
        )
    completed = list(completed)
    keep = dispcode.isin(completed)
    if not keep.any():
        found = ", ".join(
            f"{code} ({n}x)" for code, n in dispcode.value_counts().sort_index().items()
        )
        raise InputError(
            f"0 of {len(frame)} interviews completed; dispcodes found: {found}; "
            f"completed_dispcodes is {completed}.",
            path=export.path,
            column="dispcode",
            hint="set completed_dispcodes in your config to the codes that mark a completed "
            "interview in this export, or point export.data at the final export.",
        )
    dropped = dispcode[~keep].value_counts().sort_index()
    kept = frame[keep]
    ids = _integer_column(kept, "lfdn", export.path)

    out: dict[str, Any] = {
        "respondent_id": ids.to_numpy(),
        "dispcode": dispcode[keep].to_numpy(),
        "source_row": kept.index.to_numpy(dtype="int64"),
    }
    for question in questions.values():
        for column, variable in question.columns().items():
            out[column] = kept[variable].to_numpy()
    responses = pd.DataFrame(out)
    return IngestResult(
        responses=responses,
        rows_read=len(frame),
        rows_kept=int(keep.sum()),
        dropped_by_dispcode={int(k): int(v) for k, v in dropped.items()},
    )
