"""Reader of Qualtrics response exports ("Download Data Table" as CSV or TSV).

The export (the default since 2017) starts with three header records: column names, question
texts and ``{"ImportId": ...}`` JSON (see :mod:`surveyflow.reading.qualtrics_header`), then
one record per response. CSV is UTF-8 with a BOM; TSV is UTF-16 (little-endian, with a BOM),
both read with the csv module, so quoted free text may hold line breaks (the index counts
records, header records included: the first response is row 4). Cells are kept as written:
numeric values (``Finished`` 1/0, choices as recode values) give shape "codes", choice text
(``Finished`` True/False, ``Status`` "IP Address") "labels"; a multiple-choice question is one
column of comma-joined choices ("1,3", "Bachelor,Master") or one column per option ("1"/"0"/""
or the option's text/""), ``-99`` marks a question seen but not answered where the user chose
that option. The legacy export (``V1``, ``V2`` ... over ``ResponseID``) is refused.

Completed: ``Finished`` true, not a preview (``Status`` Survey Preview, or
``DistributionChannel`` preview) and not a test response (``Status`` Survey Test).
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from surveyflow.errors import InputError
from surveyflow.reading import qualtrics_header as qh
from surveyflow.reading.base import Completion, SurveyExport
from surveyflow.textfile import decode_text, line_ending, sniff_encoding

TOOL = "qualtrics"
SUFFIXES = (".csv", ".tsv")
ID_COLUMNS = ("ResponseId", "ResponseID")
HEADER_ROWS = qh.HEADER_ROWS
# Status as the numeric export codes it -> as the choice-text export writes it.
STATUS_LABELS: dict[str, str] = {
    "0": "IP Address",
    "1": "Survey Preview",
    "2": "Survey Test",
    "4": "Imported",
    "8": "Spam",
    "9": "Survey Preview Spam",
    "12": "Imported Spam",
    "16": "Offline",
    "17": "Offline Survey Preview",
    "32": "EX",
    "40": "EX Spam",
    "48": "EX Offline",
}
_TEST_STATUS = {"2", "survey test"}
_TRUE = {"1", "true"}
_FALSE = {"0", "false"}

_ENCODING_HINT = (
    "set export.encoding in the config to the file's encoding (Qualtrics writes CSV as utf-8 "
    "with a BOM and TSV as utf-16), or to auto to detect it"
)


def _utf16_without_bom(data: bytes) -> str | None:
    """utf-16-le/-be when every other byte of the start is NUL (UTF-16 text lacking a BOM)."""
    head = data[:512]
    if len(head) < 8 or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    odd, even = head[1::2], head[0::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode(data: bytes, encoding: str, path: str) -> tuple[str, str]:
    if str(encoding).strip().lower() == "auto":
        encoding = _utf16_without_bom(data) or "auto"
    text, used = decode_text(data, encoding, path, _ENCODING_HINT)
    return text.removeprefix("\ufeff"), used


def _separator(text: str, setting: object) -> str:
    if setting and str(setting) != "auto":
        return str(setting)
    first = text[: text.find("\n")] if "\n" in text else text
    return "\t" if first.count("\t") > first.count(",") else ","


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsing creates millions of cells (lists of str,
    which form no cycles) that it would otherwise rescan over and over (~40% of read time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _records(text: str, sep: str) -> Iterator[tuple[int, list[str]]]:
    """(record number, fields) of the non-blank records; blank lines are counted, not kept."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    for number, fields in enumerate(reader, start=1):
        if len(fields) > 1 or (fields and fields[0].strip()):
            yield number, fields


def sniff(path: str, head: bytes) -> bool:
    """Text whose first record names ResponseId and Finished/StartDate, whose third is the
    ImportId row, or a legacy export (V1, V2 ... over ResponseID), so read() can refuse it."""
    encoding = _utf16_without_bom(head)
    if (
        encoding is None
        and b"\x00" in head
        and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    ):
        return False  # binary: .sav, .dta, .xlsx
    try:
        text = head.decode(encoding or sniff_encoding(head), errors="replace")
    except LookupError:
        return False
    text = text.lstrip("\ufeff")
    records: list[list[str]] = []
    try:
        for _, fields in _records(text, _separator(text, None)):
            records.append(fields)
            if len(records) == HEADER_ROWS:
                break
    except csv.Error:
        pass  # the head may end inside a quoted cell: judge the records read so far
    if not records:
        return False
    names = {f.strip() for f in records[0]}
    if names & set(ID_COLUMNS) and names & {"Finished", "StartDate"}:
        return True
    if len(records) >= 3 and qh.is_import_id_record(records[2]):
        return True
    return qh.is_legacy(records[0], records[1] if len(records) > 1 else None)


def read(path: str, settings: Mapping[str, Any]) -> SurveyExport:
    data = Path(path).read_bytes()
    text, encoding = _decode(data, settings.get("encoding", "auto"), path)
    if not text.strip():
        raise _no_responses(path, "the file is empty")
    sep = _separator(text, settings.get("separator"))
    with _without_cyclic_gc():
        header, frame = _parse(path, text, sep)
    question_texts, item_labels, qids = qh.split_texts(header)
    metadata, personal = qh.column_roles(header)
    shape, values = _shape(frame, header, settings)
    detected = {
        "encoding": encoding,
        "separator": sep,
        "line_ending": line_ending(text),
        "header_rows": HEADER_ROWS,
        "values": values,
        "split_multi_value": any(c is not None for c in header.choice_ids),
        "import_ids": dict(zip(header.names, header.import_ids, strict=True)),
        "question_ids": qids,
        "choice_ids": {
            n: c for n, c in zip(header.names, header.choice_ids, strict=True) if c is not None
        },
    }
    return SurveyExport(
        path=path,
        tool=TOOL,
        frame=frame,
        shape=shape,
        id_column=_id_column(path, header, settings),
        codebook=None,
        metadata=tuple(metadata),
        personal=tuple(personal),
        question_texts=question_texts,
        item_labels=item_labels,
        detected=detected,
    )


def _parse(path: str, text: str, sep: str) -> tuple[qh.Header, pd.DataFrame]:
    """The header records and the responses' frame, every record checked against the names."""
    try:
        records = list(_records(text, sep))
    except csv.Error as exc:
        raise InputError(
            f"cannot be parsed as {'tab' if sep == chr(9) else repr(sep)}-separated text: {exc}",
            path=path,
            hint="a text cell probably has an unbalanced double quote; " + qh.REEXPORT,
        ) from None
    header = qh.read_header(path, records)
    width = len(header.names)
    for number, fields in records:
        if len(fields) != width and not (
            header.trailing_empty and len(fields) == width + 1 and not fields[-1].strip()
        ):
            raise InputError(
                f"has {len(fields)} fields, expected {width} (as many as the column-name row).",
                path=path,
                row=number,
                hint="the file may be truncated, or a text cell holds a separator or line "
                "break that is not quoted; fix that row or " + qh.REEXPORT,
            )
    body = records[HEADER_ROWS:]
    if not body:
        raise _no_responses(path, "header rows only, no responses")
    frame = pd.DataFrame(
        [fields[:width] for _, fields in body],
        columns=header.names,
        index=pd.Index([number for number, _ in body], name="row"),
        dtype="str",
    )
    return header, frame


def _no_responses(path: str, why: str) -> InputError:
    return InputError(
        f"contains no responses ({why}).",
        path=path,
        hint="check export.data in the config; " + qh.REEXPORT,
    )


def _cells(frame: pd.DataFrame, column: str) -> set[str]:
    return {v.strip().casefold() for v in frame[column].unique().tolist()} - {""}


def _shape(frame: pd.DataFrame, header: qh.Header, settings: Mapping[str, Any]) -> tuple[str, str]:
    """("codes", "numeric values") or ("labels", "choice text"), read from the tool's fields."""
    names = {iid: n for n, iid in zip(header.names, header.import_ids, strict=True)}
    finished = names.get("finished", "Finished" if "Finished" in frame.columns else None)
    status = names.get("status", "Status" if "Status" in frame.columns else None)
    labels: bool | None = None
    if finished:
        found = _cells(frame, finished)
        if found and found <= _TRUE | _FALSE:
            labels = not found <= {"0", "1"}
    if labels is None and status:
        found = _cells(frame, status)
        if found:
            labels = not all(re.fullmatch(r"\d+", v) for v in found)
    if labels is None:
        # No tool fields to tell by: choice text writes answers of closed questions as words.
        closed = [
            n
            for n, iid in zip(header.names, header.import_ids, strict=True)
            if qh.question_id(iid) and not iid.endswith("TEXT")
        ]
        configured = str(settings.get("shape", "auto"))
        if configured in ("codes", "labels"):
            labels = configured == "labels"
        else:
            labels = any(
                not re.fullmatch(r"-?\d+(?:[.,]\d+)?", v) for n in closed for v in _cells(frame, n)
            )
    return ("labels", "choice text") if labels else ("codes", "numeric values")


def _id_column(path: str, header: qh.Header, settings: Mapping[str, Any]) -> str | None:
    configured = settings.get("id_column")
    if configured:
        if configured not in header.names:
            raise InputError(
                f"has no column {configured!r}, which export.id_column names.",
                path=path,
                hint="set export.id_column in your config to one of the export's columns "
                "(Qualtrics' own is ResponseId), or remove it",
            )
        return str(configured)
    # By ImportId first: an export with internal ids in its header names the column _recordId.
    own = [n for n, i in zip(header.names, header.import_ids, strict=True) if i == "_recordId"]
    return next(iter(own), None) or next((c for c in ID_COLUMNS if c in header.names), None)


def _tool_column(export: SurveyExport, import_id: str) -> str | None:
    ids = export.detected.get("import_ids", {})
    found = next((n for n, i in ids.items() if i == import_id), None)
    fallback = qh.META_IMPORT_IDS[import_id]
    return found or (fallback if fallback in export.frame.columns else None)


def completion(export: SurveyExport, settings: Mapping[str, Any]) -> Completion:
    """Finished true, and neither a preview nor a test response (by Status or channel)."""
    frame = export.frame
    finished_col = _tool_column(export, "finished")
    if finished_col is None:
        raise InputError(
            "has no 'Finished' column, which the Qualtrics completion rule reads.",
            path=export.path,
            hint="export the data with all metadata fields, or set export.completed in your "
            "config to the variable and values that mark a completed interview",
        )
    finished = frame[finished_col].str.strip().str.casefold()
    odd = ~finished.isin(_TRUE | _FALSE)
    if odd.any():
        rows = list(frame.index[odd][:5])
        raise InputError(
            f"column {finished_col!r} must hold 1/0 or True/False; rows {rows} do not (first "
            f"value: {frame[finished_col][odd].iloc[0]!r}).",
            path=export.path,
            row=int(rows[0]),
            column=finished_col,
            hint="set export.completed in your config to {variable: "
            f"{finished_col}, values: [...]}} with the value that means finished, or re-export",
        )
    done = finished.isin(_TRUE)
    status_col = _tool_column(export, "status")
    channel_col = _tool_column(export, "distributionChannel")
    if status_col is not None:
        raw = frame[status_col].str.strip()
        label = raw.map(lambda v: STATUS_LABELS.get(v, f"Status {v}" if v.isdigit() else v))
        folded = raw.str.casefold()
        preview = label.str.contains("preview", case=False, regex=False)
        test = folded.isin(_TEST_STATUS)
    else:
        label = pd.Series("", index=frame.index, dtype="str")
        preview = test = pd.Series(False, index=frame.index)
    if channel_col is not None:
        # A response whose Status does not say so may still come from the preview or test link.
        channel = frame[channel_col].str.strip().str.casefold()
        for kind, flags in (("preview", preview), ("test", test)):
            by_channel = (channel == kind) & ~flags
            label = label.where(~by_channel, f"{kind} (DistributionChannel)")
        preview = preview | (channel == "preview")
        test = test | (channel == "test")
    word = done.map({True: "finished", False: "not finished"})
    status = (label + ", " + word).where(label != "", word).astype("str")
    return Completion(
        completed=(done & ~preview & ~test).astype(bool),
        status=status,
        rule="Finished = 1 (True), not a preview (Status Survey Preview or DistributionChannel "
        "preview) and not a test response (Status Survey Test)",
    )
