"""Coding sheet (RQ2/RQ4): frequencies on the synthetic sheet, hand-computed kappas, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from surveyflow.checking.tables import agreement_schema, codes_schema, disagreements_schema
from surveyflow.errors import InputError
from surveyflow.estimating.code_counts import code_frequencies, phase_summary
from surveyflow.estimating.coding_agreement import agreement, cohen_kappa
from surveyflow.estimating.coding_sheet import read_coding_sheet

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "data" / "raw" / "coding" / "SYNTHETIC_coding_sheet.csv"
HEADER = "respondent_id,phase,statement,open_code,axial_category,coder"


def write_sheet(path: Path, rows: list[tuple], header: str = HEADER, bom: bool = False) -> Path:
    """A coding sheet from (respondent_id, phase, statement, open_code, category, coder) rows."""
    lines = [header] + [",".join(str(v) for v in row) for row in rows]
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def double(rid: int, phase: str, statement: str, first: tuple, second: tuple) -> list[tuple]:
    """Both coders' rows for one statement; first/second are (open_code, category)."""
    return [
        (rid, phase, statement, *first, "coder_1"),
        (rid, phase, statement, *second, "coder_2"),
    ]


def kappa_row(kappas: pd.DataFrame, phase: str, scope: str, category: str = "") -> pd.Series:
    hit = kappas[
        (kappas["phase"] == phase)
        & (kappas["scope"] == scope)
        & (kappas["axial_category"] == category)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# --- the shipped synthetic sheet -------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return read_coding_sheet(SHEET)


def top_codes(freq: pd.DataFrame, phase: str, n: int) -> list[str]:
    part = freq[freq["phase"] == phase].sort_values(
        ["count", "open_code"], ascending=[False, True], kind="stable"
    )
    return part["open_code"].head(n).tolist()


def test_synthetic_top_codes_match_the_paper(synthetic: pd.DataFrame) -> None:
    freq = code_frequencies(synthetic)
    assert list(freq.columns) == list(codes_schema.columns)
    assert top_codes(freq, "deployment", 5) == [
        "Infrastructure for production deployment",
        "Legacy application integration",
        "Infrastructure architecture",
        "Scalability",
        "Cost",
    ]
    assert top_codes(freq, "monitoring", 3) == [
        "Building own monitoring tools",
        "Choosing metrics",
        "No monitoring practice in place",
    ]
    # Counts as documented in the sheet's README (coder_1 rows).
    counts = freq.set_index("open_code")["count"]
    assert counts["Infrastructure for production deployment"] == 26
    assert counts["Cost"] == 9
    assert counts["No monitoring practice in place"] == 13


def test_synthetic_frequencies_order_and_determinism(synthetic: pd.DataFrame) -> None:
    freq = code_frequencies(synthetic)
    # Phase, then category total desc, then count desc within a category.
    assert freq["phase"].tolist() == sorted(freq["phase"])
    for _, part in freq.groupby("phase"):
        totals = part.groupby("axial_category", sort=False)["count"].sum().tolist()
        assert totals == sorted(totals, reverse=True)
        for _, cat in part.groupby("axial_category"):
            assert cat["count"].tolist() == sorted(cat["count"], reverse=True)
    assert freq.iloc[0]["axial_category"] == "Infrastructure"
    # Row order of the sheet must not matter; the primary coder is coder_1 either way.
    shuffled = synthetic.sample(frac=1, random_state=1).reset_index(drop=True)
    pd.testing.assert_frame_equal(code_frequencies(shuffled), freq)
    pd.testing.assert_frame_equal(code_frequencies(synthetic, coder="coder_1"), freq)


def test_synthetic_summary_and_agreement(synthetic: pd.DataFrame) -> None:
    summary = phase_summary(synthetic).set_index("phase")
    assert summary.loc["deployment", "statements"] == 159
    assert summary.loc["monitoring", "statements"] == 118
    assert summary["categories"].max() <= 8  # README: at most 8 categories per phase
    kappas, dis = agreement(synthetic)
    assert list(kappas.columns) == list(agreement_schema.columns)
    assert list(dis.columns) == list(disagreements_schema.columns)
    assert set(kappas["first_coder"]) == {"coder_1"}
    assert set(kappas["second_coder"]) == {"coder_2"}
    # coder_2 coded 92 statements, all also coded by coder_1.
    overall = kappas[kappas["scope"] == "all_categories"]
    assert overall["n_statements"].sum() == 92
    # "Agreeing mostly but not always": high but not perfect agreement.
    assert ((overall["kappa"] > 0.8) & (overall["kappa"] < 1)).all()
    assert 0 < len(dis) < 92


# --- kappa on constructed sheets --------------------------------------------------------------


def test_cohen_kappa_unit() -> None:
    assert cohen_kappa([1, 0], [1, 0])[2] == 1.0
    assert cohen_kappa([1, 0], [0, 1])[2] == -1.0  # systematic disagreement
    p_o, p_e, kappa, note = cohen_kappa(["a", "a"], ["a", "a"])
    assert (p_o, p_e) == (1.0, 1.0) and math.isnan(kappa) and "undefined" in note
    assert math.isnan(cohen_kappa([], [])[2])


def test_kappa_hand_computed(tmp_path: Path) -> None:
    # Categories coder_1: A A A A A B B B C C; coder_2: A A A A B B B C C C.
    # p_o = 8/10; p_e = (5*4 + 3*3 + 2*3)/100 = .35; kappa = .45/.65 = 9/13.
    cats_1 = list("AAAAABBBCC")
    cats_2 = list("AAAABBBCCC")
    rows = []
    for i, (c1, c2) in enumerate(zip(cats_1, cats_2, strict=True)):
        # Statement 0: same category, different open code (only the code kappa sees it).
        code_2 = "A other" if i == 0 else f"{c2} code"
        rows += double(i + 1, "deployment", f"s{i}", (f"{c1} code", c1), (code_2, c2))
    # Only coder_1 uses category Z: never chosen on double-coded statements -> undefined.
    rows.append((99, "deployment", "single", "Z code", "Z", "coder_1"))
    sheet = read_coding_sheet(write_sheet(tmp_path / "sheet.csv", rows))
    kappas, dis = agreement(sheet)

    cat = kappa_row(kappas, "deployment", "all_categories")
    assert cat["n_statements"] == 10
    assert cat["observed_agreement"] == pytest.approx(0.8)
    assert cat["expected_agreement"] == pytest.approx(0.35)
    assert cat["kappa"] == pytest.approx(9 / 13)

    # Open codes: p_o = 7/10; p_e = (5*3 + 3*3 + 2*3)/100 = .3; kappa = .4/.7 = 4/7.
    code = kappa_row(kappas, "deployment", "all_open_codes")
    assert code["kappa"] == pytest.approx(4 / 7)

    # Binary "in A": coder_1 5/10, coder_2 4/10, 9 agree; p_e = .5*.4 + .5*.6 = .5; kappa .8.
    a = kappa_row(kappas, "deployment", "category", "A")
    assert (a["n_first"], a["n_second"]) == (5, 4)
    assert a["kappa"] == pytest.approx(0.8)

    z = kappa_row(kappas, "deployment", "category", "Z")
    assert z["expected_agreement"] == 1.0 and math.isnan(z["kappa"])
    assert "undefined" in z["note"]

    # Statements 0 (code only), 4 (A->B) and 7 (B->C) differ.
    assert dis["statement"].tolist() == ["s0", "s4", "s7"]
    assert dis["differs_in"].tolist() == [
        "open_code",
        "open_code and axial_category",
        "open_code and axial_category",
    ]
    assert dis.iloc[1][["first_axial_category", "second_axial_category"]].tolist() == ["A", "B"]


def test_kappa_perfect_and_chance(tmp_path: Path) -> None:
    rows = []
    # deployment: perfect agreement, A A B B.
    for i, c in enumerate("AABB"):
        rows += double(i, "deployment", f"d{i}", (f"{c} code", c), (f"{c} code", c))
    # monitoring: chance level, X X Y Y vs X Y X Y: p_o = .5 = p_e, kappa 0.
    for i, (c1, c2) in enumerate(zip("XXYY", "XYXY", strict=True)):
        rows += double(i, "monitoring", f"m{i}", (f"{c1} code", c1), (f"{c2} code", c2))
    kappas, dis = agreement(read_coding_sheet(write_sheet(tmp_path / "s.csv", rows)))

    for scope in ("all_categories", "all_open_codes"):
        assert kappa_row(kappas, "deployment", scope)["kappa"] == 1.0
        chance = kappa_row(kappas, "monitoring", scope)
        assert chance["observed_agreement"] == 0.5
        assert chance["expected_agreement"] == 0.5
        assert chance["kappa"] == 0.0
    assert kappa_row(kappas, "deployment", "category", "A")["kappa"] == 1.0
    assert kappa_row(kappas, "monitoring", "category", "X")["kappa"] == 0.0
    assert set(dis["phase"]) == {"monitoring"} and len(dis) == 2


def test_kappa_undefined_when_one_label(tmp_path: Path) -> None:
    # Both coders put every statement in A with the same code: p_o = p_e = 1.
    rows = []
    for i in range(3):
        rows += double(i, "monitoring", f"m{i}", ("A code", "A"), ("A code", "A"))
    kappas, dis = agreement(read_coding_sheet(write_sheet(tmp_path / "s.csv", rows)))
    for scope, cat in (("all_categories", ""), ("all_open_codes", ""), ("category", "A")):
        row = kappa_row(kappas, "monitoring", scope, cat)
        assert row["observed_agreement"] == 1.0 and row["expected_agreement"] == 1.0
        assert math.isnan(row["kappa"]) and "undefined" in row["note"]
    assert dis.empty


def test_single_coder_gives_empty_frames(tmp_path: Path) -> None:
    rows = [(1, "deployment", "s", "A code", "A", "coder_1")]
    sheet = read_coding_sheet(write_sheet(tmp_path / "s.csv", rows))
    kappas, dis = agreement(sheet)
    assert kappas.empty and list(kappas.columns) == list(agreement_schema.columns)
    assert dis.empty and list(dis.columns) == list(disagreements_schema.columns)


def test_multiple_codes_per_statement(tmp_path: Path) -> None:
    # coder_1 gives one statement two codes; coder_2 only one of them.
    rows = [
        (1, "deployment", "s", "A code", "A", "coder_1"),
        (1, "deployment", "s", "B code", "B", "coder_1"),
        (1, "deployment", "s", "A code", "A", "coder_2"),
        (2, "deployment", "t", "B code", "B", "coder_1"),
        (2, "deployment", "t", "B code", "B", "coder_2"),
    ]
    sheet = read_coding_sheet(write_sheet(tmp_path / "s.csv", rows))
    freq = code_frequencies(sheet).set_index("open_code")
    assert freq["count"].to_dict() == {"B code": 2, "A code": 1}
    assert phase_summary(sheet).iloc[0]["statements"] == 2
    kappas, dis = agreement(sheet)
    # "In A": both agree on both statements; "in B": coder_2 leaves it out on "s".
    assert kappa_row(kappas, "deployment", "category", "A")["observed_agreement"] == 1.0
    assert kappa_row(kappas, "deployment", "category", "B")["observed_agreement"] == 0.5
    assert dis.iloc[0]["first_axial_category"] == "A; B"


# --- bad input ---------------------------------------------------------------------------------

GOOD = (1, "deployment", "no GPUs", "Hardware availability", "Infrastructure", "coder_1")


def test_unknown_phase_names_file_row_column_value(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "bad.csv", [GOOD, (2, "training", "x", "c", "Cat", "coder_1")])
    with pytest.raises(InputError) as info:
        read_coding_sheet(path)
    text = str(info.value)
    assert str(path) in text
    assert "row 3" in text  # header is row 1
    assert "'phase'" in text and "'training'" in text
    assert "'deployment'" in text and "'monitoring'" in text
    assert info.value.row == 3 and info.value.column == "phase"


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    header = "respondent_id,phase,statement,open_code,coder"
    path = write_sheet(tmp_path / "bad.csv", [(1, "deployment", "s", "c", "coder_1")], header)
    with pytest.raises(InputError) as info:
        read_coding_sheet(path)
    text = str(info.value)
    assert str(path) in text and "row 1" in text
    assert "'axial_category'" in text
    assert HEADER in text  # the expected header, in the hint


@pytest.mark.parametrize("column", ["open_code", "axial_category", "statement", "coder"])
def test_empty_field_names_file_row_column(tmp_path: Path, column: str) -> None:
    bad = dict(zip(HEADER.split(","), GOOD, strict=True))
    bad[column] = ""
    path = write_sheet(
        tmp_path / "bad.csv", [GOOD, GOOD[:2] + ("other",) + GOOD[3:], tuple(bad.values())]
    )
    with pytest.raises(InputError) as info:
        read_coding_sheet(path)
    text = str(info.value)
    assert str(path) in text and "row 4" in text and f"column {column!r}" in text


def test_all_bad_rows_reported_at_once(tmp_path: Path) -> None:
    rows = [GOOD] + [(i, "Deployment", f"s{i}", "c", "Cat", "coder_1") for i in range(6)]
    rows.append(("x7", "monitoring", "s", "c", "Cat", "coder_1"))
    path = write_sheet(tmp_path / "bad.csv", rows)
    with pytest.raises(InputError) as info:
        read_coding_sheet(path)
    text = str(info.value)
    assert str(path) in text
    assert "7 problem(s) in 7 row(s)" in text
    assert "row 3, column 'phase'" in text and "row 7, column 'phase'" in text
    assert "and 2 more" in text  # rows 8 and 9 are counted, not listed


def test_other_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_coding_sheet(tmp_path / "absent.csv")
    dup = write_sheet(tmp_path / "dup.csv", [GOOD, GOOD])
    with pytest.raises(InputError, match="row 3.*duplicate of row 2"):
        read_coding_sheet(dup)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(f"{HEADER}\n1,deployment,S\xe3o Paulo,c,Cat,coder_1\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        read_coding_sheet(latin)
    # A statement coder_2 coded but the named primary coder did not.
    skipped = write_sheet(
        tmp_path / "skip.csv", [GOOD, (2, "monitoring", "s", "c", "C", "coder_2")]
    )
    with pytest.raises(InputError, match="row 3.*not coded by the primary coder"):
        read_coding_sheet(skipped, primary_coder="coder_1")
    with pytest.raises(InputError, match="primary coder 'coder_9'"):
        read_coding_sheet(write_sheet(tmp_path / "ok.csv", [GOOD]), primary_coder="coder_9")


def test_bom_and_custom_phases(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "bom.csv", [GOOD, (2, "training", "x", "c", "C", "coder_1")], bom=True
    )
    sheet = read_coding_sheet(path, phases=("deployment", "monitoring", "training"))
    assert sheet["respondent_id"].tolist() == [1, 2]
    assert phase_summary(sheet)["phase"].tolist() == ["deployment", "monitoring", "training"]
