"""The one form every survey-tool reader returns (SurveyExport) and how completion is decided.

A reader turns one tool's export into a :class:`SurveyExport`: the respondents as a frame of
text cells (exactly as the file holds them; numbers of binary formats written the way a CSV
export would, ``3`` not ``3.0``), the variables' question texts, value labels and declared
missing values (as a :class:`~surveyflow.reading.codebook.Codebook`, whatever the tool), which
columns are the tool's own (respondent id, status, paradata) and which hold personal data. The
ingest stage works on this form alone, so it does not care which tool an export came from.

Each reader module (``surveyflow.reading.<tool>``) defines:

* ``TOOL``: its name in ``export.tool``;
* ``sniff(path, head) -> bool``: whether the file (``head``: its first 64 KiB) is this
  tool's export, for ``export.tool: auto``;
* ``read(path, settings) -> SurveyExport``: ``settings`` is the config's ``export:`` block;
* ``completion(export, settings) -> Completion``: the tool's rule for a completed interview.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from surveyflow.errors import InputError
from surveyflow.reading.codebook import Codebook

__all__ = [
    "Completion",
    "SurveyExport",
    "configured_completion",
    "integer_text",
    "name_problem",
    "value_in",
]


@dataclass(frozen=True)
class SurveyExport:
    """A survey tool's export in the form the ingest stage reads, whatever the tool."""

    path: str
    tool: str
    # Every cell a str, exactly as the file holds it; index "row": the 1-based record number
    # in the file, header records included, so errors point at what a user sees.
    frame: pd.DataFrame
    # "codes": coded cells hold codes; "labels": they hold answer texts (or a tool's answer
    # codes such as LimeSurvey's A1) that the questions map or the codebook decodes.
    shape: str
    # The respondent-id column (export.id_column overrides the tool's own).
    id_column: str | None
    # Variable labels, value labels and declared missing values: read from the file itself
    # (SPSS, Stata) or from a separate codebook (EFS); None when neither has them.
    codebook: Codebook | None = None
    # The tool's own columns (id, status, dates, paradata): never questions.
    metadata: tuple[str, ...] = ()
    # Tool columns holding personal data (IP address, e-mail, names, location, token):
    # never carried past ingest, and never drafted as questions.
    personal: tuple[str, ...] = ()
    question_texts: dict[str, str] = field(default_factory=dict)
    item_labels: dict[str, str] = field(default_factory=dict)
    # Variable -> codes the file declares missing (SPSS/Stata user-missing values), as text.
    declared_missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # How the file was read (encoding, separator, header rows, options): for the manifest.
    detected: dict[str, Any] = field(default_factory=dict)

    # The names RawExport had, for code that reads an EFS export either way.
    @property
    def encoding(self) -> str | None:
        return self.detected.get("encoding")

    @property
    def separator(self) -> str | None:
        return self.detected.get("separator")


@dataclass(frozen=True)
class Completion:
    """Which rows are completed interviews, and by what rule."""

    completed: pd.Series  # bool, index of the export's frame
    status: pd.Series  # str: each row's status as the tool gives it (ingested table, manifest)
    rule: str  # the rule in words, e.g. "Finished = 1 and not a preview"


def integer_text(value: object) -> str:
    """A number as a CSV export writes it: 3 (not 3.0), 2.5; None/NaN as ""."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def value_in(column: pd.Series, values: Iterable[object]) -> pd.Series:
    """Cells equal to one of ``values`` compared as text (1 == "1" == "1.0"), case-folded."""
    wanted = {integer_text(_number_or_text(v)).casefold() for v in values}
    text = column.astype(str).str.strip()
    as_number = pd.to_numeric(text, errors="coerce")
    canonical = [
        integer_text(float(n)) if n == n else t
        for t, n in zip(text.tolist(), as_number.tolist(), strict=True)
    ]
    return pd.Series([c.casefold() in wanted for c in canonical], index=column.index)


def _number_or_text(value: object) -> object:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return str(value).strip()


def configured_completion(
    export: SurveyExport, rule: Mapping[str, Any], *, source: str = "export.completed"
) -> Completion:
    """``export.completed: {variable: X, values: [...]}``: X holding one of the values."""
    variable = rule.get("variable")
    values = list(rule.get("values") or [])
    if not variable or not values:
        raise InputError(
            f"{source} needs both `variable:` and `values:` (e.g. "
            "{variable: Finished, values: [1]}).",
            path=export.path,
            hint=f"set {source} in your config to the variable that marks a completed "
            "interview and the values that mean completed.",
        )
    if variable not in export.frame.columns:
        raise InputError(
            f"has no variable {variable!r}, which {source} names as the completion marker.",
            path=export.path,
            hint=f"set {source}.variable in your config to one of the export's variables, "
            "or remove export.completed to use the tool's own rule.",
        )
    status = export.frame[variable]
    return Completion(
        completed=value_in(status, values),
        status=status.astype(str),
        rule=f"{variable} in {values}",
    )


def name_problem(names: list[str]) -> tuple[int, str, int | None] | None:
    """The first header problem, for a reader's own message: a column without a name
    (position, "", None) or a name given twice (position, name, its first position)."""
    seen: dict[str, int] = {}
    for pos, name in enumerate(names, start=1):
        if not name.strip():
            return pos, "", None
        if name in seen:
            return pos, name, seen[name]
        seen[name] = pos
    return None
