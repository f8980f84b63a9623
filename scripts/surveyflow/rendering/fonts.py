"""The figures' typeface: "Surveyflow Sans", a subset of DejaVu Sans shipped with the library.

A Latin/Greek subset of matplotlib's DejaVu Sans.

Why a subset: journals want fonts embedded in a PDF as TrueType (Type 42), and matplotlib
subsets the font file for every figure it saves. On the full DejaVu Sans (6,000+ glyphs) that
took about 0.2 s per face and figure; on this subset about 0.05 s (bench/figures.md). Outlines,
metrics, hinting, ``kern`` and the OpenType layout tables (matplotlib >= 3.11 shapes text with
them) are kept, so the glyphs are drawn exactly as DejaVu Sans draws them (tests/test_fonts.py);
characters outside the subset fall back to the full DejaVu Sans.

The files are derived by :func:`build_subset` (``python scripts/make_figure_fonts.py``) and
committed, so a job never builds them. DejaVu's licence (Bitstream Vera terms) allows modified
copies under a name without "Bitstream" or "Vera"; it ships beside the fonts.
"""

from __future__ import annotations

from pathlib import Path

FAMILY = "Surveyflow Sans"
FALLBACK_FAMILY = "DejaVu Sans"
FONT_DIR = Path(__file__).resolve().parent / "fonts"

#: Shipped faces: file name -> (matplotlib's source file, style name).
FACES: dict[str, tuple[str, str]] = {
    "SurveyflowSans.ttf": ("DejaVuSans.ttf", "Book"),
    "SurveyflowSans-Bold.ttf": ("DejaVuSans-Bold.ttf", "Bold"),
}

#: Unicode blocks kept: Latin (every European country and name), spacing modifiers, Greek
#: (statistics), punctuation, currency, letterlike symbols, arrows, maths operators, shapes.
UNICODE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x02B0, 0x02FF),
    (0x0370, 0x03FF),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x25A0, 0x25FF),
)

#: Tables matplotlib never reads: OpenType maths (mathtext has its own) and FontForge's stamp.
DROPPED_TABLES: tuple[str, ...] = ("MATH", "FFTM")


def build_subset(source: str | Path, target: str | Path, style: str) -> Path:
    """Write the subset of the TrueType font ``source`` to ``target``, renamed to :data:`FAMILY`.

    Deterministic: the same source gives the same bytes (the ``head`` timestamp is kept).
    """
    # Imported here: jobs only need the constants above, and fontTools is slow to import.
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    # matplotlib >= 3.11 shapes text with libraqm (ligatures, GPOS kerning): keep it all.
    options.layout_features = ["*"]
    options.legacy_kern = True
    options.drop_tables += list(DROPPED_TABLES)
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = True
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    unicodes = [c for low, high in UNICODE_RANGES for c in range(low, high + 1)]
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    _rename(font, style)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    return target


def _rename(font, style: str) -> None:
    """Give the subset its own family name, so it never shadows the full DejaVu Sans."""
    postscript = FAMILY.replace(" ", "") + ("" if style == "Book" else f"-{style}")
    full = FAMILY if style == "Book" else f"{FAMILY} {style}"
    names = {1: FAMILY, 3: f"{postscript};subset of DejaVu Sans", 4: full, 6: postscript}
    table = font["name"]
    for record in table.names:
        if record.nameID in names:
            record.string = names[record.nameID]
        elif record.nameID in (16, 17):  # typographic family/style: let 1 and 2 speak
            record.string = FAMILY if record.nameID == 16 else style
