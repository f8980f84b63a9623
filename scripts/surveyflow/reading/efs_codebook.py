"""Read an EFS / Unipark codebook: variables, value labels and where the survey shows them.

The codebook export is tab-separated text: a preamble (title, ``Project ID<TAB>…``),
``List: …`` sections, then page by page: headings ``6 Page: Title (PGID 2403398)``,
question headings ``Question text (q_<id> - Type <n>)``, variable lines
``name<TAB>name<TAB>type<TAB>label`` and value lines ``<TAB><TAB>code<TAB>label``; at the
end a ``Survey variables`` section (``name<TAB>-<TAB>label``, ``<TAB>code<TAB>label``).
A filter page's ``Filter`` block (right below its heading) decides whether its sub-pages
(6.1, 6.1.2, …) are shown; a ``Question will not be seen if :`` block comes right *before*
the question it hides. Both hold condition rows ``connector<TAB> v_25 Variable label<TAB>
Question text - Variable label <TAB>operator<TAB>value``, the connector being a non-breaking
space (or ``not``) on the first row and ``or``, ``and``, ``or not``… below. A line
``<TAB><TAB><TAB>^ hide if : ((v_246 = '0'))`` hides the variable or value line above it.

That is the layout of the real NaPiRE 2017/18 codebooks (tests/data/efs-napire-*). EFS
writes non-breaking spaces anywhere: they count as spaces when recognising a line; question
texts and labels keep them. A line of no known kind is counted and becomes a warning; only
a contradiction (a variable or value code with two label sets) or no variable at all fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path

from surveyflow.errors import InputError
from surveyflow.reading.codebook import (
    LINE_KINDS,
    Codebook,
    CodebookPage,
    CodebookVariable,
    Condition,
)
from surveyflow.textfile import decode_text

__all__ = ["read_codebook"]

CONNECTORS = frozenset({"", "and", "or", "not", "and not", "or not"})

_CODEBOOK_ENCODING_HINT = (
    "read the codebook with its encoding (e.g. cp1252 or latin-1 for files saved by Excel "
    "on Windows, utf-8 otherwise) or with auto, or re-export it from EFS"
)
_QUESTION_RE = re.compile(r"^(?P<text>.*?)\s*\((?P<qid>q_\d+)\s*-\s*Type\s+(?P<type>\d+)\)\s*$")
_PAGE_RE = re.compile(r"^(?P<number>\d+(?:\.\d+)*) Page: ?(?P<title>.*?) ?\(PGID (?P<pgid>\d+)\)$")
_VISIBILITY_RE = re.compile(r"^Question will not be seen if ?:$", re.IGNORECASE)
_HIDE_IF_RE = re.compile(r"^\^? ?hide if ?: ?(?P<expr>.*)$", re.IGNORECASE)
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_SUBJECT_RE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_.]*)(?: (?P<label>.*))?$")
# Words as EFS writes them (equal, unequal, less, greater, …) or a comparison symbol.
_OPERATOR_RE = re.compile(r"^(?:[a-z]+(?: [a-z]+)*|[=!<>]{1,2})$")
_INT_RE = re.compile(r"^[+-]?\d+$")


def _norm(text: str) -> str:
    """A line as recognised: NBSP and tabs as spaces, runs collapsed, trimmed."""
    return " ".join(text.replace("\xa0", " ").split())


@dataclass
class _Var:
    """A variable while its block is being read (values and hide-ifs still arrive)."""

    name: str
    dtype: str
    label: str
    question: tuple[str, str | None, int | None]
    line: int
    page: str | None
    visibility: tuple[Condition, ...]
    values: dict[int, str] = field(default_factory=dict)
    value_lines: dict[int, int] = field(default_factory=dict)
    hide_if: list[str] = field(default_factory=list)
    value_hide_if: dict[int, list[str]] = field(default_factory=dict)


def _condition(fields: list[str], line_no: int) -> Condition | None:
    """The condition of a row ``connector, variable label, question, operator, value``."""
    cells = list(fields)
    while len(cells) > 5 and not cells[-1].strip():  # trailing tabs
        cells.pop()
    if len(cells) != 5:
        return None
    connector, subject, question, operator, value = (_norm(c) for c in cells)
    subject_match = _SUBJECT_RE.match(subject)
    if connector.lower() not in CONNECTORS or not subject_match:
        return None
    if not _OPERATOR_RE.match(operator.lower()):
        return None
    name, label = subject_match["name"], subject_match["label"] or ""
    return Condition(connector.lower(), name, label, question, operator.lower(), value, line_no)


class _Reader:
    """Reads the lines one by one; ``section`` says which block the last heading opened."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.section = "preamble"  # preamble, list, pages, filter, visibility or survey
        self.warnings: list[tuple[int, str]] = []
        self.title = ""
        self.properties: dict[str, str] = {}
        self.pages: dict[str, CodebookPage] = {}  # their conditions go to self.filters
        self.filters: dict[str, list[Condition]] = {}
        self.page: CodebookPage | None = None
        self.question: tuple[str, str | None, int | None] = ("", None, None)
        self.visibility: tuple[Condition, ...] = ()  # of the current question
        self.pending: tuple[int, list[Condition]] | None = None  # awaiting their question
        self.current: _Var | None = None
        self.last_code: int | None = None  # the value line a hide-if below it refers to
        self.variables: dict[str, _Var] = {}
        self.survey: dict[str, _Var] = {}
        self.duplicates: list[tuple[_Var, _Var]] = []

    def warn(self, line_no: int, what: str, line: str) -> str:
        shown = line if len(line) <= 120 else line[:117] + "..."
        self.warnings.append((line_no, f"{what}: {shown!r}"))
        return "unknown"

    def close_pending(self) -> None:
        if self.pending is not None and self.pending[1]:
            what = "visibility conditions followed by no question; not attached"
            self.warnings.append((self.pending[0], what))
        self.pending = None

    def read(self, line_no: int, line: str) -> str:
        """Take one line into account; return its kind (one of LINE_KINDS)."""
        text = _norm(line)
        if not text:
            return "blank"
        if match := _PAGE_RE.match(text):
            return self.new_page(line_no, match)
        if text.startswith("List:") or text == "Survey variables":
            return self.enter("list" if text.startswith("List:") else "survey")
        if self.section == "list":
            return "list"
        fields = line.split("\t")
        if self.section == "survey":
            return self.survey_line(line_no, line, fields)
        if text == "Filter":
            if self.page is None:
                return self.warn(line_no, "Filter block outside a page, skipped", line)
            return self.enter("filter")
        if _VISIBILITY_RE.match(text):
            self.enter("visibility")
            self.pending = (line_no, [])
            return "visibility"
        heading = line.rstrip("\t")  # a trailing tab does not make a heading a table row
        if "\t" not in heading and (match := _QUESTION_RE.match(heading)):
            return self.new_question(match)
        if match := _HIDE_IF_RE.match(text):
            return self.hide_if(line_no, line, match["expr"])
        if condition := _condition(fields, line_no):
            return self.condition(line_no, line, condition)
        if len(fields) >= 3 and _NAME_RE.match(fields[0].strip()) and fields[2].strip():
            return self.new_variable(line_no, fields)
        if len(fields) >= 4 and not fields[0].strip() and not fields[1].strip():
            return self.value(line_no, line, fields[2].strip(), "\t".join(fields[3:]))
        if self.section == "preamble":
            if len(fields) == 2:
                self.properties[fields[0].strip()] = fields[1].strip()
            elif not self.title:
                self.title = line.strip()
            return "preamble"
        return self.warn(line_no, "line of no known kind, skipped", line)

    def enter(self, section: str) -> str:
        """Start a section; a pending visibility block not followed by its question ends."""
        if section != "filter":
            self.close_pending()
        self.section, self.current = section, None
        return section

    def new_page(self, line_no: int, match: re.Match[str]) -> str:
        self.enter("pages")
        number = match["number"]
        if number in self.pages:
            self.warnings.append((line_no, f"page {number} is listed twice; the last one counts"))
        self.page = CodebookPage(number, match["title"], int(match["pgid"]), line_no)
        self.pages[number], self.filters[number] = self.page, []
        self.question, self.visibility = ("", None, None), ()
        return "page"

    def new_question(self, match: re.Match[str]) -> str:
        self.visibility = tuple(self.pending[1]) if self.pending else ()
        self.pending = None
        self.section, self.current = "pages", None
        self.question = (match["text"].strip(), match["qid"], int(match["type"]))
        return "question"

    def condition(self, line_no: int, line: str, condition: Condition) -> str:
        if self.section == "filter" and self.page is not None:
            self.filters[self.page.number].append(condition)
            return "filter_condition"
        if self.section == "visibility" and self.pending is not None:
            self.pending[1].append(condition)
            return "visibility_condition"
        return self.warn(line_no, "condition row outside a Filter or visibility block", line)

    def new_variable(self, line_no: int, fields: list[str]) -> str:
        name = fields[0].strip()
        page = self.page.number if self.page else None
        label = "\t".join(fields[3:])
        var = _Var(name, fields[2].strip(), label, self.question, line_no, page, self.visibility)
        if name in self.variables:
            self.duplicates.append((self.variables[name], var))
        else:
            self.variables[name] = var
        self.section, self.current, self.last_code = "pages", var, None
        return "variable"

    def value(self, line_no: int, line: str, code_text: str, label: str) -> str:
        var = self.current
        if var is None:
            return self.warn(line_no, "value line outside a variable block, skipped", line)
        if not _INT_RE.match(code_text):
            if not code_text:  # a third leading tab: an annotation, not a value line
                return self.warn(line_no, "annotation of no known kind, skipped", line)
            raise InputError(
                f"value code {code_text!r} of variable {var.name!r} is not an integer",
                path=self.path,
                row=line_no,
                hint="check export.codebook points at the EFS codebook; fix the value "
                "line (tab, tab, integer code, tab, label)",
            )
        code = int(code_text)
        if code in var.values and var.values[code] != label:
            raise InputError(
                f"value code {code} of variable {var.name!r} is listed twice with different "
                f"labels (lines {var.value_lines[code]} and {line_no}: "
                f"{var.values[code]!r} and {label!r})",
                path=self.path,
                row=line_no,
                hint="keep the right value line and remove the other, or re-export the "
                "codebook from EFS",
            )
        var.values.setdefault(code, label)
        var.value_lines.setdefault(code, line_no)
        self.last_code = code
        return "value"

    def hide_if(self, line_no: int, line: str, expr: str) -> str:
        var = self.current
        if var is None:
            return self.warn(line_no, "hide-if line below no variable or value, skipped", line)
        if self.last_code is None:
            var.hide_if.append(expr)
        else:
            var.value_hide_if.setdefault(self.last_code, []).append(expr)
        return "hide_if"

    def survey_line(self, line_no: int, line: str, fields: list[str]) -> str:
        if _norm(fields[0]) == "Variable name":
            return "survey"  # the column header: Variable name, Code, notation
        if len(fields) == 3 and _NAME_RE.match(fields[0].strip()):
            name = fields[0].strip()
            var = _Var(name, "", fields[2].strip(), ("", None, None), line_no, None, ())
            if name in self.survey:
                self.duplicates.append((self.survey[name], var))
            else:
                self.survey[name] = var
            self.current, self.last_code = var, None
            return "survey_variable"
        if len(fields) == 3 and not fields[0].strip() and _INT_RE.match(fields[1].strip()):
            return self.value(line_no, line, fields[1].strip(), fields[2])
        return self.warn(line_no, "line of no known kind in the survey variables, skipped", line)

    def check_duplicates(self) -> None:
        """A variable listed twice must say the same; differing value labels are an error."""
        for first, again in self.duplicates:
            if first.values != again.values:
                raise InputError(
                    f"variable {first.name!r} is listed twice with different value labels "
                    f"(lines {first.line} and {again.line})",
                    path=self.path,
                    row=again.line,
                    hint="the codebook does not belong to one survey version: re-export it "
                    "from EFS, or delete the block that does not match the data export",
                )
            if (first.dtype, first.label) != (again.dtype, again.label):
                what = f"listed again (first at line {first.line}) with another type or label"
                self.warnings.append((again.line, f"variable {first.name!r} {what}; first counts"))


def _freeze(var: _Var, pages: dict[str, CodebookPage]) -> CodebookVariable:
    page = pages.get(var.page or "")
    parts = page.number.split(".") if page else []
    ancestors = [pages.get(".".join(parts[:i])) for i in range(1, len(parts))]
    return CodebookVariable(
        *(var.name, var.dtype, var.label, *var.question, var.values, var.line, page),
        filters=tuple(a for a in ancestors if a is not None and a.filter),
        visibility=var.visibility,
        hide_if=tuple(var.hide_if),
        value_hide_if={code: tuple(e) for code, e in var.value_hide_if.items()},
    )


def read_codebook(path: str | PathLike[str], *, encoding: str = "auto") -> Codebook:
    """Read an EFS codebook: variables, value labels, pages, filters and visibility rules.

    Variables outside any question block get an empty question text and no question
    id/type. Lines of no known kind are skipped, counted and listed in ``warnings``.
    """

    path_str = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError(
            "codebook file not found" + (" (it is a directory)" if p.is_dir() else ""),
            path=path_str,
            hint="check export.codebook in the config: the path is relative to the workflow "
            "directory",
        )
    text, encoding_used = decode_text(p.read_bytes(), encoding, path_str, _CODEBOOK_ENCODING_HINT)
    reader = _Reader(path_str)
    counts = dict.fromkeys(LINE_KINDS, 0)
    # Split on CR/LF only: str.splitlines() would also split on U+0085 and friends.
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()  # what follows the final line break is no line
    for line_no, line in enumerate(lines, start=1):
        counts[reader.read(line_no, line)] += 1
    reader.close_pending()
    reader.check_duplicates()
    if not reader.variables:
        raise InputError(
            "contains no variables (no lines 'name<TAB>name<TAB>type<TAB>label')",
            path=path_str,
            hint="check export.codebook in the config points at the EFS codebook export, "
            "not at the data file",
        )
    pages = {
        number: replace(page, filter=tuple(reader.filters[number]))
        for number, page in reader.pages.items()
    }
    return Codebook(
        path=path_str,
        encoding=encoding_used,
        variables={name: _freeze(v, pages) for name, v in reader.variables.items()},
        pages=pages,
        survey_variables={name: _freeze(v, pages) for name, v in reader.survey.items()},
        title=reader.title,
        properties=reader.properties,
        line_counts=counts,
        warnings=tuple(sorted(reader.warnings)),
    )
