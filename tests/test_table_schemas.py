"""Schemas of the coding, reproduction and subgroup tables: bad tables named, real outputs kept."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import ROOT

from surveyflow.checking import tables
from surveyflow.checking.schemas import (
    check_groups,
    read_estimates,
    read_groups,
    read_subgroup_summary,
    subgroup_summary_schema,
)
from surveyflow.checking.tables import (
    agreement_schema,
    check_schema,
    codes_schema,
    coding_summary_schema,
    consistency_schema,
    disagreements_schema,
)
from surveyflow.checking.vocabulary import CI_METHODS, MEAN_LABEL
from surveyflow.config import load_yaml
from surveyflow.io import write_csv, write_json
from surveyflow.rendering.captions import INTERVALS
from surveyflow.rendering.drawn_intervals import INTERVAL_DESCRIPTIONS

SCHEMA_ERRORS = (pa.errors.SchemaError, pa.errors.SchemaErrors)


def rejects(validate: Callable[[], object], *names: str) -> str:
    """Validation fails, and its message names every one of `names` (columns, keys)."""
    with pytest.raises(SCHEMA_ERRORS) as caught:
        validate()
    message = str(caught.value)
    for name in names:
        assert name in message, message
    return message


# --------------------------------------------------------------------------- small good tables


def codes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "phase": ["deployment", "deployment"],
            "axial_category": ["Infrastructure", "Integration"],
            "open_code": ["Cost", "NA"],  # "NA" is a code, not a missing value
            "count": [3, 2],
            "respondents": [3, 1],
        }
    )


def coding_summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "phase": ["deployment", "monitoring"],
            "respondents": [2, 0],
            "statements": [5, 0],
            "categories": [2, 0],
            "codes": [2, 0],
        }
    )


def agreement() -> pd.DataFrame:
    common = {"phase": "deployment", "first_coder": "c1", "second_coder": "c2"}
    rows = [
        {"scope": "category", "axial_category": "Infrastructure", "kappa": 0.8, "note": ""},
        {"scope": "all_categories", "axial_category": "", "kappa": 0.7, "note": ""},
        {"scope": "all_open_codes", "axial_category": "", "kappa": float("nan"), "note": "p_e 1"},
    ]
    frame = pd.DataFrame([{**common, **row} for row in rows])
    frame = frame.assign(
        n_statements=4, n_first=[2, 4, 4], n_second=[2, 4, 4], observed_agreement=[0.9, 0.8, 1.0]
    )
    frame["expected_agreement"] = [0.5, 0.3, 1.0]
    return frame[list(agreement_schema.columns)]


def disagreements() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_id": [12],
            "phase": ["deployment"],
            "statement": ["Old systems"],
            "first_coder": ["c1"],
            "first_open_code": ["Legacy integration"],
            "first_axial_category": ["Integration"],
            "second_coder": ["c2"],
            "second_open_code": ["API design"],
            "second_axial_category": ["Integration"],
            "differs_in": ["open_code"],
        }
    )


def check() -> pd.DataFrame:
    row = dict.fromkeys(check_schema.columns, float("nan"))
    row |= {
        "analysis": "rq1_1",
        "paper_label": "RQ1.1",
        "label": "Service",
        "n_published": 168,
        "n_used": 168,
        "published_p": 59.457,
        "p_pass": True,
        "half_width_pass": True,
        "status": "pass",
    }
    failed = row | {"label": "PaaS", "p_pass": False, "status": "fail: P 20 is far off"}
    return pd.DataFrame([row, failed])


def consistency() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "analysis": ["rq1_2", "rq3_1"],
            "paper_label": ["RQ1.2", "RQ3.1"],
            "kind": ["single_choice", "binned"],
            "n_published": [168, 160],
            "admits_published_n": [True, False],
            "counts_at_published_n": [[119, 49], None],
            "nearest_consistent_n": pd.array([168, 161], dtype="Int64"),
            "counts_at_nearest_n": [[119, 49], [53, 34, 30, 13, 31]],
        }
    )


PLAN = {
    "column": "d4",
    "dropped_small": [],
    "groups": [
        {"label": "Developer", "levels": ["Developer"], "size": 24, "slug": "developer"},
        {
            "label": "Other roles (pooled)",
            "levels": ["Researcher", "Other"],
            "size": 20,
            "slug": "other_roles_pooled",
        },
    ],
    "min_group_size": 15,
    "no_answer": 3,
    "pooled": ["Researcher", "Other"],
}


def subgroup_summary() -> pd.DataFrame:
    rows = []
    for group in ("Developer", "Other roles (pooled)"):
        for method in ("paper", "percentile"):
            rows.append(
                {
                    "analysis": "rq3_2",
                    "paper_label": "RQ3.2",
                    "group": group,
                    "label": "Fairness",
                    "n": 24,
                    "count": 6,
                    "estimate": 25.0,
                    "boot_mean": 25.1,
                    "boot_se": 8.8,
                    "ci_method": method,
                    "ci_used": method,
                    "ci_level": 0.95,
                    "ci_low": 10.0,
                    "ci_high": 40.0,
                    "resamples": 1000,
                    "seed": 7,
                }
            )
    return pd.DataFrame(rows)


GOOD = {
    "codes": (codes_schema, codes),
    "coding summary": (coding_summary_schema, coding_summary),
    "agreement": (agreement_schema, agreement),
    "disagreements": (disagreements_schema, disagreements),
    "check": (check_schema, check),
    "consistency": (consistency_schema, consistency),
    "subgroup summary": (subgroup_summary_schema, subgroup_summary),
}


@pytest.mark.parametrize("name", GOOD)
def test_a_good_small_table_validates(name):
    schema, make = GOOD[name]
    schema.validate(make())


def test_a_good_plan_validates():
    assert check_groups(PLAN) is PLAN


# --------------------------------------------------------------------------- bad tables


def changed(make: Callable[[], pd.DataFrame], column: str, values: list) -> pd.DataFrame:
    frame = make()
    frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame


BAD = [
    # (schema, bad table, what the message must name)
    (codes_schema, lambda: changed(codes, "count", [3, 0]), ["count"]),
    (codes_schema, lambda: changed(codes, "open_code", ["Cost", ""]), ["open_code"]),
    (codes_schema, lambda: changed(codes, "respondents", [4, 1]), ["respondents exceed count"]),
    (
        codes_schema,
        lambda: changed(codes, "axial_category", ["X", "X"]).assign(open_code="Y"),
        ["phase", "axial_category", "open_code"],
    ),
    (codes_schema, lambda: codes().drop(columns="respondents"), ["respondents"]),
    (codes_schema, lambda: codes().assign(extra=1), ["extra"]),
    (
        coding_summary_schema,
        lambda: changed(coding_summary, "statements", [-1, 0]),
        ["statements"],
    ),
    (coding_summary_schema, lambda: changed(coding_summary, "phase", ["x", "x"]), ["phase"]),
    (
        coding_summary_schema,
        lambda: changed(coding_summary, "codes", [1, 0]),
        ["categories exceed codes"],
    ),
    (
        agreement_schema,
        lambda: changed(agreement, "scope", ["category", "overall", "x"]),
        ["scope"],
    ),
    (agreement_schema, lambda: changed(agreement, "kappa", [1.5, 0.7, float("nan")]), ["kappa"]),
    (
        agreement_schema,
        lambda: changed(agreement, "observed_agreement", [0.9, -0.1, 1.0]),
        ["observed_agreement"],
    ),
    (
        agreement_schema,
        lambda: changed(agreement, "axial_category", ["A", "B", ""]),
        ["axial_category"],
    ),
    (agreement_schema, lambda: changed(agreement, "note", ["", "", ""]), ["kappa", "note"]),
    (agreement_schema, lambda: changed(agreement, "n_first", [5, 4, 4]), ["n_first"]),
    (
        disagreements_schema,
        lambda: changed(disagreements, "differs_in", ["code"]),
        ["differs_in"],
    ),
    (
        disagreements_schema,
        lambda: changed(disagreements, "respondent_id", ["R_1a"]),
        ["respondent_id"],
    ),
    (
        disagreements_schema,
        lambda: changed(disagreements, "second_coder", [""]),
        ["second_coder"],
    ),
    (check_schema, lambda: changed(check, "status", ["ok", "fail: x"]), ["status"]),
    (check_schema, lambda: changed(check, "n_used", [0, 168]), ["n_used"]),
    (check_schema, lambda: changed(check, "p_pass", [False, False]), ["p_pass"]),
    (check_schema, lambda: changed(check, "mc_error", [-0.1, 0.1]), ["mc_error"]),
    (
        check_schema,
        lambda: changed(check, "label", ["Service", "Service"]),
        ["analysis", "label"],
    ),
    (
        consistency_schema,
        lambda: changed(consistency, "kind", ["single_choice", "ranking"]),
        ["kind"],
    ),
    (
        consistency_schema,
        lambda: changed(consistency, "counts_at_published_n", [[1, -2], None]),
        ["counts_at_published_n"],
    ),
    (
        consistency_schema,
        lambda: changed(consistency, "counts_at_published_n", [None, None]),
        ["counts_at_published_n", "admits_published_n"],
    ),
    (
        consistency_schema,
        lambda: changed(consistency, "counts_at_nearest_n", [[119, 49], None]),
        ["counts_at_nearest_n", "nearest_consistent_n"],
    ),
    (consistency_schema, lambda: changed(consistency, "n_published", [168, 0]), ["n_published"]),
    (subgroup_summary_schema, lambda: subgroup_summary().drop(columns="group"), ["group"]),
    (
        subgroup_summary_schema,
        lambda: changed(subgroup_summary, "ci_method", ["paper", "boot"] * 2),
        ["ci_method"],
    ),
    (
        subgroup_summary_schema,
        lambda: changed(subgroup_summary, "group", ["", "x", "x", "x"]),
        ["group"],
    ),
]


@pytest.mark.parametrize(
    ("schema", "make", "names"), BAD, ids=[f"{s.name.split(' (')[0]}-{n}" for s, _, n in BAD]
)
def test_a_bad_table_is_rejected_naming_the_column(schema, make, names):
    rejects(lambda: schema.validate(make()), *names)


def bad_plan(edit: Callable[[dict], object]) -> dict:
    plan = copy.deepcopy(PLAN)
    edit(plan)
    return plan


@pytest.mark.parametrize(
    ("edit", "names"),
    [
        (lambda p: p["groups"][1].update(size=9), ["size"]),  # below min_group_size
        (lambda p: p["groups"][0].update(slug="Developer team"), ["slug"]),
        (lambda p: p["groups"][1].update(slug="developer"), ["slug"]),
        (lambda p: p["groups"][1].update(label="Developer"), ["label"]),
        (lambda p: p["groups"][1].update(levels=[]), ["levels"]),
        (lambda p: p["groups"][1].update(levels=["Developer"]), ["levels"]),
        (lambda p: p["groups"][0].pop("size"), ["size"]),
        (lambda p: p["groups"][0].update(colour="red"), ["colour"]),
        (lambda p: p.pop("column"), ["column"]),
        (lambda p: p.update(min_group_size="15"), ["min_group_size"]),
        (lambda p: p.update(pooled="Researcher"), ["pooled"]),
        (lambda p: p.update(no_answer=-1), ["no_answer"]),
        (lambda p: p.update(extra=True), ["extra"]),
    ],
)
def test_a_bad_subgroup_plan_is_rejected_naming_the_key(edit, names):
    rejects(lambda: check_groups(bad_plan(edit)), *names)


def test_a_plan_without_groups_is_still_a_plan():
    # Every level below min_group_size, and the pool too: nothing to bootstrap, nothing wrong.
    check_groups(PLAN | {"groups": [], "pooled": [], "dropped_small": ["Developer", "Other"]})


# --------------------------------------------------------------------------- the readers

READERS = {
    "codes": (tables.read_codes, codes),
    "coding summary": (tables.read_coding_summary, coding_summary),
    "agreement": (tables.read_agreement, agreement),
    "disagreements": (tables.read_disagreements, disagreements),
    "check": (tables.read_check, check),
    "consistency": (tables.read_consistency, consistency),
    "subgroup summary": (read_subgroup_summary, subgroup_summary),
}


@pytest.mark.parametrize("name", READERS)
def test_a_table_read_back_has_the_bytes_and_types_it_was_written_with(name, tmp_path):
    read, make = READERS[name]
    schema = GOOD[name][0]
    path = tmp_path / "table.csv"
    write_csv(schema.validate(make()), path)
    frame = read(path)
    again = tmp_path / "again.csv"
    write_csv(frame, again)
    assert again.read_bytes() == path.read_bytes()
    pd.testing.assert_frame_equal(frame, schema.validate(make()), check_dtype=True)


def test_the_reader_keeps_a_code_named_na_and_rejects_a_blank_one(tmp_path):
    path = tmp_path / "codes.csv"
    write_csv(codes(), path)
    assert list(tables.read_codes(path)["open_code"]) == ["Cost", "NA"]
    path.write_text(path.read_text().replace(",NA,", ",,"))
    rejects(lambda: tables.read_codes(path), "open_code")


def test_the_readers_reject_a_bad_file_naming_the_column(tmp_path):
    path = tmp_path / "consistency.csv"
    write_csv(consistency(), path)
    path.write_text(path.read_text().replace('"[119, 49]",168', '"[119, forty-nine]",168', 1))
    rejects(lambda: tables.read_consistency(path), "counts_at_published_n")
    path = tmp_path / "check.csv"
    write_csv(check(), path)
    path.write_text(path.read_text().replace(",pass\n", ",passed\n"))
    rejects(lambda: tables.read_check(path), "status")
    path = tmp_path / "groups.json"
    write_json(bad_plan(lambda p: p["groups"][0].update(size=3)), path)
    rejects(lambda: read_groups(path), "size")


# --------------------------------------------------------------------------- a run's outputs


def test_the_outputs_of_a_run_validate_and_read_back_to_their_bytes(default_run):
    results = default_run.workdir / "results"
    readers = {
        "codes.csv": tables.read_codes,
        "summary.csv": tables.read_coding_summary,
        "agreement.csv": tables.read_agreement,
        "disagreements.csv": tables.read_disagreements,
    }
    config = load_yaml(ROOT / "config/analyses.yaml")
    paths: list[tuple[Path, Callable]] = [
        (results / qual / name, read)
        for qual in config["qualitative"]
        for name, read in readers.items()
    ]
    paths += [
        (results / "reproduction/check.csv", tables.read_check),
        (results / "reproduction/consistency.csv", tables.read_consistency),
    ]
    paths += [
        (results / f"subgroups/{sub}/summary.csv", read_subgroup_summary)
        for sub in config["subgroups"]
    ]
    for path, read in paths:
        frame = read(path)
        assert len(frame) > 0, path
        copy_path = path.parent / f"{path.stem}.reread.csv"
        write_csv(frame, copy_path)
        assert copy_path.read_bytes() == path.read_bytes(), path
        copy_path.unlink()
    consistency_table = tables.read_consistency(results / "reproduction/consistency.csv")
    assert consistency_table["counts_at_nearest_n"].map(type).eq(list).all()
    for sub in config["subgroups"]:
        plan = read_groups(results / f"subgroups/{sub}/groups.json")
        slugs = {g["slug"] for g in plan["groups"]}
        assert slugs == {p.name for p in (results / f"subgroups/{sub}").iterdir() if p.is_dir()}


# --------------------------------------------------------------------------- values spelled once


def test_ci_methods_are_named_once(default_run):
    config_schema = load_yaml(ROOT / "config/schemas/config.schema.yaml")["properties"]
    methods = config_schema["bootstrap"]["properties"]["methods"]["items"]["enum"]
    intervals = config_schema["figures"]["properties"]["interval"]["enum"]
    assert set(methods) <= set(CI_METHODS) and set(intervals) <= set(INTERVALS)
    assert set(INTERVALS) <= set(CI_METHODS) and set(INTERVAL_DESCRIPTIONS) == set(CI_METHODS)
    estimates = read_estimates(default_run.workdir / "results/rq5/estimates.csv")
    assert set(estimates["ci_method"]) <= set(CI_METHODS)
    assert (estimates["label"] == MEAN_LABEL).any()  # the row the check, captions, figures pick


def test_published_kinds_are_those_of_the_reference_schema():
    schema = load_yaml(ROOT / "config/schemas/paper_reference.schema.yaml")
    table = schema["properties"]["tables"]["additionalProperties"]
    assert tuple(table["properties"]["kind"]["enum"]) == tables.PUBLISHED_KINDS
    assert set(tables.SUM_CONSTRAINED_KINDS) < set(tables.PUBLISHED_KINDS)


def test_no_module_spells_the_mean_label_itself():
    """The mean's row is picked out by checking.vocabulary.MEAN_LABEL, not by a literal."""
    spelled = re.compile(
        r"""[=!]=\s*["']Mean["']|["']Mean["']\s*[=!]=|^\s*\w+\s*=\s*["']Mean["']"""
    )
    vocabulary = ROOT / "scripts/surveyflow/checking/vocabulary.py"
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "scripts").rglob("*.py"))
        if path != vocabulary
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if spelled.search(line)
    ]
    assert not found, f"use checking.vocabulary.MEAN_LABEL: {found}"
