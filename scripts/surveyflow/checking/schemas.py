"""Pandera schemas of the tables that cross rule boundaries, built from the question map.

Writers validate before writing; readers use the dtype maps here so a CSV read back has the
types it was written with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from surveyflow.config import Question

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


CI_METHODS = ("paper", "percentile", "bca", "wilson", "t")

estimates_schema = pa.DataFrameSchema(
    {
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
    },
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
