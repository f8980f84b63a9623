"""Lazy schema validation: collect every failure, locate it by respondent and file row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa

from surveyflow.checking.schemas import CHECK_NAMES
from surveyflow.errors import InputError
from surveyflow.io import write_csv

FAILURE_COLUMNS = ["respondent_id", "source_row", "column", "variable", "problem", "value"]


def _problem_name(check: object, schema: pa.DataFrameSchema, column: object) -> str:
    text = str(check)
    if text in CHECK_NAMES:
        return CHECK_NAMES[text]
    # Custom checks carry their user-facing description as `error`.
    candidates = list(schema.checks)
    if isinstance(column, str) and column in schema.columns:
        candidates += list(schema.columns[column].checks)
    for candidate in candidates:
        if candidate.name == text or str(candidate) == text:
            return candidate.error or text
    return text


def collect_failures(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    variables: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Validate lazily; return (validated frame or None, one row per failure).

    `variables` maps canonical columns to the export's variable names, for the report.
    """
    variables = variables or {}
    try:
        return schema.validate(frame, lazy=True), pd.DataFrame(columns=FAILURE_COLUMNS)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
    rows = []
    for case in cases.itertuples(index=False):
        index = case.index
        located = index is not None and not pd.isna(index) and index in frame.index
        rid = frame.at[index, "respondent_id"] if located and "respondent_id" in frame else ""
        srow = frame.at[index, "source_row"] if located and "source_row" in frame else ""
        rows.append(
            {
                "respondent_id": rid,
                "source_row": srow,
                "column": case.column if case.column is not None else "",
                "variable": variables.get(case.column, "") if case.column is not None else "",
                "problem": _problem_name(case.check, schema, case.column),
                "value": case.failure_case,
            }
        )
    failures = pd.DataFrame(rows, columns=FAILURE_COLUMNS)
    return None, failures.sort_values(
        ["source_row", "respondent_id", "column"], key=lambda s: s.astype(str), kind="stable"
    ).reset_index(drop=True)


def failure_message(
    failures: pd.DataFrame, *, stage: str, failures_path: str, shown: int = 5
) -> str:
    """One paragraph: how many problems of which kind, the first few, where the rest are."""
    kinds = Counter(failures["problem"])
    summary = ", ".join(f"{n} x {kind}" for kind, n in sorted(kinds.items()))

    def locate(r) -> str:
        where = f"respondent {r.respondent_id}"
        where += f" (row {r.source_row})" if r.source_row != "" else ""
        var = f" ({r.variable})" if r.variable else ""
        return f"{where}, column {r.column!r}{var}: {r.value!r}"

    first = "; ".join(locate(r) for r in failures.head(shown).itertuples(index=False))
    return (
        f"validation of the {stage} responses found {len(failures)} problem(s): "
        f"{summary}. First: {first}. All problems are listed in {failures_path}."
    )


def validate_or_raise(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    stage: str,
    source: str,
    failures_path: str,
    variables: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Validate; always write the failure table (empty when valid); raise InputError on failure."""
    validated, failures = collect_failures(frame, schema, variables)
    write_csv(failures, failures_path)
    if validated is None:
        raise InputError(
            failure_message(failures, stage=stage, failures_path=failures_path),
            path=source,
            hint="correct the export (or questions.yaml / the codebook if the mapping is wrong) "
            "and rerun; raw files are never changed by the workflow.",
        )
    return validated
