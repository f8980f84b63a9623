"""Analyses from config: designs, errors naming the analysis and key, targets and reruns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.errors as pa_errors
import pytest
import yaml
from conftest import snakemake

from surveyflow.checking.schemas import estimates_schema
from surveyflow.config import Question
from surveyflow.errors import InputError
from surveyflow.estimating.analyses import design, estimate_with
from surveyflow.estimating.analysis_config import check_analyses

QUESTIONS = {
    "Q13": Question("Q13", "multiple_choice", options={"a": "v_1", "b": "v_2"}),
    "Q14": Question("Q14", "single_choice", variable="v_3"),
    "Q15": Question("Q15", "percentage", variable="v_4"),
}
CLEAN = pd.DataFrame({
    "q13_a": pd.array([True, False, None, True], dtype="boolean"),
    "q13_b": pd.array([True, True, None, False], dtype="boolean"),
    "q14": ["Yes", "No", None, "No"],
    "q15": [0.0, 20.0, np.nan, 100.0],
})  # fmt: skip
SPECS = {
    "mc": {"paper_label": "X", "question": "Q13", "statistic": "share_selected",
           "labels": {"b": "B", "a": "A"}},
    "level": {"paper_label": "Y", "question": "Q14", "statistic": "share_per_level",
              "labels": {"No": "No", "Yes": "Yes"}},
    "bins": {"paper_label": "Z", "question": "Q15", "statistic": "share_per_bin",
             "bins": [0, 20, 40, 60, 80, 100], "labels": ["a", "b", "c", "d", "e"]},
}  # fmt: skip


def test_designs_use_only_those_who_answered_in_label_order():
    mc = design("mc", SPECS["mc"], CLEAN, QUESTIONS)
    assert mc.labels == ["B", "A"] and mc.values.tolist() == [[1, 1], [1, 0], [0, 1]]
    level = design("level", SPECS["level"], CLEAN, QUESTIONS)
    assert level.values.sum(axis=0).tolist() == [2, 1]
    binned = design("bins", SPECS["bins"], CLEAN, QUESTIONS)
    # 0 -> first bin, 20 -> second (edges open the bin above), 100 -> last (closed).
    assert binned.values.sum(axis=0).tolist() == [1, 1, 0, 0, 1]


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        ({"question": "Q99"}, "question", "unknown question 'Q99'"),
        ({"statistic": "share_per_level"}, "statistic", "needs a single_choice/likert"),
        ({"labels": {"zz": "Z"}}, "labels", "unknown option(s) ['zz']"),
    ],
)
def test_bad_analysis_names_analysis_and_key(change, key, fragment):
    spec = {**SPECS["mc"], **change}
    with pytest.raises(InputError) as info:
        check_analyses({"mc": spec}, QUESTIONS)
    assert f"analysis 'mc', key '{key}'" in str(info.value) and fragment in str(info.value)


def test_bins_must_increase_and_match_labels():
    with pytest.raises(InputError, match="key 'bins': edges must increase"):
        check_analyses({"b": {**SPECS["bins"], "bins": [0, 50, 40]}}, QUESTIONS)
    with pytest.raises(InputError, match="key 'labels': needs 5 names"):
        check_analyses({"b": {**SPECS["bins"], "labels": ["x"]}}, QUESTIONS)


def test_zero_valid_answers_is_an_error():
    empty = CLEAN.assign(q15=np.nan)
    with pytest.raises(InputError, match="config key analyses.bins.question: Q15 has no valid"):
        design("bins", SPECS["bins"], empty, QUESTIONS)


SETTINGS = {"resamples": 200, "seed": 7, "ci_level": 0.95, "chunk_size": 100,
            "methods": ["paper", "percentile", "bca", "wilson"]}  # fmt: skip


def test_one_valid_answer_gives_a_valid_table_with_an_undefined_t_interval():
    # A subgroup of one respondent: the mean's t interval is undefined (NaN), not a crash, and
    # the estimates table written from it passes its schema.
    spec = {**SPECS["bins"], "mean": True}
    one = CLEAN.iloc[[1]]
    table, _ = estimate_with("bins", spec, design("bins", spec, one, QUESTIONS), SETTINGS)
    valid = estimates_schema.validate(table)
    t = valid[(valid.label == "Mean") & (valid.ci_method == "t")]
    assert len(t) == 1 and t.ci_low.isna().all() and t.ci_high.isna().all()
    assert valid.drop(t.index).ci_low.notna().all()


def test_the_estimates_schema_still_rejects_a_reversed_interval():
    spec = {**SPECS["bins"], "mean": True}
    table, _ = estimate_with("bins", spec, design("bins", spec, CLEAN, QUESTIONS), SETTINGS)
    reversed_ = table.assign(ci_low=table.ci_high + 1.0)
    with pytest.raises(pa_errors.SchemaErrors) as info:
        estimates_schema.validate(reversed_, lazy=True)
    checks = set(info.value.failure_cases["check"].astype(str))
    assert any("ci_low > ci_high" in c or "ci_ordered" in c for c in checks), checks


def test_a_share_of_zero_records_that_bca_fell_back_to_percentile():
    # Option A selected by none of the three who answered: BCa is undefined there.
    zero = CLEAN.assign(q13_a=pd.array([False, False, None, False], dtype="boolean"))
    data = design("mc", SPECS["mc"], zero, QUESTIONS)
    table, _ = estimate_with("mc", SPECS["mc"], data, SETTINGS)
    valid = estimates_schema.validate(table)
    columns = list(valid.columns)
    assert columns.index("ci_used") == columns.index("ci_method") + 1
    used = valid.set_index(["label", "ci_method"])["ci_used"]
    assert used["A", "bca"] == "percentile"
    assert [used["A", m] for m in ("paper", "percentile", "wilson")] == [
        "paper", "percentile", "wilson",
    ]  # fmt: skip
    # Only a bca row may name another method than its own.
    with pytest.raises(pa_errors.SchemaErrors):
        estimates_schema.validate(valid.assign(ci_used="bca"), lazy=True)


def test_the_mean_is_bootstrapped_on_the_resamples_of_its_bins():
    # Answers of only 0 and 100: a resample's mean is 100 times its share in the upper bin
    # exactly when both come from the same resample.
    spec = {**SPECS["bins"], "bins": [0, 50, 100], "labels": ["low", "high"], "mean": True}
    clean = pd.DataFrame({"q15": [0.0, 100.0, 100.0, 0.0, 100.0, 0.0, 0.0, 100.0, 0.0]})
    table, arrays = estimate_with("bins", spec, design("bins", spec, clean, QUESTIONS), SETTINGS)
    np.testing.assert_allclose(arrays["mean"][:, 0], 100 * arrays["shares"][:, 1], rtol=1e-12)
    rows = table.set_index(["label", "ci_method"])
    for method in ("paper", "percentile", "bca"):
        for column in ("boot_mean", "ci_low", "ci_high"):
            mean, high = rows.loc[("Mean", method), column], rows.loc[("high", method), column]
            assert mean == pytest.approx(high, rel=1e-12), (method, column)
    assert table["seed"].nunique() == 1  # the seed column is every row's seed


def job_stats(output: str) -> dict[str, int]:
    block = output.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", block, flags=re.M)}


def test_one_target_builds_only_what_it_needs(project):
    run = snakemake(project, "rq1_2", "--dry-run")
    assert run.returncode == 0, run.output
    assert job_stats(run.output) == {
        "ingest": 1,
        "validate_ingested": 1,
        "clean": 1,
        "bootstrap": 1,
        "figure_estimates": 1,
        "rq1_2": 1,
    }
    assert "results/rq1_2/estimates.csv" in run.output


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"bootstrap": {"resamples": 50}}, "key 'bootstrap.resamples'"),
        ({"analyses": {"rq3_1": {"bins": []}}}, "key 'analyses.rq3_1.bins'"),
        ({"analyses": {"rq3_1": {"question": "Q151"}}}, "analysis 'rq3_1', key 'question'"),
        ({"analyses": {"rq1_1": {"resamples": 10}}}, "key 'analyses.rq1_1.resamples'"),
    ],
)
def test_bad_analysis_config_fails_at_parse_time(project, override, fragment):
    path = project / "bad.yaml"
    path.write_text(yaml.safe_dump(override))
    run = snakemake(project, "--dry-run", "--configfile", str(path))
    assert run.returncode != 0 and fragment in run.output, run.output[-2000:]


def test_tracked_dependencies_rerun_exactly_the_affected_jobs(built):
    workdir = built
    assert "Nothing to be done" in snakemake(workdir, "--dry-run").output
    config = workdir / "config" / "analyses.yaml"
    original = config.read_text()

    config.write_text(
        original.replace(
            'bins: [0, 20, 40, 60, 80, 100]\n    labels: ["<20%"',
            'bins: [0, 25, 40, 60, 80, 100]\n    labels: ["<20%"',
            1,
        )
    )
    stats = job_stats(snakemake(workdir, "--dry-run").output)
    # The changed analysis, what follows it, and the record of the effective config.
    assert stats == {
        "bootstrap": 1,
        "figure_estimates": 1,
        "reproduce": 1,
        "provenance": 1,
        "archive": 1,
        "all": 1,
    }, stats

    config.write_text(original.replace("resamples: 1000", "resamples: 1200", 1))
    stats = job_stats(snakemake(workdir, "--dry-run").output)
    assert stats["bootstrap"] == len(yaml.safe_load(original)["analyses"]), stats
    assert "clean" not in stats and "ingest" not in stats

    config.write_text(original)
    engine = workdir / "scripts/surveyflow/estimating/bootstrap.py"
    engine.write_text(engine.read_text() + "\n# edited\n")
    stats = job_stats(snakemake(workdir, "--dry-run").output)
    assert stats["bootstrap"] == len(yaml.safe_load(original)["analyses"]), stats
    assert "clean" not in stats


def test_estimates_reproduce_the_sample_shares(default_run):
    table = pd.read_csv(default_run.workdir / "results/rq1_1/estimates.csv")
    paper = table[table.ci_method == "paper"].set_index("label")
    assert paper.loc["Service", "n"] == 168 and paper.loc["Service", "count"] == 100
    assert paper.loc["Service", "estimate"] == pytest.approx(100 * 100 / 168)
    assert set(table.ci_method) == {"paper", "percentile", "bca", "wilson"}
    rq5 = pd.read_csv(default_run.workdir / "results/rq5/estimates.csv")
    mean = rq5[(rq5.label == "Mean") & (rq5.ci_method == "paper")]
    assert round(float(mean.estimate.iloc[0]), 2) == 45.41


def test_one_figure_target_builds_only_what_it_needs(project):
    run = snakemake(project, "fig6", "--dry-run")
    assert run.returncode == 0, run.output
    assert job_stats(run.output) == {"coding": 1, "figure_fishbone": 1, "fig6": 1}


def test_a_subgroup_target_fans_out_per_group(project):
    run = snakemake(project, "rq3_2_by_role", "--dry-run")
    assert run.returncode == 0, run.output
    stats = job_stats(run.output)
    # Groups are known only after the checkpoint, so the dry run stops there.
    assert stats["subgroup_plan"] == 1 and "bootstrap" not in stats
