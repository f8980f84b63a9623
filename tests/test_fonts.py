"""The figures' typeface: the shipped subset of DejaVu Sans draws exactly what the full font
draws, falls back to the full font for other scripts, and is what the generator writes."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest

from surveyflow.rendering import fonts, style

ROOT = Path(__file__).resolve().parents[1]
# Ligatures (fi, ffl), kerning pairs (AV, To, Yo), accents, Greek, punctuation and digits.
SAMPLE = "Difficulty of AV To Yo ffl fi – Türkiye, Côte d’Ivoire: 45.41% ±3 σ μ ≤ 100 → N=161"


def draw(text: str, family: list[str]) -> np.ndarray:
    with style.figure_context(), mpl.rc_context({"font.family": family}):
        fig = style.new_figure(6, 1.2)
        fig.text(0.02, 0.6, text, fontsize=9)
        fig.text(0.02, 0.2, text, fontsize=7, fontweight="bold")
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_the_subset_draws_exactly_what_dejavu_sans_draws() -> None:
    subset = draw(SAMPLE, [fonts.FAMILY])
    full = draw(SAMPLE, [fonts.FALLBACK_FAMILY])
    assert subset.shape == full.shape
    assert np.array_equal(subset, full)
    assert (subset[..., :3] < 128).any()  # text was drawn at all


def test_other_scripts_fall_back_to_the_full_font(tmp_path: Path) -> None:
    text = "Россия – Ελλάδα – Հայաստան"  # Cyrillic and Armenian are not in the subset
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns on a glyph missing from every font
        with style.figure_context():
            fig = style.new_figure(4, 1)
            fig.text(0.05, 0.5, text)
            fig.suptitle("Bold " + text)
            pdf, _ = style.save_figure(fig, tmp_path / "f.pdf", tmp_path / "f.png")
    embedded = set(re.findall(rb"/BaseFont /[A-Z]{6}\+([A-Za-z-]+)", pdf.read_bytes()))
    assert embedded == {
        b"SurveyflowSans",
        b"SurveyflowSans-Bold",
        b"DejaVuSans",
        b"DejaVuSans-Bold",
    }


def test_figures_embed_truetype_not_type3(tmp_path: Path) -> None:
    with style.figure_context():
        fig = style.new_figure(3, 1)
        fig.text(0.1, 0.5, SAMPLE)
        pdf, _ = style.save_figure(fig, tmp_path / "t.pdf", tmp_path / "t.png")
    data = pdf.read_bytes()
    assert b"/FontFile2" in data and b"/Type3" not in data
    assert b"SurveyflowSans" in data and b"DejaVuSans" not in data


def test_the_committed_fonts_are_what_the_generator_writes(tmp_path: Path) -> None:
    # The script writes into the library; run it on a copy so the checkout is untouched.
    copy = tmp_path / "scripts"
    subprocess.run(["cp", "-r", str(ROOT / "scripts"), str(copy)], check=True)
    done = subprocess.run(
        [sys.executable, str(copy / "make_figure_fonts.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.count("wrote ") == len(fonts.FACES)
    for name in fonts.FACES:
        assert (copy / "surveyflow" / "rendering" / "fonts" / name).read_bytes() == (
            fonts.FONT_DIR / name
        ).read_bytes()
    licence = (fonts.FONT_DIR / "LICENSE_DEJAVU").read_text(encoding="utf-8")
    assert "Bitstream" in licence and "DejaVu" in licence


@pytest.mark.parametrize("name", sorted(fonts.FACES))
def test_the_fonts_carry_their_own_family_name(name: str) -> None:
    from matplotlib import font_manager

    entry = font_manager.ttfFontProperty(font_manager.get_font(fonts.FONT_DIR / name))
    assert entry.name == fonts.FAMILY
    assert entry.weight == (700 if "Bold" in name else 400)
