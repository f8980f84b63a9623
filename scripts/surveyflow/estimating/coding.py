"""Qualitative coding of the open answers (RQ2, RQ4): read the coding sheet, count codes, agreement.

The coding sheet has one row per coded statement and coder
(`respondent_id,phase,statement,open_code,axial_category,coder`). The primary coder codes
every statement; a second coder codes a subset, so inter-coder agreement (Cohen's kappa)
can be reported next to the code frequencies that feed the fishbone diagrams.

Units: a *statement* is one (respondent_id, phase, statement) triple. A coder may give one
statement several codes (open coding allows it); counts are of statements, and for the
agreement a coder's decision on a statement is the *set* of codes they gave it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from surveyflow.errors import InputError

COLUMNS = ("respondent_id", "phase", "statement", "open_code", "axial_category", "coder")
KEY = ["respondent_id", "phase", "statement"]
# Columns that must not be blank: a row without them cannot be counted or compared.
REQUIRED_TEXT = ("statement", "open_code", "axial_category", "coder")
SHOWN = 5  # bad rows listed in an error message; the rest are counted

FREQUENCY_COLUMNS = ["phase", "axial_category", "open_code", "count", "respondents"]
SUMMARY_COLUMNS = ["phase", "respondents", "statements", "categories", "codes"]
KAPPA_COLUMNS = [
    "phase",
    "scope",
    "axial_category",
    "first_coder",
    "second_coder",
    "n_statements",
    "n_first",
    "n_second",
    "observed_agreement",
    "expected_agreement",
    "kappa",
    "note",
]
DISAGREEMENT_COLUMNS = [
    "respondent_id",
    "phase",
    "statement",
    "first_coder",
    "first_open_code",
    "first_axial_category",
    "second_coder",
    "second_open_code",
    "second_axial_category",
    "differs_in",
]
# `scope` values of the agreement table.
SCOPE_CATEGORY = "category"  # binary: statement in this category or not
SCOPE_ALL_CATEGORIES = "all_categories"  # multi-class on the category label
SCOPE_ALL_CODES = "all_open_codes"  # multi-class on the open code
LABEL_SEP = "; "  # joins a multi-coded statement's codes into one multi-class label


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


def _primary(sheet: pd.DataFrame, coder: str | None = None) -> str:
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


def _phase_order(sheet: pd.DataFrame) -> list[str]:
    """Configured phase order if known, then any other phase alphabetically."""
    known = list(sheet.attrs.get("phases", []))
    present = sorted(set(sheet["phase"]) - set(known))
    return known + present


def code_frequencies(sheet: pd.DataFrame, *, coder: str | None = None) -> pd.DataFrame:
    """Statements and respondents per (phase, axial category, open code), primary coder only.

    Sorted by phase, category total (desc), count (desc), then names, so ties are stable.
    """
    who = _primary(sheet, coder)
    rows = sheet.loc[sheet["coder"] == who]
    if rows.empty:
        return pd.DataFrame(columns=FREQUENCY_COLUMNS)
    # Distinct statements, so a re-listed row cannot inflate a code.
    rows = rows.drop_duplicates([*KEY, "axial_category", "open_code"])
    freq = (
        rows.groupby(["phase", "axial_category", "open_code"], sort=False)
        .agg(count=("statement", "size"), respondents=("respondent_id", "nunique"))
        .reset_index()
    )
    order = {p: i for i, p in enumerate(_phase_order(sheet))}
    freq["_phase"] = freq["phase"].map(order)
    freq["_total"] = freq.groupby(["phase", "axial_category"])["count"].transform("sum")
    freq = freq.sort_values(
        ["_phase", "_total", "axial_category", "count", "open_code"],
        ascending=[True, False, True, False, True],
        kind="stable",
    )
    return freq[FREQUENCY_COLUMNS].reset_index(drop=True)


def phase_summary(sheet: pd.DataFrame, *, coder: str | None = None) -> pd.DataFrame:
    """Per phase: respondents, statements, axial categories and open codes (primary coder)."""
    who = _primary(sheet, coder)
    rows = sheet.loc[sheet["coder"] == who]
    out = []
    for phase in _phase_order(sheet):
        part = rows.loc[rows["phase"] == phase]
        out.append(
            {
                "phase": phase,
                "respondents": part["respondent_id"].nunique(),
                "statements": len(part.drop_duplicates(KEY)),
                "categories": part["axial_category"].nunique(),
                # A code name is counted once per category it appears in.
                "codes": len(part.drop_duplicates(["axial_category", "open_code"])),
            }
        )
    return pd.DataFrame(out, columns=SUMMARY_COLUMNS)


def cohen_kappa(first: Sequence, second: Sequence) -> tuple[float, float, float, str]:
    """Cohen's kappa of two equally long label sequences: (p_o, p_e, kappa, note).

    Computed on integer counts so that the undefined case (p_e == 1, both coders always
    use one and the same label) is detected exactly rather than by a float tolerance.
    """
    n = len(first)
    if n != len(second):
        raise ValueError("label sequences differ in length")
    if n == 0:
        return math.nan, math.nan, math.nan, "no statements coded by both coders"
    agree = sum(a == b for a, b in zip(first, second, strict=True))
    c1 = pd.Series(list(first)).value_counts()
    c2 = pd.Series(list(second)).value_counts()
    chance = int(sum(int(c1[k]) * int(c2[k]) for k in c1.index.intersection(c2.index)))
    p_o = agree / n
    p_e = chance / (n * n)
    if chance == n * n:
        return (
            p_o,
            p_e,
            math.nan,
            "kappa undefined: expected agreement is 1 "
            "(both coders gave every statement the same single label)",
        )
    kappa = (n * agree - chance) / (n * n - chance)  # = (p_o - p_e) / (1 - p_e)
    return p_o, p_e, kappa, ""


def _second(sheet: pd.DataFrame, first: str) -> str | None:
    """The other coder with most rows (ties by name), or None for a single-coder sheet."""
    counts = sheet.loc[sheet["coder"] != first, "coder"].value_counts()
    if counts.empty:
        return None
    top = counts.max()
    return sorted(counts.index[counts == top])[0]


def _label(values: frozenset[str]) -> str:
    return LABEL_SEP.join(sorted(values))


def agreement(
    sheet: pd.DataFrame, *, first: str | None = None, second: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inter-coder agreement on the statements both coders coded, and the disagreements.

    First frame (KAPPA_COLUMNS), per phase: one `category` row per axial category used in
    that phase (binary "statement is in this category"), then one `all_categories` row
    (multi-class on the category label) and one `all_open_codes` row. kappa is NaN with a
    note where undefined. Second frame (DISAGREEMENT_COLUMNS): each double-coded statement
    whose open code or category differs; several codes on one statement are joined by "; ".
    """
    first = _primary(sheet, first)
    second = second if second is not None else _second(sheet, first)
    if second is None or second == first:
        return pd.DataFrame(columns=KAPPA_COLUMNS), pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    if second not in set(sheet["coder"]):
        raise ValueError(f"coder {second!r} not in sheet")

    def decisions(coder: str) -> pd.DataFrame:
        # One row per statement: the set of codes and of categories this coder gave it.
        rows = sheet.loc[sheet["coder"] == coder]
        return rows.groupby(KEY, sort=False).agg(
            open_code=("open_code", frozenset), axial_category=("axial_category", frozenset)
        )

    both = (
        decisions(first)
        .reset_index()
        .merge(decisions(second).reset_index(), on=KEY, how="inner", suffixes=("_1", "_2"))
    )

    kappas = []
    disagreements = []
    for phase in _phase_order(sheet):
        part = both.loc[both["phase"] == phase]
        n = len(part)
        common = {"phase": phase, "first_coder": first, "second_coder": second, "n_statements": n}
        # All categories of the phase, not only those in the double-coded subset, so a
        # category the second coder never saw shows up (as undefined) instead of vanishing.
        categories = sorted(set(sheet.loc[sheet["phase"] == phase, "axial_category"]))
        for cat in categories:
            in1 = [cat in s for s in part["axial_category_1"]]
            in2 = [cat in s for s in part["axial_category_2"]]
            p_o, p_e, kappa, note = cohen_kappa(in1, in2)
            kappas.append(
                {
                    **common,
                    "scope": SCOPE_CATEGORY,
                    "axial_category": cat,
                    "n_first": sum(in1),
                    "n_second": sum(in2),
                    "observed_agreement": p_o,
                    "expected_agreement": p_e,
                    "kappa": kappa,
                    "note": note,
                }
            )
        for scope, col in (
            (SCOPE_ALL_CATEGORIES, "axial_category"),
            (SCOPE_ALL_CODES, "open_code"),
        ):
            p_o, p_e, kappa, note = cohen_kappa(
                [_label(s) for s in part[f"{col}_1"]], [_label(s) for s in part[f"{col}_2"]]
            )
            kappas.append(
                {
                    **common,
                    "scope": scope,
                    "axial_category": "",
                    "n_first": n,
                    "n_second": n,
                    "observed_agreement": p_o,
                    "expected_agreement": p_e,
                    "kappa": kappa,
                    "note": note,
                }
            )
        for rec in part.itertuples(index=False):
            cat_differs = rec.axial_category_1 != rec.axial_category_2
            code_differs = rec.open_code_1 != rec.open_code_2
            if not (cat_differs or code_differs):
                continue
            disagreements.append(
                {
                    "respondent_id": rec.respondent_id,
                    "phase": phase,
                    "statement": rec.statement,
                    "first_coder": first,
                    "first_open_code": _label(rec.open_code_1),
                    "first_axial_category": _label(rec.axial_category_1),
                    "second_coder": second,
                    "second_open_code": _label(rec.open_code_2),
                    "second_axial_category": _label(rec.axial_category_2),
                    "differs_in": (
                        "open_code and axial_category"
                        if cat_differs and code_differs
                        else "axial_category"
                        if cat_differs
                        else "open_code"
                    ),
                }
            )

    kappa_frame = pd.DataFrame(kappas, columns=KAPPA_COLUMNS)
    dis = pd.DataFrame(disagreements, columns=DISAGREEMENT_COLUMNS)
    if not dis.empty:
        order = {p: i for i, p in enumerate(_phase_order(sheet))}
        dis = dis.sort_values(
            ["phase", "respondent_id", "statement"],
            key=lambda s: s.map(order) if s.name == "phase" else s,
            kind="stable",
        ).reset_index(drop=True)
    return kappa_frame, dis
