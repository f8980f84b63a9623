"""One visual style for every figure of the workflow, and byte-stable figure files.

* Font: DejaVu Sans, which ships with matplotlib, so no font is downloaded and every machine
  renders the same glyphs; drawn from the library's Latin/Greek subset of it
  (:mod:`surveyflow.rendering.fonts`, which says why), with the full font as fallback.
* Sizes for a journal page: a single column is about 3.5 in wide, a double column 7.2 in;
  text is 6-9 pt so that it stays legible when printed at 100 %.
* Colour: Okabe-Ito for categories, ColorBrewer RdBu (with a grey neutral) for Likert scales;
  both are safe for the common colour-vision deficiencies.
* Files: :func:`save_figure` writes a vector PDF and a PNG without timestamps or software
  stamps, so a rerun gives byte-identical files and Snakemake/Git see no spurious change.

Figures are built as ``matplotlib.figure.Figure`` objects with an Agg canvas (never through
``pyplot``), inside :func:`figure_context`, so no global state leaks between figures.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from surveyflow.rendering import fonts

FONT_FAMILY = fonts.FAMILY
# Registered once per process; the font manager's cache on disk is left alone.
for _face in fonts.FACES:
    font_manager.fontManager.addfont(fonts.FONT_DIR / _face)

#: Page geometry (inches) of a typical two-column journal.
SINGLE_COLUMN_IN = 3.5
DOUBLE_COLUMN_IN = 7.2

#: Font sizes (points). 6 pt is the smallest size most journals accept.
FONT_SIZE = 8.0
SMALL_SIZE = 7.0
TINY_SIZE = 6.0
TITLE_SIZE = 8.5

#: Okabe & Ito (2008) palette, safe for protanopia, deuteranopia and tritanopia.
OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish_green": "#009E73",
    "vermillion": "#D55E00",
    "sky_blue": "#56B4E9",
    "reddish_purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: Okabe-Ito in an order that keeps adjacent categories distinct (yellow last: weak on white).
CATEGORICAL: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)

#: Single-series bars: light enough for black error bars and labels to stand out on them.
BAR_COLOUR = OKABE_ITO["sky_blue"]
#: Emphasis (e.g. the head of the fishbone), with white text.
HIGHLIGHT_COLOUR = OKABE_ITO["blue"]
TEXT_COLOUR = "#1a1a1a"
MUTED_COLOUR = "#595959"
LINE_COLOUR = "#404040"
ERROR_BAR_COLOUR = "#000000"
RIB_COLOUR = "#8c8c8c"

#: Neutral of the Likert scales: ColorBrewer's #f7f7f7 vanishes on a white page, so a light grey.
LIKERT_NEUTRAL = "#d4d4d4"
# ColorBrewer RdBu (colour-blind safe), most negative first; the odd scales' middle is neutral.
_RDBU: dict[int, tuple[str, ...]] = {
    2: ("#ef8a62", "#67a9cf"),
    3: ("#ef8a62", LIKERT_NEUTRAL, "#67a9cf"),
    4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
    5: ("#ca0020", "#f4a582", LIKERT_NEUTRAL, "#92c5de", "#0571b0"),
    6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
    7: ("#b2182b", "#ef8a62", "#fddbc7", LIKERT_NEUTRAL, "#d1e5f0", "#67a9cf", "#2166ac"),
}
#: The five-point diverging palette (most negative first).
LIKERT_5: tuple[str, ...] = _RDBU[5]

#: PDF/PNG metadata that would otherwise change on every run (dates) or with the version.
PDF_METADATA: dict[str, None] = {
    "CreationDate": None,
    "ModDate": None,
    "Producer": None,
    "Creator": None,
}
PNG_METADATA: dict[str, None] = {"Software": None}


def likert_colours(n_levels: int) -> tuple[str, ...]:
    """Diverging colours for an ``n_levels``-point scale (2-7), most negative first."""
    try:
        return _RDBU[n_levels]
    except KeyError:
        raise ValueError(f"no diverging palette for {n_levels} levels (2-7 supported)") from None


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG relative luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(background))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # 0.179 is where the contrast ratio against black and against white is equal.
    return "white" if luminance < 0.179 else TEXT_COLOUR


def rc_params() -> dict[str, Any]:
    """The rcParams of every figure (applied on top of matplotlib's defaults)."""
    return {
        # Per-glyph fallback (characters outside the subset come from the full DejaVu Sans)
        # works across the entries of font.family, not within a generic family's list.
        "font.family": [FONT_FAMILY, fonts.FALLBACK_FAMILY],
        "font.size": FONT_SIZE,
        "axes.titlesize": FONT_SIZE,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": SMALL_SIZE,
        "axes.labelcolor": TEXT_COLOUR,
        "axes.edgecolor": LINE_COLOUR,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "axes.grid": False,
        "grid.color": "#e5e5e5",
        "grid.linewidth": 0.5,
        "xtick.labelsize": SMALL_SIZE,
        "ytick.labelsize": SMALL_SIZE,
        "xtick.color": LINE_COLOUR,
        "ytick.color": LINE_COLOUR,
        "xtick.labelcolor": TEXT_COLOUR,
        "ytick.labelcolor": TEXT_COLOUR,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "xtick.major.size": 2.5,
        "ytick.major.size": 2.5,
        "legend.fontsize": SMALL_SIZE,
        "legend.frameon": False,
        "figure.titlesize": TITLE_SIZE,
        "figure.titleweight": "bold",
        "figure.labelsize": TINY_SIZE,
        "figure.facecolor": "white",
        "figure.dpi": 100,
        "figure.constrained_layout.h_pad": 0.04,
        "figure.constrained_layout.w_pad": 0.04,
        "text.color": TEXT_COLOUR,
        "lines.linewidth": 0.8,
        "patch.linewidth": 0.5,
        "errorbar.capsize": 2.0,
        "savefig.facecolor": "white",
        "savefig.transparent": False,
        # Exact page width: never let savefig crop or pad the figure.
        "savefig.bbox": None,
        # TrueType (Type 42) glyphs: text stays editable/searchable, and journals reject Type 3.
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "pdf.compression": 6,
        # Fixed salt so SVG ids (if SVG is ever written) are stable across runs.
        "svg.hashsalt": "surveyflow",
        "svg.fonttype": "none",
    }


# rcParams are global to the process and jobs may draw in threads of one process
# (surveyflow.entry): one figure at a time holds the style, the others wait. Reentrant, because
# text measurement during a layout nests the context thousands of times.
_style_lock = threading.RLock()
_depth = threading.local()


@contextmanager
def figure_context() -> Iterator[None]:
    """rcParams of the style, reset from matplotlib's defaults and restored on exit.

    Starting from the defaults (not from whatever the caller had set) makes a figure look the
    same in a test, a notebook or a Snakemake job; restoring on exit keeps it from leaking.
    Nested calls reuse the outer context (resetting ~300 rcParams costs about a millisecond).
    """
    with _style_lock:
        depth = getattr(_depth, "value", 0)
        if depth:
            _depth.value = depth + 1
            try:
                yield
            finally:
                _depth.value = depth
            return
        with mpl.rc_context():
            mpl.rcdefaults()  # leaves the backend alone (style blacklist)
            mpl.rcParams.update(rc_params())
            _depth.value = 1
            try:
                yield
            finally:
                _depth.value = 0


def new_figure(width: float, height: float, *, layout: str | None = "constrained") -> Figure:
    """A Figure with its own Agg canvas (no pyplot: no global figure registry, no GUI)."""
    fig = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def save_figure(
    fig: Figure, pdf_path: str | Path, png_path: str | Path, dpi: int = 300
) -> tuple[Path, Path]:
    """Write ``fig`` as vector PDF and as PNG at ``dpi``, byte-identical across reruns.

    No creation/modification dates, producer, creator or software chunk is written; the PNG
    records its resolution (pHYs) so it prints at the intended size.
    """
    pdf_path, png_path = Path(pdf_path), Path(png_path)
    for path in (pdf_path, png_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    with figure_context():
        fig.savefig(pdf_path, format="pdf", metadata=dict(PDF_METADATA))
        fig.savefig(png_path, format="png", dpi=dpi, metadata=dict(PNG_METADATA))
    return pdf_path, png_path
