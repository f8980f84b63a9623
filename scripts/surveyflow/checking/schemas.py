"""Pandera schemas of the responses, estimates and subgroup tables that cross rule boundaries.

The responses' schemas are built from the question map. Writers validate before writing;
readers use the dtype maps and `read_*` functions here so a table read back has the types it
was written with (the coding and reproduction tables: checking.tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from surveyflow.checking.vocabulary import CI_METHODS, ESTIMATE_COLUMNS
from surveyflow.config import Question
from surveyflow.io import read_json

# Names shown to users for pandera's built-in checks.
CHECK_NAMES = {
    "field_uniqueness": "duplicate respondent id",
    "column_in_dataframe": "column missing",
    "column_in_schema": "unexpected column",
    "coerce_dtype": "wrong type",
    "not_nullable": "missing value",
}


def _in_set(allowed: Iterable[str], name: str, error: str) -> pa.Check:
    allowed_set = frozenset(allowed)
    return pa.Check(lambda s: s.isin(allowed_set), name=name, error=error)


def nonblank(column: str) -> pa.Check:
    """Check of a text column whose cells must not be blank; the error names the column."""
    return pa.Check.str_length(min_value=1, error=f"{column} is empty")


def nonblank_text(column: str, *, unique: bool = False) -> pa.Column:
    """A text column whose cells must not be blank."""
    return pa.Column(str, nonblank(column), unique=unique)


def ingested_schema(
    questions: Mapping[str, Question],
    levels: Mapping[str, Sequence[tuple[int, str]]],
    *,
    missing_codes: Iterable[int],
) -> pa.DataFrameSchema:
    """Schema of results/ingest/responses.csv: every cell text, codes inside their levels.

    `respondent_id` is the tool's id as text (EFS's lfdn 17, Qualtrics' R_1a2B3c); `status`
    the completed interview's status as the tool gives it (EFS: its dispcode).
    """
    missing = [str(code) for code in missing_codes]
    columns: dict[str, pa.Column] = {
        "respondent_id": pa.Column(
            str,
            pa.Check(lambda s: s.str.len() > 0, name="id_given", error="empty respondent id"),
            unique=True,
        ),
        "status": pa.Column(str),
        "source_row": pa.Column("int64", coerce=True),
    }
    for question in questions.values():
        for column in question.coded_columns():
            allowed = [str(code) for code, _ in levels[column]] + missing + [""]
            allowed += list(question.missing)
            if question.type == "multiple_choice":
                check = _in_set(allowed, "option_in_0_1", "multiple-choice item not 0/1/missing")
            else:
                check = _in_set(allowed, "code_in_codebook", "code outside the codebook's levels")
            columns[column] = pa.Column(str, check, nullable=False)
        for column in question.text_columns():
            columns[column] = pa.Column(str, nullable=True)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name="ingested responses")


def clean_dtypes(
    questions: Mapping[str, Question], ratio_names: Iterable[str] = ()
) -> dict[str, str]:
    """pandas dtypes of results/clean/responses.csv, column by column."""
    dtypes = {"respondent_id": "str"}
    for question in questions.values():
        if question.type in ("count", "percentage"):
            dtypes[question.column] = "float64"
        elif question.type == "multiple_choice":
            for column in question.coded_columns():
                dtypes[column] = "boolean"
            if question.other_text:
                dtypes[f"{question.column}_other"] = "str"
        else:
            for column in question.columns():
                dtypes[column] = "str"
    for name in ratio_names:
        dtypes[name] = "float64"
    return dtypes


def read_clean_responses(
    path: str | Path, questions: Mapping[str, Question], ratio_names: Iterable[str] = ()
) -> pd.DataFrame:
    """Read results/clean/responses.csv back with its types (booleans stay nullable booleans)."""
    return pd.read_csv(
        path, dtype=clean_dtypes(questions, ratio_names), keep_default_na=False, na_values=[""]
    )


def clean_schema(
    questions: Mapping[str, Question],
    labels: Mapping[str, Sequence[str]],
    ratios: Sequence[Mapping[str, str]] = (),
) -> pa.DataFrameSchema:
    """Schema of results/clean/responses.csv: numbers in range, labels known, ratio pairs valid."""
    dtypes = clean_dtypes(questions, [r["name"] for r in ratios])
    columns: dict[str, pa.Column] = {"respondent_id": pa.Column(str, unique=True)}
    for question in questions.values():
        for column in question.columns():
            dtype = dtypes[column]
            checks: list[pa.Check] = []
            if question.type == "count":
                checks.append(pa.Check.ge(0, error="count is negative"))
            elif question.type == "percentage":
                checks.append(pa.Check.in_range(0, 100, error="percentage outside [0, 100]"))
            elif question.type in ("single_choice", "likert"):
                checks.append(_in_set(labels[column], "label_known", "label not among the levels"))
            columns[column] = pa.Column(dtype, checks, nullable=True)
    frame_checks = []
    for ratio in ratios:
        name = ratio["name"]
        num = questions[ratio["numerator"]].column
        den = questions[ratio["denominator"]].column
        columns[name] = pa.Column(
            "float64", pa.Check.in_range(0, 100, error="ratio outside [0, 100]"), nullable=True
        )
        frame_checks.append(
            pa.Check(
                lambda df, name=name, num=num, den=den: (
                    df[name].isna() | ((df[num] <= df[den]) & (df[den] > 0))
                ),
                name=f"{num}_le_{den}",
                error=f"{ratio['numerator']} > {ratio['denominator']} (or "
                f"{ratio['denominator']} = 0) where {name} is used",
            )
        )
    return pa.DataFrameSchema(
        columns, checks=frame_checks, strict=True, ordered=True, name="clean responses"
    )


_ESTIMATE_TYPES = {
    "analysis": pa.Column(str),
    "paper_label": pa.Column(str),
    "label": pa.Column(str),
    "n": pa.Column("int64", pa.Check.gt(0)),
    "count": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "estimate": pa.Column(float),
    "boot_mean": pa.Column(float),
    "boot_se": pa.Column(float, pa.Check.ge(0)),
    "ci_method": pa.Column(str, pa.Check.isin(CI_METHODS)),
    # The method ci_low/ci_high were computed by: ci_method, except where BCa is undefined
    # (always at a share of 0% or 100%) and the engine gave the percentile interval.
    "ci_used": pa.Column(str, pa.Check.isin(CI_METHODS)),
    "ci_level": pa.Column(float, pa.Check.in_range(0, 1, include_min=False, include_max=False)),
    # An interval can be undefined (a t interval of one answer): NaN, not a crash.
    "ci_low": pa.Column(float, nullable=True),
    "ci_high": pa.Column(float, nullable=True),
    "resamples": pa.Column("int64", pa.Check.ge(100)),
    "seed": pa.Column("int64", pa.Check.ge(0)),
}
estimates_schema = pa.DataFrameSchema(
    # Columns in the one order of vocabulary.ESTIMATE_COLUMNS (a KeyError here names a column
    # added there without a type).
    {name: _ESTIMATE_TYPES[name] for name in ESTIMATE_COLUMNS},
    checks=[
        pa.Check(
            # An undefined interval (NaN) is not a disordered one.
            lambda df: (
                df["ci_low"].isna() | df["ci_high"].isna() | (df["ci_low"] <= df["ci_high"] + 1e-12)
            ),
            name="ci_ordered",
            error="ci_low > ci_high",
        ),
        pa.Check(
            lambda df: (
                (df["ci_used"] == df["ci_method"])
                | ((df["ci_method"] == "bca") & (df["ci_used"] == "percentile"))
            ),
            name="ci_used_is_ci_method_or_bca_fallback",
            error="ci_used differs from ci_method (only bca may fall back to percentile)",
        ),
    ],
    strict=True,
    ordered=True,
    coerce=True,
    name="estimates",
)


def read_estimates(path: str | Path) -> pd.DataFrame:
    """Read an estimates table back with its types (readers coerce)."""
    return estimates_schema.validate(pd.read_csv(path, keep_default_na=False, na_values=[""]))


# --------------------------------------------------------------------------- subgroup tables


def _list_of_text(column: str, *, nonempty: bool = False) -> pa.Column:
    """A column whose cells are lists of text (a JSON array of strings)."""
    return pa.Column(
        object,
        pa.Check(
            lambda v: (
                isinstance(v, list)
                and (bool(v) or not nonempty)
                and all(isinstance(x, str) for x in v)
            ),
            element_wise=True,
            name="list_of_text",
            error=f"{column} is not a {'non-empty ' if nonempty else ''}list of texts",
        ),
    )


#: Top-level keys of results/subgroups/<sub>/groups.json (estimating.subgroups.plan_groups);
#: `groups` is checked as a table by groups_schema.
plan_schema = pa.DataFrameSchema(
    {
        "column": nonblank_text("column"),
        "dropped_small": _list_of_text("dropped_small"),
        "groups": pa.Column(
            object,
            pa.Check(lambda v: isinstance(v, list), element_wise=True, error="groups is no list"),
        ),
        "min_group_size": pa.Column("int64", pa.Check.ge(1)),
        "no_answer": pa.Column("int64", pa.Check.ge(0)),
        "pooled": _list_of_text("pooled"),
    },
    strict=True,
    name="subgroup plan (results/subgroups/<sub>/groups.json)",
)
GROUP_KEYS = ("label", "levels", "size", "slug")


def groups_schema(min_group_size: int) -> pa.DataFrameSchema:
    """The `groups` of a plan, one row per group: each at least `min_group_size` respondents."""
    return pa.DataFrameSchema(
        {
            "label": nonblank_text("label", unique=True),
            "levels": _list_of_text("levels", nonempty=True),
            "size": pa.Column("int64", pa.Check.ge(min_group_size)),
            # A wildcard of rule bootstrap_subgroup, and a folder name.
            "slug": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        },
        checks=pa.Check(
            lambda df: not pd.Series([x for v in df["levels"] for x in v]).duplicated().any(),
            name="levels_in_one_group",
            error="a level is in the levels of two groups",
        ),
        strict=True,
        name="subgroup plan groups (results/subgroups/<sub>/groups.json: groups)",
    )


def check_groups(plan: Mapping[str, Any]) -> Mapping[str, Any]:
    """Validate a subgroup plan (as plan_groups returns it); returns it unchanged."""
    if not isinstance(plan, Mapping):
        raise TypeError(f"a subgroup plan is a mapping, not {type(plan).__name__}")
    plan_schema.validate(pd.DataFrame([dict(plan)]))
    groups = pd.DataFrame(plan["groups"], columns=None if plan["groups"] else GROUP_KEYS)
    if groups.empty:
        groups = groups.astype({"label": str, "slug": str, "size": "int64"})
    groups_schema(plan["min_group_size"]).validate(groups)
    return plan


def read_groups(path: str | Path) -> Mapping[str, Any]:
    """Read results/subgroups/<sub>/groups.json, validated."""
    return check_groups(read_json(path))


def _with_group(columns: Mapping[str, pa.Column]) -> dict[str, pa.Column]:
    """The estimates' columns with `group` (the group's label) after `paper_label`."""
    out: dict[str, pa.Column] = {}
    for name, column in columns.items():
        out[name] = column
        if name == "paper_label":
            out["group"] = nonblank_text("group")
    return out


#: All groups' estimates of a subgroup analysis: the estimates table with the group's label.
subgroup_summary_schema = pa.DataFrameSchema(
    _with_group(estimates_schema.columns),
    checks=estimates_schema.checks,
    strict=True,
    ordered=True,
    coerce=True,
    name="subgroup estimates (results/subgroups/<sub>/summary.csv)",
)


def read_subgroup_summary(path: str | Path) -> pd.DataFrame:
    """Read results/subgroups/<sub>/summary.csv back with its types, validated."""
    return subgroup_summary_schema.validate(
        pd.read_csv(path, keep_default_na=False, na_values=[""])
    )
