"""Reader of Stata data files (.dta, formats 104-119) behind the reader interface.

Read with pyreadstat: codes stay codes (value labels go to the codebook), variable labels
become question texts, and Stata's extended missing values (.a to .z) are written ".a" and
become ``declared_missing`` for the ingest stage to blank and log. Stata declares no
encoding: format 118+ (Stata 14+) is UTF-8 by definition, older formats are read as
Windows-1252 (ReadStat's assumption) unless ``export.encoding`` names another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveyflow.reading import statfile, statfile_export
from surveyflow.reading.base import Completion, SurveyExport

TOOL = "stata"
WHAT = "a Stata file (.dta)"
SUFFIXES = (".dta",)
_ORIGIN = "1960-01-01"  # Stata counts days (%td) and milliseconds (%tc) from 1 Jan 1960
_TIME_ONLY = set("HhMmSs:.0123456789 apAP")  # %tc display directives of a clock time
_MISSING_TAG = "."  # extended missing .a-.z: pyreadstat gives the letter


def sniff(path: str, head: bytes) -> bool:
    """A Stata signature (``<stata_dta>`` of format 117+, or the header of 104-115); an
    empty or unknown binary .dta too, so that the reader says what is wrong with it."""
    return statfile.stata_release(head) is not None or statfile.claims(path, head, SUFFIXES)


def _rule(fmt: str, kind: str) -> statfile.CellRule:
    if kind == "string":
        return statfile.CellRule("string")
    body = fmt.lstrip("%").lstrip("-")
    if body.startswith(("td", "d")):
        return statfile.CellRule("date", 86400.0, _ORIGIN)
    if body.startswith(("tc", "tC")):
        display = body[2:]
        kind = "time" if display and set(display) <= _TIME_ONLY else "datetime"
        return statfile.CellRule(kind, 0.001, _ORIGIN)
    # %tw, %tm, %tq, %th, %ty (weeks, months ... since 1960) stay numbers.
    return statfile.CellRule("number", single=kind == "float")


def read(path: str, settings: Mapping[str, Any]) -> SurveyExport:
    """The .dta at ``path`` with ``settings`` (the config's ``export:`` block)."""
    import pyreadstat

    head = statfile.read_head(path)
    release = statfile.stata_release(head)
    if release is None:
        raise statfile.not_this_format(path, head, WHAT)
    encoding = statfile.encoding_setting(settings)
    data, meta = statfile.load(pyreadstat.read_dta, path, WHAT, encoding)
    rules = {
        name: _rule(meta.original_variable_types.get(name) or "", kind)
        for name, kind in meta.readstat_variable_types.items()
    }
    frame, out_of_range = statfile.frame_of(data, rules, _MISSING_TAG)
    values: dict[str, dict[int, str]] = {}
    missing_labels: dict[str, dict[str, str]] = {}
    for name, labels in meta.variable_value_labels.items():
        values[name], other = statfile_export.integer_values(labels, _MISSING_TAG)
        if other:
            missing_labels[name] = other
    declared = {
        name: tuple(
            dict.fromkeys(
                [_MISSING_TAG + t for t in meta.missing_user_values.get(name, [])]
                + list(missing_labels.get(name, {}))
            )
        )
        for name in frame.columns
    }
    if encoding:
        source = "export.encoding"
    elif release >= 118:
        source = "Stata format 118+ is UTF-8"
    else:
        source = "Stata format before 118 declares none: read as Windows-1252"
    detected: dict[str, Any] = {
        "format": f"dta {release}",
        "encoding": encoding or ("UTF-8" if release >= 118 else "WINDOWS-1252"),
        "encoding_source": source,
        "values": "numeric",
    }
    if missing_labels:
        detected["missing_labels"] = missing_labels
    if out_of_range:
        detected["dates_out_of_range"] = out_of_range
    return statfile_export.build_export(
        path,
        TOOL,
        frame,
        meta,
        settings,
        rules=rules,
        values=values,
        declared=declared,
        groups={},
        detected=detected,
    )


def completion(export: SurveyExport, settings: Mapping[str, Any]) -> Completion:
    """The origin tool's status column (EFS dispcode, Qualtrics Finished, LimeSurvey
    submitdate), else an error asking for ``export.completed``."""
    return statfile_export.completion(export, settings)
