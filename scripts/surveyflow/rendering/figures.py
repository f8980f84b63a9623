"""The paper's figures as functions from DataFrames to matplotlib Figures.

* :func:`estimate_bars` - shares of respondents with their confidence intervals (Fig. 4, 5,
  7, 8, 10).
* :func:`likert_diverging` - five-point relevance/difficulty answers (Fig. 2, 3).
* :func:`demographics` - countries, roles and ML experience (Fig. 1).
* :func:`fishbone` - Ishikawa diagram of the coded problems (Fig. 6, 9).
* :func:`text_overlaps` - renders a figure and lists overlapping or clipped texts; the tests
  require it to be empty for every figure.

No function writes files: pass the Figure to :func:`surveyflow.rendering.style.save_figure`. Every
figure is built inside :func:`surveyflow.rendering.style.figure_context`, so the caller's rcParams
neither affect it nor are changed by it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MultipleLocator

from surveyflow.rendering import style
from surveyflow.rendering.captions import format_mean
from surveyflow.rendering.drawn_intervals import (
    INTERVAL_DESCRIPTIONS,
    drawn_intervals,
    error_bars,
    interval_note,
    wilson_note,
)

__all__ = [
    "all_text",
    "INTERVAL_DESCRIPTIONS",
    "demographics",
    "estimate_bars",
    "fishbone",
    "likert_diverging",
    "text_overlaps",
    "text_size",
    "wrap_text",
]

ESTIMATE_COLUMNS = ("label", "estimate", "ci_method", "ci_low", "ci_high")
_MEAN_LABEL = "mean"

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


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------


def _finish(fig: Figure) -> Figure:
    # Ticks are created lazily; create them (and run the layout) while the style is active,
    # so a later draw outside figure_context cannot give them other fonts or sizes.
    fig.draw_without_rendering()
    return fig


def _title(fig: Figure, text: str, width: float) -> None:
    wrapped = wrap_text(text, width - 0.12, fontsize=style.TITLE_SIZE, weight="bold")
    fig.suptitle(wrapped, x=0.01, ha="left", fontsize=style.TITLE_SIZE, fontweight="bold")


def _note(fig: Figure, text: str, width: float) -> None:
    lines = [wrap_text(line, width - 0.12, fontsize=style.TINY_SIZE) for line in text.splitlines()]
    fig.supxlabel(
        "\n".join(lines),
        x=0.01,
        ha="left",
        multialignment="left",
        fontsize=style.TINY_SIZE,
        color=style.MUTED_COLOUR,
    )


def _clean_axes(ax: Axes, *, value_axis: str) -> None:
    """Only the value axis keeps a spine; category ticks lose their tick marks."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if value_axis == "x":
        ax.tick_params(axis="y", length=0, pad=3)
    else:
        ax.tick_params(axis="x", length=0, pad=3)


def _format_ci(value: float) -> str:
    return f"{value:.1f}"


# --------------------------------------------------------------------------------------
# Estimates with confidence intervals
# --------------------------------------------------------------------------------------


def estimate_bars(
    estimates: pd.DataFrame,
    *,
    title: str,
    n: int,
    interval: str,
    paper_label: str,
    figure_number: int,
    horizontal: bool = True,
    mean_unit: str = "%",
) -> Figure:
    """Bars of the estimated shares (0-100 %) with the ``interval`` CI as error bars.

    ``estimates`` is the long table of one analysis (one row per label and ci_method); bars
    follow the order of its rows (the paper's order). A "Mean" row (RQ5) is not a share of
    respondents, so it is reported in the note rather than drawn on the respondents axis, in
    its question's unit (``mean_unit``: "%", or "" for a count). A share of 0% or 100% gets
    a dashed Wilson interval instead of a bootstrap one of no width (:mod:`drawn_intervals`).
    """
    missing = [c for c in ESTIMATE_COLUMNS if c not in estimates.columns]
    if missing:
        raise ValueError(f"estimates lack column(s) {missing}")
    methods = list(dict.fromkeys(estimates["ci_method"]))
    if interval not in methods:
        raise ValueError(f"interval {interval!r} not among the ci_method values {methods}")
    is_mean = estimates["label"].astype(str).str.strip().str.lower() == _MEAN_LABEL
    chosen = estimates["ci_method"] == interval
    bars, mean_rows = estimates[chosen & ~is_mean], estimates[chosen & is_mean]
    if bars.empty:
        raise ValueError("estimates have no rows to draw")
    bars = drawn_intervals(bars, interval)
    labels = [str(v) for v in bars["label"]]
    # The paper reports the bootstrap mean as P; its "paper" interval is centred on it.
    value_column = "boot_mean" if interval == "paper" and "boot_mean" in bars else "estimate"
    values = bars[value_column].to_numpy(dtype=float)
    high = bars["ci_high"].to_numpy(dtype=float)

    note = [f"Error bars: {interval_note(bars, interval)}. {wilson_note(bars)}".strip()]
    if is_mean.any():
        # Wilson has no interval for a mean: the bootstrap step gives a t interval instead,
        # which the note then names.
        own = not mean_rows.empty
        mean = mean_rows.iloc[0] if own else estimates[is_mean].iloc[-1]
        text = f"Mean of the answers: {format_mean(float(mean[value_column]), mean_unit)}"
        if pd.notna(mean["ci_low"]) and pd.notna(mean["ci_high"]):
            text += f" [{_format_ci(mean['ci_low'])}, {_format_ci(mean['ci_high'])}]"
            if not own:
                text += f" ({interval_note(estimates[is_mean].tail(1), mean['ci_method'])})"
        note.insert(0, text + ".")

    k = len(labels)
    width = style.SINGLE_COLUMN_IN
    full_title = f"Fig. {figure_number} ({paper_label}). {title} (N={n})"
    with style.figure_context():
        height = (1.05 + 0.24 * k if horizontal else 2.5) + 0.12 * len(note)
        fig = style.new_figure(width, height)
        ax = fig.add_subplot()
        positions = np.arange(k)
        bar_kw = {"color": style.BAR_COLOUR, "zorder": 2}
        err_kw = {
            "fmt": "none",
            "ecolor": style.ERROR_BAR_COLOUR,
            "elinewidth": 0.8,
            "capsize": 2.0,
            "capthick": 0.8,
            "zorder": 3,
        }
        if horizontal:
            ax.barh(positions, values, height=0.62, **bar_kw)
            error_bars(ax, positions, values, bars, horizontal=True, style=err_kw)
            ax.set_yticks(positions, labels)
            ax.set_ylim(k - 0.5, -0.5)  # first row on top
            ax.set_xlim(0, 100)
            ax.xaxis.set_major_locator(MultipleLocator(20))
            ax.set_xlabel("Respondents (%)")
            for pos, value, hi in zip(positions, values, high, strict=True):
                ax.annotate(
                    f"{value:.1f}%",
                    xy=(max(value, hi if np.isfinite(hi) else value), pos),
                    xytext=(3, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=style.SMALL_SIZE,
                )
            _clean_axes(ax, value_axis="x")
        else:
            ax.bar(positions, values, width=0.62, **bar_kw)
            error_bars(ax, positions, values, bars, horizontal=False, style=err_kw)
            # Category names must fit their slot: about the plot width (page minus the
            # y-axis) divided by the number of bars.
            slot = (width - 0.55) / k - 0.06
            ax.set_xticks(
                positions, [wrap_text(label, slot, fontsize=style.SMALL_SIZE) for label in labels]
            )
            ax.set_xlim(-0.5, k - 0.5)
            ax.set_ylim(0, 100)
            ax.yaxis.set_major_locator(MultipleLocator(20))
            ax.set_ylabel("Respondents (%)")
            for pos, value, hi in zip(positions, values, high, strict=True):
                ax.annotate(
                    f"{value:.1f}%",
                    xy=(pos, max(value, hi if np.isfinite(hi) else value)),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=style.SMALL_SIZE,
                )
            _clean_axes(ax, value_axis="y")
        _title(fig, full_title, width)
        _note(fig, "\n".join(note), width)
        return _finish(fig)


# --------------------------------------------------------------------------------------
# Likert: diverging stacked bars
# --------------------------------------------------------------------------------------


def _legend_order(items: Sequence, ncols: int) -> list:
    """Reorder so that matplotlib's column-major legend reads row by row, left to right."""
    n = len(items)
    per_column = [len(c) for c in np.array_split(np.arange(n), ncols) if len(c)]
    return [items[row * ncols + col] for col, rows in enumerate(per_column) for row in range(rows)]


def likert_diverging(counts: pd.DataFrame, *, levels: list[str], title: str) -> Figure:
    """Diverging stacked bars of five-point (or 2-7 point) answers, neutral centred on 0.

    ``counts`` has one row per item (index = item name, top to bottom) and one integer column
    per level, ``levels`` most negative first. Segments show their share when it fits; the
    number of answers per item is written on the right.
    """
    missing = [level for level in levels if level not in counts.columns]
    if missing:
        raise ValueError(f"counts lack level column(s) {missing}")
    data = counts[list(levels)].apply(pd.to_numeric).fillna(0).astype(float)
    totals = data.sum(axis=1)
    shares = data.div(totals.where(totals > 0), axis=0).fillna(0.0) * 100
    n_levels = len(levels)
    colours = style.likert_colours(n_levels)
    half = n_levels // 2
    values = shares.to_numpy()
    if n_levels % 2:
        start = -(values[:, :half].sum(axis=1) + values[:, half] / 2)
    else:
        start = -values[:, :half].sum(axis=1)
    items = [str(i) for i in data.index]
    k = len(items)
    extent = max(float(np.max(-start)), float(np.max(start + values.sum(axis=1))), 1.0)
    limit = min(100.0, math.ceil((extent + 2) / 10) * 10)

    width = style.SINGLE_COLUMN_IN
    with style.figure_context():
        fig = style.new_figure(width, 1.3 + 0.3 * k)
        ax = fig.add_subplot()
        positions = np.arange(k)
        left = start.copy()
        handles = []
        segments: list[tuple[Rectangle, Text]] = []
        for j, level in enumerate(levels):
            bars = ax.barh(
                positions,
                values[:, j],
                left=left,
                height=0.6,
                color=colours[j],
                edgecolor="white",
                linewidth=0.6,
                label=level,
                zorder=2,
            )
            handles.append(bars)
            for i, patch in enumerate(bars.patches):
                if values[i, j] <= 0:
                    continue
                label = ax.text(
                    left[i] + values[i, j] / 2,
                    positions[i],
                    f"{values[i, j]:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=style.TINY_SIZE,
                    color=style.text_colour_on(colours[j]),
                    zorder=4,
                )
                segments.append((patch, label))
            left = left + values[:, j]
        # Behind the bars: it marks the centre between them without striking through labels.
        ax.axvline(0, color=style.LINE_COLOUR, linewidth=0.6, zorder=1)
        ax.set_yticks(positions, items)
        ax.set_ylim(k - 0.5, -0.5)
        ax.set_xlim(-limit, limit)
        ax.xaxis.set_major_locator(MultipleLocator(25 if limit > 60 else 20))
        # Both directions count respondents: show magnitudes, not negative percentages.
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{abs(x):.0f}"))
        ax.set_xlabel("Respondents (%)")
        for pos, total in zip(positions, totals, strict=True):
            ax.annotate(
                f"N={int(total)}",
                xy=(1, pos),
                xycoords=("axes fraction", "data"),
                xytext=(4, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=style.SMALL_SIZE,
                color=style.MUTED_COLOUR,
            )
        ax.spines["left"].set_visible(False)
        _clean_axes(ax, value_axis="x")
        _title(fig, title, width)

        # Legend below, read row by row: the fewest rows that fit the width, balanced
        # (5 levels in 2 rows: 3 + 2, not 4 + 1).
        def add_legend(ncols: int):
            return fig.legend(
                _legend_order(handles, ncols),
                _legend_order(list(levels), ncols),
                loc="outside lower center",
                ncols=ncols,
                handlelength=1.0,
                handleheight=0.8,
                handletextpad=0.4,
                columnspacing=1.0,
                fontsize=style.SMALL_SIZE,
            )

        renderer = fig.canvas.get_renderer()
        fitting = 1
        for ncols in range(n_levels, 1, -1):
            legend = add_legend(ncols)
            fits = legend.get_window_extent(renderer).width <= fig.bbox.width - 8
            legend.remove()
            if fits:
                fitting = ncols
                break
        add_legend(math.ceil(n_levels / math.ceil(n_levels / fitting)))

        # Keep a segment's share only where it fits inside the segment (after the layout).
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        for patch, label in segments:
            bar_box = patch.get_window_extent(renderer)
            text_box = label.get_window_extent(renderer)
            if text_box.width > bar_box.width - 3 or text_box.height > bar_box.height:
                label.remove()
        return _finish(fig)


# --------------------------------------------------------------------------------------
# Demographics
# --------------------------------------------------------------------------------------


def _as_counts(values: pd.Series) -> pd.Series:
    """Counts per category: a Series of counts is kept, one of raw answers is tallied."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        counts = values.dropna()
    else:
        counts = values.dropna().value_counts(sort=False)
        if isinstance(values.dtype, pd.CategoricalDtype):
            counts = counts.reindex(values.cat.categories).dropna()
    counts.index = counts.index.map(str)
    return counts.astype(int)


def _most_frequent(counts: pd.Series, top: int) -> pd.Series:
    """Top ``top`` by count (ties by name); a catch-all "Other" goes last, as in the paper."""
    frame = pd.DataFrame({"name": counts.index, "count": counts.to_numpy()})
    frame = frame[frame["count"] > 0].sort_values(
        ["count", "name"], ascending=[False, True], kind="stable"
    )
    chosen = frame.head(top)
    is_other = chosen["name"].str.strip().str.lower().isin({"other", "others"})
    chosen = pd.concat([chosen[~is_other], chosen[is_other]])
    return pd.Series(chosen["count"].to_numpy(), index=chosen["name"].to_numpy())


def _count_panel(ax: Axes, counts: pd.Series, *, label_width: float, xlabel: str) -> None:
    names = [wrap_text(name, label_width, fontsize=style.SMALL_SIZE) for name in counts.index]
    positions = np.arange(len(counts))
    ax.barh(positions, counts.to_numpy(), height=0.62, color=style.BAR_COLOUR, zorder=2)
    ax.set_yticks(positions, names)
    ax.set_ylim(len(counts) - 0.5, -0.5)
    peak = max(int(counts.max()), 1)
    ax.set_xlim(0, peak * 1.18)
    ax.xaxis.set_major_locator(MultipleLocator(_nice_step(peak)))
    ax.set_xlabel(xlabel)
    for pos, value in zip(positions, counts.to_numpy(), strict=True):
        ax.annotate(
            f"{int(value)}",
            xy=(value, pos),
            xytext=(2, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=style.TINY_SIZE,
        )
    _clean_axes(ax, value_axis="x")


def _nice_step(peak: float) -> float:
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def demographics(
    countries: pd.Series,
    roles: pd.Series,
    experience: pd.Series,
    *,
    top: int = 10,
    title: str | None = "Fig. 1. Participants' countries, roles and ML work experience",
) -> Figure:
    """Three panels of horizontal count bars: top countries, top roles, experience bands.

    Each Series is either counts indexed by category or the raw answers (one per
    respondent). Experience bands keep the order of the Series index (or of its categories
    when it holds categorical answers); countries and roles are sorted by count.
    """
    country_counts = _as_counts(countries)
    role_counts = _as_counts(roles)
    experience_counts = _as_counts(experience)
    n_countries = int((country_counts > 0).sum())
    top_countries = _most_frequent(country_counts, top)
    top_roles = _most_frequent(role_counts, top)
    rows = max(len(top_countries), len(top_roles), len(experience_counts), 1)

    width = style.DOUBLE_COLUMN_IN
    with style.figure_context():
        fig = style.new_figure(width, 0.95 + 0.17 * rows + (0.25 if title else 0.0))
        axes = fig.subplots(1, 3, width_ratios=[1.2, 1.0, 1.0])
        country_title = "(a) Country"
        if n_countries > len(top_countries):
            country_title += f" (top {len(top_countries)} of {n_countries})"
        panels = [
            (country_title, top_countries, int(country_counts.sum())),
            ("(b) Role", top_roles, int(role_counts.sum())),
            (
                "(c) Experience with ML-enabled systems",
                experience_counts,
                int(experience_counts.sum()),
            ),
        ]
        for ax, (panel_title, counts, total) in zip(axes, panels, strict=True):
            _count_panel(ax, counts, label_width=1.05, xlabel=f"Respondents (N={total})")
            ax.set_title(panel_title, fontsize=style.FONT_SIZE, pad=4)
        if title:
            _title(fig, title, width)
        # Panel titles wrap to the room up to the next panel's tick labels (or the page
        # edge), known once the layout has run.
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        dpi = fig.dpi
        for i, (ax, (panel_title, _, _)) in enumerate(zip(axes, panels, strict=True)):
            right = axes[i + 1].get_tightbbox(renderer).x0 / dpi if i + 1 < len(axes) else width
            room = right - ax.get_window_extent(renderer).x0 / dpi - 0.1
            ax.set_title(
                wrap_text(panel_title, room, fontsize=style.FONT_SIZE, weight="bold"),
                fontsize=style.FONT_SIZE,
                pad=4,
            )
        fig.draw_without_rendering()
        # Freeze the layout, then shorten panels with fewer bars from the bottom: every bar
        # keeps the same thickness and the panels stay top-aligned.
        fig.set_layout_engine("none")
        for ax, (_, counts, _) in zip(axes, panels, strict=True):
            box = ax.get_position()
            height = box.height * len(counts) / rows
            ax.set_position((box.x0, box.y1 - height, box.width, height))
        return _finish(fig)


# --------------------------------------------------------------------------------------
# Fishbone (Ishikawa) diagram
# --------------------------------------------------------------------------------------

# Geometry of the fishbone, in inches (the axes span the figure with 1 data unit = 1 inch).
_FB_MARGIN = 0.06
_FB_GAP_BONE = 0.05  # rib text -> its bone
_FB_GAP_NEXT = 0.10  # rib text -> the next bone to the left
_FB_RIB_PAD = 0.045  # vertical space between ribs
_FB_UNDERLINE = 0.02  # rib line under its text
_FB_SPINE_CLEAR = 0.10  # nearest rib text -> spine
_FB_LABEL_GAP = 0.08  # bone end -> category box
_FB_BOX_PAD = 0.35  # box padding of the labels, in font sizes
_FB_HEAD_GAP = 0.12  # first bone -> head box
_FB_HEAD_WIDTH = 1.05
_FB_ANGLE = math.radians(62)  # bones lean towards the tail at this angle to the spine
_FB_COT = 1 / math.tan(_FB_ANGLE)
_FB_MAX_RUN = 0.6  # longest horizontal run of a bone; taller bones get steeper
_FB_FONT_SIZES = (style.SMALL_SIZE, 6.5, style.TINY_SIZE)  # tried in turn until it fits
_FB_RIB_WIDTHS = tuple(float(w) for w in np.arange(3.0, 0.55, -0.04))  # wrap widths tried


@dataclass
class _Rib:
    text: str
    width: float
    height: float


@dataclass
class _Bone:
    category: str
    side: int  # +1 above the spine, -1 below
    column: int  # 0 next to the head
    ribs: list[_Rib]
    label: str = ""
    label_width: float = 0.0  # including the box
    label_height: float = 0.0  # including the box

    @property
    def stack(self) -> float:
        return sum(r.height for r in self.ribs) + _FB_RIB_PAD * max(len(self.ribs) - 1, 0)


@dataclass
class _FishboneLayout:
    fontsize: float
    bones: list[_Bone]
    feet: list[float]  # x of each column's bones on the spine; column 0 next to the head
    reach_up: float  # spine -> end of the upper bones
    reach_down: float
    cot: float  # horizontal run of a bone per unit of height
    leftmost: float  # left edge of the leftmost text

    def shift(self, dx: float) -> None:
        self.feet = [x + dx for x in self.feet]
        self.leftmost += dx


def _fishbone_input(codes: pd.DataFrame) -> list[tuple[str, list[tuple[str, int]]]]:
    missing = [c for c in ("axial_category", "open_code", "count") if c not in codes.columns]
    if missing:
        raise ValueError(f"codes lack column(s) {missing}")
    if codes.empty:
        raise ValueError("no codes to draw")
    grouped = (
        codes.assign(count=pd.to_numeric(codes["count"]))
        .groupby(["axial_category", "open_code"], sort=True)["count"]
        .sum()
        .reset_index()
    )
    categories = []
    for category, part in grouped.groupby("axial_category", sort=True):
        part = part.sort_values(["count", "open_code"], ascending=[False, True], kind="stable")
        ribs = [(str(c), int(n)) for c, n in zip(part["open_code"], part["count"], strict=True)]
        categories.append((str(category), ribs, int(part["count"].sum())))
    # Most frequent category next to the head, then alternating above/below, going left.
    categories.sort(key=lambda c: (-c[2], c[0]))
    return [(name, ribs) for name, ribs, _ in categories]


def _fishbone_layout(
    content: list[tuple[str, list[tuple[str, int]]]],
    *,
    x_right: float,
    min_reach: float,
    fontsize: float,
    rib_widths: Sequence[float],
) -> _FishboneLayout:
    """Bones and ribs for wrap widths per column; ``leftmost`` < margin: it does not fit."""
    bones = []
    for index, (category, ribs) in enumerate(content):
        wrapped = []
        for code, count in ribs:
            text = wrap_text(
                f"{code} ({count})", rib_widths[index // 2], fontsize=fontsize, keep_last=2
            )
            wrapped.append(_Rib(text, *text_size(text, fontsize=fontsize)))
        bones.append(_Bone(category, 1 if index % 2 == 0 else -1, index // 2, wrapped))
    n_columns = bones[-1].column + 1
    reach_up = max(max(b.stack for b in bones if b.side > 0) + _FB_SPINE_CLEAR, min_reach)
    reach_down = max(
        max([b.stack for b in bones if b.side < 0], default=0.0) + _FB_SPINE_CLEAR, min_reach
    )
    # Long bones get steeper, so that their slant does not eat the width the text needs.
    cot = min(_FB_COT, _FB_MAX_RUN / max(reach_up, reach_down))
    # Bones are parallel, so the horizontal distance from a bone to its left neighbour is the
    # same at every height: it must clear the widest rib of the column plus that rib's slant.
    need = [
        _FB_GAP_BONE
        + _FB_GAP_NEXT
        + max(
            r.width + (r.height + _FB_UNDERLINE) * cot
            for b in bones
            if b.column == c
            for r in b.ribs
        )
        for c in range(n_columns)
    ]
    label_font = fontsize + 0.5
    box = 2 * _FB_BOX_PAD * label_font / 72
    for bone in bones:
        c = bone.column
        room = min(
            need[c] if c < n_columns - 1 else math.inf,
            need[c - 1] if c > 0 else math.inf,
            2.0,
        )
        bone.label = wrap_text(
            bone.category, room - _FB_GAP_NEXT - box, fontsize=label_font, weight="bold"
        )
        w, h = text_size(bone.label, fontsize=label_font, weight="bold")
        bone.label_width, bone.label_height = w + box, h + box
    # A category name that cannot wrap narrowly enough widens its column instead.
    by_place = {(b.side, b.column): b for b in bones}
    for (side, c), bone in by_place.items():
        left = by_place.get((side, c + 1))
        if left is not None:
            need[c] = max(need[c], (bone.label_width + left.label_width) / 2 + _FB_GAP_NEXT)
    feet = [x_right - sum(need[:c]) for c in range(n_columns)]
    leftmost = math.inf
    for bone in bones:
        top = feet[bone.column] - (reach_up if bone.side > 0 else reach_down) * cot
        leftmost = min(leftmost, top - bone.label_width / 2)
        for rib in bone.ribs:
            leftmost = min(leftmost, top - _FB_GAP_BONE - rib.width)
    return _FishboneLayout(fontsize, bones, feet, reach_up, reach_down, cot, leftmost)


def _solve_fishbone(
    content: list[tuple[str, list[tuple[str, int]]]], *, x_right: float, min_reach: float
) -> _FishboneLayout:
    """Widest rib wraps (fewest lines) at the largest font size that fits left of ``x_right``.

    First one wrap width for all columns, then each column (from the head) widens on its own
    while the whole still fits: a short neighbour leaves room for a long one.
    """
    n_columns = (len(content) + 1) // 2

    def attempt(fontsize: float, widths: Sequence[float]) -> _FishboneLayout:
        return _fishbone_layout(
            content, x_right=x_right, min_reach=min_reach, fontsize=fontsize, rib_widths=widths
        )

    layout = None
    for fontsize in _FB_FONT_SIZES:
        for rib_width in _FB_RIB_WIDTHS:
            widths = [rib_width] * n_columns
            layout = attempt(fontsize, widths)
            if layout.leftmost >= _FB_MARGIN:
                for column in range(n_columns):
                    for wider in (w for w in _FB_RIB_WIDTHS if w > rib_width):  # widest first
                        trial = [*widths[:column], wider, *widths[column + 1 :]]
                        candidate = attempt(fontsize, trial)
                        if candidate.leftmost >= _FB_MARGIN:
                            widths, layout = trial, candidate
                            break
                return layout
    assert layout is not None
    return layout  # the narrowest attempt; the caller widens the page


def fishbone(codes: pd.DataFrame, *, head: str, title: str) -> Figure:
    """Ishikawa diagram of coded problems, laid out from the measured size of its text.

    ``codes`` has columns axial_category, open_code, count (repeated pairs are summed). The
    head box (``head``) sits on the right of a horizontal spine; each axial category is a
    bone, alternating above and below, the most frequent next to the head; its open codes
    are ribs along the bone, most frequent next to the category box, written "code (count)".
    The page is a double journal column (7.2 in) wide; the height follows from the content.
    Rib text is wrapped as little as the width allows, at 7 pt (6 pt at the least); content
    too wide even then widens the page rather than overlapping.
    """
    content = _fishbone_input(codes)
    with style.figure_context():  # one context for the layout's many text measurements
        return _draw_fishbone(content, head=head, title=title)


def _draw_fishbone(
    content: list[tuple[str, list[tuple[str, int]]]], *, head: str, title: str
) -> Figure:
    width = style.DOUBLE_COLUMN_IN
    head_font = style.FONT_SIZE + 0.5
    head_pad = _FB_BOX_PAD * head_font / 72
    head_text = wrap_text(head, _FB_HEAD_WIDTH - 2 * head_pad, fontsize=head_font, weight="bold")
    head_w, head_h = text_size(head_text, fontsize=head_font, weight="bold")
    head_box = head_w + 2 * head_pad + 0.04
    min_reach = head_h / 2 + head_pad + 0.05  # the head box must fit between the labels
    x_right = width - _FB_MARGIN - head_box - _FB_HEAD_GAP
    layout = _solve_fishbone(content, x_right=x_right, min_reach=min_reach)
    slack = layout.leftmost - _FB_MARGIN
    if slack < 0:  # wider page rather than overlapping text
        width -= slack
        layout.shift(-slack)
    else:
        # Spread spare width over the gaps between bones (half a share each to the head and
        # the tail) instead of leaving it all empty on the left.
        n_columns = len(layout.feet)
        extra = slack / n_columns
        layout.feet = [x - extra * (0.5 + c) for c, x in enumerate(layout.feet)]
        layout.leftmost -= extra * (n_columns - 0.5)

    fontsize = layout.fontsize
    label_font = fontsize + 0.5
    box_pad = _FB_BOX_PAD * label_font / 72
    label_up = max([b.label_height for b in layout.bones if b.side > 0], default=0.0)
    label_down = max([b.label_height for b in layout.bones if b.side < 0], default=0.0)
    title_text = wrap_text(title, width - 2 * _FB_MARGIN, fontsize=style.TITLE_SIZE, weight="bold")
    subtitle = "Boxes: axial categories; ribs: open codes (number of coded statements)."
    subtitle_text = wrap_text(subtitle, width - 2 * _FB_MARGIN, fontsize=style.TINY_SIZE)
    title_h = text_size(title_text, fontsize=style.TITLE_SIZE, weight="bold")[1]
    subtitle_h = text_size(subtitle_text, fontsize=style.TINY_SIZE)[1]

    spine_y = _FB_MARGIN + (label_down + _FB_LABEL_GAP if label_down else 0.0)
    spine_y += layout.reach_down
    top_of_labels = spine_y + layout.reach_up + _FB_LABEL_GAP + label_up
    height = top_of_labels + 0.10 + subtitle_h + 0.03 + title_h + _FB_MARGIN

    fig = style.new_figure(width, height, layout=None)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()

    ax.text(
        _FB_MARGIN,
        height - _FB_MARGIN,
        title_text,
        ha="left",
        va="top",
        fontsize=style.TITLE_SIZE,
        fontweight="bold",
    )
    ax.text(
        _FB_MARGIN,
        height - _FB_MARGIN - title_h - 0.03,
        subtitle_text,
        ha="left",
        va="top",
        fontsize=style.TINY_SIZE,
        color=style.MUTED_COLOUR,
    )

    x_head = width - _FB_MARGIN - head_box
    ax.text(
        x_head + head_box / 2,
        spine_y,
        head_text,
        ha="center",
        va="center",
        multialignment="center",
        fontsize=head_font,
        fontweight="bold",
        color="white",
        bbox={
            "boxstyle": f"round,pad={_FB_BOX_PAD}",
            "facecolor": style.HIGHLIGHT_COLOUR,
            "edgecolor": "none",
        },
        zorder=5,
    )
    ax.annotate(
        "",
        xy=(x_head - 0.02, spine_y),
        xytext=(max(_FB_MARGIN, layout.feet[-1] - 0.35), spine_y),
        arrowprops={
            "arrowstyle": "-|>,head_length=0.5,head_width=0.25",
            "color": style.LINE_COLOUR,
            "linewidth": 1.6,
            "shrinkA": 0,
            "shrinkB": 0,
        },
        zorder=3,
    )

    for bone in layout.bones:
        foot = layout.feet[bone.column]
        reach = layout.reach_up if bone.side > 0 else layout.reach_down
        top = foot - reach * layout.cot
        end_y = spine_y + bone.side * reach
        ax.plot(
            [foot, top],
            [spine_y, end_y],
            color=style.LINE_COLOUR,
            linewidth=1.0,
            solid_capstyle="round",
            zorder=2,
        )
        ax.text(
            top,
            end_y + bone.side * (_FB_LABEL_GAP + box_pad),
            bone.label,
            ha="center",
            va="bottom" if bone.side > 0 else "top",
            multialignment="center",
            fontsize=label_font,
            fontweight="bold",
            bbox={
                "boxstyle": f"round,pad={_FB_BOX_PAD}",
                "facecolor": "#eeeeee",
                "edgecolor": style.LINE_COLOUR,
                "linewidth": 0.6,
            },
            zorder=4,
        )
        # Ribs from the category box towards the spine, most frequent first. Distances
        # are from the spine; a rib's text ends where its far edge meets the slanted bone,
        # so no part of the text crosses the bone.
        distance = reach
        for rib in bone.ribs:
            far, near = distance, distance - rib.height
            right = foot - far * layout.cot - _FB_GAP_BONE
            line = near - _FB_UNDERLINE if bone.side > 0 else far + _FB_UNDERLINE
            ax.text(
                right - rib.width,
                spine_y + bone.side * (near if bone.side > 0 else far),
                rib.text,
                ha="left",
                va="bottom",
                multialignment="left",
                fontsize=fontsize,
                zorder=4,
            )
            line_y = spine_y + bone.side * line
            ax.plot(
                [right - rib.width, foot - line * layout.cot],
                [line_y, line_y],
                color=style.RIB_COLOUR,
                linewidth=0.5,
                zorder=1,
            )
            distance = near - _FB_RIB_PAD
    return _finish(fig)


def all_text(fig: Figure) -> list[str]:
    """Every drawn text of ``fig`` with line breaks undone (for checks and tests)."""
    return [" ".join(t.get_text().split()) for t in _drawn_texts(fig)]


# --------------------------------------------------------------------------------------
# Subgroups: small multiples of an analysis' estimates, one panel per group
# --------------------------------------------------------------------------------------


def small_multiples(summary: pd.DataFrame, *, interval: str, title: str) -> Figure:
    """One panel of bars with intervals per group (rows of `summary` carry a `group` column
    and the long estimates columns); panels share the label order and the 0-100 axis. A
    share of 0% or 100% gets a dashed Wilson interval, as in :func:`estimate_bars`."""
    chosen = summary[(summary["ci_method"] == interval) & (summary["label"] != "Mean")]
    if chosen.empty:
        raise ValueError(f"no rows with ci_method {interval!r} to draw")
    chosen = drawn_intervals(chosen, interval)
    groups = list(dict.fromkeys(chosen["group"]))
    labels = list(dict.fromkeys(chosen["label"]))
    ncols = 2 if len(groups) > 1 else 1
    nrows = -(-len(groups) // ncols)
    width = style.DOUBLE_COLUMN_IN
    label_width = max(text_size(lab, fontsize=style.SMALL_SIZE)[0] for lab in labels)
    with style.figure_context():
        height = 0.75 + nrows * (0.55 + 0.2 * len(labels))
        fig = style.new_figure(width, height)
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
        for index, ax in enumerate(axes.flat):
            if index >= len(groups):
                ax.set_visible(False)
                continue
            group = groups[index]
            rows = chosen[chosen["group"] == group].set_index("label").reindex(labels)
            values = rows["estimate"].to_numpy(dtype=float)
            positions = np.arange(len(labels))
            ax.barh(positions, values, height=0.62, color=style.BAR_COLOUR, zorder=2)
            err_kw = {"fmt": "none", "ecolor": style.ERROR_BAR_COLOUR, "elinewidth": 0.8,
                      "capsize": 1.5, "zorder": 3}  # fmt: skip
            error_bars(ax, positions, values, rows, horizontal=True, style=err_kw)
            ax.set_yticks(positions, labels if index % ncols == 0 else [""] * len(labels))
            ax.set_ylim(len(labels) - 0.5, -0.5)
            ax.set_xlim(0, 100)
            ax.xaxis.set_major_locator(MultipleLocator(25))
            n = int(rows["n"].dropna().iloc[0])
            panel = wrap_text(
                f"{group} (n={n})",
                (width - label_width) / ncols - 0.2,
                fontsize=style.FONT_SIZE,
                weight="bold",
            )
            ax.set_title(panel, fontsize=style.FONT_SIZE, loc="left", pad=3)
            _clean_axes(ax, value_axis="x")
        # The lowest visible panel of each column carries the axis (a column may end early).
        for column in axes.T:
            visible = [ax for ax in column if ax.get_visible()]
            visible[-1].tick_params(labelbottom=True)
            visible[-1].set_xlabel("Respondents (%)")
        _title(fig, title, width)
        _note(
            fig,
            f"Error bars: {interval_note(chosen, interval)}. {wilson_note(chosen)}".strip(),
            width,
        )
        return _finish(fig)
