"""Small renderers for the report: the reproduction summary (Markdown) as a standalone page.

Only the Markdown the workflow itself writes is supported (headings, paragraphs, bullet lists,
bold, inline code, pipe tables); anything else is shown as escaped text.
"""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
STYLE = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:1.5rem auto;"
    "padding:0 1rem;line-height:1.45;color:#222}table{border-collapse:collapse;font-size:.85rem}"
    "th,td{border:1px solid #ccc;padding:.2rem .4rem;text-align:left}th{background:#f2f2f2}"
)


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _CODE.sub(r"<code>\1</code>", text)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown_to_html(markdown: str, *, title: str) -> str:
    """A complete HTML page for `markdown`; deterministic (no timestamps)."""
    out: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")), 6)
            out.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
            i += 1
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            body = [r for r in rows if not all(set(c) <= set("-: ") for c in r)]
            head, rest = body[0], body[1:]
            out.append(
                "<table><thead><tr>"
                + "".join(f"<th>{_inline(c)}</th>" for c in head)
                + "</tr></thead><tbody>"
            )
            out += ["<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rest]
            out.append("</tbody></table>")
        elif line.lstrip().startswith(("- ", "* ")):
            out.append("<ul>")
            while i < len(lines) and lines[i].lstrip().startswith(("- ", "* ")):
                out.append(f"<li>{_inline(lines[i].lstrip()[2:])}</li>")
                i += 1
            out.append("</ul>")
        else:
            paragraph = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not lines[i].lstrip().startswith(("#", "|", "- ", "* "))
            ):
                paragraph.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(out)
        + "\n</body></html>\n"
    )
