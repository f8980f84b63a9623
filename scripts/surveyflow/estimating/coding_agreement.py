"""Inter-coder agreement on the coding sheet: Cohen's kappa per phase, and the disagreements."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from surveyflow.checking.tables import (
    DIFFERS_IN_BOTH,
    DIFFERS_IN_CATEGORY,
    DIFFERS_IN_CODE,
    SCOPE_ALL_CATEGORIES,
    SCOPE_ALL_CODES,
    SCOPE_CATEGORY,
    agreement_schema,
    disagreements_schema,
)
from surveyflow.estimating.coding_sheet import KEY, counted_coder, phase_order

LABEL_SEP = "; "  # joins a multi-coded statement's codes into one multi-class label


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

    First frame (checking.tables.agreement_schema), per phase: one `category` row per axial
    category used in that phase (binary "statement is in this category"), then one
    `all_categories` row (multi-class on the category label) and one `all_open_codes` row.
    kappa is NaN with a note where undefined. Second frame (disagreements_schema): each
    double-coded statement whose open code or category differs; several codes on one
    statement are joined by "; ".
    """
    first = counted_coder(sheet, first)
    second = second if second is not None else _second(sheet, first)
    if second is None or second == first:
        return (
            pd.DataFrame(columns=list(agreement_schema.columns)),
            pd.DataFrame(columns=list(disagreements_schema.columns)),
        )
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
    for phase in phase_order(sheet):
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
                        DIFFERS_IN_BOTH
                        if cat_differs and code_differs
                        else DIFFERS_IN_CATEGORY
                        if cat_differs
                        else DIFFERS_IN_CODE
                    ),
                }
            )

    kappa_frame = pd.DataFrame(kappas, columns=list(agreement_schema.columns))
    dis = pd.DataFrame(disagreements, columns=list(disagreements_schema.columns))
    if not dis.empty:
        order = {p: i for i, p in enumerate(phase_order(sheet))}
        dis = dis.sort_values(
            ["phase", "respondent_id", "statement"],
            key=lambda s: s.map(order) if s.name == "phase" else s,
            kind="stable",
        ).reset_index(drop=True)
    return kappa_frame, dis
