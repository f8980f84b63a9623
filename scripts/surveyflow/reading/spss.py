"""Reader of SPSS system files (.sav, and .zsav compressed) behind the reader interface.

Read with pyreadstat: codes stay codes (value labels go to the codebook), variable labels
become question texts, user-defined missing values (discrete codes and ranges) become
``declared_missing`` for the ingest stage to blank and log, and a dichotomy
multiple-response set's cells become 1 (counted value) / 0. The encoding is the one the
file declares unless ``export.encoding`` names another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from surveyflow.reading import statfile, statfile_export
from surveyflow.reading.base import Completion, SurveyExport, integer_text, value_in

TOOL = "spss"
WHAT = "an SPSS file (.sav/.zsav)"
SUFFIXES = (".sav", ".zsav")
_DATE = {"DATE", "ADATE", "EDATE", "JDATE", "SDATE", "QYR", "MOYR", "WKYR"}
_DATETIME = {"DATETIME", "YMDHMS"}
_TIME = {"TIME", "DTIME", "MTIME"}
_ORIGIN = "1582-10-14"  # SPSS counts seconds from the start of the Gregorian calendar
# The levels the ingest stage gives a multiple-choice option (ingest.MULTIPLE_CHOICE_LEVELS).
_TICK_LABELS = {0: "not quoted", 1: "quoted"}


def sniff(path: str, head: bytes) -> bool:
    """The $FL2/$FL3 signature; an empty or unknown binary .sav/.zsav too, so that the
    reader, not the registry, says what is wrong with it."""
    return statfile.is_spss(head) or statfile.claims(path, head, SUFFIXES)


def _rule(fmt: str, kind: str) -> statfile.CellRule:
    if kind == "string":
        return statfile.CellRule("string")
    name = fmt.rstrip("0123456789.").upper()
    for kinds, cell in ((_DATE, "date"), (_DATETIME, "datetime"), (_TIME, "time")):
        if name in kinds:
            return statfile.CellRule(cell, 1.0, _ORIGIN)
    return statfile.CellRule("number")


def read(path: str, settings: Mapping[str, Any]) -> SurveyExport:
    """The .sav/.zsav at ``path`` with ``settings`` (the config's ``export:`` block)."""
    import pyreadstat

    head = statfile.read_head(path)
    if not statfile.is_spss(head):
        raise statfile.not_this_format(path, head, WHAT)
    encoding = statfile.encoding_setting(settings)
    data, meta = statfile.load(pyreadstat.read_sav, path, WHAT, encoding)
    rules = {
        name: _rule(meta.original_variable_types.get(name) or "", kind)
        for name, kind in meta.readstat_variable_types.items()
    }
    frame, out_of_range = statfile.frame_of(data, rules)
    values: dict[str, dict[int, str]] = {}
    text_labels: dict[str, dict[str, str]] = {}
    for name, labels in meta.variable_value_labels.items():
        values[name], other = statfile_export.integer_values(labels)
        if other:
            text_labels[name] = other
    declared = {
        name: _declared(ranges, data[name], rules[name], labels=values.get(name, {}))
        for name, ranges in meta.missing_ranges.items()
        if name in data.columns
    }
    sets, groups, ticks = _mr_sets(meta.mr_sets, frame, declared)
    frame = frame.assign(**ticks)
    values.update({name: dict(_TICK_LABELS) for name in ticks})
    all_labels = {n: {**values.get(n, {}), **text_labels.get(n, {})} for n in frame.columns}
    derived, items = _category_columns(sets, frame, all_labels, declared)
    frame = frame.assign(**derived)
    for name in derived:
        rules[name] = statfile.CellRule("number")
        values[name] = dict(_TICK_LABELS)
        groups[name] = items[name][0]
    detected: dict[str, Any] = {
        "format": "zsav" if head[:4] == b"$FL3" else "sav",
        "encoding": encoding or meta.file_encoding,
        "encoding_source": "export.encoding"
        if encoding
        else ("declared by the file" if meta.file_encoding else "not declared"),
        "values": "numeric",
        "mr_sets": sets,
    }
    if text_labels:
        detected["text_value_labels"] = text_labels
    if out_of_range:
        detected["dates_out_of_range"] = out_of_range
    export = statfile_export.build_export(
        path,
        TOOL,
        frame,
        meta,
        settings,
        rules=rules,
        values=values,
        declared=declared,
        groups=groups,
        detected=detected,
    )
    if not derived:
        return export
    # The derived columns' item label is their category's value label.
    variables = dict(export.codebook.variables)
    for name, (_, label) in items.items():
        variables[name] = replace(variables[name], label=label)
    return replace(
        export,
        item_labels={**export.item_labels, **{n: lab for n, (_, lab) in items.items()}},
        codebook=replace(export.codebook, variables=variables),
    )


def _category_columns(
    sets: list[dict[str, Any]],
    frame: pd.DataFrame,
    labels: Mapping[str, Mapping[Any, str]],
    declared: Mapping[str, tuple[str, ...]],
) -> tuple[dict[str, Any], dict[str, tuple[tuple[str, str], str]]]:
    """One 1/0 column `<set>_<code>` per category of a category set (its variables hold the
    codes chosen, one per variable): ticked where any of them holds the code, empty where all
    are empty or declared missing (the question not answered), else 0. Categories are the
    codes labelled on the set's variables and the codes found in them, numeric or text."""
    derived: dict[str, Any] = {}
    items: dict[str, tuple[tuple[str, str], str]] = {}
    for entry in sets:
        members = entry["variables"]
        if entry["type"] != "category" or not members:
            continue
        cells = frame[members].apply(lambda c: c.str.strip())
        gone = {code for m in members for code in declared.get(m, ())}
        cells = cells.mask(cells.isin(gone), "")
        named: dict[str, str] = {}
        for member in members:
            named.update({integer_text(c): lab for c, lab in labels.get(member, {}).items()})
        found = [v for v in pd.unique(cells.to_numpy().ravel()) if v != ""]
        codes = [
            c for c in dict.fromkeys([*named, *sorted(found, key=_code_order)]) if c not in gone
        ]
        answered = (cells != "").any(axis=1).to_numpy()
        set_id = entry["name"].lstrip("$")
        entry["derived"] = []
        for code in codes:
            name = f"{set_id}_{re.sub(r'[^0-9A-Za-z]', '_', code)}"
            if name in frame.columns or name in derived:
                continue
            ticked = (cells == code).any(axis=1).to_numpy()
            derived[name] = pd.array(
                np.where(ticked, "1", np.where(answered, "0", "")), dtype="str"
            )
            items[name] = ((set_id, entry["label"]), named.get(code, code))
            entry["derived"].append(name)
    return derived, items


def _code_order(code: str) -> tuple[int, float, str]:
    try:
        return (0, float(code), code)
    except ValueError:
        return (1, 0.0, code)


def _declared(
    ranges: list[dict[str, Any]],
    column: pd.Series,
    rule: statfile.CellRule,
    labels: Mapping[int, str],
) -> tuple[str, ...]:
    """The cell texts of a variable's user-missing values: each discrete code, and for a
    range (SPSS "LO THRU HI") the values found in the data or labelled within it."""
    codes: list[float] = []
    texts: list[str] = []
    for bounds in ranges:
        low, high = bounds["lo"], bounds["hi"]
        if isinstance(low, str):  # a string variable's missing values are discrete
            texts.append(low.rstrip())
            continue
        if low == high:
            codes.append(float(low))
            continue
        found = pd.to_numeric(column, errors="coerce").dropna().unique().tolist()
        inside = [float(v) for v in [*found, *labels] if low <= float(v) <= high]
        codes.extend(sorted(set(inside)))
    if codes:
        cells, _ = statfile.texts(pd.Series(codes, dtype=float), rule)
        texts.extend(cells.tolist())
    return tuple(dict.fromkeys(t for t in texts if t != ""))


def _mr_sets(
    mr_sets: Mapping[str, Mapping[str, Any]],
    frame: pd.DataFrame,
    declared: Mapping[str, tuple[str, ...]],
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]], dict[str, Any]]:
    """Multiple-response sets: every set described, its variables grouped under the set's
    name and label, and a dichotomy set's cells as ticks (counted value -> 1, another value
    -> 0; empty and declared-missing cells unchanged)."""
    sets: list[dict[str, Any]] = []
    groups: dict[str, tuple[str, str]] = {}
    ticks: dict[str, Any] = {}
    for name, spec in mr_sets.items():
        members = [v for v in spec.get("variable_list", []) if v in frame.columns]
        dichotomy = bool(spec.get("is_dichotomy"))
        counted = spec.get("counted_value")
        entry: dict[str, Any] = {
            "name": name,
            "type": "dichotomy" if dichotomy else "category",
            "label": spec.get("label") or "",
            "variables": members,
        }
        if dichotomy:
            entry["counted_value"] = (
                integer_text(counted) if isinstance(counted, int | float) else str(counted)
            )
            for var in members:
                cells = frame[var]
                keep = cells.str.strip().eq("") | cells.str.strip().isin(declared.get(var, ()))
                ticked = value_in(cells, [counted])
                ticks[var] = pd.array(
                    np.where(keep, cells, np.where(ticked, "1", "0")), dtype="str"
                )
        sets.append(entry)
        for var in members:
            groups[var] = (name.lstrip("$"), entry["label"])
    return sets, groups, ticks


def completion(export: SurveyExport, settings: Mapping[str, Any]) -> Completion:
    """The origin tool's status column (EFS dispcode, Qualtrics Finished, LimeSurvey
    submitdate), else an error asking for ``export.completed``."""
    return statfile_export.completion(export, settings)
