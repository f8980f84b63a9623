"""Analyses declared in config: which respondents answered, the per-label values, the estimates.

An analysis turns the clean responses into an (n, L) matrix of per-respondent values (0/1
indicators for shares, or a numeric column for a mean) over the n respondents who answered;
the bootstrap engine resamples its rows. Adding an analysis of these kinds needs config only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from surveyflow.checking.vocabulary import ESTIMATE_COLUMNS, MEAN_LABEL
from surveyflow.config import Question
from surveyflow.estimating.analysis_config import fail_in
from surveyflow.estimating.bootstrap import bootstrap_means, intervals, stable_seed


@dataclass(frozen=True)
class Design:
    """Per-respondent values of one analysis: rows are the n respondents who answered."""

    values: np.ndarray  # (n, L) 0/1 indicators per label
    labels: list[str]  # display labels, in display order
    mean_values: np.ndarray | None = None  # (n, 1) numeric column when a mean is asked for


def answered(
    spec: Mapping[str, Any], clean: pd.DataFrame, questions: Mapping[str, Question]
) -> pd.Series:
    """Which respondents gave a valid answer to the analysis' question (its n)."""
    if spec["statistic"] == "share_selected":
        question = questions[spec["question"]]
        cols = [f"{question.column}_{key}" for key in spec["labels"]]
        return clean[cols].notna().all(axis=1)
    column = spec.get("column") or questions[spec["question"]].column
    return clean[column].notna()


def design(
    name: str, spec: Mapping[str, Any], clean: pd.DataFrame, questions: Mapping[str, Question]
) -> Design:
    """The (n, L) indicator matrix of the respondents who answered this analysis' question."""
    statistic = spec["statistic"]
    if statistic == "share_selected":
        question = questions[spec["question"]]
        keys = list(spec["labels"])
        cols = [f"{question.column}_{key}" for key in keys]
        mask = answered(spec, clean, questions)
        values = clean.loc[mask, cols].astype(bool).to_numpy(dtype=float)
        labels = [spec["labels"][key] for key in keys]
        mean_values = None
    elif statistic == "share_per_level":
        column = questions[spec["question"]].column
        answers = clean[column].dropna()
        levels = list(spec["labels"])
        values = np.column_stack([(answers == level).to_numpy() for level in levels]).astype(float)
        outside = ~answers.isin(levels)
        if outside.any():
            raise fail_in(
                name,
                "labels",
                f"levels {sorted(set(answers[outside]))} of {spec['question']} are not listed",
                "list every level in `labels`.",
            )
        labels = [spec["labels"][level] for level in levels]
        mean_values = None
    else:
        column = spec.get("column") or questions[spec["question"]].column
        numbers = clean[column].dropna().to_numpy(dtype=float)
        edges = np.asarray(spec["bins"], dtype=float)
        # [a, b) bins, the last closed at its upper edge (100% belongs to 80-100%).
        index = np.searchsorted(edges, numbers, side="right") - 1
        index[numbers == edges[-1]] = len(edges) - 2
        inside = (index >= 0) & (index < len(edges) - 1)
        if not inside.all():
            raise fail_in(
                name,
                "bins",
                f"{int((~inside).sum())} value(s) outside [{edges[0]:g}, {edges[-1]:g}]",
                "widen the outer edges.",
            )
        values = np.eye(len(edges) - 1)[index]
        labels = list(spec["labels"])
        mean_values = numbers[:, None] if spec.get("mean") else None
    if len(values) == 0:
        source = spec.get("question") or spec.get("column")
        raise fail_in(
            name,
            "question",
            f"{source} has no valid answers in the clean responses",
            "check the export and the cleaning log (results/clean/cleaning_log.csv).",
        )
    return Design(values=values, labels=labels, mean_values=mean_values)


def estimate(
    name: str,
    spec: Mapping[str, Any],
    data: Design,
    *,
    resamples: int,
    base_seed: int,
    level: float,
    chunk_size: int,
    methods: Sequence[str],
    group: str | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Bootstrap one analysis (or one subgroup of it): the long estimates table (percent
    scale) and the replicates. Each (analysis, group) has its own stable seed.

    With a mean (RQ5) the bins and the mean are columns of one matrix, resampled together:
    replicate s of every bin share and of the mean comes from the same resample, so they
    are consistent (a resample heavy in the top bin has a high mean), and the one seed in
    the table's `seed` column is the seed of every row.
    """
    seed = stable_seed(base_seed, name, group)
    n_bins = data.values.shape[1]
    columns = (
        data.values if data.mean_values is None else np.hstack([data.values, data.mean_values])
    )
    replicates = bootstrap_means(columns, resamples, seed, chunk_size)
    shares = replicates[:, :n_bins]
    rows = _rows(data.values, shares, data.labels, level, methods, "share")
    arrays = {"shares": np.ascontiguousarray(shares)}
    if data.mean_values is not None:
        mean_reps = np.ascontiguousarray(replicates[:, n_bins:])
        mean_methods = [m if m != "wilson" else "t" for m in methods]
        rows += _rows(data.mean_values, mean_reps, [MEAN_LABEL], level, mean_methods, "mean")
        arrays["mean"] = mean_reps
    table = pd.DataFrame(rows)
    table.insert(0, "analysis", name)
    table.insert(1, "paper_label", spec["paper_label"])
    table["ci_level"] = level
    table["resamples"] = resamples
    table["seed"] = seed
    return table[list(ESTIMATE_COLUMNS)], arrays


def _rows(values, replicates, labels, level, methods, kind) -> list[dict[str, Any]]:
    scale = 100.0 if kind == "share" else 1.0  # shares on the paper's 0-100 scale
    n = len(values)
    rows = []
    for item in intervals(values, replicates, level=level, methods=tuple(methods), kind=kind):
        j = item["label_index"]
        rows.append({
            "label": labels[j],
            "n": n,
            "count": int(values[:, j].sum()) if kind == "share" else pd.NA,
            "estimate": item["estimate"] * scale,
            "boot_mean": item["boot_mean"] * scale,
            "boot_se": item["boot_se"] * scale,
            "ci_method": item["ci_method"],
            "ci_used": item["ci_used"],
            "ci_low": item["ci_low"] * scale,
            "ci_high": item["ci_high"] * scale,
        })  # fmt: skip
    order = {label: i for i, label in enumerate(labels)}
    method_order = {m: i for i, m in enumerate(methods)}
    rows.sort(key=lambda r: (order[r["label"]], method_order.get(r["ci_method"], 99)))
    return rows


def estimate_with(
    name: str,
    spec: Mapping[str, Any],
    data: Design,
    settings: Mapping[str, Any],
    group: str | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """:func:`estimate` with the `bootstrap:` block of the config (as the rules pass it)."""
    return estimate(
        name,
        spec,
        data,
        resamples=settings["resamples"],
        base_seed=settings["seed"],
        level=settings["ci_level"],
        chunk_size=settings["chunk_size"],
        methods=settings["methods"],
        group=group,
    )
