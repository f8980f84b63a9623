"""Ishikawa (fishbone) diagrams of the coded problems, laid out from measured text (Fig. 6, 9).

No function writes files: pass the Figure to :func:`surveyflow.rendering.style.save_figure`. The
figure is built inside :func:`surveyflow.rendering.style.figure_context`, so the caller's rcParams
neither affect it nor are changed by it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from surveyflow.rendering import style
from surveyflow.rendering.figure_parts import finish_figure, text_size, wrap_text

__all__ = ["fishbone"]

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
    return finish_figure(fig)
