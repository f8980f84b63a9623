"""Bar figures of estimated shares with their confidence intervals (Fig. 4, 5, 7, 8, 10).

:func:`estimate_bars` draws one analysis; :func:`small_multiples` one panel per subgroup.
No function writes files: pass the Figure to :func:`surveyflow.rendering.style.save_figure`. Every
figure is built inside :func:`surveyflow.rendering.style.figure_context`, so the caller's rcParams
neither affect it nor are changed by it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from surveyflow.checking.vocabulary import MEAN_LABEL
from surveyflow.rendering import style
from surveyflow.rendering.captions import format_mean
from surveyflow.rendering.drawn_intervals import (
    drawn_intervals,
    error_bars,
    interval_note,
    wilson_note,
)
from surveyflow.rendering.figure_parts import (
    add_note,
    add_title,
    clean_axes,
    finish_figure,
    text_size,
    wrap_text,
)

__all__ = ["estimate_bars", "small_multiples"]

ESTIMATE_COLUMNS = ("label", "estimate", "ci_method", "ci_low", "ci_high")


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
    is_mean = estimates["label"] == MEAN_LABEL
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
            clean_axes(ax, value_axis="x")
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
            clean_axes(ax, value_axis="y")
        add_title(fig, full_title, width)
        add_note(fig, "\n".join(note), width)
        return finish_figure(fig)


# --------------------------------------------------------------------------------------
# Subgroups: small multiples of an analysis' estimates, one panel per group
# --------------------------------------------------------------------------------------


def small_multiples(summary: pd.DataFrame, *, interval: str, title: str) -> Figure:
    """One panel of bars with intervals per group (rows of `summary` carry a `group` column
    and the long estimates columns); panels share the label order and the 0-100 axis. A
    share of 0% or 100% gets a dashed Wilson interval, as in :func:`estimate_bars`."""
    chosen = summary[(summary["ci_method"] == interval) & (summary["label"] != MEAN_LABEL)]
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
            clean_axes(ax, value_axis="x")
        # The lowest visible panel of each column carries the axis (a column may end early).
        for column in axes.T:
            visible = [ax for ax in column if ax.get_visible()]
            visible[-1].tick_params(labelbottom=True)
            visible[-1].set_xlabel("Respondents (%)")
        add_title(fig, title, width)
        add_note(
            fig,
            f"Error bars: {interval_note(chosen, interval)}. {wilson_note(chosen)}".strip(),
            width,
        )
        return finish_figure(fig)
