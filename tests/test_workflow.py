"""The workflow on the embedded synthetic export: calibration, audit trail, determinism."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import DATA, ROOT, copy_project, snakemake

from surveyflow.checking.schemas import read_clean_responses
from surveyflow.config import load_questions

QUESTIONS = load_questions(
    ROOT / "config/questions.yaml", ROOT / "config/schemas/questions.schema.yaml"
)
BINS = [0, 20, 40, 60, 80, 100]


def clean(run) -> pd.DataFrame:
    return read_clean_responses(
        run.workdir / "results/clean/responses.csv", QUESTIONS, ["deployed_share"]
    )


def selected(frame: pd.DataFrame, qid: str) -> tuple[int, dict[str, int]]:
    cols = QUESTIONS[qid].coded_columns()
    answered = int(frame[cols[0]].notna().sum())
    return answered, {c.split("_", 1)[1]: int(frame[c].sum()) for c in cols}


def binned(values: pd.Series) -> list[int]:
    # Bins are [a, b) except the last, which is closed at 100.
    edges = [*BINS[:-1], BINS[-1] + 1e-9]
    return pd.cut(values.dropna(), edges, right=False).value_counts(sort=False).tolist()


def test_manifest_records_inputs_and_dispcodes(default_run):
    manifest = json.loads((default_run.workdir / "results/ingest/manifest.json").read_text())
    assert manifest["synthetic"] is True
    assert (manifest["rows_read"], manifest["rows_kept"]) == (276, 188)
    assert manifest["rows_dropped_by_status"] == {"22": 88}
    assert manifest["tool"] == "efs"
    assert manifest["completion_rule"] == "dispcode in [31, 32] (completed_dispcodes)"
    assert manifest["detected"] == {
        "shape": "codes",
        "encoding": "utf-8",
        "separator": ";",
        "line_ending": "CRLF",
        "quoted": True,
        "codebook_encoding": "utf-8",
    }
    data = default_run.workdir / manifest["inputs"]["data"]["path"]
    assert manifest["inputs"]["data"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert set(manifest["inputs"]) == {"data", "codebook", "questions"}


def test_clean_data_reproduces_the_papers_counts(default_run):
    df = clean(default_run)
    assert len(df) == 188 and "dispcode" not in df.columns
    assert selected(df, "Q13") == (168, {"service": 100, "embedded": 72, "paas": 40, "others": 9})
    assert df.q14.value_counts().to_dict() == {"No": 119, "Yes": 49}
    assert df.q15.notna().sum() == 160 and binned(df.q15) == [53, 34, 30, 13, 30]
    assert selected(df, "Q16") == (
        153,
        {
            "input_output": 96,
            "output_decisions": 95,
            "interpretability": 43,
            "fairness": 20,
            "others": 9,
        },
    )
    ratio = df.deployed_share
    assert ratio.notna().sum() == 169 and binned(ratio) == [42, 30, 40, 21, 36]
    assert round(ratio.mean(), 2) == 45.41
    assert (df.d8[ratio.notna()] <= df.d7[ratio.notna()]).all()


def test_demographics_match_the_paper(default_run):
    df = clean(default_run)
    countries = df.d1.value_counts()
    assert countries.size == 25
    assert list(countries.index[:6]) == [
        "Brazil",
        "Turkey",
        "Austria",
        "Germany",
        "Sweden",
        "Italy",
    ]
    roles = df.d4.value_counts()
    assert list(roles.index[:4]) == [
        "Data Scientist",
        "Project Leader / Project Manager",
        "Developer",
        "Solution Architect",
    ]
    experience = df.d6.value_counts()
    assert list(experience.index[:2]) == ["1 to 2 years", "3 to 6 years"]
    assert (df.d2 == "2000 or more employees").sum() == 85
    assert [int(df[c].sum()) for c in ("d3_bachelor", "d3_master", "d3_phd")] == [153, 101, 43]
    for phase in ("deployment", "monitoring"):
        relevance = df[f"q2_{phase}"].dropna()
        high = relevance.isin(["Highly relevant", "Extremely relevant"]).mean()
        assert 0.65 <= high <= 0.85


def test_every_change_is_in_the_cleaning_log(default_run):
    results = default_run.workdir / "results"
    log = pd.read_csv(results / "clean/cleaning_log.csv", dtype=str, keep_default_na=False)
    assert list(log.columns) == [
        "respondent_id",
        "question",
        "raw_value",
        "clean_value",
        "rule",
        "reason",
    ]
    raw = pd.read_csv(results / "ingest/responses.csv", dtype=str, keep_default_na=False)
    df = clean(default_run)
    # Every free-text count whose clean value is not its raw text is logged.
    for column in ("d7", "d8", "q15"):
        text = raw[column].str.strip()
        value = df[column].map(lambda v: "" if pd.isna(v) else f"{v:g}")
        changed = set(raw.respondent_id[(text != value) & (text != "")].astype(str))
        logged = set(log.respondent_id[log.question == column])
        assert changed == logged, column
    excluded = log[log.question == "deployed_share"]
    assert len(excluded) == 188 - 169
    assert set(excluded.rule) == {
        "ratio_missing_input",
        "ratio_zero_denominator",
        "ratio_numerator_exceeds_denominator",
    }
    summary = pd.read_csv(results / "clean/cleaning_summary.csv")
    assert summary["values"].sum() == len(log)


def test_raw_data_is_not_modified(default_run):
    for path in (ROOT / "data/raw").rglob("*"):
        if path.is_file():
            copy = default_run.workdir / path.relative_to(ROOT)
            assert copy.read_bytes() == path.read_bytes(), path


def outputs(workdir: Path) -> dict[str, bytes]:
    results = workdir / "results"
    return {
        str(p.relative_to(results)): p.read_bytes()
        for p in sorted(results.rglob("*"))
        if p.is_file() and p.parts[-2] not in ("logs", "benchmarks")
    }


def test_byte_identical_with_two_cores(default_run, tmp_path):
    workdir = copy_project(tmp_path / "project")
    run = snakemake(workdir, "--cores", "2")
    assert run.returncode == 0, run.output
    assert outputs(workdir) == outputs(default_run.workdir)


def test_nothing_to_do_on_rerun_and_library_edit_reruns(default_run, tmp_path):
    workdir = copy_project(tmp_path / "project")
    target = "results/clean/responses.csv"
    assert snakemake(workdir, target).returncode == 0
    dry = snakemake(workdir, target, "--dry-run")
    assert "Nothing to be done" in dry.output
    parsers = workdir / "scripts/surveyflow/checking/parsers.py"
    parsers.write_text(parsers.read_text() + "\n# edited\n")
    dry = snakemake(workdir, target, "--dry-run")
    assert "clean " in dry.output and "ingest " not in dry.output.split("Job stats")[1]


PILOT_QUESTIONS = """
questions:
  D1:
    type: single_choice
    variable: v_23
  TEAM:
    type: count
    variable: v_3
  EXPERIENCE:
    type: count
    variable: v_19
  ROLE:
    type: single_choice
    variable: v_17
  ROLE_OTHER:
    type: text
    variable: v_18
  QUALITY:
    type: multiple_choice
    options: {compatibility: v_6, maintainability: v_7, performance: v_8, others: v_14}
    other_text: v_15
    other_option: others
  SATISFACTION:
    type: likert
    variable: v_167
  PROBLEMS:
    type: likert
    items: {communication: v_174, terminology: v_176}
"""


@pytest.mark.parametrize("shape", ["codes", "labels"])
def test_runs_on_the_real_pilot_export_through_config(tmp_path, shape):
    from exportgen import read_pilot, write_labels_export

    workdir = copy_project(tmp_path / "project")
    pilot = DATA / "efs-napire-pilot"
    data = pilot / "data_project_400193_2017_09_13.csv"
    codebook = pilot / "codebook_project_400193_2017_09_13.csv"
    if shape == "labels":
        export, book = read_pilot()
        data = tmp_path / "pilot_labels.csv"
        write_labels_export(export.frame, book, data)
    questions = workdir / "pilot-questions.yaml"
    questions.write_text(PILOT_QUESTIONS)
    config = {
        "synthetic": False,
        "export": {"data": str(data), "codebook": str(codebook)},
        "questions": str(questions),
        "cleaning": {
            "ratios": [
                {"name": "experience_per_member", "numerator": "EXPERIENCE", "denominator": "TEAM"}
            ]
        },
        # The paper's analyses do not apply to another survey: switch them off.
        "analyses": {name: None for name in ("rq1_1", "rq1_2", "rq3_1", "rq3_2", "rq5")},
        "qualitative": {"rq2": None, "rq4": None},
        "subgroups": {"rq3_2_by_role": None},
        # Only named variables reach the archive (the pilot's e-mail field v_298 is not named).
        "archive": {
            "columns": [
                "D1",
                "TEAM",
                "EXPERIENCE",
                "ROLE",
                "QUALITY",
                "SATISFACTION",
                "PROBLEMS",
                "experience_per_member",
            ]
        },
        "figures": {"interval": "percentile", "panels": {"fig1": None, "fig2": None, "fig3": None}},
        "paper_reference": None,
        "coding": None,
    }
    run = snakemake(workdir, config=config)
    assert run.returncode == 0, run.output
    manifest = json.loads((workdir / "results/ingest/manifest.json").read_text())
    assert manifest["detected"]["shape"] == shape and manifest["synthetic"] is False
    clean_path = workdir / "results/clean/responses.csv"
    df = pd.read_csv(clean_path, keep_default_na=False, na_values=[""])
    assert len(df) == manifest["rows_kept"] > 0
    assert {"team", "role", "quality_compatibility", "problems_communication"} <= set(df.columns)
    assert pd.api.types.is_float_dtype(df.team)


def test_subgroup_analysis_by_role_has_its_table_and_figure(default_run):
    results = default_run.workdir / "results"
    plan = json.loads((results / "subgroups/rq3_2_by_role/groups.json").read_text())
    summary = pd.read_csv(results / "subgroups/rq3_2_by_role/summary.csv")
    labels = [group["label"] for group in plan["groups"]]
    assert labels[0] == "Data Scientist" and "Other roles (pooled)" in labels
    assert plan["pooled"] and all(group["size"] >= 15 for group in plan["groups"])
    assert list(dict.fromkeys(summary["group"])) == labels
    assert summary["seed"].nunique() == len(labels)  # one stable seed per group
    assert (results / "figures/rq3_2_by_role.png").stat().st_size > 0
