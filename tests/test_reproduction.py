"""Reproduction check: the paper's reference numbers, the GRIM-style count search, the checks."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyflow.errors import InputError
from surveyflow.estimating.consistency import (
    consistency_report,
    consistent_counts,
    mc_error,
    nearest_consistent_n,
)
from surveyflow.estimating.paper_reference import load_reference
from surveyflow.estimating.reproduction import check_table
from surveyflow.estimating.reproduction_summary import summary_markdown
from surveyflow.rendering.report import markdown_to_html

REFERENCE = ROOT / "config/paper_reference.yaml"
REFERENCE_SCHEMA = ROOT / "config/schemas/paper_reference.schema.yaml"
S = 1000
PAPER_COUNTS = {  # what the search finds; RQ3.1 at N = 161
    "rq1_1": (168, [100, 72, 40, 9]),
    "rq1_2": (168, [119, 49]),
    "rq3_1": (161, [53, 34, 30, 13, 31]),
    "rq3_2": (153, [96, 95, 43, 20, 9]),
    "rq5": (169, [42, 30, 40, 21, 36]),
}


@pytest.fixture(scope="module")
def reference() -> dict:
    return load_reference(REFERENCE, REFERENCE_SCHEMA)


def shares_of(counts: list[int], n: int) -> list[float]:
    return [100 * k / n for k in counts]


def estimates_for(
    analysis: str, labels: list[str], counts: list[int], n: int, *, mean: float | None = None
) -> pd.DataFrame:
    """A long-format estimates table as the bootstrap job writes it, from exact counts."""
    rows = []
    for label, k in zip(labels, counts, strict=True):
        p = 100 * k / n
        se = 100 * math.sqrt(p / 100 * (1 - p / 100) / n)
        for method in ("paper", "percentile", "bca", "wilson"):
            half = 1.96 * se / math.sqrt(S) if method == "paper" else 1.96 * se
            rows.append(
                {
                    "analysis": analysis,
                    "paper_label": "X",
                    "label": label,
                    "n": n,
                    "count": k,
                    "estimate": p,
                    "boot_mean": p + 0.01,
                    "boot_se": se,
                    "ci_method": method,
                    "ci_level": 0.95,
                    "ci_low": p - half,
                    "ci_high": p + half,
                    "resamples": S,
                    "seed": 7,
                }
            )
    if mean is not None:
        for method in ("paper", "percentile", "bca", "t"):
            rows.append(
                {
                    "analysis": analysis,
                    "paper_label": "X",
                    "label": "Mean",
                    "n": n,
                    "count": None,
                    "estimate": mean,
                    "boot_mean": mean,
                    "boot_se": 2.5,
                    "ci_method": method,
                    "ci_level": 0.95,
                    "ci_low": mean - 5,
                    "ci_high": mean + 5,
                    "resamples": S,
                    "seed": 7,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- reference file


def test_reference_has_every_published_cell(reference):
    tables = reference["tables"]
    assert reference["resamples"] == 1000
    assert {a: len(t["cells"]) for a, t in tables.items()} == {
        "rq1_1": 4,
        "rq1_2": 2,
        "rq3_1": 5,
        "rq3_2": 5,
        "rq5": 5,
    }
    assert sum(len(t["cells"]) for t in tables.values()) == 21
    assert tables["rq5"]["mean"] == 45.41
    assert {a: t["n"] for a, t in tables.items()} == {
        "rq1_1": 168,
        "rq1_2": 168,
        "rq3_1": 160,
        "rq3_2": 153,
        "rq5": 169,
    }


def test_every_transcribed_interval_fits_the_papers_own_method(reference):
    """An independent relation, not a copy of the values: the paper's "95% CI" of a share p
    (percent) over n respondents and S resamples is p ± 1.96·√(p(100-p)/n)/√S (the Monte
    Carlo error of the replicate mean). A mistyped digit in any p or bound breaks it."""
    S = reference["resamples"]
    for name, table in reference["tables"].items():
        n = table["n"]
        for cell in table["cells"]:
            low, high = cell["ci"]
            # Centred on p, to the 3 decimals the paper prints (a midpoint may end in 5).
            assert abs((low + high) / 2 - cell["p"]) <= 0.0006, (name, cell)
            expected = 1.96 * math.sqrt(cell["p"] * (100 - cell["p"]) / n) / math.sqrt(S)
            # The sd of S = 1000 replicates is itself random: relative sd 1/√(2(S-1)) ≈ 2.2%,
            # so 8% is about 3.5 of those.
            assert (high - low) / 2 == pytest.approx(expected, rel=0.08), (name, cell)


def test_reference_labels_are_those_of_analyses_yaml(reference):
    analyses = yaml.safe_load((ROOT / "config/analyses.yaml").read_text())["analyses"]
    for analysis, table in reference["tables"].items():
        spec = analyses[analysis]
        labels = spec["labels"]
        names = list(labels.values()) if isinstance(labels, dict) else list(labels)
        assert [c["label"] for c in table["cells"]] == names, analysis
        assert table["paper_label"] == spec["paper_label"]


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda d: d.pop("resamples"), "'resamples' is a required property"),
        (lambda d: d.__setitem__("resamples", "1000"), "'resamples' must be an integer"),
        (lambda d: d["tables"]["rq3_1"].__setitem__("n", "160"), "'tables.rq3_1.n'"),
        (
            lambda d: d["tables"]["rq3_1"].pop("kind"),
            "'tables.rq3_1' is missing a required entry: 'kind'",
        ),
        (lambda d: d["tables"]["rq1_2"].__setitem__("kind", "single"), "'tables.rq1_2.kind'"),
        (
            lambda d: d["tables"]["rq1_1"]["cells"][2].pop("p"),
            "'tables.rq1_1.cells.2' is missing a required entry: 'p'",
        ),
        (lambda d: d["tables"]["rq5"]["cells"][0].__setitem__("ci", [1.0]), "cells.0.ci"),
        (lambda d: d["tables"]["rq5"].__setitem__("mean", "45.41%"), "'tables.rq5.mean'"),
    ],
)
def test_bad_reference_names_file_and_key(tmp_path, edit, key):
    data = yaml.safe_load(REFERENCE.read_text())
    edit(data)
    bad = tmp_path / "ref.yaml"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as info:
        load_reference(bad, REFERENCE_SCHEMA)
    assert key in str(info.value)
    assert str(bad) in str(info.value)


# --------------------------------------------------------------------------- consistency search


def test_mc_error_formula():
    assert mc_error(50, 100, 1000) == pytest.approx(100 * 0.05 / math.sqrt(1000))
    assert mc_error(0, 100, 1000) == 0.0
    with pytest.raises(ValueError):
        mc_error(50, 0, 1000)


@settings(max_examples=60, deadline=None)
@given(st.integers(20, 300), st.lists(st.floats(0, 1), min_size=2, max_size=6))
def test_exact_shares_give_back_their_counts(n, weights):
    # Counts that sum to n (a partition), so both kinds must recover them.
    total = sum(weights) or 1.0
    counts = [int(n * w / total) for w in weights]
    counts[0] += n - sum(counts)
    shares = shares_of(counts, n)
    assert consistent_counts(shares, n, S, kind="binned") == counts
    assert consistent_counts(shares, n, S, kind="multiple_choice") == counts
    assert nearest_consistent_n(shares, n, S, kind="binned") == n


def test_shares_off_by_more_than_tolerance_fit_nothing():
    n = 120
    error = mc_error(25.0, n, S)
    assert consistent_counts([25.0 + 2.5 * error], n, S, kind="multiple_choice") == [30]
    # halfway between 30/120 and 31/120: 0.42 points, > 3 Monte Carlo errors from either
    assert consistent_counts([100 * 30.5 / n], n, S, kind="multiple_choice") is None
    assert consistent_counts([25.0, 100 * 30.5 / n], n, S, kind="multiple_choice") is None
    # a zero share is exact: anything else near it has no admissible count
    assert consistent_counts([0.0, 100.0], n, S, kind="multiple_choice") == [0, n]
    assert consistent_counts([0.01], n, S, kind="multiple_choice") is None


def test_sum_constraint_rejects_cells_that_fit_only_one_by_one():
    shares = [33.0, 33.0, 33.0]  # each is 33/100 exactly, but 3 × 33 = 99 ≠ 100
    assert consistent_counts(shares, 100, S, kind="multiple_choice") == [33, 33, 33]
    assert consistent_counts(shares, 100, S, kind="binned") is None
    assert consistent_counts(shares, 100, S, kind="single_choice") is None


def test_nearest_n_searches_outwards_and_prefers_the_smaller():
    # 50% fits every even N but no odd one near 100: 101 -> 100 and 102 tie, 100 wins.
    assert consistent_counts([50.0], 101, S, kind="multiple_choice") is None
    assert nearest_consistent_n([50.0], 101, S, kind="multiple_choice") == 100
    assert nearest_consistent_n([50.0], 101, S, kind="multiple_choice", max_distance=0) is None
    # binned shares of 50 respondents, asked at 52: found at 50
    shares = shares_of([7, 11, 13, 19], 50)
    assert nearest_consistent_n(shares, 52, S, kind="binned") == 50


def test_paper_rq3_1_does_not_fit_its_caption_n_but_161(reference):
    report = consistency_report(reference).set_index("analysis")
    rq31 = report.loc["rq3_1"]
    assert not rq31["admits_published_n"]
    assert rq31["counts_at_published_n"] is None
    assert rq31["nearest_consistent_n"] == 161
    assert rq31["counts_at_nearest_n"] == [53, 34, 30, 13, 31]
    for analysis in ("rq1_1", "rq1_2", "rq3_2", "rq5"):
        row = report.loc[analysis]
        n, counts = PAPER_COUNTS[analysis]
        assert row["admits_published_n"], analysis
        assert row["nearest_consistent_n"] == row["n_published"] == n
        assert row["counts_at_published_n"] == counts
    assert sum(report.loc["rq1_2", "counts_at_published_n"]) == 168
    assert sum(report.loc["rq5", "counts_at_published_n"]) == 169


# --------------------------------------------------------------------------- check table


def test_check_passes_on_exact_counts_and_paper_numbers(reference):
    # Estimates built from the counts the paper's shares imply: the paper's P and half-widths
    # must pass against them (this is the claim of docs/design.md, checked on all 21 cells).
    for analysis, (n, counts) in PAPER_COUNTS.items():
        table = reference["tables"][analysis]
        labels = [c["label"] for c in table["cells"]]
        est = estimates_for(
            analysis, labels, counts, n, mean=45.4149 if analysis == "rq5" else None
        )
        check = check_table(analysis, table, est, S)
        assert len(check) == len(labels) + (analysis == "rq5")
        assert check["p_pass"].all(), analysis
        cells = check[check["label"] != "Mean"]
        assert cells["half_width_pass"].all(), analysis
        assert cells["sample_share"].tolist() == pytest.approx(shares_of(counts, n))
        if analysis == "rq3_1":  # the run's N (161) is not the caption's (160)
            assert cells["status"].str.contains("N used 161 ≠ published N 160").all()
        else:
            assert (check["status"] == "pass").all(), check["status"].tolist()
    mean_row = check[check["label"] == "Mean"].iloc[0]
    assert mean_row["sample_share"] == 45.41
    assert pd.isna(mean_row["half_width_pass"])


def test_check_fails_with_reasons():
    table = {
        "paper_label": "RQ9",
        "n": 100,
        "kind": "binned",
        "cells": [
            {"label": "a", "p": 30.0, "ci": [29.716, 30.284]},
            {"label": "b", "p": 71.0, "ci": [70.716, 71.284]},  # run has 70: z ≈ 6.9
            {"label": "c", "p": 0.0, "ci": [0.0, 0.0]},
        ],
        "mean": 40.0,
    }
    est = estimates_for("rq9", ["a", "b", "c"], [30, 70, 0], 100, mean=41.0)
    check = check_table("rq9", table, est, S).set_index("label")
    assert check.loc["a", "status"] == "pass"
    assert not check.loc["b", "p_pass"]
    assert "Monte Carlo errors from the sample share" in check.loc["b", "status"]
    assert check.loc["b", "half_width_pass"]  # interval width itself is right
    assert check.loc["c", "status"] == "pass"  # a zero share matches exactly, zero width
    assert check.loc["Mean", "status"].startswith("fail: mean 40 differs")

    table["cells"][0]["ci"] = [29.5, 30.5]  # half-width 0.5 instead of 0.284
    check = check_table("rq9", table, est, S).set_index("label")
    assert check.loc["a", "p_pass"] and not check.loc["a", "half_width_pass"]
    assert "half-width" in check.loc["a", "status"]

    missing = check_table("rq9", table, est[est["label"] != "a"], S).set_index("label")
    assert missing.loc["a", "status"] == "fail: label not in this run's estimates"


def test_check_rejects_an_estimates_table_without_its_columns():
    est = estimates_for("rq9", ["a"], [3], 10).drop(columns=["boot_se"])
    with pytest.raises(InputError, match="boot_se"):
        check_table("rq9", {"paper_label": "RQ9", "n": 10, "cells": []}, est, S)


# --------------------------------------------------------------------------- summary


@pytest.fixture(scope="module")
def paper_check(reference) -> pd.DataFrame:
    """The check of a run with the paper's counts (RQ3.1 at N = 161, so its cells fail)."""
    checks = []
    for analysis, (n, counts) in PAPER_COUNTS.items():
        table = reference["tables"][analysis]
        labels = [c["label"] for c in table["cells"]]
        est = estimates_for(analysis, labels, counts, n, mean=45.41 if analysis == "rq5" else None)
        checks.append(check_table(analysis, table, est, S))
    return pd.concat(checks, ignore_index=True)


def test_summary_says_synthetic_and_reports_the_findings(reference, paper_check):
    check = paper_check
    consistency = consistency_report(reference)

    text = summary_markdown(check, consistency, synthetic=True)
    assert "synthetic" in text.splitlines()[0].lower()
    assert "17 of 22" in text  # the five RQ3.1 cells fail on N only
    assert "Monte Carlo error" in text
    assert "nearest N that does is 161 (counts 53, 34, 30, 13, 31)" in text
    assert "This run has n = 161 for RQ3.1" in text

    real = summary_markdown(check, consistency, synthetic=False)
    assert "synthetic" not in real.lower()
    assert real.startswith("# Reproduction check")


def test_summary_page_is_a_complete_html_page_with_the_table(reference, paper_check):
    text = summary_markdown(paper_check, consistency_report(reference), synthetic=True)

    page = markdown_to_html(text, title="Reproduction check <against> the paper")
    assert page == markdown_to_html(text, title="Reproduction check <against> the paper")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    assert "<title>Reproduction check &lt;against&gt; the paper</title><style>" in page
    assert page.endswith("</body></html>\n")
    assert page.count("<table>") == 1 and page.count("<th>") == 12
    assert page.count("<tr>") == 1 + len(paper_check)  # the header row and one row per cell
    assert "<h1>Reproduction check against the paper</h1>" in page
    assert "<td>&lt;20%</td>" in page  # a label that looks like markup stays text
    # The indented note belongs to RQ3.1's bullet, not to a paragraph of its own.
    item = page[page.index("<li>RQ3.1 (N = 160)") :]
    assert item.index("This run has n = 161") < item.index("</li>")


def test_summary_page_shows_raw_html_as_text():
    page = markdown_to_html("a <script>x</script> **b**\n\n<div>c</div>\n", title="t")
    assert "<script>" not in page and "<div>" not in page
    assert "a &lt;script&gt;x&lt;/script&gt; <strong>b</strong>" in page
