"""The coding sheet of the Q4 statements: coder_1 codes all of them, coder_2 a sample."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np

from .problems import CODES
from .targets import TARGETS

# One coded statement: (respondent index, phase, statement, open code, axial category).
Coded = tuple[int, str, str, str, str]


def _second_coder(
    rng: np.random.Generator, phase: str, code: str, category: str
) -> tuple[str, str]:
    """The second coder's reading of a statement: mostly the same code."""
    if rng.random() < TARGETS.coder_agreement:
        return code, category
    same_cat = [c for c in CODES[phase][category] if c != code]
    if same_cat and rng.random() < 0.7:
        return same_cat[rng.integers(0, len(same_cat))], category
    cats = [c for c in CODES[phase] if c != category]
    other = cats[rng.integers(0, len(cats))]
    names = list(CODES[phase][other])
    return names[rng.integers(0, len(names))], other


def _top_order_holds(codes: Sequence[tuple[str, str]]) -> bool:
    """True when the paper's codes lead each phase's frequencies, strictly in its order."""
    for phase, top in TARGETS.top_codes.items():
        counts: dict[str, int] = {}
        for p, code in codes:
            if p == phase:
                counts[code] = counts.get(code, 0) + 1
        rest = max((v for k, v in counts.items() if k not in top), default=0)
        values = [counts.get(code, 0) for code in top] + [rest]
        if any(a <= b for a, b in zip(values, values[1:], strict=False)):
            return False
    return True


def _second_coding(rng: np.random.Generator, coded: Sequence[Coded]) -> dict[int, tuple[str, str]]:
    """coder_2's (code, category) for a sample of the statements, by statement index.

    The sample takes second_coder_share of each open code's statements, and is redrawn
    (deterministically) until the paper's codes still lead when both coders' rows are
    counted together.
    """
    by_code: dict[tuple[str, str], list[int]] = {}
    for i, (_, phase, _, code, _) in enumerate(coded):
        by_code.setdefault((phase, code), []).append(i)
    first = [(phase, code) for _, phase, _, code, _ in coded]
    chosen: dict[int, tuple[str, str]] = {}
    for _ in range(200):
        chosen = {}
        for (phase, _), idx in by_code.items():
            k = int(round(len(idx) * TARGETS.second_coder_share))
            for i in sorted(rng.choice(idx, size=k, replace=False).tolist()):
                _, _, _, code, category = coded[i]
                chosen[i] = _second_coder(rng, phase, code, category)
        both = first + [(coded[i][1], c) for i, (c, _) in chosen.items()]
        if _top_order_holds(both):
            break
    return chosen


def coding_sheet(
    rng: np.random.Generator, coded: Sequence[Coded], lfdn: np.ndarray, row_of: np.ndarray
) -> str:
    """The sheet's CSV text; respondents are named by the lfdn of their row in the export."""
    # coder_1 for every statement, coder_2 for the stratified sample.
    rows: list[tuple[int, str, str, str, str, str]] = []
    second = _second_coding(rng, coded)
    for i, (person, phase, statement, code, category) in enumerate(coded):
        rid = int(lfdn[row_of[person]])
        rows.append((rid, phase, statement, code, category, "coder_1"))
        if i in second:
            rows.append((rid, phase, statement, *second[i], "coder_2"))
    phase_rank = {phase: i for i, phase in enumerate(CODES)}
    rows.sort(key=lambda r: (r[0], phase_rank[r[1]]))  # stable: keeps statement order

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["respondent_id", "phase", "statement", "open_code", "axial_category", "coder"])
    writer.writerows(rows)
    return buf.getvalue()
