"""Readers of survey-tool exports behind one interface: `export.tool` -> a SurveyExport.

Adding a tool: a module in this package (see :mod:`surveyflow.reading.base` for what it
defines) and one line in ``REGISTRY``. Modules are imported only when used, so a run on an
EFS export never loads pyreadstat.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import Any

from surveyflow.errors import InputError
from surveyflow.reading.base import Completion, SurveyExport, configured_completion

__all__ = ["REGISTRY", "TOOLS", "Completion", "SurveyExport", "completion", "detect_tool", "read"]

# Tool name -> module. Order matters for `auto`: binary formats (magic bytes) first, EFS last
# (its check, an lfdn column, is the loosest).
REGISTRY: dict[str, str] = {
    "spss": "surveyflow.reading.spss",
    "stata": "surveyflow.reading.stata",
    "qualtrics": "surveyflow.reading.qualtrics",
    "limesurvey": "surveyflow.reading.limesurvey",
    "efs": "surveyflow.reading.efs",
}
TOOLS: tuple[str, ...] = ("auto", *REGISTRY)
HEAD_BYTES = 1 << 16


def module(tool: str) -> ModuleType:
    """The reader module of ``tool`` (a key of REGISTRY)."""
    return importlib.import_module(REGISTRY[tool])


def _check_tool(tool: object, path: str) -> str:
    name = str(tool or "auto").strip().lower()
    if name not in TOOLS:
        raise InputError(
            f"unknown export.tool {tool!r}.",
            path=path,
            hint=f"set export.tool in your config to one of: {', '.join(TOOLS)}.",
        )
    return name


def _head(path: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise InputError(
            "export file not found" + (" (it is a directory)" if p.is_dir() else ""),
            path=path,
            hint="check export.data in the config: the path is relative to the workflow directory",
        )
    with p.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip():
        raise InputError(
            "the export file is empty.",
            path=path,
            hint="check export.data in the config; export the responses from the survey tool "
            "again (with the responses included, not only the header).",
        )
    return head


def detect_tool(path: str | PathLike[str]) -> str | None:
    """The tool whose export ``path`` is (extension, magic bytes, header rows), or None."""
    path_str = str(path)
    head = _head(path_str)
    for tool in REGISTRY:
        if module(tool).sniff(path_str, head):
            return tool
    return None


def read(path: str | PathLike[str], settings: Mapping[str, Any]) -> SurveyExport:
    """Read the export at ``path`` with the config's ``export:`` block (``tool`` auto if unset).

    An explicit tool that does not match the file is an error naming what the file looks
    like, so a wrong setting is not read as garbage.
    """
    path_str = str(path)
    tool = _check_tool(settings.get("tool", "auto"), path_str)
    head = _head(path_str)
    found = next((t for t in REGISTRY if module(t).sniff(path_str, head)), None)
    if tool == "auto":
        _check_suffix(path_str, found)
        if found is None:
            raise InputError(
                "is not an export of a survey tool the workflow reads (EFS/Unipark, SPSS "
                ".sav/.zsav, Stata .dta, Qualtrics CSV/TSV, LimeSurvey CSV): none of their "
                "header rows or file signatures was found.",
                path=path_str,
                hint="check export.data in the config; if the file is one of these, set "
                "export.tool to say which, and the error will say what does not fit.",
            )
        tool = found
    elif found is not None and found != tool:
        raise InputError(
            f"export.tool is {tool}, but the file looks like a {found} export.",
            path=path_str,
            hint=f"set export.tool to {found} (or auto) in your config, or point export.data "
            f"at the {tool} export.",
        )
    return module(tool).read(path_str, settings)


def _check_suffix(path: str, found: str | None) -> None:
    """A binary format's extension on another tool's content (a .dta renamed .sav) stops auto:
    the file was renamed or mixed up, and reading it as what it is could hide that."""
    suffix = Path(path).suffix.lower()
    claimed = [t for t in ("spss", "stata") if suffix in module(t).SUFFIXES]
    if claimed and found != claimed[0]:
        what = f"a {found} export" if found else "not a file of that format"
        raise InputError(
            f"has the extension {suffix} of a {claimed[0]} file, but its content is {what}.",
            path=path,
            hint="check export.data in the config: give the file its right extension (or the "
            "right file), or set export.tool to the tool that wrote it.",
        )


def completion(export: SurveyExport, settings: Mapping[str, Any]) -> Completion:
    """Completed interviews by ``export.completed`` if configured, else by the tool's rule."""
    rule = settings.get("completed")
    if rule:
        return configured_completion(export, rule)
    return module(export.tool).completion(export, settings)
