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
read by :mod:`surveyflow.reading.efs_codebook`; its names are re-exported here.
Records become a RawExport in :mod:`surveyflow.reading.efs_records`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from itertools import islice
from os import PathLike
from pathlib import Path
from typing import Any

from surveyflow.errors import InputError

# Re-exported: the codebook reader lived here, and callers import it from this module.
from surveyflow.reading.codebook import Codebook, CodebookVariable
from surveyflow.reading.efs_codebook import read_codebook
from surveyflow.reading.efs_records import (
    RawExport,
    build_export,
    detect_shape,
    no_responses,
    not_an_export,
)
from surveyflow.textfile import decode_text, line_ending, sniff_encoding

__all__ = [
    "Codebook",
    "CodebookVariable",
    "decode_text",
    "read_codebook",
    "read_configured_export",
    "read_export",
    "sniff_encoding",
]

SEPARATORS: tuple[str, ...] = (";", ",", "\t")
SHAPES: tuple[str, ...] = ("codes", "labels")
XLSX_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")

_ENCODING_HINT = (
    "set export.encoding in the config to the file's encoding (e.g. cp1252 or latin-1 for "
    "files saved by Excel on Windows, utf-8 otherwise), or to auto to detect it"
)


# --------------------------------------------------------------------------- data export


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
        found = detect_shape(head, shape)
        if found is None:
            continue
        # Among fitting separators, the one splitting the name row into most fields wins.
        n_fields = len(head[0 if found == "codes" else 2])
        if best is None or n_fields > best[0]:
            best = (n_fields, sep, found)
    if best is None:
        raise not_an_export(path, shape, candidates)
    return best[1], best[2]


def _read_delimited(p: Path, path: str, encoding: str, separator: str, shape: str) -> RawExport:
    sep_option = _check_separator_option(separator, path)
    data = p.read_bytes()
    text, encoding_used = decode_text(data, encoding, path, _ENCODING_HINT)
    if not text.strip():
        raise no_responses(path, "the file is empty")
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
    return build_export(
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
    found = detect_shape(head, shape)
    if found is None:
        if not head:
            raise no_responses(path, "the worksheet is empty")
        raise not_an_export(path, shape, ["(xlsx cells)"])
    return build_export(
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
