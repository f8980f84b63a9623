"""Code frequencies and per-phase summary of the coding sheet (the primary coder's statements)."""

from __future__ import annotations

import pandas as pd

from surveyflow.checking.tables import codes_schema, coding_summary_schema
from surveyflow.estimating.coding_sheet import KEY, counted_coder, phase_order


def code_frequencies(sheet: pd.DataFrame, *, coder: str | None = None) -> pd.DataFrame:
    """Statements and respondents per (phase, axial category, open code), primary coder only.

    Sorted by phase, category total (desc), count (desc), then names, so ties are stable.
    """
    who = counted_coder(sheet, coder)
    rows = sheet.loc[sheet["coder"] == who]
    if rows.empty:
        return pd.DataFrame(columns=list(codes_schema.columns))
    # Distinct statements, so a re-listed row cannot inflate a code.
    rows = rows.drop_duplicates([*KEY, "axial_category", "open_code"])
    freq = (
        rows.groupby(["phase", "axial_category", "open_code"], sort=False)
        .agg(count=("statement", "size"), respondents=("respondent_id", "nunique"))
        .reset_index()
    )
    order = {p: i for i, p in enumerate(phase_order(sheet))}
    freq["_phase"] = freq["phase"].map(order)
    freq["_total"] = freq.groupby(["phase", "axial_category"])["count"].transform("sum")
    freq = freq.sort_values(
        ["_phase", "_total", "axial_category", "count", "open_code"],
        ascending=[True, False, True, False, True],
        kind="stable",
    )
    return freq[list(codes_schema.columns)].reset_index(drop=True)


def phase_summary(sheet: pd.DataFrame, *, coder: str | None = None) -> pd.DataFrame:
    """Per phase: respondents, statements, axial categories and open codes (primary coder)."""
    who = counted_coder(sheet, coder)
    rows = sheet.loc[sheet["coder"] == who]
    out = []
    for phase in phase_order(sheet):
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
    return pd.DataFrame(out, columns=list(coding_summary_schema.columns))
