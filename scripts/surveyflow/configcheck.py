"""Parse-time checks of what the config names: every question, item and column must exist.

A figure panel, subgroup or archive column that names a question the questions map lacks
would otherwise fail inside a job with a bare ``KeyError`` and an empty log; here it stops the
workflow before any job starts, with the config key and the missing name. The files the config
names are validated here too: the questions map and the paper's reference numbers
(``paper_reference``), each against its schema in config/schemas/.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveyflow.config import (
    Question,
    check_ratio_config,
    load_questions,
    load_yaml,
    validate_against_schema,
)
from surveyflow.errors import InputError
from surveyflow.estimating.analysis_config import check_analyses
from surveyflow.estimating.paper_reference import load_reference
from surveyflow.study import check_study, country_question, study_settings

DEMOGRAPHIC_KEYS = ("countries", "roles", "experience")


def clean_columns(questions: Mapping[str, Question], ratio_names: Sequence[str]) -> list[str]:
    """The columns of results/clean/responses.csv, in order (as the cleaning writes them)."""
    columns = ["respondent_id"]
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


@dataclass(frozen=True)
class PreparedConfig:
    """What parse time derives from the config: its questions, the config of the results (as
    given, nulls included, so that it reproduces the run alone) and the country question."""

    questions: dict[str, Question]
    run_config: dict[str, Any]
    country_question: str | None


def _switch_off_nulls(config: dict[str, Any]) -> None:
    # A study's analyses, qualitative analyses, subgroups and figure panels come from
    # config/analyses.yaml; another survey switches any of them off by setting it to null in
    # its own --configfile (config files merge key by key, so a null removes one).
    for section in (config["analyses"], config.get("qualitative", {}), config.get("subgroups", {})):
        for name in [key for key, value in section.items() if value is None]:
            del section[name]
    panels = (config.get("figures") or {}).get("panels")
    if panels:
        config["figures"]["panels"] = {key: value for key, value in panels.items() if value}


def _collect(problems: list[InputError], check: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Run one check; its InputError joins the others instead of stopping at the first."""
    try:
        return check(*args, **kw)
    except InputError as exc:
        problems.append(exc)
        return None


def prepare_config(config: dict[str, Any], basedir: Path, *, source: str) -> PreparedConfig:
    """Validate and complete the merged config in place before any job starts.

    Every problem is an InputError naming ``source`` (the user's config files) and the key;
    problems of what the config names are all reported at once.
    """
    schemas = basedir / "config/schemas"
    validate_against_schema(config, schemas / "config.schema.yaml", source=source)
    validate_against_schema(config, schemas / "archive.schema.yaml", source=source)
    # The study block the deposit, the report's home page and the captions are written from;
    # a title of one's own still carrying the reproduction's description, authors or DOI
    # (merged in from config/config.yaml) stops.
    config["study"] = study_settings(config["study"])
    shipped = load_yaml(basedir / "config/config.yaml").get("study")
    check_study(config["study"], shipped, source=source)
    # `--config 'export={data: x.csv, codebook: null}'` reaches us as the string "null":
    # Snakemake reads --config mappings with YAML's BaseLoader (every scalar a string).
    if str(config["export"].get("codebook")).strip().lower() in ("null", "none", "~", ""):
        config["export"]["codebook"] = None
    run_config = copy.deepcopy(config)
    _switch_off_nulls(config)
    questions_schema = os.path.relpath(schemas / "questions.schema.yaml")
    questions = load_questions(config["questions"], questions_schema, source=source)
    ratios = config["cleaning"].get("ratios", [])
    panels = (config.get("figures") or {}).get("panels") or {}
    problems: list[InputError] = []
    _collect(problems, check_ratio_config, ratios, questions, source=source)
    _collect(problems, check_references, config, questions, source=source)
    names = [r["name"] for r in ratios]
    _collect(problems, check_analyses, config["analyses"], questions, names, source=source)
    country = _collect(
        problems, country_question, config["study"], panels, questions, source=source
    )
    if config.get("paper_reference"):
        # Checked here, not only by the reproduction job: the rules read its table names at
        # parse time, and a bad file should stop the run before any job, naming file and key.
        reference_schema = os.path.relpath(schemas / "paper_reference.schema.yaml")
        _collect(problems, load_reference, config["paper_reference"], reference_schema)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        prefix = f"file {source}: "
        numbered = (f"({i}) {str(e).removeprefix(prefix)}" for i, e in enumerate(problems, 1))
        raise InputError(" ".join(numbered), path=source)
    return PreparedConfig(questions, run_config, country)
