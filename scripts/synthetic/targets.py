"""Read the calibration targets of the synthetic export from targets.yaml, beside this file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TARGETS_FILE = Path(__file__).with_name("targets.yaml")


@dataclass(frozen=True)
class Choices:
    """A multiple-choice question: respondents with an option, count per option, filtered."""

    answered: int
    options: tuple[int, ...]
    unseen: int


@dataclass(frozen=True)
class Targets:
    """The numbers of targets.yaml (see its comments for where each comes from).

    Mappings keep the file's order: the generator deals counts out in that order, so the
    order is part of what makes the output reproducible.
    """

    interviews: int
    completed: int
    bins: tuple[int, ...]
    countries: dict[str, int]
    company_size: tuple[int, ...]
    degrees: tuple[int, ...]
    roles: tuple[int, ...]
    experience: tuple[int, ...]
    relevance: dict[str, tuple[int, ...]]
    difficulty: dict[str, tuple[int, ...]]
    q13: Choices
    q14: tuple[int, ...]
    q15_bins: tuple[int, ...]
    q15_invalid: tuple[int, ...]
    q16: Choices
    ratio_bins: tuple[int, ...]
    mean_ratio: float
    pair_invalid: tuple[int, ...]
    percent_values: tuple[dict[int, int], ...]
    d7_values: dict[int, int]
    email_share: float
    suspended_at_page: tuple[int, ...]
    codes: dict[str, dict[str, dict[str, int]]]
    top_codes: dict[str, tuple[str, ...]]
    q4_slots: dict[str, tuple[int, ...]]
    q4_uncoded: dict[str, int]
    second_coder_share: float
    coder_agreement: float

    @property
    def suspended(self) -> int:
        return self.interviews - self.completed


def _ints(value: Any, key: str, length: int | None = None) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(type(x) is int and x >= 0 for x in value):
        raise ValueError(f"{TARGETS_FILE.name}: {key} must be a list of counts")
    if length is not None and len(value) != length:
        raise ValueError(f"{TARGETS_FILE.name}: {key} must have {length} entries")
    return tuple(value)


def _choices(value: Mapping[str, Any], key: str) -> Choices:
    return Choices(
        answered=int(value["answered"]),
        options=_ints(value["options"], f"{key}.options"),
        unseen=int(value["unseen"]),
    )


def load_targets(path: Path = TARGETS_FILE) -> Targets:
    """The targets in ``path``, checked for the shapes the generator relies on."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = sorted(set(Targets.__dataclass_fields__) - set(raw))
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    bins = _ints(raw["bins"], "bins")
    n_bins = len(bins) - 1
    phases = list(raw["codes"])
    targets = Targets(
        interviews=int(raw["interviews"]),
        completed=int(raw["completed"]),
        bins=bins,
        countries={str(k): int(v) for k, v in raw["countries"].items()},
        company_size=_ints(raw["company_size"], "company_size"),
        degrees=_ints(raw["degrees"], "degrees", 3),
        roles=_ints(raw["roles"], "roles"),
        experience=_ints(raw["experience"], "experience"),
        relevance={k: _ints(v, f"relevance.{k}") for k, v in raw["relevance"].items()},
        difficulty={k: _ints(v, f"difficulty.{k}") for k, v in raw["difficulty"].items()},
        q13=_choices(raw["q13"], "q13"),
        q14=_ints(raw["q14"], "q14", 2),
        q15_bins=_ints(raw["q15_bins"], "q15_bins", n_bins),
        q15_invalid=_ints(raw["q15_invalid"], "q15_invalid", 4),
        q16=_choices(raw["q16"], "q16"),
        ratio_bins=_ints(raw["ratio_bins"], "ratio_bins", n_bins),
        mean_ratio=float(raw["mean_ratio"]),
        pair_invalid=_ints(raw["pair_invalid"], "pair_invalid", 5),
        percent_values=tuple(
            {int(k): int(v) for k, v in table.items()} for table in raw["percent_values"]
        ),
        d7_values={int(k): int(v) for k, v in raw["d7_values"].items()},
        email_share=float(raw["email_share"]),
        suspended_at_page=_ints(raw["suspended_at_page"], "suspended_at_page"),
        codes={
            phase: {
                category: {str(code): int(count) for code, count in block.items()}
                for category, block in raw["codes"][phase].items()
            }
            for phase in phases
        },
        top_codes={p: tuple(raw["top_codes"][p]) for p in phases},
        q4_slots={p: _ints(raw["q4_slots"][p], f"q4_slots.{p}", 3) for p in phases},
        q4_uncoded={p: int(raw["q4_uncoded"][p]) for p in phases},
        second_coder_share=float(raw["second_coder_share"]),
        coder_agreement=float(raw["coder_agreement"]),
    )
    _check(targets, path.name)
    return targets


def _check(t: Targets, name: str) -> None:
    """Refuse targets the default size could not hit exactly, rather than write wrong data."""
    at_completed = {
        "countries": sum(t.countries.values()),
        "company_size": sum(t.company_size),
        "roles": sum(t.roles),
        "experience": sum(t.experience),
        "q14": sum(t.q14),
        "q15_bins + q15_invalid": sum(t.q15_bins) + sum(t.q15_invalid),
        "ratio_bins + pair_invalid": sum(t.ratio_bins) + sum(t.pair_invalid),
        **{f"relevance.{k}": sum(v) for k, v in t.relevance.items()},
        **{f"difficulty.{k}": sum(v) for k, v in t.difficulty.items()},
    }
    over = [key for key, total in at_completed.items() if total > t.completed]
    if over:
        raise ValueError(f"{name}: more than {t.completed} completed interviews in {over}")
    if sum(t.suspended_at_page) != t.suspended:
        raise ValueError(f"{name}: suspended_at_page must add up to {t.suspended}")
    if len(t.percent_values) != len(t.bins) - 1:
        raise ValueError(f"{name}: percent_values needs one table per bin")
    for phase, top in t.top_codes.items():
        known = {code for block in t.codes[phase].values() for code in block}
        if not set(top) <= known:
            raise ValueError(f"{name}: top_codes.{phase} names codes not in codes.{phase}")


TARGETS = load_targets()
