"""Reader of LimeSurvey response exports: CSV with answer codes or full answers.

LimeSurvey's "Export responses" (and RemoteControl's export_responses) writes one header
record, then one record per response: UTF-8 with a BOM, every cell double-quoted, CRLF line
ends, a blank line at the end, fields separated by a comma, semicolon or tab (the user's
choice). The headings are question codes (``id``, ``submitdate``, ``Q1``, ``Q2[SQ001]``,
``Q1[other]``, ``Q3[comment]``, ``interviewtime``, ``groupTime12``, ``Q1Time``), full
question texts (``Response ID``, ``Date submitted``, ``Question text [Subquestion]``,
``Total time``, ``Group time: …``, ``Question time: …``) or both ("code. text"). Cells hold
answer codes (``A1``, ``Y`` for a ticked option, ``-oth-``) or full answers (the option
text, ``Yes``/``No``); the ingest stage looks either up in the questions map's ``levels:``.
An export of a survey without responses has one record of empty cells: it is skipped.
Completed: ``submitdate`` not empty.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from surveyflow.errors import InputError
from surveyflow.reading.base import Completion, SurveyExport, name_problem
from surveyflow.reading.limesurvey_header import (
    PERSONAL_ROLES,
    SEPARATORS,
    column_roles,
    decode_head,
    find_header,
    first_record,
    heading_style,
    heading_texts,
    sep_name,
)
from surveyflow.textfile import decode_text, line_ending

TOOL = "limesurvey"
SUFFIXES = (".csv", ".txt", ".tsv")
_ANSWER_CODE_RE = re.compile(r"^A\d+$")
# Columns that hold free text beside an option, not an answer code.
_TEXT_SUFFIXES = ("[other]", "[comment]", "[othercomment]", "[filecount]")

_ENCODING_HINT = (
    "LimeSurvey writes UTF-8 (with a byte order mark); set export.encoding in your config "
    "to the file's encoding (utf-8, cp1252, latin-1 ...) or to auto"
)
_REEXPORT = (
    "export the responses again from LimeSurvey (Responses > Export > CSV) and point "
    "export.data at that file"
)


def sniff(path: str, head: bytes) -> bool:
    """Text whose header record names id and submitdate (or Response ID, Date submitted)."""
    text = decode_head(head)
    if text is None:
        return False
    return any(heading_style(first_record(text, sep)) for sep in SEPARATORS)


def _separator_option(settings: Mapping[str, Any], path: str) -> str | None:
    value = settings.get("separator", "auto")
    if value in (None, "auto"):
        return None
    if value in SEPARATORS:
        return str(value)
    raise InputError(
        f"export.separator {value!r} is not one LimeSurvey writes.",
        path=path,
        hint="set export.separator in your config to auto, ',', ';' or a tab ('\\t').",
    )


def _records(text: str, sep: str, path: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as exc:
        raise InputError(
            f"cannot be read as {sep_name(sep)}-separated text: {exc} (line {reader.line_num}).",
            path=path,
            row=len(records) + 1,
            hint="the file is probably cut short or a cell's double quotes were edited; "
            + _REEXPORT,
        ) from None
    return records


def _check_names(names: list[str], row: int, style: str, path: str) -> None:
    problem = name_problem(names)
    if problem is None:
        return
    pos, name, first = problem
    if first is None:
        raise InputError(
            f"column {pos} of the header record has no name",
            path=path,
            row=row,
            hint="LimeSurvey names every column; remove the unnamed column or " + _REEXPORT,
        )
    # Question texts repeat when two questions share one; question codes never do.
    texts = style != "code"
    hint = (
        "export the responses again with headings 'Question code', which are unique"
        if texts
        else "each column must appear once; remove the duplicate or " + _REEXPORT
    )
    raise InputError(
        f"the heading {name!r} names columns {first} and {pos}"
        + (": two questions share the same text" if texts else ""),
        path=path,
        row=row,
        column=name,
        hint=hint,
    )


def _body(
    records: list[list[str]], start: int, width: int, path: str, names: list[str]
) -> tuple[list[int], list[list[str]], int]:
    """Row numbers and records of the responses, and how many blank records were skipped."""
    rows: list[int] = []
    body: list[list[str]] = []
    blank = 0
    for number, record in enumerate(records[start:], start=start + 1):
        if len(record) != width:
            if not any(cell.strip() for cell in record):
                blank += 1  # a blank line, e.g. the one LimeSurvey writes at the end
                continue
            raise InputError(
                f"has {len(record)} fields, expected {width} (as many as the header record "
                f"names: {', '.join(names[:3])} ...).",
                path=path,
                row=number,
                hint="the file may be cut short, or a cell holds a separator or line break "
                "without quotes; fix that row or " + _REEXPORT,
            )
        if not any(record):
            blank += 1  # the one empty record of an export without responses
            continue
        rows.append(number)
        body.append(record)
    return rows, body, blank


def _duplicate_ids(frame: pd.DataFrame, column: str, path: str) -> None:
    ids = frame[column].str.strip()
    dup = ids.duplicated(keep=False) & (ids != "")
    if not dup.any():
        return
    groups = frame.index[dup].to_series().groupby(ids[dup].to_numpy(), sort=False)
    shown = [f"{value!r} in rows {', '.join(map(str, rows))}" for value, rows in groups]
    raise InputError(
        f"column {column!r} must identify each response once, but holds the same id more "
        f"than once: {'; '.join(shown[:3])}" + (" ..." if len(shown) > 3 else ""),
        path=path,
        row=int(frame.index[dup][0]),
        column=column,
        hint="LimeSurvey numbers responses uniquely, so the file was probably put together "
        "from several exports or edited: keep one row per id, or export all responses in one "
        "export; if another column identifies respondents, set export.id_column to it",
    )


def _answers(frame: pd.DataFrame, columns: list[str]) -> str | None:
    """Answer codes or full answers, if the cells show which (Y, A1, -oth- / Yes, No)."""
    full = False
    for column in columns:
        if column.strip().lower().endswith(_TEXT_SUFFIXES):
            continue
        values = {v for v in frame[column].unique().tolist() if v != ""}
        if not values:
            continue
        if values <= {"Y", "N"} or "-oth-" in values:
            return "codes"
        if all(_ANSWER_CODE_RE.match(v) for v in values):
            return "codes"
        full = full or (values <= {"Yes", "No", "N/A"} and bool(values & {"Yes", "No"}))
    return "full" if full else None


def read(path: str, settings: Mapping[str, Any]) -> SurveyExport:
    """The export's responses as text cells, its own columns marked, texts from headings."""
    option = _separator_option(settings, path)
    data = Path(path).read_bytes()
    text, encoding = decode_text(data, settings.get("encoding") or "auto", path, _ENCODING_HINT)
    if not text.strip():
        raise InputError("is empty", path=path, hint=_REEXPORT)
    sep, style, code_sep = find_header(text, option, path)
    records = _records(text, sep, path)
    start = next(i for i, r in enumerate(records) if any(c.strip() for c in r))
    names = records[start]
    _check_names(names, start + 1, style, path)
    rows, body, blank = _body(records, start + 1, len(names), path, names)
    if not body:
        raise InputError(
            "holds no responses (only the header record"
            + (" and empty records)." if blank else ")."),
            path=path,
            hint="check that the survey has responses and that the export's filter "
            "(completion state, response id range) includes them; " + _REEXPORT,
        )
    frame = pd.DataFrame(body, columns=names, index=pd.Index(rows, name="row"), dtype="str")

    roles = column_roles(names, style, code_sep)
    by_role = {r: n for n, r in zip(names, roles, strict=True) if r and r != "timing"}
    id_column = settings.get("id_column") or by_role.get("id")
    if id_column is not None and id_column not in frame.columns:
        raise InputError(
            f"has no column {id_column!r}, which export.id_column names",
            path=path,
            hint="set export.id_column in your config to one of the export's columns ("
            + ", ".join(names[:5])
            + " ...), or remove it to use LimeSurvey's id",
        )
    if id_column is not None:
        _duplicate_ids(frame, id_column, path)
    questions, items = heading_texts(names, roles, style, code_sep)
    question_columns = [n for n, r in zip(names, roles, strict=True) if r is None]
    detected = {
        "encoding": encoding,
        "separator": sep,
        "line_ending": line_ending(text),
        "quoted": text.lstrip("\r\n").startswith('"'),
        "headings": style,
        "code_text_separator": code_sep or None,
        "answers": _answers(frame, question_columns),
        "header_rows": 1,
        "skipped_records": blank,
        "tool_columns": {role: name for role, name in by_role.items() if role != "attribute"},
    }
    return SurveyExport(
        path=path,
        tool=TOOL,
        frame=frame,
        shape="labels",
        id_column=id_column,
        metadata=tuple(n for n, r in zip(names, roles, strict=True) if r is not None),
        personal=tuple(n for n, r in zip(names, roles, strict=True) if r in PERSONAL_ROLES),
        question_texts=questions,
        item_labels=items,
        detected=detected,
    )


def completion(export: SurveyExport, settings: Mapping[str, Any]) -> Completion:
    """Completed: submitdate (Date submitted) not empty; status names the last page if not."""
    columns = export.detected.get("tool_columns") or {}
    submitted = columns.get("submitdate")
    frame = export.frame
    if submitted is None or submitted not in frame.columns:
        raise InputError(
            "has no submitdate (Date submitted) column, which marks LimeSurvey's completed "
            "responses",
            path=export.path,
            hint="export the responses with the column submitdate included, or set "
            "export.completed in your config to the variable and values that mark a "
            "completed interview",
        )
    done = frame[submitted].str.strip() != ""
    lastpage = columns.get("lastpage")
    pages = frame[lastpage].str.strip() if lastpage in frame.columns else None
    last = pages.tolist() if pages is not None else [""] * len(frame)
    status = [
        "submitted" if ok else "not submitted" + (f" (last page {page})" if page else "")
        for ok, page in zip(done.tolist(), last, strict=True)
    ]
    return Completion(
        completed=done,
        status=pd.Series(status, index=frame.index, dtype="str"),
        rule=f"{submitted} not empty (LimeSurvey: the response was submitted)",
    )
