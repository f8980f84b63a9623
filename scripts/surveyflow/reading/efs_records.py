"""An EFS export's records (lists of text cells) as a RawExport: header rows, widths, names.

Both file formats end here (:mod:`surveyflow.reading.efs_files` reads delimited text and
workbooks into records), so a CSV and an .xlsx export are checked by the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from surveyflow.errors import InputError
from surveyflow.reading.base import name_problem

# Columns whose presence marks the variable-name row of an EFS export; lfdn is the
# respondent id, dispcode the disposition code (kept even in trimmed exports).
_KEY_COLUMNS: tuple[str, ...] = ("lfdn", "dispcode")

_SHAPE_HINT = (
    "check that export.data points at the EFS data export (not the codebook or another "
    "file); if it is one, set export.separator (';', ',' or '\\t') and export.shape "
    "(codes or labels) in the config to match the file"
)


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


def _has_key_column(fields: Sequence[str] | None) -> bool:
    return fields is not None and any(key in fields for key in _KEY_COLUMNS)


def detect_shape(records: Sequence[Sequence[str]], shape: str) -> str | None:
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


def not_an_export(path: str, shape: str, tried: Iterable[str]) -> InputError:
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


def no_responses(path: str, why: str) -> InputError:
    return InputError(
        f"contains no responses ({why})",
        path=path,
        hint="check export.data in the config; re-export the data from EFS with the "
        "responses included (not only the header)",
    )


def build_export(
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
        raise no_responses(path, f"fewer than the {n_header} header rows of the {shape} shape")
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
        raise no_responses(path, "header only, no data rows")

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
