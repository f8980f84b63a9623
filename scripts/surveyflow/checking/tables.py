"""Schemas and readers of the coding and reproduction tables that cross rule boundaries.

One pandera schema per table: the job that writes a table validates it first, and the job that
reads it uses the table's `read_*` function, which types it as written and validates it again.
The values a column may take (agreement scopes, reproduction statuses, kinds of published
tables) are defined here, next to the schema that declares them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from surveyflow.checking.schemas import nonblank_text

_TEXT = pa.Column(str).dtype


def _share(nullable: bool = True) -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0, 1), nullable=nullable)


def _read_table(path: str | Path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """A table written by write_csv, with its schema's types: text stays text ("" and "NA"
    included), an empty number or flag is missing. Not yet validated."""
    text = [name for name, column in schema.columns.items() if column.dtype == _TEXT]
    return pd.read_csv(
        path,
        dtype=dict.fromkeys(text, str),
        keep_default_na=False,
        na_values={name: [""] for name in schema.columns if name not in text},
    )


# --------------------------------------------------------------------------- coding tables

#: `scope` of the agreement table: one binary kappa per axial category ("statement is in this
#: category or not"), and multi-class kappas on the category label and on the open code.
SCOPE_CATEGORY = "category"
SCOPE_ALL_CATEGORIES = "all_categories"
SCOPE_ALL_CODES = "all_open_codes"
AGREEMENT_SCOPES = (SCOPE_CATEGORY, SCOPE_ALL_CATEGORIES, SCOPE_ALL_CODES)
#: `differs_in` of the disagreements table.
DIFFERS_IN_CODE = "open_code"
DIFFERS_IN_CATEGORY = "axial_category"
DIFFERS_IN_BOTH = "open_code and axial_category"

codes_schema = pa.DataFrameSchema(
    {
        "phase": nonblank_text("phase"),
        "axial_category": nonblank_text("axial_category"),
        "open_code": nonblank_text("open_code"),
        "count": pa.Column("int64", pa.Check.ge(1)),
        "respondents": pa.Column("int64", pa.Check.ge(1)),
    },
    checks=pa.Check(
        lambda df: df["respondents"] <= df["count"],
        name="respondents_le_count",
        error="respondents exceed count (a respondent is counted once per code at most)",
    ),
    unique=["phase", "axial_category", "open_code"],
    strict=True,
    ordered=True,
    coerce=True,
    name="code frequencies (results/<qual>/codes.csv)",
)

coding_summary_schema = pa.DataFrameSchema(
    {
        "phase": nonblank_text("phase", unique=True),
        "respondents": pa.Column("int64", pa.Check.ge(0)),
        "statements": pa.Column("int64", pa.Check.ge(0)),
        "categories": pa.Column("int64", pa.Check.ge(0)),
        "codes": pa.Column("int64", pa.Check.ge(0)),
    },
    checks=[
        pa.Check(
            lambda df: df["respondents"] <= df["statements"],
            name="respondents_le_statements",
            error="respondents exceed statements",
        ),
        pa.Check(
            lambda df: df["categories"] <= df["codes"],
            name="categories_le_codes",
            error="categories exceed codes",
        ),
    ],
    strict=True,
    ordered=True,
    coerce=True,
    name="coding summary (results/<qual>/summary.csv)",
)

agreement_schema = pa.DataFrameSchema(
    {
        "phase": nonblank_text("phase"),
        "scope": pa.Column(str, pa.Check.isin(AGREEMENT_SCOPES)),
        # Only the rows of scope `category` name one; the others have "".
        "axial_category": pa.Column(str),
        "first_coder": nonblank_text("first_coder"),
        "second_coder": nonblank_text("second_coder"),
        "n_statements": pa.Column("int64", pa.Check.ge(0)),
        "n_first": pa.Column("int64", pa.Check.ge(0)),
        "n_second": pa.Column("int64", pa.Check.ge(0)),
        # NaN where undefined (no double-coded statement; kappa when p_e = 1), said in `note`.
        "observed_agreement": _share(),
        "expected_agreement": _share(),
        "kappa": pa.Column(float, pa.Check.in_range(-1, 1), nullable=True),
        "note": pa.Column(str),
    },
    checks=[
        pa.Check(
            lambda df: (df["scope"] == SCOPE_CATEGORY) == (df["axial_category"] != ""),
            name="axial_category_iff_scope_category",
            error=f"axial_category must be given exactly in the rows of scope {SCOPE_CATEGORY!r}",
        ),
        pa.Check(
            lambda df: (
                (df["n_first"] <= df["n_statements"]) & (df["n_second"] <= df["n_statements"])
            ),
            name="coder_counts_le_n_statements",
            error="n_first or n_second exceeds n_statements",
        ),
        pa.Check(
            lambda df: df["kappa"].notna() | (df["note"] != ""),
            name="undefined_kappa_has_note",
            error="kappa is missing without a note saying why",
        ),
    ],
    strict=True,
    ordered=True,
    coerce=True,
    name="inter-coder agreement (results/<qual>/agreement.csv)",
)

disagreements_schema = pa.DataFrameSchema(
    {
        "respondent_id": pa.Column("int64"),
        "phase": nonblank_text("phase"),
        "statement": nonblank_text("statement"),
        "first_coder": nonblank_text("first_coder"),
        "first_open_code": nonblank_text("first_open_code"),
        "first_axial_category": nonblank_text("first_axial_category"),
        "second_coder": nonblank_text("second_coder"),
        "second_open_code": nonblank_text("second_open_code"),
        "second_axial_category": nonblank_text("second_axial_category"),
        "differs_in": pa.Column(
            str, pa.Check.isin((DIFFERS_IN_CODE, DIFFERS_IN_CATEGORY, DIFFERS_IN_BOTH))
        ),
    },
    unique=["respondent_id", "phase", "statement"],
    strict=True,
    ordered=True,
    coerce=True,
    name="coder disagreements (results/<qual>/disagreements.csv)",
)


def read_codes(path: str | Path) -> pd.DataFrame:
    """Read results/<qual>/codes.csv back with its types, validated."""
    return codes_schema.validate(_read_table(path, codes_schema))


def read_coding_summary(path: str | Path) -> pd.DataFrame:
    """Read results/<qual>/summary.csv back with its types, validated."""
    return coding_summary_schema.validate(_read_table(path, coding_summary_schema))


def read_agreement(path: str | Path) -> pd.DataFrame:
    """Read results/<qual>/agreement.csv back with its types, validated."""
    return agreement_schema.validate(_read_table(path, agreement_schema))


def read_disagreements(path: str | Path) -> pd.DataFrame:
    """Read results/<qual>/disagreements.csv back with its types, validated."""
    return disagreements_schema.validate(_read_table(path, disagreements_schema))


# --------------------------------------------------------------------------- reproduction tables

#: `kind` of a published table (config/paper_reference.yaml): multiple-choice shares are
#: independent; the shares of the other kinds partition the respondents (their counts add to N).
PUBLISHED_KINDS = ("multiple_choice", "single_choice", "binned")
SUM_CONSTRAINED_KINDS = ("single_choice", "binned")
#: `status` of the reproduction check: "pass", or "fail: " and the reasons.
STATUS_PASS = "pass"
STATUS_FAIL = "fail: "


def _optional(dtype: Any, *checks: pa.Check) -> pa.Column:
    return pa.Column(dtype, list(checks), nullable=True)


check_schema = pa.DataFrameSchema(
    {
        "analysis": nonblank_text("analysis"),
        "paper_label": pa.Column(str),
        "label": nonblank_text("label"),
        "n_published": pa.Column("int64", pa.Check.ge(1)),
        # Missing where the label is not in this run's estimates (so is everything run_*).
        "n_used": _optional("Int64", pa.Check.ge(1)),
        "published_p": pa.Column(float),
        # The mean has no published interval: its interval and half-width columns are empty.
        "published_low": _optional(float),
        "published_high": _optional(float),
        "sample_share": _optional(float),
        "mc_error": _optional(float, pa.Check.ge(0)),
        "z_units": _optional(float),
        "p_pass": _optional("boolean"),
        "published_half_width": _optional(float, pa.Check.ge(0)),
        "expected_half_width": _optional(float, pa.Check.ge(0)),
        "half_width_ratio": _optional(float),
        "half_width_pass": _optional("boolean"),
        "run_boot_mean": _optional(float),
        "run_half_width": _optional(float),
        "honest_half_width": _optional(float, pa.Check.ge(0)),
        "run_percentile_half_width": _optional(float),
        "status": pa.Column(
            str,
            pa.Check(
                lambda s: (s == STATUS_PASS) | s.str.startswith(STATUS_FAIL),
                name="status_pass_or_fail",
                error=f"status is neither {STATUS_PASS!r} nor {STATUS_FAIL!r} and the reasons",
            ),
        ),
    },
    checks=pa.Check(
        lambda df: (df["status"] != STATUS_PASS) | (df["p_pass"].fillna(False)).astype(bool),
        name="pass_needs_p_pass",
        error="status 'pass' where p_pass is not True",
    ),
    unique=["analysis", "label"],
    strict=True,
    ordered=True,
    coerce=True,
    name="reproduction check (results/reproduction/check.csv)",
)


def _is_counts(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in value
    )


def _counts_column() -> pa.Column:
    """Integer counts behind a table's shares (a list; written as "[53, 34]"), or missing."""
    return pa.Column(
        object,
        pa.Check(
            _is_counts,
            element_wise=True,
            name="list_of_counts",
            error="not a list of non-negative integer counts",
        ),
        nullable=True,
    )


consistency_schema = pa.DataFrameSchema(
    {
        "analysis": nonblank_text("analysis", unique=True),
        "paper_label": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(PUBLISHED_KINDS)),
        "n_published": pa.Column("int64", pa.Check.ge(1)),
        "admits_published_n": pa.Column(bool),
        "counts_at_published_n": _counts_column(),
        "nearest_consistent_n": _optional("Int64", pa.Check.ge(1)),
        "counts_at_nearest_n": _counts_column(),
    },
    checks=[
        pa.Check(
            lambda df: df["admits_published_n"] == df["counts_at_published_n"].notna(),
            name="counts_iff_admits_published_n",
            error="counts_at_published_n must be given exactly where admits_published_n",
        ),
        pa.Check(
            lambda df: df["nearest_consistent_n"].isna() == df["counts_at_nearest_n"].isna(),
            name="counts_iff_nearest_consistent_n",
            error="counts_at_nearest_n must be given exactly where nearest_consistent_n is",
        ),
    ],
    strict=True,
    ordered=True,
    coerce=True,
    name="consistency of the published tables (results/reproduction/consistency.csv)",
)


def read_check(path: str | Path) -> pd.DataFrame:
    """Read results/reproduction/check.csv back with its types (flags nullable), validated."""
    return check_schema.validate(_read_table(path, check_schema))


def _parse_counts(value: Any) -> Any:
    """ "[53, 34]" -> [53, 34]; missing -> None; anything else stays, for the schema to name."""
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def read_consistency(path: str | Path) -> pd.DataFrame:
    """Read results/reproduction/consistency.csv back, counts as lists again, validated."""
    frame = _read_table(path, consistency_schema)
    for column in ("counts_at_published_n", "counts_at_nearest_n"):
        frame[column] = frame[column].map(_parse_counts).astype(object)
    return consistency_schema.validate(frame)
