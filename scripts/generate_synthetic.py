"""Write the SYNTHETIC survey export (data, codebook) and its coding sheet.

    python scripts/generate_synthetic.py [--seed S] [--respondents N]
                                         [--out-dir DIR] [--coding-dir DIR]

Defaults reproduce the committed files under data/raw/ byte for byte (seed 20220430, the
interviews of scripts/synthetic/targets.yaml). The generator is the package scripts/synthetic/.
Files are written as bytes, so the CRLF line ends of the export are kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import DEFAULT_SEED, TARGETS, generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--respondents",
        type=int,
        default=None,
        help=f"number of interviews (default: the calibrated {TARGETS.interviews})",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=ROOT / "data" / "raw" / "synthetic",
        help="where the data file and codebook go",
    )
    parser.add_argument(
        "--coding-dir",
        type=Path,
        default=ROOT / "data" / "raw" / "coding",
        help="where the coding sheet goes",
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    export = generate(seed=args.seed, respondents=args.respondents)
    outputs = (
        (args.out_dir / export.data_name, export.data_text),
        (args.out_dir / export.codebook_name, export.codebook_text),
        (args.coding_dir / export.coding_name, export.coding_text),
    )
    for path, text in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    print(
        f"{export.respondents:,} interviews, seed {export.seed}, "
        f"{time.perf_counter() - start:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
