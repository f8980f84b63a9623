"""Parse-time checks of the `analyses:` config: what its JSON schema cannot say, named by key.

Kept apart from :mod:`surveyflow.estimating.analyses` so that parsing the workflow (a no-op run
included) checks the config without importing NumPy and pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from surveyflow.config import Question
from surveyflow.errors import InputError


def fail_in(
    analysis: str, key: str, message: str, hint: str, source: str | None = None
) -> InputError:
    """An error of one analysis' config key. At parse time ``source`` names the user's config
    files; a job does not know them, so its message names the key alone (analyses.<name>.<key>,
    in whichever config file sets it)."""
    return InputError(
        f"config key analyses.{analysis}.{key}: {message}"
        if source is None
        else f"analysis {analysis!r}, key {key!r}: {message}",
        path=source,
        hint=hint,
    )


def check_analyses(
    analyses: Mapping[str, Mapping[str, Any]],
    questions: Mapping[str, Question],
    ratio_names: Sequence[str] = (),
    *,
    source: str = "config/analyses.yaml",
) -> None:
    """Parse-time checks the JSON schema cannot express; errors name the analysis and key
    (and ``source``, the config files the user gave)."""

    def _fail(analysis: str, key: str, message: str, hint: str) -> InputError:
        return fail_in(analysis, key, message, hint, source)

    for name, spec in analyses.items():
        statistic = spec["statistic"]
        qid = spec.get("question")
        if qid is not None and qid not in questions:
            raise _fail(
                name,
                "question",
                f"unknown question {qid!r}",
                f"use one of the ids of the questions map: {', '.join(questions)}.",
            )
        if statistic in ("share_selected", "share_per_level"):
            if qid is None:
                raise _fail(name, "question", "missing", f"{statistic} needs a `question:`.")
            wanted = "multiple_choice" if statistic == "share_selected" else "single_choice/likert"
            qtype = questions[qid].type
            if (statistic == "share_selected") != (qtype == "multiple_choice") or qtype in (
                "count",
                "percentage",
                "text",
            ):
                raise _fail(
                    name,
                    "statistic",
                    f"{statistic} needs a {wanted} question, {qid} is {qtype}",
                    "pick the statistic that fits the question.",
                )
            if not isinstance(spec["labels"], Mapping):
                raise _fail(
                    name,
                    "labels",
                    "must map option keys or levels to display names",
                    "write `labels: {key: Display name}`.",
                )
            if statistic == "share_selected":
                unknown = set(spec["labels"]) - set(questions[qid].options)
                if unknown:
                    raise _fail(
                        name,
                        "labels",
                        f"unknown option(s) {sorted(unknown)}",
                        f"options of {qid}: {', '.join(questions[qid].options)}.",
                    )
        else:
            bins = spec.get("bins") or []
            if len(bins) < 2:
                raise _fail(name, "bins", "needs at least two edges", "give `bins: [0, 20, …]`.")
            if any(hi <= lo for lo, hi in zip(bins, bins[1:], strict=False)):
                raise _fail(
                    name, "bins", f"edges must increase strictly: {bins}", "sort the edges."
                )
            labels = spec["labels"]
            if not isinstance(labels, Sequence) or len(labels) != len(bins) - 1:
                raise _fail(
                    name,
                    "labels",
                    f"needs {len(bins) - 1} names, one per bin",
                    "give one label per bin, in bin order.",
                )
            column = spec.get("column")
            if (qid is None) == (column is None):
                raise _fail(
                    name,
                    "question",
                    "give exactly one of `question:` or `column:`",
                    "a binned statistic takes a numeric question or a ratio column.",
                )
            if qid is not None and questions[qid].type not in ("count", "percentage"):
                raise _fail(
                    name,
                    "question",
                    f"{qid} is not numeric",
                    "bins apply to count or percentage questions.",
                )
            if column is not None and column not in ratio_names:
                raise _fail(
                    name,
                    "column",
                    f"unknown column {column!r}",
                    f"use a ratio of cleaning.ratios: {', '.join(ratio_names)}.",
                )
