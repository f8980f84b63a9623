"""What a codebook holds, whatever the tool: variables, value labels, pages, conditions.

The EFS reader fills it from EFS's codebook file (:mod:`surveyflow.reading.efs_codebook`);
the SPSS and Stata readers from the file's own metadata. Its types live apart from the EFS
parser so that a reader of another tool does not load that parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LINE_KINDS", "Codebook", "CodebookPage", "CodebookVariable", "Condition"]

# Every kind of line the reader tells apart (Codebook.line_counts has all of them). "filter"
# and "visibility" are the headings of those blocks, "survey" the "Survey variables" heading
# and its column header.
LINE_KINDS: tuple[str, ...] = tuple(
    "preamble list page filter filter_condition visibility visibility_condition question "  # noqa: SIM905
    "variable value hide_if survey survey_variable blank unknown".split()
)


@dataclass(frozen=True)
class Condition:
    """One row of a ``Filter`` or ``Question will not be seen if :`` block (texts normalised)."""

    connector: str  # "" on a first row, else "or", "and", "not", "or not" or "and not"
    variable: str
    label: str
    question_text: str
    operator: str
    value: str
    line: int


@dataclass(frozen=True)
class CodebookPage:
    """A questionnaire page; ``filter`` holds the conditions of a filter page."""

    number: str  # "6", "6.1": a sub-page sits behind the filter of each ancestor page
    title: str
    pgid: int
    line: int
    filter: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class CodebookVariable:
    """One variable of the codebook with the question block and page it belongs to."""

    name: str
    dtype: str
    label: str
    question_text: str
    question_id: str | None
    question_type: int | None
    values: dict[int, str]
    line: int = 0
    page: CodebookPage | None = None
    filters: tuple[CodebookPage, ...] = ()  # the filter pages it sits behind, outermost first
    visibility: tuple[Condition, ...] = ()  # its question "will not be seen if" these hold
    hide_if: tuple[str, ...] = ()  # "^ hide if" expressions below the variable line
    value_hide_if: dict[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Codebook:
    """The variables of an EFS codebook in file order, the pages, and how the file was read."""

    path: str
    encoding: str
    variables: dict[str, CodebookVariable]
    pages: dict[str, CodebookPage] = field(default_factory=dict)
    survey_variables: dict[str, CodebookVariable] = field(default_factory=dict)
    title: str = ""
    properties: dict[str, str] = field(default_factory=dict)
    line_counts: dict[str, int] = field(default_factory=dict)
    warnings: tuple[tuple[int, str], ...] = ()  # (line number, what was odd about it)

    @property
    def skipped(self) -> int:
        """Lines skipped because they are of no known kind (each one is also a warning)."""
        return self.line_counts.get("unknown", 0)
