"""The codebook as plain JSON (results/ingest/codebook.json): pages, filters, visibility.

What the codebook says about each variable (its page, the filters it sits behind, when it is
hidden) kept for the user and later stages; the same codebook always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import asdict

from surveyflow.reading.codebook import LINE_KINDS, Codebook, CodebookVariable

__all__ = ["codebook_to_json"]


def _variable_json(v: CodebookVariable) -> dict:
    page = v.page
    return {
        **{key: getattr(v, key) for key in ("dtype", "label", "question_text", "line")},
        **{"question_id": v.question_id, "question_type": v.question_type},
        "page": page and {key: getattr(page, key) for key in ("number", "title", "pgid")},
        "filters": [f.number for f in v.filters],
        "visibility": [asdict(c) for c in v.visibility],
        "hide_if": list(v.hide_if),
        # Pairs in file order: the order of a scale's values is part of the codebook.
        "values": [[code, label] for code, label in v.values.items()],
        "value_hide_if": {str(code): list(e) for code, e in sorted(v.value_hide_if.items())},
    }


def codebook_to_json(codebook: Codebook) -> dict:
    """The codebook as plain JSON data; the same codebook always gives the same data.

    Pages are listed in file order (their order is the questionnaire's); variables are keyed
    by name and carry their line number, since JSON writers sort keys.
    """
    return {
        "path": codebook.path,
        "encoding": codebook.encoding,
        "title": codebook.title,
        "properties": dict(sorted(codebook.properties.items())),
        "line_counts": {kind: codebook.line_counts.get(kind, 0) for kind in LINE_KINDS},
        "skipped": codebook.skipped,
        "warnings": [{"line": n, "text": t} for n, t in codebook.warnings],
        "pages": [
            {**asdict(p), "filter": [asdict(c) for c in p.filter]} for p in codebook.pages.values()
        ],
        "variables": {n: _variable_json(v) for n, v in sorted(codebook.variables.items())},
        "survey_variables": {
            n: _variable_json(v) for n, v in sorted(codebook.survey_variables.items())
        },
    }
