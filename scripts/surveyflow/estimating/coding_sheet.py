"""Reading the coding sheet of the open answers (RQ2, RQ4): validated rows, primary coder, phases.

The coding sheet has one row per coded statement and coder
(`respondent_id,phase,statement,open_code,axial_category,coder`). The primary coder codes
every statement; a second coder codes a subset, so inter-coder agreement (Cohen's kappa)
can be reported next to the code frequencies that feed the fishbone diagrams.

Units: a *statement* is one (respondent_id, phase, statement) triple. A coder may give one
statement several codes (open coding allows it); counts are of statements, and for the
agreement a coder's decision on a statement is the *set* of codes they gave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from surveyflow.errors import InputError

COLUMNS = ("respondent_id", "phase", "statement", "open_code", "axial_category", "coder")
KEY = ["respondent_id", "phase", "statement"]
# Columns that must not be blank: a row without them cannot be counted or compared.
REQUIRED_TEXT = ("statement", "open_code", "axial_category", "coder")
SHOWN = 5  # bad rows listed in an error message; the rest are counted


def read_coding_sheet(
    path: str | Path,
    *,
    phases: Sequence[str] = ("deployment", "monitoring"),
    primary_coder: str | None = None,
) -> pd.DataFrame:
    """Read and validate a coding sheet; raise one InputError listing every bad row.

    Returns the six columns (respondent_id as int, the rest as stripped str), in file order.
    With `primary_coder`, also checks that this coder exists and coded every statement, and
    records it in `frame.attrs["primary_coder"]` as the default for the counting functions.
    """
    path = Path(path)
    where = str(path)
    header = ",".join(COLUMNS)
    if not path.is_file():
        raise InputError(
            "coding sheet not found.",
            path=where,
            hint=f"create it as a UTF-8 CSV with the header `{header}` or fix the path.",
        )
    try:
        # utf-8-sig strips a BOM if present and reads plain UTF-8 otherwise. Everything as
        # str with no NA guessing, so "NA" stays a code and blanks are seen as blanks.
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 ({exc.reason} at byte {exc.start}).",
            path=where,
            hint="save the sheet as UTF-8 (with or without BOM).",
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"cannot be parsed as CSV ({exc}).",
            path=where,
            hint=f"save it as a comma-separated CSV with the header `{header}`.",
        ) from exc

    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found {', '.join(repr(c) for c in raw.columns)}.",
            path=where,
            row=1,  # the header line
            hint=f"use the header `{header}`.",
        )
    sheet = raw[list(COLUMNS)].apply(lambda s: s.str.strip())

    problems: list[tuple[int, str, str]] = []  # (file row, column, what is wrong)
    allowed = ", ".join(repr(p) for p in phases)
    for i, rec in enumerate(sheet.itertuples(index=False)):
        row = i + 2  # header is row 1 in the file
        rid = rec.respondent_id
        if not rid.lstrip("-").isdigit():
            problems.append((row, "respondent_id", f"{rid!r} is not an integer"))
        if rec.phase not in phases:
            problems.append((row, "phase", f"unknown phase {rec.phase!r} (allowed: {allowed})"))
        for col in REQUIRED_TEXT:
            if getattr(rec, col) == "":
                problems.append((row, col, "empty"))

    if not problems:
        # Exact repeats would double-count a statement; a second code for the same
        # statement is legitimate, a verbatim duplicate row is not.
        seen: dict[tuple, int] = {}
        for i, rec in enumerate(sheet.itertuples(index=False, name=None)):
            if rec in seen:
                problems.append((i + 2, "statement", f"duplicate of row {seen[rec]}"))
            else:
                seen[rec] = i + 2

    if primary_coder is not None and not problems:
        coders = set(sheet["coder"])
        if primary_coder not in coders:
            raise InputError(
                f"primary coder {primary_coder!r} does not occur "
                f"(coders: {', '.join(repr(c) for c in sorted(coders))}).",
                path=where,
                column="coder",
                hint="pass a coder that occurs in the sheet (or none: the one with most rows).",
            )
        # A statement the primary coder skipped would silently drop out of the counts.
        primary_keys = set(map(tuple, sheet.loc[sheet["coder"] == primary_coder, KEY].values))
        for i, key in zip(sheet.index, map(tuple, sheet[KEY].values), strict=True):
            if key not in primary_keys:
                problems.append(
                    (i + 2, "statement", f"not coded by the primary coder {primary_coder!r}")
                )

    if problems:
        _raise_problems(where, problems, phases)

    sheet["respondent_id"] = sheet["respondent_id"].astype(int)
    sheet.attrs["phases"] = list(phases)
    if primary_coder is not None:
        sheet.attrs["primary_coder"] = primary_coder
    return sheet


def _raise_problems(
    where: str, problems: list[tuple[int, str, str]], phases: Sequence[str]
) -> None:
    """One InputError for all bad rows: the first few in full, the rest counted."""
    shown = "; ".join(f"row {r}, column {c!r}: {what}" for r, c, what in problems[:SHOWN])
    rest = len(problems) - SHOWN
    more = f"; and {rest} more problem(s)" if rest > 0 else ""
    rows = sorted({r for r, _, _ in problems})
    first_row, first_col, _ = problems[0]
    cols = {c for _, c, _ in problems}
    hints = []
    if "phase" in cols:
        hints.append(f"use one of the phases {', '.join(repr(p) for p in phases)}")
    if cols & set(REQUIRED_TEXT):
        hints.append("fill in every statement, open_code, axial_category and coder")
    if "respondent_id" in cols:
        hints.append("respondent_id must be the integer lfdn")
    if any("duplicate" in w or "primary coder" in w for _, _, w in problems):
        hints.append("remove duplicate rows and code every statement with the primary coder")
    raise InputError(
        f"{len(problems)} problem(s) in {len(rows)} row(s) of the coding sheet: {shown}{more}.",
        path=where,
        # Single bad row: locate it in the prefix too; otherwise rows are listed in the text.
        row=first_row if len(rows) == 1 else None,
        column=first_col if len(problems) == 1 else None,
        hint="; ".join(hints) + ".",
    )


def counted_coder(sheet: pd.DataFrame, coder: str | None = None) -> str:
    """The coder whose rows are counted: explicit > recorded at read time > most rows."""
    if coder is None:
        coder = sheet.attrs.get("primary_coder")
    counts = sheet["coder"].value_counts()
    if coder is None:
        if counts.empty:
            raise ValueError("empty coding sheet: no coder to count")
        # Ties broken by name so the choice does not depend on row order.
        top = counts.max()
        return sorted(counts.index[counts == top])[0]
    if coder not in counts.index:
        raise ValueError(f"coder {coder!r} not in sheet (coders: {sorted(counts.index)})")
    return coder


def phase_order(sheet: pd.DataFrame) -> list[str]:
    """Configured phase order if known, then any other phase alphabetically."""
    known = list(sheet.attrs.get("phases", []))
    present = sorted(set(sheet["phase"]) - set(known))
    return known + present
