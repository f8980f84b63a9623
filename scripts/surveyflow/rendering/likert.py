"""Diverging stacked bars of Likert-scale answers (Fig. 2, 3).

No function writes files: pass the Figure to :func:`surveyflow.rendering.style.save_figure`. The
figure is built inside :func:`surveyflow.rendering.style.figure_context`, so the caller's rcParams
neither affect it nor are changed by it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MultipleLocator

from surveyflow.rendering import style
from surveyflow.rendering.figure_parts import add_title, clean_axes, finish_figure

__all__ = ["likert_diverging"]


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
        clean_axes(ax, value_axis="x")
        add_title(fig, title, width)

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
        return finish_figure(fig)
