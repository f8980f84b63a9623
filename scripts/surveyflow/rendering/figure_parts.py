"""What the figure modules share: text measured as drawn, the overlap check, titles and notes.

Layouts are computed from the rendered size of their text (:func:`text_size`,
:func:`wrap_text`); :func:`text_overlaps` renders a figure and lists overlapping or clipped
texts, and the tests require it to be empty for every figure.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from surveyflow.rendering import style

__all__ = [
    "add_note",
    "add_title",
    "all_text",
    "clean_axes",
    "finish_figure",
    "text_overlaps",
    "text_size",
    "wrap_text",
]

# --------------------------------------------------------------------------------------
# Text measurement and wrapping (layouts are computed from the rendered size of the text)
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _scratch() -> tuple[Text, object]:
    fig = style.new_figure(1.0, 1.0, layout=None)
    fig.set_dpi(_MEASURE_DPI)
    return fig.text(0, 0, ""), fig.canvas.get_renderer()


_SIZE_CACHE: dict[tuple[str, float, str], tuple[float, float]] = {}
_MEASURE_DPI = 100.0  # the figures' own dpi: measure as the overlap check renders


def text_size(text: str, *, fontsize: float, weight: str = "normal") -> tuple[float, float]:
    """Width and height (inches) of ``text`` as the Agg renderer draws it in the style."""
    key = (text, float(fontsize), weight)
    if key not in _SIZE_CACHE:  # layouts measure the same strings many times
        with style.figure_context():
            artist, renderer = _scratch()
            # One reused artist, its font set from the style each time (cheaper than a new
            # Text per measurement; the family is looked up under the active rcParams).
            artist.set_fontfamily(mpl.rcParams["font.family"])
            artist.set_text(text)
            artist.set_fontsize(fontsize)
            artist.set_fontweight(weight)
            box = artist.get_window_extent(renderer)
        _SIZE_CACHE[key] = (box.width / _MEASURE_DPI, box.height / _MEASURE_DPI)
    return _SIZE_CACHE[key]


def wrap_text(
    text: str, width: float, *, fontsize: float, weight: str = "normal", keep_last: int = 1
) -> str:
    """Greedy word wrap of ``text`` to ``width`` inches, measured with the real font.

    The last ``keep_last`` words stay together (so a count like "(26)" never sits alone on a
    line). A single word wider than ``width`` gets a line of its own rather than being split.
    Line widths are summed from measured words and spaces (glyph shaping per candidate line
    would dominate the layouts' run time); layouts then measure the wrapped text exactly.
    """
    words = text.split()
    if not words:
        return ""
    if keep_last > 1 and len(words) > keep_last:
        words = [*words[:-keep_last], " ".join(words[-keep_last:])]
    space = (
        text_size("x x", fontsize=fontsize, weight=weight)[0]
        - text_size("xx", fontsize=fontsize, weight=weight)[0]
    )
    lines: list[str] = []
    current, current_width = "", 0.0
    for word in words:
        word_width = text_size(word, fontsize=fontsize, weight=weight)[0]
        if current and current_width + space + word_width > width:
            lines.append(current)
            current, current_width = word, word_width
        elif current:
            current, current_width = f"{current} {word}", current_width + space + word_width
        else:
            current, current_width = word, word_width
    lines.append(current)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Overlap check
# --------------------------------------------------------------------------------------


def _drawn_texts(fig: Figure) -> list[Text]:
    """Visible, non-empty texts that a render actually draws (skips off-view tick labels)."""
    hidden: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            eps = 1e-9 * max(abs(hi - lo), 1.0)
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not lo - eps <= tick.get_loc() <= hi + eps:
                    hidden.update({id(tick.label1), id(tick.label2)})
    texts = []
    for artist in fig.findobj(Text):
        if id(artist) in hidden or not artist.get_visible() or not artist.get_text().strip():
            continue
        if artist.axes is not None and not artist.axes.get_visible():
            continue
        texts.append(artist)
    return texts


def text_overlaps(fig: Figure, *, tolerance: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap, and texts not inside the canvas.

    Renders ``fig`` (Agg, at its own dpi), then compares the window extents of every visible
    text artist - titles, tick labels, annotations, legend entries. A text outside the canvas
    is reported as ``(text, "<outside canvas>")``. ``tolerance`` (pixels) ignores overlaps of
    anti-aliasing size.
    """
    with style.figure_context():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _drawn_texts(fig)]
    width, height = fig.bbox.width, fig.bbox.height
    problems: list[tuple[str, str]] = []
    for text, box in boxes:
        if (
            box.x0 < -tolerance
            or box.y0 < -tolerance
            or box.x1 > width + tolerance
            or box.y1 > height + tolerance
        ):
            problems.append((text, "<outside canvas>"))
    for i, (text_a, a) in enumerate(boxes):
        for text_b, b in boxes[i + 1 :]:
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > tolerance and dy > tolerance:
                problems.append((text_a, text_b))
    return problems


def all_text(fig: Figure) -> list[str]:
    """Every drawn text of ``fig`` with line breaks undone (for checks and tests)."""
    return [" ".join(t.get_text().split()) for t in _drawn_texts(fig)]


# --------------------------------------------------------------------------------------
# Titles, notes and axes common to the figures
# --------------------------------------------------------------------------------------


def finish_figure(fig: Figure) -> Figure:
    # Ticks are created lazily; create them (and run the layout) while the style is active,
    # so a later draw outside figure_context cannot give them other fonts or sizes.
    fig.draw_without_rendering()
    # Then keep that layout: the PDF and the PNG would each run the constrained layout again
    # (a quarter of a figure's drawing time) and could place things a hair apart at 72 and
    # 300 dpi; fixed here, both files show the same layout.
    fig.set_layout_engine("none")
    return fig


def add_title(fig: Figure, text: str, width: float) -> None:
    """Bold title at the top left, wrapped to the figure's ``width`` (inches)."""
    wrapped = wrap_text(text, width - 0.12, fontsize=style.TITLE_SIZE, weight="bold")
    fig.suptitle(wrapped, x=0.01, ha="left", fontsize=style.TITLE_SIZE, fontweight="bold")


def add_note(fig: Figure, text: str, width: float) -> None:
    """Muted note at the bottom left, each of its lines wrapped to ``width`` (inches)."""
    lines = [wrap_text(line, width - 0.12, fontsize=style.TINY_SIZE) for line in text.splitlines()]
    fig.supxlabel(
        "\n".join(lines),
        x=0.01,
        ha="left",
        multialignment="left",
        fontsize=style.TINY_SIZE,
        color=style.MUTED_COLOUR,
    )


def clean_axes(ax: Axes, *, value_axis: str) -> None:
    """Only the value axis keeps a spine; category ticks lose their tick marks."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if value_axis == "x":
        ax.tick_params(axis="y", length=0, pad=3)
    else:
        ax.tick_params(axis="x", length=0, pad=3)
