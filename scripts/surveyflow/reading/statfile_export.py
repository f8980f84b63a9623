"""An SPSS or Stata file's labels as a SurveyExport: questions, items, tool columns, completion.

Variable labels become question texts and item labels, value labels the codebook's values.
Which survey tool wrote the file (EFS, Qualtrics, LimeSurvey) is told from its own columns:
that decides the metadata and personal columns and the completion fallback.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from surveyflow.errors import InputError
from surveyflow.reading import efs
from surveyflow.reading.base import Completion, SurveyExport, integer_text, value_in
from surveyflow.reading.codebook import Codebook, CodebookVariable
from surveyflow.reading.statfile import CellRule

ID_CANDIDATES = ("lfdn", "ResponseId", "id", "respondent_id", "caseid", "CaseID")

# The origin tools' own columns (lower case; a pattern where the tool numbers them).
_META = {
    "efs": re.compile(efs.METADATA_PATTERN, re.IGNORECASE),
    "qualtrics": re.compile(
        r"^(?:startdate|enddate|status|ipaddress|progress|duration__in_seconds_|finished"
        r"|recordeddate|responseid|recipient\w*|externalreference|externaldatareference"
        r"|locationlatitude|locationlongitude|distributionchannel|userlanguage)$"
        # Qualtrics' own fields (Q_RecaptchaScore, Q_TotalDuration ...); a question is Q1.
        r"|^(?-i:Q_[A-Z]\w*)$",
        re.IGNORECASE,
    ),
    "limesurvey": re.compile(
        r"^(?:id|submitdate|lastpage|startlanguage|seed|token|ipaddr|refurl|startdate"
        r"|datestamp|interviewtime|grouptime\d+|firstname|lastname|email)$",
        re.IGNORECASE,
    ),
}
_PERSONAL = {
    "efs": re.compile(r"^(?:ip.*|referer|browser|token|session_id)$", re.IGNORECASE),
    "qualtrics": re.compile(
        r"^(?:ipaddress|recipient(?:firstname|lastname|email)|locationlatitude"
        r"|locationlongitude)$",
        re.IGNORECASE,
    ),
    "limesurvey": re.compile(r"^(?:ipaddr|token|refurl|firstname|lastname|email)$", re.I),
}
# LimeSurvey labels a sub-question's variable "[Sub-question] Question text".
_BRACKETED = re.compile(r"^((?:\[[^\]]*\]\s*)+)(\S.*)$", re.DOTALL)


def integer_values(
    labels: Mapping[Any, str], tag: str = ""
) -> tuple[dict[int, str], dict[str, str]]:
    """Value labels split into whole-number codes (the codebook's) and the others, as text
    (string codes, fractions, Stata's ".a" tags)."""
    whole: dict[int, str] = {}
    other: dict[str, str] = {}
    for code, label in labels.items():
        if isinstance(code, str):
            other[tag + code] = str(label)
        elif float(code).is_integer():
            whole[int(code)] = str(label)
        else:
            other[integer_text(float(code))] = str(label)
    return whole, other


def origin_tool(columns: Iterable[str]) -> str | None:
    """The survey tool that wrote the file, told from its own columns, or None."""
    names = {c.lower() for c in columns}
    if names & {"lfdn", "dispcode"}:
        return "efs"
    if "responseid" in names or ("finished" in names and names & {"startdate", "status"}):
        return "qualtrics"
    if "submitdate" in names or ("id" in names and names & {"lastpage", "startlanguage"}):
        return "limesurvey"
    return None


def id_column(columns: list[str], settings: Mapping[str, Any], path: str) -> str | None:
    given = settings.get("id_column")
    if given:
        if given not in columns:
            raise InputError(
                f"has no variable {given!r}, which export.id_column names.",
                path=path,
                hint="set export.id_column in your config to one of the file's variables "
                f"({', '.join(columns[:8])}{' ...' if len(columns) > 8 else ''}), or remove it",
            )
        return str(given)
    lower = {c.lower(): c for c in reversed(columns)}
    return next((lower[c.lower()] for c in ID_CANDIDATES if c.lower() in lower), None)


def split_labels(labels: Mapping[str, str], origin: str | None) -> dict[str, tuple[str, str]]:
    """Variable labels of the form "question - item" (or LimeSurvey's "[item] question")
    as (question, item). A " - " splits only where another variable's label shares the
    text before it, so a question text holding " - " is not cut in two."""
    out: dict[str, tuple[str, str]] = {}
    dashed: dict[str, set[str]] = {}
    for name, label in labels.items():
        match = _BRACKETED.match(label) if origin == "limesurvey" else None
        if match:
            items = [i.strip() for i in re.findall(r"\[([^\]]*)\]", match[1])]
            out[name] = (match[2].strip(), " - ".join(i for i in items if i))
        elif " - " in label:
            dashed[name] = {label[: m.start()] for m in re.finditer(" - ", label)}
    shared = Counter(prefix for prefixes in dashed.values() for prefix in prefixes)
    for name, prefixes in dashed.items():
        common = [p for p in prefixes if shared[p] >= 2 and p.strip()]
        if common:
            question = max(common, key=len)
            item = labels[name][len(question) + 3 :].strip()
            if item:
                out[name] = (question.strip(), item)
    return out


def _block_ids(questions: Mapping[str, str]) -> dict[str, str]:
    """Variables sharing a question text -> one block id: their names' common stem
    (Q5_1, Q5_2 -> Q5), else the first name."""
    by_text: dict[str, list[str]] = {}
    for name, question in questions.items():
        by_text.setdefault(question, []).append(name)
    out = {}
    for names in by_text.values():
        stem = os.path.commonprefix(names)
        # Up to the last separator, so that fruit_SQ001, fruit_SQ002 are "fruit".
        cut = max(stem.rfind("_"), stem.rfind("."))
        stem = names[0] if len(names) == 1 else (stem[:cut] if cut > 0 else stem)
        for name in names:
            out[name] = stem or names[0]
    return out


def build_export(
    path: str,
    tool: str,
    frame: pd.DataFrame,
    meta: Any,
    settings: Mapping[str, Any],
    *,
    rules: Mapping[str, CellRule],
    values: Mapping[str, dict[int, str]],
    declared: Mapping[str, tuple[str, ...]],
    groups: Mapping[str, tuple[str, str]],
    detected: dict[str, Any],
) -> SurveyExport:
    """The SurveyExport of a file with its own metadata. ``groups``: variable -> (question
    id, question text) of a multiple-response set (text "" keeps the variable's own)."""
    columns = list(frame.columns)
    origin = origin_tool(columns)
    labels = {c: (meta.column_names_to_labels.get(c) or "").strip() for c in columns}
    split = split_labels(labels, origin)
    blocks = _block_ids({name: question for name, (question, _) in split.items()})
    question_texts: dict[str, str] = {}
    item_labels: dict[str, str] = {}
    variables: dict[str, CodebookVariable] = {}
    for name in columns:
        question, item = split.get(name, (labels[name], ""))
        group_id, group_text = groups.get(name, (None, ""))
        if group_text:
            question, item = group_text, item or labels[name]
        if question:
            question_texts[name] = question
        if item:
            item_labels[name] = item
        variables[name] = CodebookVariable(
            name=name,
            dtype=rules[name].kind,
            label=item or labels[name],
            question_text=question,
            question_id=group_id or blocks.get(name),
            question_type=None,
            values=dict(values.get(name, {})),
        )
    identifier = id_column(columns, settings, path)
    meta_re, personal_re = _META.get(origin or ""), _PERSONAL.get(origin or "")
    metadata = [c for c in columns if meta_re and meta_re.match(c)]
    if identifier and identifier not in metadata:
        metadata.insert(0, identifier)
    personal = tuple(c for c in metadata if personal_re and personal_re.match(c))
    detected = {"origin": origin, "rows": len(frame), "variables": len(columns), **detected}
    codebook = Codebook(
        path=path,
        encoding=str(detected.get("encoding") or ""),
        variables=variables,
        title=str(getattr(meta, "file_label", None) or ""),
    )
    return SurveyExport(
        path=path,
        tool=tool,
        frame=frame,
        shape="codes",
        id_column=identifier,
        codebook=codebook,
        metadata=tuple(metadata),
        personal=personal,
        question_texts=question_texts,
        item_labels=item_labels,
        declared_missing={k: v for k, v in declared.items() if v},
        detected=detected,
    )


_TRUE_LABELS = {"true", "yes", "finished", "ja", "wahr"}


def completion(export: SurveyExport, settings: Mapping[str, Any]) -> Completion:
    """The origin tool's own rule: EFS dispcode (the EFS reader's rule itself), Qualtrics
    Finished and not a preview or test, LimeSurvey submitdate not empty; without any of
    them the user must configure one."""
    frame = export.frame
    names = {c.lower(): c for c in reversed(frame.columns)}
    if "dispcode" in frame.columns:
        return efs.completion(export, settings)
    if "finished" in names:
        return _qualtrics(export, names)
    if "submitdate" in names:
        done = frame[names["submitdate"]].str.strip() != ""
        return Completion(
            completed=done,
            status=done.map({True: "submitted", False: "not submitted"}).astype("str"),
            rule=f"{names['submitdate']} not empty (LimeSurvey)",
        )
    raise InputError(
        "has no status variable of a survey tool (EFS dispcode, Qualtrics Finished, "
        "LimeSurvey submitdate) that tells completed interviews from the others.",
        path=export.path,
        hint="set export.completed: {variable: ..., values: [...]} in your config: the "
        "variable that marks a completed interview and the values that mean completed",
    )


def _codes(export: SurveyExport, name: str, match: Callable[[str], bool], default: int) -> list:
    """Codes of ``name`` whose value label matches (lower case), or ``default`` if the
    variable has no value labels."""
    entry = export.codebook.variables.get(name) if export.codebook else None
    labels = entry.values if entry else {}
    return [c for c, lab in labels.items() if match(lab.strip().lower())] if labels else [default]


def _qualtrics(export: SurveyExport, names: Mapping[str, str]) -> Completion:
    frame = export.frame
    finished = names["finished"]
    # Qualtrics codes Finished 1 = True, Status 1 = Survey Preview, 2 = Survey Test; an
    # SPSS export may code otherwise (test_width.sav: Finished 1 False, 2 True): its value
    # labels say which. A string variable holds the labels themselves.
    codes = _codes(export, finished, lambda label: label in _TRUE_LABELS, 1)
    done = value_in(frame[finished], [*codes, "True"])
    status = frame[finished].astype("str")
    excluded = pd.Series(False, index=frame.index)
    for kind, code in (("preview", 1), ("test", 2)):
        hit = pd.Series(False, index=frame.index)
        if "status" in names:
            word = f"survey {kind}"  # also "Offline Survey Preview", "Survey Preview Spam"
            found = _codes(export, names["status"], lambda label, w=word: w in label, code)
            hit |= value_in(frame[names["status"]], [*found, word])
        if "distributionchannel" in names:
            hit |= value_in(frame[names["distributionchannel"]], [kind])
        status = status.where(~hit, kind)
        excluded |= hit
    return Completion(
        completed=done & ~excluded,
        status=status,
        rule=f"{finished} in {codes} and not a preview or test response (Status, "
        "DistributionChannel)",
    )
