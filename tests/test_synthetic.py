"""The SYNTHETIC default export (the scripts/synthetic package): reproducible and calibrated.

The committed files under data/raw/ must be exactly what the generator writes, and the
cleaning semantics of the pipeline (completed interviews only, surveyflow.checking.parsers for free
text, valid D8/D7 pairs, bins [0,20) ... [80,100]) must give the paper's counts exactly.
The counts are recomputed here from the raw text, independently of the cleaning module.
"""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml

import synthetic
from surveyflow.checking.count_parser import parse_count
from surveyflow.checking.percentage_parser import parse_percentage
from surveyflow.reading.efs_files import read_codebook, read_export

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
COMMITTED = {
    "data": RAW / "synthetic" / synthetic.DATA_NAME,
    "codebook": RAW / "synthetic" / synthetic.CODEBOOK_NAME,
    "coding": RAW / "coding" / synthetic.CODING_NAME,
}
MISSING = ("-77", "-66", "-99")
EDGES = (0, 20, 40, 60, 80, 100)


def _bin(value: float) -> int:
    """Bins [0,20) [20,40) [40,60) [60,80) [80,100]: lower edge in, 100 in the last bin."""
    for i in range(4):
        if value < EDGES[i + 1]:
            return i
    return 4


def _real_text(cell: str) -> bool:
    return cell.strip() != "" and cell.strip() not in MISSING


@pytest.fixture(scope="module")
def export() -> synthetic.SyntheticExport:
    return synthetic.generate()


@pytest.fixture(scope="module")
def files(export: synthetic.SyntheticExport, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("synthetic")
    paths = {}
    for key, name, text in (
        ("data", export.data_name, export.data_text),
        ("codebook", export.codebook_name, export.codebook_text),
        ("coding", export.coding_name, export.coding_text),
    ):
        paths[key] = out / name
        paths[key].write_bytes(text.encode("utf-8"))
    return paths


@pytest.fixture(scope="module")
def frame(files: dict):
    raw = read_export(files["data"])
    assert raw.shape == "codes"
    assert raw.encoding == "utf-8"
    assert raw.separator == ";"
    return raw.frame


@pytest.fixture(scope="module")
def done(frame):
    return frame[frame["dispcode"].isin(["31", "32"])]


@pytest.fixture(scope="module")
def coding(export: synthetic.SyntheticExport) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export.coding_text)))


# ------------------------------------------------------------------ reproducibility


def test_committed_files_are_regenerated_byte_for_byte(export: synthetic.SyntheticExport) -> None:
    assert COMMITTED["data"].read_bytes() == export.data_text.encode("utf-8")
    assert COMMITTED["codebook"].read_bytes() == export.codebook_text.encode("utf-8")
    assert COMMITTED["coding"].read_bytes() == export.coding_text.encode("utf-8")


def test_cli_writes_the_committed_bytes(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "generate_synthetic.py"),
        "--out-dir",
        str(tmp_path / "raw"),
        "--coding-dir",
        str(tmp_path / "coding"),
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    for key, sub in (("data", "raw"), ("codebook", "raw"), ("coding", "coding")):
        written = tmp_path / sub / COMMITTED[key].name
        assert written.read_bytes() == COMMITTED[key].read_bytes(), key


def test_generator_is_deterministic(export: synthetic.SyntheticExport) -> None:
    assert synthetic.generate() == export
    assert synthetic.generate(respondents=276) == export
    other = synthetic.generate(seed=1)
    assert other.data_text != export.data_text
    assert other.codebook_text == export.codebook_text


# ------------------------------------------------------------------ format


def test_data_file_looks_like_an_efs_codes_export(export: synthetic.SyntheticExport) -> None:
    raw = export.data_text.encode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    lines = export.data_text.split("\r\n")[:-1]
    assert len(lines) == 277
    header = lines[0].split(";")
    assert header[:7] == [
        '"lfdn"',
        '"external_lfdn"',
        '"tester"',
        '"dispcode"',
        '"lastpage"',
        '"quality"',
        '"duration"',
    ]
    rows = list(csv.reader(io.StringIO(export.data_text, newline=""), delimiter=";"))
    assert all(len(r) == len(rows[0]) for r in rows)
    # every cell double-quoted (inner quotes doubled), nothing else on the line
    for line, row in zip(lines, rows, strict=True):
        assert line == '"' + '";"'.join(c.replace('"', '""') for c in row) + '"'
    names = rows[0]
    assert names[-9:] == list(synthetic.META_COLUMNS)
    assert "v_99" in names
    # Non-ASCII text, so the encoding matters.
    assert any(ord(ch) > 127 for ch in export.data_text)


def test_export_uses_the_variables_of_questions_yaml(export, files) -> None:
    config = yaml.safe_load((ROOT / "config" / "questions.yaml").read_text(encoding="utf-8"))
    wanted = set()
    for q in config["questions"].values():
        wanted.update(
            v
            for v in [q.get("variable"), q.get("other_text")]
            + list(q.get("options", {}).values())
            + list(q.get("items", {}).values())
            if v
        )
    header = export.data_text.split("\r\n", 1)[0].replace('"', "").split(";")
    v_columns = {c for c in header if c.startswith("v_")}
    assert v_columns == wanted | {"v_99"}
    codebook = read_codebook(files["codebook"])
    assert set(codebook.variables) == v_columns


def test_codebook_follows_the_efs_format(export, files) -> None:
    text = export.codebook_text
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == "SYNTHETIC export — ML-enabled systems survey (not real data)"
    assert lines[2] == "Project ID\t900001"
    assert lines[3].startswith("Survey URL\t")
    assert lines[4].startswith("Date\t")
    codebook = read_codebook(files["codebook"])
    v = codebook.variables
    assert v["v_10"].question_type == 131 and len(v["v_10"].values) >= 40
    assert v["v_60"].values == {0: "not quoted", 1: "quoted"}
    assert v["v_60"].question_type == 121 and v["v_64"].dtype == "varchar"
    assert v["v_40"].question_type == 341 and v["v_40"].values[5] == "Extremely relevant"
    assert v["v_70"].values == {1: "Yes", 2: "No"}
    assert v["v_30"].question_type == 141 and v["v_50"].question_type == 142
    assert v["v_99"].dtype == "varchar (with type check: E-mail address)"
    assert v["v_99"].question_text.startswith("In case you would like to be notified")


def test_lfdn_and_status_columns(frame) -> None:
    lfdn = frame["lfdn"].astype(int).to_numpy()
    assert len(set(lfdn)) == len(lfdn)
    assert (np.diff(lfdn) > 0).all() and (np.diff(lfdn) > 1).any()
    assert set(frame["external_lfdn"]) == {"0"} and set(frame["tester"]) == {"0"}
    assert set(frame["quality"]) == {"-77"}
    assert (frame["duration"].astype(int) >= 0).all()
    assert frame["datetime"].is_monotonic_increasing


# ------------------------------------------------------------------ calibration


def test_interviews(frame, done) -> None:
    counts = Counter(frame["dispcode"])
    assert len(frame) == 276
    assert counts["31"] + counts["32"] == 188 and counts["32"] > 0
    assert counts["22"] == 88


def test_suspended_have_no_answers_after_their_last_page(frame, export) -> None:
    pgids: list[int] = []
    page_of: dict[str, int] = {}
    for line in export.codebook_text.split("\r\n"):
        if " Page: " in line:
            pgids.append(int(line.rsplit("PGID ", 1)[1].rstrip(")")))
        elif line.startswith("v_"):
            page_of[line.split("\t")[0]] = len(pgids) - 1
    suspended = frame[frame["dispcode"] == "22"]
    assert len(suspended) == 88
    seen_before_stop = 0
    for _, row in suspended.iterrows():
        stop = pgids.index(int(row["lastpage"]))
        for var, page in page_of.items():
            if page >= stop:
                assert row[var] in ("-77", ""), (row["lfdn"], var, row[var])
            else:
                seen_before_stop += row[var] not in ("-77", "")
    assert seen_before_stop > 0
    completed = frame[frame["dispcode"] != "22"]
    assert set(completed["lastpage"]) == {str(synthetic.END_PGID)}


def _multiple_choice(done, options: list[str], other_box: str, other_text: str):
    texts = done[other_text].map(_real_text)
    ticked = done[options] == "1"
    answered = ticked.any(axis=1) | texts
    selected = ticked[answered].sum().to_dict()
    selected[other_box] = int((ticked[other_box] | texts)[answered].sum())
    return int(answered.sum()), selected


def test_q13_deployment_approach(done) -> None:
    n, sel = _multiple_choice(done, ["v_60", "v_61", "v_62", "v_63"], "v_63", "v_64")
    assert n == 168
    assert sel == {"v_60": 100, "v_61": 72, "v_62": 40, "v_63": 9}
    # exactly one respondent typed an "other" text without ticking the box
    text_only = done["v_64"].map(_real_text) & (done["v_63"] != "1")
    assert int(text_only.sum()) == 1
    not_answered = done[~((done[["v_60", "v_61", "v_62", "v_63"]] == "1").any(axis=1))]
    assert {"0", "-77"} <= set(not_answered["v_60"])


def test_q14_mlops(done) -> None:
    counts = Counter(done["v_70"])
    assert counts["1"] == 49 and counts["2"] == 119
    assert set(counts) - {"1", "2"} <= {"-99", "-66"}
    approaches = done.loc[done["v_70"] == "1", "v_71"].map(_real_text)
    assert approaches.sum() > 25
    assert not done.loc[done["v_70"] != "1", "v_71"].map(_real_text).any()


def test_q15_monitored_share(done) -> None:
    parsed = [parse_percentage(x).value for x in done["v_80"]]
    valid = [v for v in parsed if v is not None]
    assert len(valid) == 160
    assert [sum(_bin(v) == b for v in valid) for b in range(5)] == [53, 34, 30, 13, 30]
    assert 20 in valid and 100 in valid  # values on bin edges occur


def test_q16_monitored_aspects(done) -> None:
    options = ["v_90", "v_91", "v_92", "v_93", "v_94"]
    n, sel = _multiple_choice(done, options, "v_94", "v_95")
    assert n == 153
    assert sel == {"v_90": 96, "v_91": 95, "v_92": 43, "v_93": 20, "v_94": 9}


def test_d7_d8_ratio(done) -> None:
    pairs = []
    excluded = 0
    for d7_raw, d8_raw in zip(done["v_30"], done["v_31"], strict=True):
        d7, d8 = parse_count(d7_raw).value, parse_count(d8_raw).value
        if d7 is None or d8 is None or d7 <= 0 or d8 > d7:
            excluded += 1
            continue
        pairs.append((d7, d8))
    ratios = [100.0 * d8 / d7 for d7, d8 in pairs]
    assert len(ratios) == 169 and excluded == 19
    assert [sum(_bin(r) == b for r in ratios) for b in range(5)] == [42, 30, 40, 21, 36]
    # the same whichever way the ratio is computed in float64
    other = [d8 / d7 * 100 for d7, d8 in pairs]
    assert [sum(_bin(r) == b for r in other) for b in range(5)] == [42, 30, 40, 21, 36]
    for values in (ratios, other):
        assert round(float(np.mean(np.array(values, dtype=np.float64))), 2) == 45.41
        assert round(sum(values) / len(values), 2) == 45.41
        assert round(math.fsum(values) / len(values), 2) == 45.41


def test_d7_d8_exclusions_cover_every_reason(done) -> None:
    reasons = Counter()
    for d7_raw, d8_raw in zip(done["v_30"], done["v_31"], strict=True):
        p7, p8 = parse_count(d7_raw), parse_count(d8_raw)
        if p7.value is None and p8.value is None:
            both_codes = d7_raw.strip() in (*MISSING, "") and d8_raw.strip() in (*MISSING, "")
            reasons["both missing" if both_codes else "unparseable"] += 1
        elif p7.value is None:
            reasons["unparseable"] += 1
        elif p8.value is None:
            reasons["d8 missing"] += 1
        elif p7.value == 0:
            reasons["d7 zero"] += 1
        elif p8.value > p7.value:
            reasons["d8 > d7"] += 1
    assert set(reasons) == {"both missing", "unparseable", "d8 missing", "d7 zero", "d8 > d7"}
    assert sum(reasons.values()) == 19


def test_messy_free_text(done) -> None:
    counts = [x for x in (*done["v_30"], *done["v_31"]) if parse_count(x).value is not None]
    rules = Counter(parse_count(x).rule for x in counts)
    assert {"number_in_text", "open_bound", "range_midpoint", "number_word"} <= set(rules)
    messy = 1 - rules["integer"] / len(counts)
    assert 0.15 <= messy <= 0.35
    assert any(parse_count(x).value % 1 for x in counts)  # a range midpoint ending in .5
    pct = [parse_percentage(x) for x in done["v_80"]]
    prules = Counter(p.rule for p in pct)
    assert {"percent", "number_in_text", "range_midpoint", "word", "upper_bound"} <= set(prules)
    assert {"vague", "missing_code", "empty", "unparseable"} <= set(prules)


def test_demographics(done, files) -> None:
    codebook = read_codebook(files["codebook"])
    countries = codebook.variables["v_10"].values
    named = Counter(countries[int(c)] for c in done["v_10"] if c not in MISSING)
    assert len(named) == 25
    top = named.most_common(6)
    assert [c for c, _ in top] == ["Brazil", "Turkey", "Austria", "Germany", "Sweden", "Italy"]
    assert all(a[1] > b[1] for a, b in zip(top, top[1:], strict=False))
    assert top[-1][1] > named.most_common(7)[-1][1]

    sizes = codebook.variables["v_11"].values
    size_counts = Counter(sizes[int(c)] for c in done["v_11"] if c not in MISSING)
    assert size_counts["2000 or more employees"] == 85
    assert sum(size_counts.values()) == 188

    assert [int((done[v] == "1").sum()) for v in ("v_12", "v_13", "v_14")] == [153, 101, 43]

    roles = codebook.variables["v_20"].values
    role_order = [
        r
        for r, _ in Counter(roles[int(c)] for c in done["v_20"] if c not in MISSING).most_common(4)
    ]
    assert role_order == [
        "Data Scientist",
        "Project Leader / Project Manager",
        "Developer",
        "Solution Architect",
    ]
    bands = codebook.variables["v_23"].values
    band_order = [
        b
        for b, _ in Counter(bands[int(c)] for c in done["v_23"] if c not in MISSING).most_common(2)
    ]
    assert band_order == ["1 to 2 years", "3 to 6 years"]


def test_relevance_and_difficulty(done) -> None:
    for var in ("v_40", "v_41"):
        valid = [int(x) for x in done[var] if x not in MISSING]
        share = sum(x >= 4 for x in valid) / len(valid)
        assert 0.70 <= share <= 0.80 and len(valid) < 188
    for var in ("v_42", "v_43"):
        valid = [int(x) for x in done[var] if x not in MISSING]
        assert sum(x >= 4 for x in valid) > 2 * sum(x <= 2 for x in valid)


def test_email_addresses_are_fake_and_only_in_v99(frame, done) -> None:
    emails = [x for x in done["v_99"] if "@" in x]
    assert len(emails) > 10
    assert all(x.endswith("@example.org") for x in emails)
    other = frame.drop(columns=["v_99"])
    assert not other.apply(lambda col: col.str.contains("@", regex=False)).any().any()


# ------------------------------------------------------------------ coding sheet


def test_coding_sheet_format(export) -> None:
    text = export.coding_text
    assert "\r" not in text
    assert text.split("\n", 1)[0] == (
        "respondent_id,phase,statement,open_code,axial_category,coder"
    )


def test_coding_sheet_statements_come_from_completed_answers(coding, done) -> None:
    answers = {
        (row["lfdn"], phase): row[var]
        for _, row in done.iterrows()
        for phase, var in (("deployment", "v_50"), ("monitoring", "v_51"))
    }
    for row in coding:
        key = (row["respondent_id"], row["phase"])
        assert key in answers, key
        assert row["statement"] in answers[key]


def test_coding_sheet_frequencies_and_agreement(coding) -> None:
    first = [r for r in coding if r["coder"] == "coder_1"]
    second = {
        (r["respondent_id"], r["phase"], r["statement"]): r
        for r in coding
        if r["coder"] == "coder_2"
    }
    assert 0.25 <= len(second) / len(first) <= 0.42
    agree = sum(
        second[k]["open_code"] == r["open_code"]
        for r in first
        if (k := (r["respondent_id"], r["phase"], r["statement"])) in second
    )
    assert 0.7 <= agree / len(second) < 1

    expected = {
        "deployment": [
            "Infrastructure for production deployment",
            "Legacy application integration",
            "Infrastructure architecture",
            "Scalability",
            "Cost",
        ],
        "monitoring": [
            "Building own monitoring tools",
            "Choosing metrics",
            "No monitoring practice in place",
        ],
    }
    for rows in (first, coding):  # coder_1 alone, and both coders' rows together
        for phase, top in expected.items():
            counts = Counter(r["open_code"] for r in rows if r["phase"] == phase)
            ranked = counts.most_common()
            assert [c for c, _ in ranked[: len(top)]] == top
            values = [n for _, n in ranked[: len(top) + 1]]
            assert all(a > b for a, b in zip(values, values[1:], strict=False))
    for phase in expected:
        cats: dict[str, set[str]] = {}
        for r in first:
            if r["phase"] == phase:
                cats.setdefault(r["axial_category"], set()).add(r["open_code"])
        assert len(cats) <= 8 and all(len(codes) <= 8 for codes in cats.values())
    # one row per statement and coder
    keys = [(r["respondent_id"], r["phase"], r["statement"], r["coder"]) for r in coding]
    assert len(keys) == len(set(keys))


# ------------------------------------------------------------------ other sizes


def test_scaled_export(tmp_path: Path) -> None:
    big = synthetic.generate(respondents=2000)
    path = tmp_path / big.data_name
    path.write_bytes(big.data_text.encode("utf-8"))
    frame = read_export(path).frame
    assert len(frame) == 2000
    assert frame["lfdn"].is_unique
    done = frame[frame["dispcode"].isin(["31", "32"])]
    assert abs(len(done) / 2000 - 188 / 276) < 0.001
    share = (done["v_60"] == "1").sum() / len(done)
    assert abs(share - 100 / 188) < 0.01


def test_too_few_respondents_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        synthetic.generate(respondents=10)
