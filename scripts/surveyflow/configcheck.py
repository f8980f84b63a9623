"""Parse-time checks of what the config names: every question, item and column must exist.

A figure panel, subgroup or archive column that names a question the questions map lacks
would otherwise fail inside a job with a bare ``KeyError`` and an empty log; here it stops the
workflow before any job starts, with the config key and the missing name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from surveyflow.config import Question
from surveyflow.errors import InputError

DEMOGRAPHIC_KEYS = ("countries", "roles", "experience")


def clean_columns(questions: Mapping[str, Question], ratio_names: Sequence[str]) -> list[str]:
    """The columns of results/clean/responses.csv, in order (as the cleaning writes them)."""
    columns = ["respondent_id", "dispcode"]
    for question in questions.values():
        columns += list(question.columns())
    return columns + list(ratio_names)


def _question(
    problems: list[str],
    key: str,
    qid: Any,
    questions: Mapping[str, Question],
    types: Sequence[str],
) -> Question | None:
    if qid not in questions:
        problems.append(f"{key} names question {qid!r}, which the questions map lacks")
        return None
    question = questions[qid]
    if question.type not in types:
        problems.append(
            f"{key} names {qid}, a {question.type} question; it needs {' or '.join(types)}"
        )
        return None
    return question


def _panel_problems(fig: str, spec: Mapping[str, Any], questions) -> list[str]:
    problems: list[str] = []
    key = f"figures.panels.{fig}"
    if spec["kind"] == "demographics":
        for part in DEMOGRAPHIC_KEYS:
            if part not in spec:
                problems.append(f"{key}.{part} is missing (a single-choice question id)")
                continue
            _question(problems, f"{key}.{part}", spec[part], questions, ("single_choice",))
        return problems
    if "question" not in spec or "items" not in spec:
        return [f"{key}: a likert panel needs `question:` and `items:`"]
    question = _question(problems, f"{key}.question", spec["question"], questions, ("likert",))
    if question is not None:
        unknown = [item for item in spec["items"] if item not in question.items]
        if unknown:
            problems.append(
                f"{key}.items names {', '.join(map(repr, unknown))}, not item(s) of "
                f"{spec['question']} (its items: {', '.join(question.items) or 'none'})"
            )
    return problems


def _map_name(questions: Any) -> str:
    return questions if isinstance(questions, str) else "given inline under `questions:`"


def _ids(questions: Mapping[str, Question], shown: int = 12) -> str:
    ids = list(questions)
    more = f", … ({len(ids) - shown} more)" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def check_references(
    config: Mapping[str, Any], questions: Mapping[str, Question], *, source: str
) -> None:
    """Every question, item and column the config names exists; all problems in one error.

    ``source`` names the config files, as the user gave them, for the message.
    """
    problems: list[str] = []
    for fig, spec in (config.get("figures") or {}).get("panels", {}).items():
        problems += _panel_problems(fig, spec, questions)
    for name, sub in config.get("subgroups", {}).items():
        if sub["analysis"] not in config["analyses"]:
            problems.append(
                f"subgroups.{name}.analysis names analysis {sub['analysis']!r}, which is not "
                f"configured (analyses: {', '.join(config['analyses']) or 'none'})"
            )
        _question(problems, f"subgroups.{name}.by", sub["by"], questions, ("single_choice",))
    if config.get("qualitative") and not config.get("coding"):
        problems.append(
            "qualitative analyses are configured but `coding` (the coding sheet) is not: set "
            "`coding:` or switch them off (qualitative: {rq2: null, rq4: null})"
        )
    archive = config.get("archive") or {}
    if archive.get("columns"):
        ratio_names = [r["name"] for r in config.get("cleaning", {}).get("ratios", [])]
        available = set(clean_columns(questions, ratio_names))
        by_id = {qid.lower() for qid in questions}
        unknown = [
            entry
            for entry in archive["columns"]
            if entry not in available and entry not in questions and entry.lower() not in by_id
        ]
        if unknown:
            problems.append(
                f"archive.columns names {', '.join(map(repr, unknown))}: neither a column of "
                "the clean responses nor a question id"
            )
    if problems:
        raise InputError(
            "the config names things the questions map does not have: "
            + "; ".join(problems)
            + f" (questions map: {_map_name(config['questions'])}; its ids: {_ids(questions)}).",
            path=source,
            hint="correct or remove these keys in your config file (a null switches a default "
            "panel, analysis or subgroup off), or add the questions to the questions map; "
            "`snakemake draft_config` writes a config that fits the export.",
        )
