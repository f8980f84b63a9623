"""Test helpers: write variants of an EFS / Unipark export (and read the real pilot one).

The writers take a frame of ``str`` cells whose columns are variable names (the index is
ignored) and write it the way EFS, or a spreadsheet program that re-saved it, would:
codes or labels shape, any encoding, separator, quoting and line ending, or ``.xlsx``.
"""

from __future__ import annotations

import codecs
import csv
import io
from os import PathLike
from pathlib import Path

import pandas as pd

from surveyflow.reading.efs_files import Codebook, read_codebook, read_export
from surveyflow.reading.efs_records import RawExport

PILOT_DIR = Path(__file__).parent / "data" / "efs-napire-pilot"
PILOT_DATA = PILOT_DIR / "data_project_400193_2017_09_13.csv"
PILOT_CODEBOOK = PILOT_DIR / "codebook_project_400193_2017_09_13.csv"

# EFS disposition codes as labels-shape exports spell them: "Completed (31)".
DISPCODE_LABELS: dict[int, str] = {
    20: "Not yet started",
    21: "Started",
    22: "Suspended",
    23: "Suspended (screened out)",
    31: "Completed",
    32: "Completed after break",
    41: "Quota full",
}


def read_pilot() -> tuple[RawExport, Codebook]:
    """The real NaPiRE pilot export (codes shape) and its codebook."""
    return read_export(PILOT_DATA), read_codebook(PILOT_CODEBOOK)


def assert_same_frame(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns, index, dtypes and cells; a fast stand-in for assert_frame_equal.

    pandas' own check costs ~0.1 s on the 221 columns of the pilot, per call.
    """
    assert list(actual.columns) == list(expected.columns), "columns differ"
    assert actual.index.name == expected.index.name, "index names differ"
    assert list(actual.index) == list(expected.index), "index (record numbers) differs"
    assert list(actual.dtypes) == list(expected.dtypes), "dtypes differ"
    a, e = actual.to_numpy(dtype=object), expected.to_numpy(dtype=object)
    diff = [
        (actual.index[i], actual.columns[j], a[i, j], e[i, j])
        for i, j in zip(*(a != e).nonzero(), strict=True)
    ]
    assert not diff, f"{len(diff)} cells differ (row, column, actual, expected): {diff[:5]}"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _rows(frame: pd.DataFrame) -> list[list[str]]:
    return [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def _write_text(
    records: list[list[str]],
    path: str | PathLike[str],
    *,
    encoding: str,
    bom: bool,
    sep: str,
    quoted: bool,
    line_ending: str,
) -> Path:
    buffer = io.StringIO(newline="")
    # Unquoted exports still quote a cell that holds the separator, a quote or a line
    # break: otherwise the file could not be read back by anyone.
    writer = csv.writer(
        buffer,
        delimiter=sep,
        quotechar='"',
        quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL,
        lineterminator=line_ending,
    )
    writer.writerows(records)
    data = buffer.getvalue().encode(encoding)
    if bom and not data.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data
    out = Path(path)
    out.write_bytes(data)
    return out


def write_codes_export(
    frame: pd.DataFrame,
    path: str | PathLike[str],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    sep: str = ";",
    quoted: bool = True,
    line_ending: str = "\r\n",
) -> Path:
    """Write ``frame`` as a codes-shape export: one header row of variable names."""
    records = [[str(c) for c in frame.columns], *_rows(frame)]
    return _write_text(
        records,
        path,
        encoding=encoding,
        bom=bom,
        sep=sep,
        quoted=quoted,
        line_ending=line_ending,
    )


def dispcode_label(code: str) -> str:
    """ "31" -> "Completed (31)"; a cell that is not an integer stays as it is."""
    try:
        number = int(code)
    except ValueError:
        return code
    return f"{DISPCODE_LABELS.get(number, 'Disposition code')} ({number})"


def labels_records(frame: pd.DataFrame, codebook: Codebook) -> list[list[str]]:
    """Header rows (question text, item label, name) and cells with codes turned to labels.

    Variables the codebook does not know (lfdn, browser ...) get an empty question text
    and their name as item label, so that only the third row reads "lfdn".
    """
    names = [str(c) for c in frame.columns]
    variables = codebook.variables
    questions = [variables[n].question_text if n in variables else "" for n in names]
    items = [variables[n].label if n in variables else n for n in names]
    converters = []
    for name in names:
        var = variables.get(name)
        if name == "dispcode":
            converters.append(dispcode_label)
        elif var is not None and var.values:
            labels = {str(code): label for code, label in var.values.items()}
            converters.append(lambda cell, labels=labels: labels.get(cell, cell))
        else:
            converters.append(None)
    body = [
        [conv(cell) if conv else cell for conv, cell in zip(converters, row, strict=True)]
        for row in _rows(frame)
    ]
    return [questions, items, names, *body]


def write_labels_export(
    frame: pd.DataFrame,
    codebook: Codebook,
    path: str | PathLike[str],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    sep: str = ";",
    quoted: bool = True,
    line_ending: str = "\r\n",
) -> Path:
    """Write ``frame`` (codes) as a labels-shape export: three header rows, labels in cells."""
    return _write_text(
        labels_records(frame, codebook),
        path,
        encoding=encoding,
        bom=bom,
        sep=sep,
        quoted=quoted,
        line_ending=line_ending,
    )


def _xlsx_value(cell: str) -> str | int:
    """Integers as numbers, as a spreadsheet holds them; anything else stays text."""
    try:
        number = int(cell)
    except ValueError:
        return cell
    # Only canonical spellings ("31", "-99", not "007" or "+1") and numbers a double holds
    # exactly, so that reading back yields the same text.
    if str(number) == cell and abs(number) < 2**53:
        return number
    return cell


def write_xlsx_export(
    frame: pd.DataFrame,
    path: str | PathLike[str],
    *,
    shape: str = "codes",
    codebook: Codebook | None = None,
) -> Path:
    """Write ``frame`` as a one-sheet ``.xlsx`` workbook in codes or labels shape."""
    from openpyxl import Workbook

    if shape == "codes":
        records = [[str(c) for c in frame.columns], *_rows(frame)]
        n_header = 1
    elif shape == "labels":
        if codebook is None:
            raise ValueError("a labels-shape workbook needs the codebook")
        records = labels_records(frame, codebook)
        n_header = 3
    else:
        raise ValueError(f"unknown shape {shape!r}")
    wb = Workbook()
    ws = wb.active
    ws.title = "Export"
    for i, record in enumerate(records):
        ws.append(record if i < n_header else [_xlsx_value(c) for c in record])
    out = Path(path)
    wb.save(out)
    return out
