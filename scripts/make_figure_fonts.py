"""Write the figures' fonts (a subset of matplotlib's DejaVu Sans) into the library.

    python scripts/make_figure_fonts.py

Run it after upgrading matplotlib or fontTools; a test checks that the committed files are
what this writes. See scripts/surveyflow/rendering/fonts.py for why the subset exists.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import matplotlib

sys.path.insert(0, str(Path(__file__).resolve().parent))

from surveyflow.rendering.fonts import FACES, FONT_DIR, build_subset  # noqa: E402


def main() -> int:
    source_dir = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, (source, style) in FACES.items():
        path = build_subset(source_dir / source, FONT_DIR / name, style)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    shutil.copyfile(source_dir / "LICENSE_DEJAVU", FONT_DIR / "LICENSE_DEJAVU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
