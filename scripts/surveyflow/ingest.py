"""From a parsed export to the canonical responses: completed interviews, canonical columns."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from surveyflow.config import Question
from surveyflow.efs import Codebook, RawExport, labels_to_codes
from surveyflow.errors import InputError

ID_COLUMNS = ("respondent_id", "dispcode", "source_row")
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
    missing = set(missing_codes)
    levels: dict[str, list[tuple[int, str]]] = {}
    for question in questions.values():
        if question.type == "multiple_choice":
            for column in question.coded_columns():
                levels[column] = list(MULTIPLE_CHOICE_LEVELS)
            continue
        if question.type not in ("single_choice", "likert"):
            continue
        for column, variable in question.columns().items():
            if question.levels is not None:
                levels[column] = sorted(question.levels.items())
                continue
            entry = codebook.variables.get(variable) if codebook else None
            known = entry.values.items() if entry else []
            values = [(code, label) for code, label in known if code not in missing]
            if not values:
                where = codebook.path if codebook else "no codebook configured"
                raise InputError(
                    f"question {question.id}: variable {variable!r} has no value labels "
                    f"in the codebook ({where}).",
                    path=codebook.path if codebook else None,
                    hint=f"give export.codebook, or `levels:` (code: label) for {question.id} "
                    "in questions.yaml.",
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
        "the export lacks variables that questions.yaml names: " + "; ".join(parts) + ".",
        path=export.path,
        hint="correct the variable names in config/questions.yaml, or point export.data at the "
        "export of the right survey.",
    )


def _integer_column(frame: pd.DataFrame, column: str, path: str) -> pd.Series:
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
            hint="check that this is an unmodified export of the survey tool.",
        )
    return values.astype("int64")


def build_responses(
    export: RawExport,
    codebook: Codebook | None,
    questions: Mapping[str, Question],
    *,
    completed: Iterable[int],
    known: Iterable[int],
) -> IngestResult:
    """Keep completed interviews and map the export's variables to canonical columns (as text)."""
    frame = export.frame
    if export.shape == "labels" and codebook is not None:
        frame = labels_to_codes(export, codebook)
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

    dispcode = _integer_column(frame, "dispcode", export.path)
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
    keep = dispcode.isin(list(completed))
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
