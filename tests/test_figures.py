"""Figures: every figure builds, no text overlaps or leaves the canvas, files are byte-stable."""

from __future__ import annotations

import struct
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.patches import Rectangle

from surveyflow.rendering import style
from surveyflow.rendering.bars import estimate_bars, small_multiples
from surveyflow.rendering.captions import estimate_caption
from surveyflow.rendering.demographics import demographics
from surveyflow.rendering.figure_parts import all_text, text_overlaps
from surveyflow.rendering.fishbone import fishbone
from surveyflow.rendering.likert import likert_diverging

ROOT = Path(__file__).resolve().parents[1]
CODING_SHEET = ROOT / "data" / "raw" / "coding" / "SYNTHETIC_coding_sheet.csv"

RELEVANCE = [
    "Not relevant",
    "Slightly relevant",
    "Moderately relevant",
    "Highly relevant",
    "Extremely relevant",
]
DIFFICULTY = ["Very easy", "Easy", "Neither easy nor difficult", "Difficult", "Very difficult"]


# ---------------------------------------------------------------------------------------------
# Inputs shaped like the workflow's (values from the paper and the synthetic data)
# ---------------------------------------------------------------------------------------------


def estimates_frame(shares: dict[str, float], *, n: int, mean: float | None = None) -> pd.DataFrame:
    """Long estimates table: one row per label and ci_method, as the bootstrap step writes."""
    base = {"analysis": "rq", "paper_label": "RQ", "n": n, "ci_level": 0.95, "resamples": 1000,
            "seed": 20231109}  # fmt: skip
    rows = []
    for label, p in shares.items():
        se = float(np.sqrt(p * (100 - p) / n))
        halves = {"paper": 1.96 * se / np.sqrt(1000), "percentile": 1.96 * se, "bca": 1.9 * se,
                  "wilson": 2.0 * se}  # fmt: skip
        for method, half in halves.items():
            rows.append(base | {
                "label": label, "count": round(p * n / 100), "estimate": p,
                "boot_mean": p + 0.01, "boot_se": se, "ci_method": method,
                "ci_low": max(p - half, 0.0), "ci_high": min(p + half, 100.0),
            })  # fmt: skip
    if mean is not None:  # RQ5's mean of the answers: not a share of respondents
        for method in ("paper", "percentile", "bca", "t"):  # "t" stands in for Wilson
            rows.append(base | {
                "label": "Mean", "count": np.nan, "estimate": mean, "boot_mean": mean,
                "boot_se": 2.5, "ci_method": method, "ci_low": mean - 4.9, "ci_high": mean + 4.9,
            })  # fmt: skip
    return pd.DataFrame(rows)


RQ1_1 = {"Service": 59.457, "Embedded model": 42.719, "PaaS": 23.826, "Others": 5.47}
RQ5 = {"0-20%": 24.965, "20-40%": 17.796, "40-60%": 23.553, "60-80%": 12.465, "80-100%": 21.221}


def likert_counts(levels: list[str], items: dict[str, list[int]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(items, orient="index", columns=levels)


def small_codes() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("Infrastructure", "Infrastructure for production deployment", 26),
            ("Infrastructure", "Infrastructure architecture", 15),
            ("Infrastructure", "Scalability", 12),
            ("Infrastructure", "Cost", 9),
            ("Integration", "Legacy application integration", 20),
            ("Integration", "API and interface design", 5),
            ("Organization", "Lack of skilled people", 6),
            ("Organization", "Communication between data science and IT", 5),
            ("Process", "No automated deployment pipeline", 7),
        ],
        columns=["axial_category", "open_code", "count"],
    )


def stress_codes() -> pd.DataFrame:
    """8 axial categories x 8 open codes with long names (40-75 characters)."""
    words = [
        "infrastructure", "provisioning", "integration", "legacy", "monitoring", "dashboards",
        "reproducibility", "governance", "compliance", "orchestration", "containerisation",
    ]  # fmt: skip
    rows = []
    for c in range(8):
        category = f"Category {c} with a rather long name" if c % 3 == 0 else f"Category {c}"
        for k in range(8):
            name = " ".join(words[(3 * c + k + j) % len(words)] for j in range(3 + k % 4))
            rows.append((category, f"{name.capitalize()} ({c}.{k})", 40 - 4 * k - c))
    return pd.DataFrame(rows, columns=["axial_category", "open_code", "count"])


def texts_of(fig) -> list[str]:
    return all_text(fig)


# ---------------------------------------------------------------------------------------------
# The overlap check itself
# ---------------------------------------------------------------------------------------------


def test_text_overlaps_detects_overlap_and_clipping() -> None:
    with style.figure_context():
        fig = style.new_figure(3.5, 2.0, layout=None)
        fig.text(0.3, 0.5, "first label")
        fig.text(0.32, 0.5, "second label")
        fig.text(0.9, 0.1, "runs off the right edge")
        fig.text(0.05, 0.9, "alone")
    problems = text_overlaps(fig)
    assert ("first label", "second label") in problems
    assert ("runs off the right edge", "<outside canvas>") in problems
    assert not any("alone" in pair for pair in problems)


def test_text_overlaps_ignores_tick_labels_outside_the_view() -> None:
    with style.figure_context():
        fig = style.new_figure(3.5, 2.5)
        ax = fig.add_subplot()
        ax.set_xticks(range(0, 200, 10))  # most are outside the limits and not drawn
        ax.set_xlim(0, 30)
    assert text_overlaps(fig) == []


# ---------------------------------------------------------------------------------------------
# Estimates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "horizontal"), [("percentile", True), ("paper", False), ("wilson", True)]
)
def test_estimate_bars(interval: str, horizontal: bool) -> None:
    frame = estimates_frame(RQ1_1, n=168)
    fig = estimate_bars(
        frame,
        title="Deployment approaches of ML models",
        n=168,
        interval=interval,
        paper_label="RQ1.1",
        figure_number=4,
        horizontal=horizontal,
    )
    assert text_overlaps(fig) == []
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == len(RQ1_1)
    text = " ".join(texts_of(fig))
    assert "(N=168)" in text and "Fig. 4" in text and "RQ1.1" in text
    value_axis = ax.xaxis if horizontal else ax.yaxis
    assert value_axis.get_label_text() == "Respondents (%)"
    assert value_axis.get_view_interval().tolist() == [0.0, 100.0]
    assert "59.5%" in text and "5.5%" in text
    expected = {
        "percentile": "95% percentile bootstrap interval, S = 1000",
        "paper": "interval of the bootstrap mean as published (S = 1000)",
        "wilson": "95% Wilson score interval",
    }[interval]
    assert expected in text


def test_estimate_bars_keep_the_row_order() -> None:
    fig = estimate_bars(
        estimates_frame(RQ5, n=169, mean=45.41),
        title="Share of ML-enabled projects that go into production",
        n=169,
        interval="percentile",
        paper_label="RQ5",
        figure_number=10,
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(RQ5)
    top_to_bottom = sorted(ax.patches, key=lambda p: p.get_y())
    assert [round(p.get_width(), 3) for p in top_to_bottom] == list(RQ5.values())


@pytest.mark.parametrize("interval", ["percentile", "wilson"])  # Wilson: no interval of a mean
def test_estimate_bars_report_the_mean_as_a_note_not_a_bar(interval: str) -> None:
    fig = estimate_bars(
        estimates_frame(RQ5, n=169, mean=45.41),
        title="Share of ML-enabled projects that go into production",
        n=169,
        interval=interval,
        paper_label="RQ5",
        figure_number=10,
        horizontal=False,
    )
    assert text_overlaps(fig) == []
    ax = fig.axes[0]
    assert len(ax.patches) == len(RQ5)
    assert "Mean" not in [t.get_text() for t in ax.get_xticklabels()]
    note = next(t for t in texts_of(fig) if "Mean of the answers" in t)
    assert "45.41% [40.5, 50.3]" in note
    assert ("95% t interval" in note) == (interval == "wilson")


def test_estimate_bars_reject_an_unknown_interval() -> None:
    with pytest.raises(ValueError, match="not among the ci_method"):
        estimate_bars(
            estimates_frame(RQ1_1, n=168),
            title="t",
            n=168,
            interval="jackknife",
            paper_label="RQ1.1",
            figure_number=4,
        )


# The default subgroup figure's Solution Architects: n = 16, none selected "Others".
SMALL_GROUP = {"Input and output": 56.25, "Fairness": 18.75, "Others": 0.0}
WILSON_AT_ZERO_OF_16 = 100 * 1.959963984540054**2 / (16 + 1.959963984540054**2)  # 19.36


def bar_extents(ax) -> list[tuple[float, float, bool]]:
    """(low, high, dashed) of every horizontal error bar of ``ax``, top row first."""
    found = []
    for container in ax.containers:
        if not isinstance(container, ErrorbarContainer):
            continue
        (lines,) = container.lines[2]
        dashed = lines.get_linestyle()[0][1] is not None
        for (x0, y), (x1, _) in lines.get_segments():
            found.append((y, x0, x1, dashed))
    return [(x0, x1, dashed) for _, x0, x1, dashed in sorted(found)]


@pytest.mark.parametrize("interval", ["percentile", "bca"])
def test_a_share_of_zero_gets_a_dashed_wilson_bar_not_a_point(interval: str) -> None:
    fig = estimate_bars(
        estimates_frame(SMALL_GROUP, n=16),
        title="Monitored aspects",
        n=16,
        interval=interval,
        paper_label="RQ3.2",
        figure_number=8,
    )
    assert text_overlaps(fig) == []
    *others, zero = bar_extents(fig.axes[0])
    assert zero[0] == 0.0 and zero[1] == pytest.approx(WILSON_AT_ZERO_OF_16, abs=1e-9)
    assert zero[2] and not any(dashed for *_, dashed in others)
    note = " ".join(texts_of(fig))
    assert "Dashed: 95% Wilson score interval, for a share of 0% or 100%" in note


def test_the_papers_interval_is_drawn_as_published_even_at_zero() -> None:
    fig = estimate_bars(
        estimates_frame(SMALL_GROUP, n=16),
        title="Monitored aspects",
        n=16,
        interval="paper",
        paper_label="RQ3.2",
        figure_number=8,
    )
    *_, zero = bar_extents(fig.axes[0])
    assert zero[1] - zero[0] < 0.1 and not zero[2]  # no width: boot_se is 0 at k = 0
    assert "Wilson" not in " ".join(texts_of(fig))


def test_small_multiples_draw_wilson_for_a_share_of_zero() -> None:
    data_scientists = {"Input and output": 61.22, "Fairness": 18.37, "Others": 4.08}
    groups = [("Data Scientist", data_scientists, 49), ("Solution Architect", SMALL_GROUP, 16)]
    summary = pd.concat(
        [estimates_frame(shares, n=n).assign(group=group) for group, shares, n in groups],
        ignore_index=True,
    )
    fig = small_multiples(summary, interval="percentile", title="By role")
    assert text_overlaps(fig) == []
    *_, zero = bar_extents(fig.axes[1])  # the Solution Architects' panel; Others is last
    assert zero[0] == 0.0 and zero[1] == pytest.approx(WILSON_AT_ZERO_OF_16, abs=1e-9)
    assert zero[2]
    assert not any(dashed for *_, dashed in bar_extents(fig.axes[0]))
    assert "Dashed: 95% Wilson score interval" in " ".join(texts_of(fig))


@pytest.mark.parametrize(("interval", "said"), [("percentile", True), ("paper", False)])
def test_caption_names_the_shares_drawn_with_wilson(interval: str, said: bool) -> None:
    caption = estimate_caption(
        {"paper_label": "RQ3.2", "title": "Monitored aspects", "question": "Q16"},
        estimates_frame(SMALL_GROUP, n=16),
        number=8,
        interval=interval,
        synthetic=False,
        paper=False,
    )
    sentence = "For a share of 0% or 100% (Others) every resample is alike"
    assert (sentence in caption) == said
    assert ("95% Wilson score interval is drawn instead (dashed)" in caption) == said


# ---------------------------------------------------------------------------------------------
# Likert
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "items"),
    [
        (
            RELEVANCE,
            {"Model deployment": [4, 10, 30, 64, 76], "Model monitoring": [3, 12, 31, 70, 67]},
        ),
        (
            DIFFICULTY,
            {
                "Requirements engineering": [10, 35, 60, 55, 20],
                "Data collection": [5, 20, 50, 70, 35],
                "Data preprocessing": [8, 30, 55, 60, 27],
                "Model creation": [12, 40, 60, 50, 18],
                "Model deployment": [5, 18, 45, 78, 36],
                "Model monitoring": [4, 20, 50, 72, 35],
            },
        ),
    ],
)
def test_likert_diverging(levels: list[str], items: dict[str, list[int]]) -> None:
    counts = likert_counts(levels, items)
    fig = likert_diverging(counts, levels=levels, title="Fig. 2. Relevance")
    assert text_overlaps(fig) == []
    texts = texts_of(fig)
    for level in levels:
        assert level in texts
    for item, row in items.items():
        assert item in texts
        assert f"N={sum(row)}" in texts
    assert fig.axes[0].get_xlabel() == "Respondents (%)"
    # The neutral segment of every item is centred on 0.
    neutral = [
        p
        for p in fig.axes[0].patches
        if p.get_facecolor()[:3] == mpl.colors.to_rgb(style.LIKERT_NEUTRAL)
    ]
    assert len(neutral) == len(items)
    for patch in neutral:
        assert patch.get_x() + patch.get_width() / 2 == pytest.approx(0.0, abs=1e-9)


def test_likert_rejects_missing_levels() -> None:
    counts = likert_counts(RELEVANCE[:4], {"Model deployment": [1, 2, 3, 4]})
    with pytest.raises(ValueError, match="Extremely relevant"):
        likert_diverging(counts, levels=RELEVANCE, title="t")


# ---------------------------------------------------------------------------------------------
# Demographics
# ---------------------------------------------------------------------------------------------

EXPERIENCE = [
    "Less than 1 year",
    "1 to 2 years",
    "3 to 6 years",
    "7 to 10 years",
    "More than 10 years",
]


def test_demographics_from_counts() -> None:
    countries = pd.Series(
        {
            "Brazil": 52,
            "Turkey": 25,
            "Austria": 18,
            "Germany": 15,
            "Sweden": 12,
            "Italy": 10,
            "Portugal": 6,
            "Netherlands": 5,
            "United States": 5,
            "United Kingdom": 4,
            "India": 4,
            "Spain": 4,
            "Côte d'Ivoire": 1,
        }
    )
    roles = pd.Series(
        {
            "Data Scientist": 62,
            "Project Leader / Project Manager": 33,
            "Developer": 30,
            "Solution Architect": 20,
            "Requirements Engineer": 11,
            "Other": 9,
            "Researcher": 9,
            "Business Analyst": 9,
            "Test Engineer": 5,
        }
    )
    experience = pd.Series([30, 62, 55, 24, 15], index=EXPERIENCE)
    fig = demographics(countries, roles, experience)
    assert text_overlaps(fig) == []
    country_ax, role_ax, experience_ax = fig.axes
    shown = [t.get_text() for t in country_ax.get_yticklabels()]
    assert len(shown) == 10 and shown[:3] == ["Brazil", "Turkey", "Austria"]
    assert "top 10 of 13" in country_ax.get_title(loc="left")
    role_labels = [" ".join(t.get_text().split()) for t in role_ax.get_yticklabels()]
    assert role_labels[-1] == "Other"  # the catch-all goes last
    assert [t.get_text() for t in experience_ax.get_yticklabels()] == EXPERIENCE


def test_demographics_from_raw_answers() -> None:
    rng = np.random.default_rng(7)
    countries = pd.Series(rng.choice(["Brazil", "Turkey", "Austria", "Germany"], 60))
    roles = pd.Series(rng.choice(["Data Scientist", "Developer", None], 60))
    experience = pd.Series(pd.Categorical(rng.choice(EXPERIENCE[1:], 60), categories=EXPERIENCE))
    fig = demographics(countries, roles, experience)
    assert text_overlaps(fig) == []
    labels = [t.get_text() for t in fig.axes[2].get_yticklabels()]
    assert labels == EXPERIENCE  # natural order; the unused band stays, with 0


# ---------------------------------------------------------------------------------------------
# Fishbone
# ---------------------------------------------------------------------------------------------


def assert_fishbone_complete(fig, codes: pd.DataFrame) -> None:
    texts = texts_of(fig)
    joined = "\n".join(texts)
    for category in codes["axial_category"].unique():
        assert category in texts, category
    for code, count in codes.groupby("open_code")["count"].sum().items():
        assert f"{code} ({count})" in joined, code


def test_fishbone_small() -> None:
    codes = small_codes()
    fig = fishbone(codes, head="Model deployment problems", title="Fig. 6. Deployment")
    assert text_overlaps(fig) == []
    assert_fishbone_complete(fig, codes)
    assert "Model deployment problems" in texts_of(fig)
    assert fig.get_size_inches()[0] == pytest.approx(style.DOUBLE_COLUMN_IN)


def test_fishbone_stress_8_categories_of_8_long_codes() -> None:
    codes = stress_codes()
    assert codes["open_code"].str.len().max() >= 70
    fig = fishbone(codes, head="Model monitoring problems", title="Fig. 9. Stress")
    assert text_overlaps(fig) == []
    assert_fishbone_complete(fig, codes)
    assert fig.get_size_inches()[0] == pytest.approx(style.DOUBLE_COLUMN_IN)
    sizes = {t.get_fontsize() for t in fig.axes[0].texts}
    assert min(sizes) >= style.TINY_SIZE  # legible when printed at 100 %


def test_fishbone_one_category_and_summed_duplicates() -> None:
    codes = pd.DataFrame(
        [
            ("Tooling", "Building own monitoring tools", 20),
            ("Tooling", "Building own monitoring tools", 2),
            ("Tooling", "Tool integration", 4),
        ],
        columns=["axial_category", "open_code", "count"],
    )
    fig = fishbone(codes, head="Model monitoring problems", title="Fig. 9")
    assert text_overlaps(fig) == []
    assert "Building own monitoring tools (22)" in texts_of(fig)


@pytest.mark.skipif(not CODING_SHEET.exists(), reason="synthetic coding sheet not present")
@pytest.mark.parametrize("phase", ["deployment", "monitoring"])
def test_fishbone_from_the_coding_sheet(phase: str) -> None:
    sheet = pd.read_csv(CODING_SHEET)
    first_coder = sheet[(sheet["phase"] == phase) & (sheet["coder"] == sheet["coder"].min())]
    codes = (
        first_coder.groupby(["axial_category", "open_code"]).size().rename("count").reset_index()
    )
    fig = fishbone(codes, head=f"Model {phase} problems", title=f"Problems: {phase}")
    assert text_overlaps(fig) == []
    assert_fishbone_complete(fig, codes)


def test_fishbone_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="count"):
        fishbone(small_codes().drop(columns="count"), head="h", title="t")
    with pytest.raises(ValueError, match="no codes"):
        fishbone(small_codes().iloc[0:0], head="h", title="t")


# ---------------------------------------------------------------------------------------------
# Files: PDF + PNG, byte-identical, no stamps; no rcParams leak
# ---------------------------------------------------------------------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunks.append((kind, data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


BUILDERS = {
    "estimates": lambda: estimate_bars(
        estimates_frame(RQ5, n=169, mean=45.41),
        title="Share of ML-enabled projects that go into production",
        n=169,
        interval="percentile",
        paper_label="RQ5",
        figure_number=10,
    ),
    "fishbone": lambda: fishbone(
        small_codes(), head="Model deployment problems", title="Fig. 6. Deployment"
    ),
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each kind of figure built and saved once (PDF font subsetting is the slow part)."""
    out = tmp_path_factory.mktemp("saved")
    return {
        kind: style.save_figure(build(), out / f"{kind}.pdf", out / f"{kind}.png")
        for kind, build in BUILDERS.items()
    }


# The two layout paths (constrained layout; computed layout). PDF font subsetting is the
# slow part of the suite, so the Likert figure (constrained, like the estimates) is left out.
@pytest.mark.parametrize("kind", ["estimates", "fishbone"])
def test_save_figure_is_byte_identical_and_unstamped(
    kind: str, saved: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    first = saved[kind]
    second = style.save_figure(BUILDERS[kind](), tmp_path / "f.pdf", tmp_path / "f.png")
    for a, b in zip(first, second, strict=True):
        assert a.stat().st_size > 0
        assert a.read_bytes() == b.read_bytes(), a.name

    pdf = first[0].read_bytes()
    assert pdf.startswith(b"%PDF")
    for stamp in (b"CreationDate", b"ModDate", b"Producer", b"Creator"):
        assert stamp not in pdf
    assert b"FontFile2" in pdf and b"/Type3" not in pdf  # TrueType glyphs, no Type 3

    chunks = png_chunks(first[1].read_bytes())
    kinds = {kind for kind, _ in chunks}
    assert not kinds & {b"tEXt", b"iTXt", b"zTXt", b"tIME"}, kinds
    phys = dict(chunks)[b"pHYs"]
    x_ppm, y_ppm, unit = struct.unpack(">IIB", phys)
    assert unit == 1 and min(x_ppm, y_ppm) * 0.0254 >= 200  # pixels per metre -> dpi


def test_caller_rcparams_neither_affect_nor_leak(
    saved: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    with mpl.rc_context(
        {
            "font.size": 20,
            "lines.linewidth": 5,
            "axes.facecolor": "pink",
            "xtick.labelsize": 3,
            "pdf.fonttype": 3,
        }
    ):
        before = dict(mpl.rcParams)
        dirty = style.save_figure(BUILDERS["estimates"](), tmp_path / "d.pdf", tmp_path / "d.png")
        assert dict(mpl.rcParams) == before
    for a, b in zip(saved["estimates"], dirty, strict=True):
        assert a.read_bytes() == b.read_bytes()


# Okabe & Ito (2008), "Color Universal Design", as published in RGB (0-255).
OKABE_ITO_PUBLISHED = {
    "orange": (230, 159, 0),
    "sky_blue": (86, 180, 233),
    "bluish_green": (0, 158, 115),
    "yellow": (240, 228, 66),
    "blue": (0, 114, 178),
    "vermillion": (213, 94, 0),
    "reddish_purple": (204, 121, 167),
    "black": (0, 0, 0),
}
# ColorBrewer RdBu, 5 classes (colorbrewer2.org), most negative first.
RDBU_5 = ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0")


def _contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio)."""

    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_palettes_are_the_published_ones_and_labels_on_them_are_legible() -> None:
    for name, rgb in OKABE_ITO_PUBLISHED.items():
        assert style.OKABE_ITO[name].lower() == "#{:02x}{:02x}{:02x}".format(*rgb), name
    # The neutral middle is a light grey instead of ColorBrewer's near-white; the rest is RdBu.
    five = style.likert_colours(5)
    assert [five[i] for i in (0, 1, 3, 4)] == [RDBU_5[i] for i in (0, 1, 3, 4)]
    assert _contrast(five[2], "#ffffff") > _contrast(RDBU_5[2], "#ffffff")
    # Text on any palette colour meets WCAG AA for large text (3:1), the segment labels' size;
    # the colour chosen is the better of black and white.
    for colour in (*style.OKABE_ITO.values(), *five, style.BAR_COLOUR, style.HIGHLIGHT_COLOUR):
        text = "#ffffff" if style.text_colour_on(colour) == "white" else style.TEXT_COLOUR
        other = style.TEXT_COLOUR if text == "#ffffff" else "#ffffff"
        assert _contrast(text, colour) >= 3.0, colour
        assert _contrast(text, colour) >= _contrast(other, colour) * 0.9, colour
    with pytest.raises(ValueError):
        style.likert_colours(9)
