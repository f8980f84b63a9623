"""Count bars of the participants' countries, roles and ML experience (Fig. 1).

No function writes files: pass the Figure to :func:`surveyflow.rendering.style.save_figure`. The
figure is built inside :func:`surveyflow.rendering.style.figure_context`, so the caller's rcParams
neither affect it nor are changed by it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from surveyflow.rendering import style
from surveyflow.rendering.figure_parts import add_title, clean_axes, finish_figure, wrap_text

__all__ = ["demographics"]


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
    clean_axes(ax, value_axis="x")


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
            add_title(fig, title, width)
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
        return finish_figure(fig)
