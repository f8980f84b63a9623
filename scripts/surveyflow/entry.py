"""Shared wrapper of the rule scripts: log to the rule's log file, report bad input plainly."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from surveyflow.errors import InputError


def run(main: Callable[[Any], None], smk: Any) -> None:
    """Run `main(snakemake)`; an InputError ends the job with its one-paragraph message."""
    log_path = smk.log[0] if len(smk.log) else None
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(message)s", handlers=handlers, force=True
    )
    # matplotlib's PDF backend subsets fonts through fontTools, which logs every table at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    try:
        main(smk)
    except InputError as exc:
        logging.getLogger("surveyflow").error("%s", exc)
        sys.exit(1)
