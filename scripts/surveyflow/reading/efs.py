"""Reader of EFS / Unipark exports (codes or labels shape, CSV or .xlsx, with its codebook).

The parsing itself lives in :mod:`surveyflow.reading.efs_files` (data file) and
:mod:`surveyflow.reading.efs_codebook`; this module puts them behind the reader interface.
Completed: dispcode in ``completed_dispcodes`` (31, 32 by default); a dispcode outside
``known_dispcodes`` stops.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from surveyflow.errors import InputError
from surveyflow.reading.base import Completion, SurveyExport
from surveyflow.reading.efs_codebook import read_codebook
from surveyflow.reading.efs_files import XLSX_SUFFIXES, read_configured_export
from surveyflow.reading.labels import status_code
from surveyflow.textfile import sniff_encoding

TOOL = "efs"
ID_COLUMN = "lfdn"
STATUS_COLUMN = "dispcode"
DEFAULT_COMPLETED = (31, 32)
# EFS's own columns (respondent, status, paradata): never questions.
METADATA_PATTERN = (
    r"^(?:lfdn|external_lfdn|tester|dispcode|lastpage|quality|duration|browser|referer"
    r"|device_type|participant_.*|quota.*|page_history|hflip|vflip|output_mode|javascript"
    r"|flash|session_id|language|cleaned|ats|datetime|date_of_.*|rts\d+|status|token|ip.*)$"
)
_PERSONAL = ("browser", "referer", "ip_addr", "token", "session_id")


def _head_text(head: bytes) -> str:
    try:
        return head.decode(sniff_encoding(head), errors="replace")
    except LookupError:
        return head.decode("latin-1")


SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def sniff(path: str, head: bytes) -> bool:
    """A workbook (only EFS exports are read from .xlsx) or text with an lfdn column."""
    if Path(path).suffix.lower() in XLSX_SUFFIXES:
        return True
    lines = _head_text(head).lstrip("\ufeff").splitlines()[:3]
    return any(
        "lfdn" in (f.strip().strip('"') for f in _fields(line)) for line in lines if line.strip()
    )


def _fields(line: str) -> list[str]:
    for sep in (";", "\t", ","):
        if sep in line:
            return line.split(sep)
    return [line]


def read(path: str, settings: Mapping[str, Any]) -> SurveyExport:
    raw = read_configured_export(path, settings)
    codebook_path = settings.get("codebook")
    codebook = read_codebook(codebook_path) if codebook_path else None
    meta = re.compile(METADATA_PATTERN, re.IGNORECASE)
    columns = list(raw.frame.columns)
    id_column = settings.get("id_column") or ID_COLUMN
    detected = {
        "shape": raw.shape,
        "encoding": raw.encoding,
        "separator": raw.separator,
        "line_ending": raw.line_ending,
        "quoted": raw.quoted,
        "codebook_encoding": codebook.encoding if codebook else None,
    }
    return SurveyExport(
        path=raw.path,
        tool=TOOL,
        frame=raw.frame,
        shape=raw.shape,
        id_column=id_column,
        codebook=codebook,
        metadata=tuple(c for c in columns if meta.match(c)),
        personal=tuple(c for c in columns if c.lower() in _PERSONAL),
        question_texts=raw.question_texts,
        item_labels=raw.item_labels,
        detected=detected,
    )


_STATUS_HINT = (
    "a labels export spells the status as 'Completed (31)'; for a status label without its "
    "code in parentheses, map it in your config under export.status_labels (label: code, "
    "e.g. {{{value!r}: 31}}), or export the data with codes and give export.codebook."
)


def completion(export: SurveyExport, settings: Mapping[str, Any]) -> Completion:
    """dispcode in completed_dispcodes; every dispcode must be one of known_dispcodes."""
    frame = export.frame
    if STATUS_COLUMN not in frame.columns:
        raise InputError(
            f"has no {STATUS_COLUMN!r} column, which every EFS export carries.",
            path=export.path,
            hint="export the raw data (all variables) from the survey tool, or set "
            "export.completed to the variable and values that mark a completed interview.",
        )
    labels = settings.get("status_labels")
    raw = frame[STATUS_COLUMN]
    # Decided once per distinct status: an export holds a handful of them.
    values = raw.tolist()
    decoded = {v: status_code(v, labels) if isinstance(v, str) else None for v in set(values)}
    codes = [decoded[v] for v in values]
    bad = [i for i, c in enumerate(codes) if c is None]
    if bad:
        row = frame.index[bad[0]]
        value = raw.iloc[bad[0]].strip()
        raise InputError(
            f"column {STATUS_COLUMN!r} must hold whole numbers; rows "
            f"{list(frame.index[bad[:5]])} do not (first value: {value!r}).",
            path=export.path,
            row=int(row),
            column=STATUS_COLUMN,
            hint=_STATUS_HINT.format(value=value),
        )
    dispcode = pd.Series([int(c) for c in codes], index=frame.index)
    known = settings.get("known_dispcodes")
    if known is not None:
        unknown = ~dispcode.isin(list(known))
        if unknown.any():
            rows = list(frame.index[unknown][:5])
            raise InputError(
                f"unknown dispcode(s) {sorted(set(dispcode[unknown]))} in rows {rows}.",
                path=export.path,
                row=int(rows[0]),
                column=STATUS_COLUMN,
                hint="add the code to known_dispcodes in the config if the survey tool uses it.",
            )
    completed = list(settings.get("completed_dispcodes") or DEFAULT_COMPLETED)
    return Completion(
        completed=dispcode.isin(completed),
        status=dispcode.astype(str),
        rule=f"dispcode in {completed} (completed_dispcodes)",
    )
