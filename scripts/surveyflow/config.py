"""Configuration: JSON-schema validation with messages that name the key, and the question map."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from surveyflow.errors import InputError

_JSON_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


# libyaml's loader where PyYAML was built with it (its wheels are): the same safe subset of
# YAML, about ten times faster than the pure-Python one; the workflow reads a dozen YAML files
# every time Snakemake parses it, a no-op run included.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file, turning a missing file or a syntax error into an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found.", path=str(path), hint="check the path in the config.")
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise InputError(f"is not valid YAML: {exc}", path=str(path)) from exc


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    key = _key_path(error)
    if error.validator == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else expected
        wanted = " or ".join(_JSON_TYPES.get(t, t) for t in expected)
        found = type(error.instance).__name__
        return f"key '{key}' must be {wanted}, but is {error.instance!r} ({found})"
    if error.validator == "required":
        return f"key '{key}' is missing a required entry: {error.message}"
    if error.validator == "additionalProperties":
        return f"key '{key}': {error.message} (a typo?)"
    return f"key '{key}': {error.message}"


def validate_against_schema(data: Any, schema_path: str | Path, *, source: str) -> None:
    """Validate `data` against a YAML JSON-schema; every violation is listed, each by its key."""
    schema = load_yaml(schema_path)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        details = "; ".join(_describe(e) for e in errors)
        raise InputError(
            f"violates the schema {schema_path}: {details}.",
            path=source,
            hint="fix the named keys (see the schema for what each key takes).",
        )


@dataclass(frozen=True)
class Question:
    """One canonical question and the export variables behind it."""

    id: str
    type: str
    text: str = ""
    variable: str | None = None
    items: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    other_text: str | None = None
    other_option: str | None = None
    levels: dict[int, str] | None = None
    # `levels:` keyed by the export's own text codes (LimeSurvey's A1, A2 ...): each such code
    # -> the position it stands for (1, 2 ...), which becomes its code in the ingested table.
    answer_codes: dict[str, int] = field(default_factory=dict)
    # Codes that mean "no answer" for this question only (e.g. a Likert item's 0, "please
    # make a selection"), beside the global missing_codes; as text, the way cells hold them.
    missing: tuple[str, ...] = ()
    # A count's own plausibility limit, overriding cleaning.max_count (None: the global one).
    max_count: int | None = None

    @property
    def column(self) -> str:
        return self.id.lower()

    def columns(self) -> dict[str, str]:
        """Canonical column name -> export variable, in questionnaire order."""
        if self.type == "multiple_choice":
            cols = {f"{self.column}_{key}": var for key, var in self.options.items()}
            if self.other_text:
                cols[f"{self.column}_other"] = self.other_text
            return cols
        if self.items:
            return {f"{self.column}_{key}": var for key, var in self.items.items()}
        return {self.column: self.variable}  # type: ignore[dict-item]

    def coded_columns(self) -> list[str]:
        """Columns holding codes (not free text)."""
        if self.type == "multiple_choice":
            return [f"{self.column}_{key}" for key in self.options]
        if self.type in ("single_choice", "likert"):
            return list(self.columns())
        return []

    def text_columns(self) -> list[str]:
        """Columns holding free text, kept as text by ingestion."""
        if self.type in ("count", "percentage", "text"):
            return list(self.columns())
        if self.type == "multiple_choice" and self.other_text:
            return [f"{self.column}_other"]
        return []


def _question_from(qid: str, spec: Mapping[str, Any], source: str) -> Question:
    qtype = spec["type"]

    def fail(message: str) -> InputError:
        return InputError(
            f"question {qid}: {message}", path=source, hint="see the comment at the top."
        )

    if qtype == "multiple_choice":
        if not spec.get("options"):
            raise fail("a multiple_choice question needs `options:` (key: variable).")
        if spec.get("other_text") and "other" in spec["options"]:
            raise fail(
                "option key 'other' clashes with the column of `other_text:` "
                "(<id>_other); rename the option, e.g. to 'others'."
            )
        other_option = spec.get("other_option")
        if other_option is not None and other_option not in spec["options"]:
            raise fail(f"other_option {other_option!r} is not one of its options.")
    elif qtype in ("single_choice", "likert"):
        if bool(spec.get("variable")) == bool(spec.get("items")):
            raise fail(f"a {qtype} question needs exactly one of `variable:` or `items:`.")
    elif not spec.get("variable"):
        raise fail(f"a {qtype} question needs `variable:`.")
    if spec.get("max_count") is not None and qtype != "count":
        raise fail("`max_count:` is the plausibility limit of a count question only.")
    levels, answer_codes = _levels(spec.get("levels"), fail)
    missing = tuple(str(code).strip() for code in spec.get("missing") or ())
    return Question(
        id=qid,
        type=qtype,
        text=spec.get("text", ""),
        variable=spec.get("variable"),
        items=dict(spec.get("items") or {}),
        options=dict(spec.get("options") or {}),
        other_text=spec.get("other_text"),
        other_option=spec.get("other_option"),
        levels=levels,
        answer_codes=answer_codes,
        missing=missing,
        max_count=spec.get("max_count"),
    )


def _levels(levels: Any, fail) -> tuple[dict[int, str] | None, dict[str, int]]:
    """`levels:` as code -> label, and the export's text codes -> code.

    A mapping of integer codes is taken as given; a list of labels numbers them from 1, the
    way the survey tool numbers the answers of a list; a mapping keyed by text codes (the
    answer codes A1, A2 ... of a LimeSurvey export) numbers them in the order written, and
    those text codes are read as their numbers.
    """
    if levels is None:
        return None, {}
    labels = list(levels) if isinstance(levels, list) else list(levels.values())
    if any(isinstance(label, bool) for label in labels):
        # YAML reads a bare Yes/No/on/off as true/false; the export holds the word.
        raise fail('a label of `levels:` was read as true/false: quote it, e.g. "Yes".')
    if isinstance(levels, list):
        if len(set(map(str, levels))) != len(levels):
            raise fail("`levels:` lists a label twice.")
        return {position: str(label) for position, label in enumerate(levels, start=1)}, {}
    keys = [str(code).strip() for code in levels]
    if all(_INT_TEXT.match(key) for key in keys):
        return {int(key): str(label) for key, label in zip(keys, labels, strict=True)}, {}
    if any(_INT_TEXT.match(key) for key in keys) or any(isinstance(k, bool) for k in levels):
        raise fail(
            "`levels:` keys must be all integer codes or all text codes (such as A1, A2), "
            "not a mix (or give a list of labels)."
        )
    positions = {key: position for position, key in enumerate(keys, start=1)}
    return {positions[key]: str(label) for key, label in zip(keys, labels, strict=True)}, positions


_INT_TEXT = re.compile(r"^[+-]?\d+$")


def load_questions(
    path: str | Path | Mapping[str, Any], schema_path: str | Path, *, source: str = "config"
) -> dict[str, Question]:
    """Read and validate questions.yaml; returns questions in file order.

    ``path`` may also be the map itself (the config key `questions:` given inline, as a
    drafted config does): question id -> spec, reported as the config key in errors.
    """
    if isinstance(path, Mapping):
        data: Any = {"questions": dict(path)}
        path = f"{source}, key 'questions' (the questions map given inline)"
    else:
        data = load_yaml(path)
    validate_against_schema(data, schema_path, source=str(path))
    questions = {
        qid: _question_from(qid, spec, str(path)) for qid, spec in data["questions"].items()
    }
    seen: dict[str, str] = {}
    for question in questions.values():
        for column in question.columns():
            if column in seen:
                raise InputError(
                    f"questions {seen[column]} and {question.id} both produce column {column!r}.",
                    path=str(path),
                    hint="rename an option or item key.",
                )
            seen[column] = question.id
    return questions


def check_ratio_config(
    ratios: list[Mapping[str, str]], questions: Mapping[str, Question], *, source: str = "config"
) -> None:
    """Ratios must name two `count` questions."""
    for ratio in ratios:
        for role in ("numerator", "denominator"):
            qid = ratio[role]
            if qid not in questions or questions[qid].type != "count":
                raise InputError(
                    f"cleaning.ratios {ratio['name']!r}: {role} {qid!r} is not a count question "
                    "of questions.yaml.",
                    path=source,
                    hint="name a question of type `count`.",
                )


def variables(questions: Mapping[str, Question]) -> dict[str, str]:
    """Canonical column -> export variable, over all questions."""
    return {col: var for q in questions.values() for col, var in q.columns().items()}
