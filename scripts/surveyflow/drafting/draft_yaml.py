"""The drafted config: a complete config for an export, as commented YAML a user edits.

`draft_config` assembles the mapping (export block, inline questions map, one analysis and
figure per closed question, the reproduction's analyses, panels, coding and subgroups switched
off); `render` writes it with the question texts and item labels as comments, so the user
edits rather than writes. Every scalar is written JSON-quoted, which YAML reads as written
(no "Yes" turning into true, no "1.10" into 1.1).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from surveyflow.drafting.draft import Draft, DraftQuestion, count_bins

_COUNTRY = re.compile(r"countr|\bland\b|staat|pa[ií]s|pays", re.IGNORECASE)
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TITLE_WIDTH = 160
# Display names on a figure's axis: longer ones leave the bars no room (edit them in the draft).
LABEL_WIDTH = 36
# Beyond this many levels (a country list), a drafted analysis lists the levels the export
# holds: a bar per country of the world would bury the answers.
MAX_DRAWN_LEVELS = 15


def _short(text: str, width: int = TITLE_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _display(names: Mapping[str, str]) -> dict[str, str]:
    """Short display names, unique: the estimates and figures key their rows by them."""
    out: dict[str, str] = {}
    for key, name in names.items():
        short, n = _short(name, LABEL_WIDTH), 2
        while short in out.values():
            short, n = f"{_short(name, LABEL_WIDTH - len(f' ({n})'))} ({n})", n + 1
        out[key] = short
    return out


def _fmt_edge(value: float) -> str:
    return f"{value:g}"


def _analysis(question: DraftQuestion, answers: Mapping[str, list[str]]) -> dict[str, Any] | None:
    spec = question.spec
    base = {"paper_label": question.id, "title": _short(question.text or question.id)}
    if spec["type"] == "multiple_choice":
        labels = _display({key: question.item_labels.get(key) or key for key in spec["options"]})
        return {**base, "question": question.id, "statistic": "share_selected", "labels": labels}
    if spec["type"] == "single_choice":
        shown = question.levels
        if len(shown) > MAX_DRAWN_LEVELS and 0 < len(question.observed) < len(shown):
            shown = question.observed
        labels = _display({name: name for name in shown})
        return {**base, "question": question.id, "statistic": "share_per_level", "labels": labels}
    if spec["type"] == "percentage":
        bins = [0, 20, 40, 60, 80, 100]
    elif spec["type"] == "count":
        bins = count_bins(answers.get(spec["variable"], []))
    else:
        return None
    # Bins are [a, b), the last [a, b]: said so, since a count range's midpoint may be 3.5.
    pairs = list(zip(bins, bins[1:], strict=False))
    labels = [f"[{_fmt_edge(lo)}, {_fmt_edge(hi)})" for lo, hi in pairs[:-1]]
    labels.append(f"[{_fmt_edge(pairs[-1][0])}, {_fmt_edge(pairs[-1][1])}]")
    return {
        **base,
        "question": question.id,
        "statistic": "share_per_bin",
        "bins": bins,
        "labels": labels,
        "mean": True,
    }


def _likert_panel(question: DraftQuestion) -> dict[str, Any]:
    items = _display({key: question.item_labels.get(key) or key for key in question.spec["items"]})
    return {
        "kind": "likert",
        "title": _short(question.text or question.id),
        "question": question.id,
        "items": items,
    }


def draft_config(
    draft: Draft,
    *,
    data: str,
    codebook: str | None,
    detected: Mapping[str, Any],
    title: str,
    defaults: Mapping[str, Iterable[str]],
    dispcodes: Iterable[int],
    known_dispcodes: Iterable[int],
    answers: Mapping[str, list[str]],
) -> dict[str, Any]:
    """The config mapping. ``defaults`` names the shipped config's analyses, panels, qualitative
    analyses and subgroups (switched off here); ``answers`` the non-missing answers per
    variable (for the bins of counts)."""
    questions = {q.id: q.spec for q in draft.questions}
    analyses: dict[str, Any] = {name: None for name in defaults.get("analyses", [])}
    panels: dict[str, Any] = {name: None for name in defaults.get("panels", [])}
    for question in draft.questions:
        name = question.id.lower()
        if question.spec["type"] == "likert":
            panels[f"fig_{name}"] = _likert_panel(question)
        elif (spec := _analysis(question, answers)) is not None:
            analyses[name] = spec
    countries = [
        q.id
        for q in draft.questions
        if q.spec["type"] == "single_choice"
        and _COUNTRY.search(f"{q.text} {' '.join(q.item_labels.values())}")
    ]
    archived = ["respondent_id"] + [q.id for q in draft.questions if q.spec["type"] != "text"]
    export = {"data": data, "codebook": codebook, **detected}
    return {
        "study": {
            "title": title,
            "description": f"Responses to the survey exported in {Path(data).name}, analysed "
            "with surveyflow from a drafted configuration.",
            "authors": [{"name": "The study team"}],
            "keywords": ["survey"],
            "license": "CC-BY-4.0",
            "paper_doi": None,
            "country_question": countries[0] if countries else None,
        },
        "synthetic": False,
        "export": export,
        "questions": questions,
        "completed_dispcodes": [31, 32],
        "known_dispcodes": sorted(set(known_dispcodes) | set(dispcodes)),
        "cleaning": {"ratios": []},
        "coding": None,
        "paper_reference": None,
        "qualitative": {name: None for name in defaults.get("qualitative", [])},
        "subgroups": {name: None for name in defaults.get("subgroups", [])},
        "figures": {"panels": panels},
        "analyses": analyses,
        "archive": {"columns": archived, "related_identifiers": []},
    }


# ---------------------------------------------------------------------------------- YAML


# Words YAML 1.1 reads as booleans or null: such labels must stay quoted.
_YAML_WORDS = {"y", "yes", "n", "no", "true", "false", "on", "off", "null"}
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./()&' -]*")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text == text.strip() and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _key(key: Any) -> str:
    if isinstance(key, int) or (_KEY.match(str(key)) and str(key).lower() not in _YAML_WORDS):
        return str(key)
    return json.dumps(str(key), ensure_ascii=False)


def _comment(text: str, indent: int) -> list[str]:
    text = " ".join(str(text).split())
    prefix = f"{' ' * indent}# "
    return textwrap.wrap(text, 100, initial_indent=prefix, subsequent_indent=prefix) if text else []


def _emit(value: Any, indent: int, comments: Mapping[Any, str]) -> list[str]:
    """Block YAML of a mapping or list; ``comments`` maps a key to the comment above it."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            lines += _comment(comments.get(key, ""), indent)
            if (
                isinstance(item, list)
                and item
                and not any(isinstance(i, Mapping | list) for i in item)
            ):
                # A list of scalars (bins, labels of bins) reads best on one line.
                lines.append(f"{pad}{_key(key)}: [{', '.join(_scalar(i) for i in item)}]")
            elif isinstance(item, Mapping | list) and item:
                lines.append(f"{pad}{_key(key)}:")
                lines += _emit(item, indent + 2, {})
            else:
                empty = "{}" if isinstance(item, Mapping) else "[]"
                shown = empty if isinstance(item, Mapping | list) else _scalar(item)
                lines.append(f"{pad}{_key(key)}: {shown}")
        return lines
    for item in value:
        if isinstance(item, Mapping | list) and item:
            inner = _emit(item, indent + 2, {})
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines += inner[1:]
        else:
            lines.append(f"{pad}- {_scalar(item)}")
    return lines


def _question_lines(question: DraftQuestion) -> list[str]:
    lines = _comment(question.text, 2) + [f"  {_key(question.id)}:"]
    for note in question.notes:
        lines += _comment(f"NOTE: {note}", 4)
    for key, item in question.spec.items():
        if isinstance(item, Mapping) and key in ("options", "items"):
            lines.append(f"    {key}:")
            for option, variable in item.items():
                label = question.item_labels.get(option, "")
                lines += _comment(label, 6) if label and label != option else []
                lines.append(f"      {_key(option)}: {_scalar(variable)}")
        elif isinstance(item, Mapping | list):
            lines.append(f"    {key}:")
            lines += _emit(item, 6, {})
        else:
            lines.append(f"    {key}: {_scalar(item)}")
    return lines


HEADER = """\
# A config drafted by `snakemake draft_config` from the export below: every question of the
# export with its inferred type, one descriptive analysis and figure per closed question, and
# the reproduced paper's analyses, figures, coding and subgroups switched off (null).
# It runs as it is:   snakemake --cores all --configfile results/draft/config.yaml
# Copy it out of results/ before you edit it (a new draft overwrites this file), then check
# the question types, the order of levels marked NOTE, the study block and archive.columns.
"""


def _notes(draft: Draft) -> dict[str, str]:
    """Comments above the drafted analyses that list only some levels."""
    return {
        q.id.lower(): f"NOTE: lists the {len(q.observed)} levels found in the export, of "
        f"{len(q.levels)}; add any other level an answer may hold."
        for q in draft.questions
        if len(q.levels) > MAX_DRAWN_LEVELS and 0 < len(q.observed) < len(q.levels)
    }


def render(config: Mapping[str, Any], draft: Draft) -> str:
    """The commented YAML text of a drafted config."""
    lines = [HEADER.rstrip("\n")]
    for key, value in config.items():
        lines.append("")
        if key == "questions":
            lines += _comment(
                "Question id -> export variable(s); types: count, percentage, "
                "single_choice, multiple_choice, likert, text.",
                0,
            )
            if draft.personal:
                lines += _comment(
                    "Left out as personal data (never read past ingest): "
                    + "; ".join(f"{name} ({why})" for name, why in draft.personal),
                    0,
                )
            lines += _comment(
                f"The tool's own columns, not questions: {', '.join(draft.metadata)}", 0
            )
            lines.append("questions:")
            for question in draft.questions:
                lines += _question_lines(question)
            continue
        if key == "export" and isinstance(value, Mapping) and value.get("completed"):
            lines += _comment(
                "NOTE: the file has no survey tool's status column; export.completed is read "
                "from the value labels of the variable below: check it.",
                0,
            )
        if isinstance(value, Mapping | list) and value:
            lines.append(f"{key}:")
            lines += _emit(value, 2, _notes(draft) if key == "analyses" else {})
        else:
            lines += _emit({key: value}, 0, {})
    return "\n".join(lines) + "\n"
