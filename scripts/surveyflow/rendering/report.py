"""Renderers for the report: the reproduction summary (Markdown) as a standalone HTML page.

The Markdown is converted by Python-Markdown with its ``tables`` extension (the summary's
tables are pipe tables). Raw HTML in the Markdown is shown as escaped text, not passed
through: labels come from the config and the export and are not meant to be markup.
"""

from __future__ import annotations

import html

import markdown as python_markdown

STYLE = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:1.5rem auto;"
    "padding:0 1rem;line-height:1.45;color:#222}table{border-collapse:collapse;font-size:.85rem}"
    "th,td{border:1px solid #ccc;padding:.2rem .4rem;text-align:left}th{background:#f2f2f2}"
)


def _converter() -> python_markdown.Markdown:
    """A Python-Markdown converter with pipe tables and without raw HTML."""
    converter = python_markdown.Markdown(extensions=["tables"], output_format="html")
    # Python-Markdown passes HTML blocks and inline tags through; deregistering both
    # handlers (its documented way to drop raw HTML) makes it escape them as text.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter


def markdown_to_html(markdown: str, *, title: str) -> str:
    """A complete HTML page for `markdown`; deterministic (no timestamps)."""
    body = _converter().convert(markdown)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + body
        + "\n</body></html>\n"
    )
