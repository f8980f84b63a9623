"""Subgroup analyses: repeat an analysis per level of a grouping question.

Groups smaller than the configured minimum are pooled into one "other" group (and the plan
says which), so no estimate rests on a handful of respondents; respondents who did not answer
the grouping question belong to no group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from surveyflow.errors import InputError


def slugify(name: str) -> str:
    """A file-name-safe, stable id for a group label ("Project Leader / Manager" -> ...)."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return slug or "group"


def plan_groups(
    clean: pd.DataFrame,
    column: str,
    *,
    min_size: int,
    other_label: str = "Other (pooled)",
    levels: list[str] | None = None,
) -> dict[str, Any]:
    """Groups of respondents by `column`: those of at least `min_size` stand alone, the rest
    are pooled into `other_label` (if the pool itself reaches `min_size`; otherwise dropped)."""
    answers = clean[column].dropna()
    counts = answers.value_counts()
    order = [level for level in (levels or []) if level in counts.index]
    order += sorted(set(counts.index) - set(order))
    groups, pooled = [], []
    for level in order:
        if counts[level] >= min_size:
            groups.append(
                {
                    "label": level,
                    "slug": slugify(level),
                    "levels": [level],
                    "size": int(counts[level]),
                }
            )
        else:
            pooled.append(level)
    pooled_size = int(counts[pooled].sum()) if pooled else 0
    dropped: list[str] = []
    if pooled and pooled_size >= min_size:
        groups.append(
            {
                "label": other_label,
                "slug": slugify(other_label),
                "levels": pooled,
                "size": pooled_size,
            }
        )
    elif pooled:
        dropped = pooled
    slugs = [g["slug"] for g in groups]
    if len(set(slugs)) != len(slugs):
        raise InputError(
            f"group labels of {column!r} collide after slugification: {slugs}",
            hint="rename the levels in the codebook or questions.yaml.",
        )
    return {
        "column": column,
        "min_group_size": min_size,
        "groups": groups,
        "pooled": pooled if not dropped else [],
        "dropped_small": dropped,
        "no_answer": int(clean[column].isna().sum()),
    }


def members(clean: pd.DataFrame, plan: Mapping[str, Any], slug: str) -> pd.DataFrame:
    """The respondents of one planned group."""
    for group in plan["groups"]:
        if group["slug"] == slug:
            return clean[clean[plan["column"]].isin(group["levels"])]
    raise KeyError(f"no group {slug!r} in the plan")


def group_label(plan: Mapping[str, Any], slug: str) -> str:
    return next(g["label"] for g in plan["groups"] if g["slug"] == slug)
