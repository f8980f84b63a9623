"""The study as the config describes it: its `study:` block, figures, numbers and mean units.

Its figures and their numbers, and the unit each analysis' mean is printed in.

Parse-time helpers of rules/common.smk; pure functions, so the texts built from them (captions,
the deposit's README, CITATION.cff and .zenodo.json, the report's home page) say what this
study is, not what the reproduced paper was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from surveyflow.config import Question
from surveyflow.errors import InputError

DEFAULT_LICENSE = "CC-BY-4.0"
# Keys of the study block that describe one particular study: inheriting them from the
# default config (config files are merged key by key) would put the reproduction's words on
# another survey's deposit. license and country_question may well be the same.
OWN_KEYS = ("description", "authors", "keywords", "paper_doi")
_NUMBERED = re.compile(r"^fig([0-9]+)$")


def study_settings(value: str | Mapping[str, Any]) -> dict[str, Any]:
    """The study block as a mapping; the old plain-string form is its title."""
    study = {"title": value} if isinstance(value, str) else dict(value)
    study.setdefault("description", "")
    study.setdefault("authors", [])
    study.setdefault("keywords", [])
    study.setdefault("license", DEFAULT_LICENSE)
    study.setdefault("paper_doi", None)
    return study


def check_study(study: Mapping[str, Any], default: Any, *, source: str = "config") -> None:
    """Stop when the title is a study's own but other descriptive keys are still the default's.

    `default` is the study block of the shipped config/config.yaml. A --configfile that gives
    only `study: {title: ...}` keeps the default's description, authors and paper DOI, since
    Snakemake merges mappings key by key; the deposit would then describe the reproduction.
    """
    if not isinstance(default, Mapping) or study["title"] == default.get("title"):
        return
    kept = [key for key in OWN_KEYS if key in default and study.get(key) == default[key]]
    if kept:
        raise InputError(
            f"study.title is {study['title']!r}, but study {', '.join(kept)} still "
            "describe(s) the reproduced paper (config files are merged key by key, so keys "
            "your study block leaves out keep the default's values).",
            path=source,
            hint="give your own "
            + ", ".join(f"study.{key}" for key in kept)
            + " (paper_doi: null when there is no paper; keywords: [] for none).",
        )


def country_question(
    study: Mapping[str, Any],
    panels: Mapping[str, Mapping[str, Any]],
    questions: Mapping[str, Question],
    *,
    source: str = "config",
) -> str | None:
    """The question whose answers are the respondents' countries, or None.

    `study.country_question` when the key is there (null: no country question); otherwise the
    `countries:` question of a demographics panel, if the study draws one.
    """
    if "country_question" in study:
        qid = study["country_question"]
        key = "study.country_question"
    else:
        found = [p["countries"] for p in panels.values() if p.get("kind") == "demographics"]
        qid = found[0] if found else None
        key = "figures.panels (demographics) countries"
    if qid is None:
        return None
    if qid not in questions or questions[qid].type != "single_choice":
        raise InputError(
            f"{key} names {qid!r}, which is not a single_choice question of questions.yaml.",
            path=source,
            hint="name the single_choice question that asks for the country, or set "
            "study.country_question: null when the survey has none.",
        )
    return qid


# --- figures ------------------------------------------------------------------------------------


def figure_id(name: str, spec: Mapping[str, Any]) -> str | None:
    """The figure of an analysis: its `figure:`, fig_<name> without one, None for `figure: null`."""
    if "figure" in spec:
        return spec["figure"]
    return f"fig_{name}"


def paper_number(fig: str) -> int | None:
    """N of a paper-numbered figure id figN; None for a figure named after its analysis."""
    match = _NUMBERED.match(fig)
    return int(match.group(1)) if match else None


def sort_figures(ids: Iterable[str]) -> list[str]:
    """Numbered figures by number (fig2 before fig10), then the named ones in the order the
    config gives them (a drafted config's is the questionnaire's; renaming one keeps it)."""
    ids = list(ids)
    return sorted(ids, key=lambda fig: (paper_number(fig) is None, paper_number(fig) or 0))


def figure_numbers(ids: Iterable[str]) -> dict[str, int]:
    """The number each figure's caption gives it: figN is Figure N; the named figures follow
    the highest of those, in name order (a study of its own: Figure 1, 2, ...)."""
    ordered = sort_figures(ids)
    numbers = {fig: paper_number(fig) for fig in ordered if paper_number(fig) is not None}
    last = max(numbers.values(), default=0)
    for fig in ordered:
        if fig not in numbers:
            last += 1
            numbers[fig] = last
    return {fig: numbers[fig] for fig in ordered}


# --- units --------------------------------------------------------------------------------------


def mean_unit(spec: Mapping[str, Any], questions: Mapping[str, Question]) -> str:
    """The unit of an analysis' mean, that of the analysed column: "%" for a percentage
    question or a ratio column (100 · numerator / denominator), "" for a count."""
    qid = spec.get("question")
    if qid is not None and questions[qid].type == "count":
        return ""
    return "%"
