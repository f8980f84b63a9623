"""Read an EFS / Unipark survey export (data file and codebook) into plain Python structures.

The data file comes in two shapes (see docs/design.md, "The survey tool's export"):

* **codes**: one header row of variable names, numeric codes in the cells;
* **labels**: three header rows (question text, item label, variable name), value
  labels in the cells.

Either may be a delimited text file (``;``, ``,`` or tab; quoted or not; CRLF or LF;
UTF-8 with or without BOM, cp1252 or Latin-1, or UTF-16 with BOM as Excel writes it) or
an ``.xlsx`` workbook. Every cell is
kept as the exact string found in the file: no type inference and no NA conversion, so
that validation later sees what respondents and the survey tool actually wrote.

The codebook (EFS's tab-separated description of variables, pages and value labels) is
read by :mod:`surveyflow.reading.codebook`; its names are re-exported here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from surveyflow.errors import InputError
from surveyflow.reading.base import name_problem

# Re-exported: the codebook reader lived here, and callers import it from this module.
from surveyflow.reading.codebook import Codebook, CodebookVariable, read_codebook
from surveyflow.textfile import decode_text, line_ending, sniff_encoding

__all__ = [
    "Codebook",
    "CodebookVariable",
    "RawExport",
    "decode_text",
    "read_codebook",
    "read_configured_export",
    "read_export",
    "sniff_encoding",
]

SEPARATORS: tuple[str, ...] = (";", ",", "\t")
SHAPES: tuple[str, ...] = ("codes", "labels")
XLSX_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
# Columns whose presence marks the variable-name row of an EFS export; lfdn is the
# respondent id, dispcode the disposition code (kept even in trimmed exports).
_KEY_COLUMNS: tuple[str, ...] = ("lfdn", "dispcode")

_ENCODING_HINT = (
    "set export.encoding in the config to the file's encoding (e.g. cp1252 or latin-1 for "
    "files saved by Excel on Windows, utf-8 otherwise), or to auto to detect it"
)
_SHAPE_HINT = (
    "check that export.data points at the EFS data export (not the codebook or another "
    "file); if it is one, set export.separator (';', ',' or '\\t') and export.shape "
    "(codes or labels) in the config to match the file"
)


# --------------------------------------------------------------------------- data export


@dataclass(frozen=True)
class RawExport:
    """An export as read: every cell a ``str`` exactly as in the file, plus how it was read."""

    path: str
    frame: pd.DataFrame
    shape: str
    encoding: str
    separator: str | None
    line_ending: str | None
    quoted: bool
    question_texts: dict[str, str] = field(default_factory=dict)
    item_labels: dict[str, str] = field(default_factory=dict)


def read_export(
    path: str | PathLike[str],
    *,
    encoding: str = "auto",
    separator: str = "auto",
    shape: str = "auto",
    sheet: int | str = 0,
) -> RawExport:
    """Read an EFS data export (codes or labels shape; delimited text or ``.xlsx``).

    ``encoding``, ``separator`` and ``shape`` are detected when ``"auto"``; ``sheet`` (a
    0-based index or a name) selects the worksheet of a workbook. The frame's index is the
    1-based record number in the file, header records included (name ``"row"``), so that
    later error messages can point at the record a user sees in a spreadsheet program.
    """
    path_str = str(path)
    p = Path(path)
    shape = _check_shape_option(shape, path_str)
    if not p.is_file():
        raise InputError(
            "export file not found" + (" (it is a directory)" if p.is_dir() else ""),
            path=path_str,
            hint="check export.data in the config: the path is relative to the workflow directory",
        )
    if p.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(p, path_str, shape, sheet)
    return _read_delimited(p, path_str, encoding, separator, shape)


def read_configured_export(path: str | PathLike[str], settings: Mapping[str, Any]) -> RawExport:
    """:func:`read_export` with the `export:` block of the config (what is not given is auto)."""
    return read_export(
        path,
        encoding=settings.get("encoding", "auto"),
        separator=settings.get("separator", "auto"),
        shape=settings.get("shape", "auto"),
        sheet=settings.get("sheet", 0),
    )


def _check_shape_option(shape: str, path: str) -> str:
    shape = str(shape).strip().lower()
    if shape != "auto" and shape not in SHAPES:
        raise InputError(
            f"unknown export shape {shape!r}",
            path=path,
            hint="set export.shape to auto, codes (one header row) or labels (three header rows)",
        )
    return shape


def _check_separator_option(separator: str, path: str) -> str | None:
    """Return the separator, or None for auto; accepts the spellings a YAML file yields."""
    aliases = {"auto": None, "tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}
    if separator in SEPARATORS:
        return separator
    key = str(separator).strip().lower()
    if key in aliases:
        return aliases[key]
    raise InputError(
        f"unknown export separator {separator!r}",
        path=path,
        hint="set export.separator to auto, ';', ',' or '\\t'",
    )


def _has_key_column(fields: Sequence[str] | None) -> bool:
    return fields is not None and any(key in fields for key in _KEY_COLUMNS)


def _detect_shape(records: Sequence[Sequence[str]], shape: str) -> str | None:
    """The shape whose variable-name row (record 1 or 3) holds lfdn/dispcode, or None."""
    first = [f.strip() for f in records[0]] if records else None
    third = [f.strip() for f in records[2]] if len(records) > 2 else None
    codes_ok, labels_ok = _has_key_column(first), _has_key_column(third)
    if shape == "codes":
        return "codes" if codes_ok else None
    if shape == "labels":
        return "labels" if labels_ok else None
    # Both match only if a question text reads "lfdn"; a codes export's third record is
    # data, where the lfdn column holds a number, so "labels" is the safe reading.
    if labels_ok:
        return "labels"
    return "codes" if codes_ok else None


def _not_an_export(path: str, shape: str, tried: Iterable[str]) -> InputError:
    tried_text = ", ".join(repr(s) for s in tried)
    where = {
        "auto": "the first or third header row",
        "codes": "the first header row (shape codes)",
        "labels": "the third header row (shape labels)",
    }[shape]
    return InputError(
        f"does not look like an EFS/Unipark export: no 'lfdn' column in {where} "
        f"(separator tried: {tried_text})",
        path=path,
        hint=_SHAPE_HINT,
    )


def _csv_reader(text: str, separator: str) -> Iterable[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')


def _head_records(text: str, sep: str) -> list[list[str]]:
    """The first three non-blank records, parsed from a prefix of the text.

    A prefix, because copying a large file's text into a reader per candidate separator
    costs seconds; it grows until it holds a fourth record (so the third is complete).
    """
    size = 1 << 16
    while True:
        prefix = text[:size]
        head = list(islice((r for r in _csv_reader(prefix, sep) if r), 4))
        if len(head) >= 4 or size >= len(text):
            return head[:3]
        size *= 4


def _sniff_separator(text: str, separator: str | None, shape: str, path: str) -> tuple[str, str]:
    """Pick separator and shape from the header records; raise if none fits."""
    candidates = SEPARATORS if separator is None else (separator,)
    best: tuple[int, str, str] | None = None
    for sep in candidates:
        try:
            head = _head_records(text, sep)
        except csv.Error:
            continue  # e.g. an unbalanced quote under a wrong separator
        found = _detect_shape(head, shape)
        if found is None:
            continue
        # Among fitting separators, the one splitting the name row into most fields wins.
        n_fields = len(head[0 if found == "codes" else 2])
        if best is None or n_fields > best[0]:
            best = (n_fields, sep, found)
    if best is None:
        raise _not_an_export(path, shape, candidates)
    return best[1], best[2]


def _read_delimited(p: Path, path: str, encoding: str, separator: str, shape: str) -> RawExport:
    sep_option = _check_separator_option(separator, path)
    data = p.read_bytes()
    text, encoding_used = decode_text(data, encoding, path, _ENCODING_HINT)
    if not text.strip():
        raise _no_responses(path, "the file is empty")
    sep, shape = _sniff_separator(text, sep_option, shape, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as exc:
        raise InputError(
            f"cannot be parsed as {_sep_name(sep)}-separated text near line {reader.line_num}: "
            f"{exc}",
            path=path,
            hint="a text cell probably has an unbalanced double quote; fix it in the file or "
            "re-export from EFS",
        ) from None
    return _build_export(
        path,
        records,
        shape=shape,
        encoding=encoding_used,
        separator=sep,
        line_ending=line_ending(text),
        quoted=text.lstrip("\r\n").startswith('"'),
    )


def _sep_name(sep: str) -> str:
    return {";": "semicolon", ",": "comma", "\t": "tab"}.get(sep, repr(sep))


def _no_responses(path: str, why: str) -> InputError:
    return InputError(
        f"contains no responses ({why})",
        path=path,
        hint="check export.data in the config; re-export the data from EFS with the "
        "responses included (not only the header)",
    )


def _build_export(
    path: str,
    records: list[list[str]],
    *,
    shape: str,
    encoding: str,
    separator: str | None,
    line_ending: str | None,
    quoted: bool,
    sheet_cells: bool = False,
) -> RawExport:
    """Check the records and build the RawExport; blank records are skipped but counted.

    ``sheet_cells``: records come from a worksheet, where a row may stop early or run on
    past the header with empty cells (formatting); only non-empty cells must fit.
    """
    numbered = [(i, r) for i, r in enumerate(records, start=1) if r]
    n_header = 1 if shape == "codes" else 3
    header = numbered[:n_header]
    if len(header) < n_header:
        raise _no_responses(path, f"fewer than the {n_header} header rows of the {shape} shape")
    name_row, names = header[-1][0], [n.strip() for n in header[-1][1]]
    if sheet_cells:
        while names and names[-1] == "":
            names.pop()
    width = len(names)
    body = numbered[n_header:]
    if sheet_cells:
        header = [(i, _fit_row(r, width)) for i, r in header]
        body = [(i, _fit_row(r, width)) for i, r in body]
    _check_names(path, names, name_row)

    for row_no, fields in (*header, *body):
        if len(fields) != width:
            raise InputError(
                f"has {len(fields)} fields, expected {width} (as many as the header row "
                f"{name_row})",
                path=path,
                row=row_no,
                hint="the file may be truncated, or a text cell holds a separator, line break "
                "or double quote that is not quoted properly; fix that row or re-export "
                "from EFS with quoted cells",
            )
    if not body:
        raise _no_responses(path, "header only, no data rows")

    # pandas' own string dtype, given explicitly: no inference, no NA parsing, and faster.
    frame = pd.DataFrame(
        [r for _, r in body],
        columns=names,
        index=pd.Index([i for i, _ in body], name="row"),
        dtype="str",
    )
    question_texts: dict[str, str] = {}
    item_labels: dict[str, str] = {}
    if shape == "labels":
        question_texts = dict(zip(names, header[0][1], strict=True))
        item_labels = dict(zip(names, header[1][1], strict=True))
    return RawExport(
        path=path,
        frame=frame,
        shape=shape,
        encoding=encoding,
        separator=separator,
        line_ending=line_ending,
        quoted=quoted,
        question_texts=question_texts,
        item_labels=item_labels,
    )


def _fit_row(row: list[str], width: int) -> list[str]:
    """A worksheet row padded or cut to ``width`` (cut only where its cells are empty)."""
    if len(row) < width:
        return row + [""] * (width - len(row))
    if len(row) > width and not any(row[width:]):
        return row[:width]
    return row


def _check_names(path: str, names: list[str], row: int) -> None:
    problem = name_problem(names)
    if problem is None:
        return
    pos, name, first = problem
    if first is None:
        raise InputError(
            f"column {pos} of the variable-name header row has no name",
            path=path,
            row=row,
            hint="every column of an EFS export is named; remove the unnamed column or "
            "re-export from EFS",
        )
    raise InputError(
        f"duplicate column name {name!r} (columns {first} and {pos})",
        path=path,
        row=row,
        column=name,
        hint="each variable must appear once; remove the duplicate column or re-export from EFS",
    )


def _xlsx_str(value: object) -> str:
    """A workbook value as the text a CSV export would hold (31, not 31.0; None as "")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(p: Path, path: str, shape: str, sheet: int | str) -> RawExport:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InputError(
            f"is not a readable .xlsx workbook ({exc})",
            path=path,
            hint="check export.data in the config; save the export as .xlsx, or export it "
            "from EFS as CSV",
        ) from None
    try:
        names = wb.sheetnames
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise _no_sheet(path, sheet, names)
            ws = wb[names[sheet]]
        elif str(sheet) in names:
            ws = wb[str(sheet)]
        elif str(sheet).isdigit() and int(str(sheet)) < len(names):
            ws = wb[names[int(str(sheet))]]
        else:
            raise _no_sheet(path, sheet, names)
        records = [[_xlsx_str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    # A worksheet row of only empty cells is a blank record, like a blank line in a CSV.
    records = [r if any(r) else [] for r in records]
    head = [r for r in records if r][:3]
    found = _detect_shape(head, shape)
    if found is None:
        if not head:
            raise _no_responses(path, "the worksheet is empty")
        raise _not_an_export(path, shape, ["(xlsx cells)"])
    return _build_export(
        path,
        records,
        shape=found,
        encoding="xlsx",
        separator=None,
        line_ending=None,
        quoted=False,
        sheet_cells=True,
    )


def _no_sheet(path: str, sheet: int | str, names: list[str]) -> InputError:
    return InputError(
        f"has no worksheet {sheet!r} (worksheets: {', '.join(map(repr, names))})",
        path=path,
        hint="set export.sheet in the config to a worksheet name or its 0-based index",
    )
