"""SYNTHETIC export of the ML-enabled systems survey, in the EFS/Unipark "codes" shape.

A tool beside the workflow's stages, not part of its library: it writes the files under
data/raw/ (run scripts/generate_synthetic.py). The paper's raw data is not public, so the
workflow ships a synthetic stand-in: a data file, its codebook and a coding sheet of the open
answers, all generated here from one seed. With the default size the files are calibrated so
that the pipeline's cleaning gives exactly the paper's valid-answer N and counts (the targets
in targets.yaml, checked against the raw text by tests/test_synthetic.py); with another size
the same proportions are scaled (no exact calibration).

Calibration works on *clean target values*: every count is fixed first (largest-remainder
allocation, then shuffled), free-text answers are then rendered as the messy text real
respondents type ("about 10", "3-5", "a dozen", "35 %") whose parse gives back exactly
that value, under the cleaning rules of the pipeline (open bounds take the bound, ranges
the midpoint, number words their value). The mean D8/D7 ratio is brought to its target by a
coarse batch adjustment inside the bins followed by an exhaustive search on one or two pairs.

Everything comes from ``numpy.random.default_rng(seed)`` in a fixed order and nothing
depends on the clock, so the same arguments give the same bytes.

Modules: ``targets`` (reads targets.yaml), ``layout`` (pages, questions, variables),
``sampling`` (exact allocation, missing codes), ``messy_numbers`` (D7/D8, Q15 texts),
``problems`` (Q4 answers), ``respondents`` (all answer columns), ``coding`` (the coding
sheet), ``export`` (rows, metadata, the three files; ``generate``).
"""

from .export import SyntheticExport, generate
from .layout import (
    CODEBOOK_NAME,
    CODING_NAME,
    DATA_NAME,
    DEFAULT_SEED,
    END_PGID,
    META_COLUMNS,
    MIN_RESPONDENTS,
)
from .targets import TARGETS, Targets, load_targets

__all__ = [
    "CODEBOOK_NAME",
    "CODING_NAME",
    "DATA_NAME",
    "DEFAULT_SEED",
    "END_PGID",
    "META_COLUMNS",
    "MIN_RESPONDENTS",
    "TARGETS",
    "SyntheticExport",
    "Targets",
    "generate",
    "load_targets",
]
