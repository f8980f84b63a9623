"""The study's own words: captions, the deposit's README/CITATION.cff/.zenodo.json and the
report's home page come from config `study:` and from the run, never from the paper's text.

Unit tests of the caption, metadata and README functions; one run of the real workflow on the
real pilot export (a study of its own: paper_reference null) whose texts must not mention the
paper's N, countries, DOI or figures; and the default reproduction, which still says all that.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from conftest import DATA, ROOT, snakemake
from jinja2 import Environment
from test_archive import _pilot_project

from surveyflow.config import Question
from surveyflow.errors import InputError
from surveyflow.estimating.analyses import design, estimate_with
from surveyflow.publishing.deposit_texts import (
    RunFacts,
    citation_text,
    deposit_readme,
    related_identifiers,
    run_facts,
    study_citation,
    zenodo_metadata,
)
from surveyflow.rendering.bars import estimate_bars
from surveyflow.rendering.captions import estimate_caption, fishbone_caption, panel_caption
from surveyflow.rendering.figure_parts import all_text
from surveyflow.study import (
    check_study,
    country_question,
    figure_id,
    figure_numbers,
    mean_unit,
    sort_figures,
    study_settings,
)

PAPER_DOI = "10.5281/zenodo.10092394"
# What only the reproduced paper may say: its N, its countries, its DOI, its figures.
PAPER_WORDS = ("188", "25 countries", PAPER_DOI, "the paper's Fig")

QUESTIONS = {
    "D1": Question("D1", "single_choice", variable="v_23"),
    "ROLE": Question("ROLE", "single_choice", variable="v_9"),
    "TEAM": Question("TEAM", "count", variable="v_3"),
    "SHARE": Question("SHARE", "percentage", variable="v_4"),
}
TEAM_SIZE = {
    "paper_label": "Team size",
    "title": "People in the respondent's project",
    "question": "TEAM",
    "statistic": "share_per_bin",
    "bins": [0, 10, 25, 50],
    "labels": ["<10", "10-24", "25-50"],
    "mean": True,
}
SETTINGS = {"resamples": 200, "seed": 7, "ci_level": 0.95, "chunk_size": 100,
            "methods": ["paper", "percentile", "bca", "wilson"]}  # fmt: skip
# The pilot study's own block: what its deposit must say instead of the paper's words.
PILOT_STUDY = {
    "title": "NaPiRE 2017/18 pilot: team sizes of requirements engineering projects",
    "description": "Team sizes reported in the pilot run of the NaPiRE 2017/18 survey.",
    "authors": [
        {"name": "Mendez, Daniel", "affiliation": "Blekinge Institute of Technology"},
        {"name": "The NaPiRE team"},
    ],
    "keywords": ["requirements engineering", "survey"],
    "license": "CC-BY-4.0",
    "paper_doi": None,
    "country_question": "D1",
}
WORKFLOW_CFF = {
    "title": "surveyflow: a workflow",
    "version": "0.1.0",
    "license": "MIT",
    "authors": [{"name": "The surveyflow maintainers"}],
}


def team_estimates(sizes: list[float]) -> pd.DataFrame:
    clean = pd.DataFrame({"team": sizes})
    table, _ = estimate_with(
        "team_size", TEAM_SIZE, design("team_size", TEAM_SIZE, clean, QUESTIONS), SETTINGS
    )
    return table


# --- captions -----------------------------------------------------------------------------------


def test_a_count_mean_is_printed_without_a_percent_sign():
    estimates = team_estimates([20.0, 30.0, 31.0])  # mean 27
    unit = mean_unit(TEAM_SIZE, QUESTIONS)
    assert unit == "" and mean_unit({**TEAM_SIZE, "question": "SHARE"}, QUESTIONS) == "%"
    assert mean_unit({"column": "deployed_share"}, QUESTIONS) == "%"  # a ratio: 100·a/b
    caption = estimate_caption(
        TEAM_SIZE,
        estimates,
        number=1,
        interval="percentile",
        synthetic=False,
        paper=False,
        mean_unit=unit,
    )
    assert "Mean of the answers: 27.0." in caption and "27.00%" not in caption
    fig = estimate_bars(
        estimates,
        title=TEAM_SIZE["title"],
        n=3,
        interval="percentile",
        paper_label="Team size",
        figure_number=1,
        mean_unit=unit,
    )
    notes = [text for text in all_text(fig) if text.startswith("Mean of the answers")]
    assert notes and notes[0].startswith("Mean of the answers: 27.0 [20.0, 31.0].")
    share = estimate_caption(
        TEAM_SIZE, estimates, number=1, interval="percentile", synthetic=False, paper=False
    )
    assert "Mean of the answers: 27.00%." in share  # a percentage keeps its unit


def test_no_caption_says_the_papers_figure_unless_it_reproduces_one():
    estimates = team_estimates([3.0, 20.0, 30.0, 10.0])
    spec = {"paper_label": "RQ2", "title": "Problems", "phase": "deployment"}
    summary = {"respondents": 4, "statements": 6}
    panel = {"kind": "likert", "question": "Q2", "title": "Relevance"}
    own = [
        estimate_caption(
            TEAM_SIZE, estimates, number=11, interval="paper", synthetic=False, paper=False
        ),
        fishbone_caption(spec, summary, number=6, synthetic=False, paper=False),
        panel_caption(panel, 4, number=2, synthetic=False, paper=False),
    ]
    assert own[0].startswith("**Figure 11 (Team size).** People in the respondent's project.")
    assert own[1].startswith("**Figure 6 (RQ2).**") and own[2].startswith("**Figure 2.**")
    assert not [text for text in own if "paper's" in text]
    reproduced = [
        estimate_caption(
            TEAM_SIZE, estimates, number=4, interval="percentile", synthetic=False, paper=True
        ),
        fishbone_caption(spec, summary, number=6, synthetic=False, paper=True),
        panel_caption(panel, 4, number=2, synthetic=False, paper=True),
    ]
    assert reproduced[0].startswith("**Figure 4 (the paper's Fig. 4, Team size).**")
    assert "reproduction check" in reproduced[0]
    assert reproduced[1].startswith("**Figure 6 (the paper's Fig. 6, RQ2).**")
    assert reproduced[2].startswith("**Figure 2 (the paper's Fig. 2).**")


def test_every_analysis_gets_a_figure_named_after_it_unless_it_says_null():
    assert figure_id("team_size", TEAM_SIZE) == "fig_team_size"
    assert figure_id("rq1_1", {"figure": "fig4"}) == "fig4"
    assert figure_id("team_size", {**TEAM_SIZE, "figure": None}) is None
    # The paper's figures by number, then a study's own in the order its config gives them
    # (a drafted config's order is the questionnaire's, and renaming one keeps its place).
    ids = ["fig_team_size", "fig10", "fig2", "fig_budget"]
    assert sort_figures(ids) == ["fig2", "fig10", "fig_team_size", "fig_budget"]
    assert figure_numbers(ids) == {"fig2": 2, "fig10": 10, "fig_team_size": 11, "fig_budget": 12}
    assert figure_numbers(["fig_team_size", "fig_budget"]) == {"fig_team_size": 1, "fig_budget": 2}


# --- the study block ----------------------------------------------------------------------------


def test_the_study_block_and_its_old_string_form():
    default = yaml.safe_load((ROOT / "config/config.yaml").read_text())["study"]
    assert default["paper_doi"] == PAPER_DOI and default["authors"]
    old = study_settings("My survey")
    assert old["title"] == "My survey" and old["paper_doi"] is None and old["authors"] == []
    check_study(study_settings(default), default)  # the reproduction itself
    check_study(study_settings(PILOT_STUDY), default)  # a study of its own, all of it
    # Only the title given: the rest merged in from the default describes the paper.
    with pytest.raises(InputError) as error:
        check_study(study_settings({**default, "title": "My survey"}), default)
    message = str(error.value)
    assert "description, authors, keywords, paper_doi" in message
    assert "paper_doi: null when there is no paper" in message


def test_the_country_question_comes_from_config_or_the_demographics_panel():
    panels = {"fig1": {"kind": "demographics", "countries": "D1", "roles": "ROLE"}}
    assert country_question({}, panels, QUESTIONS) == "D1"
    assert country_question({"country_question": None}, panels, QUESTIONS) is None
    assert country_question({"country_question": "ROLE"}, {}, QUESTIONS) == "ROLE"
    assert country_question({}, {}, QUESTIONS) is None
    with pytest.raises(InputError, match="'TEAM', which is not a single_choice question"):
        country_question({"country_question": "TEAM"}, {}, QUESTIONS)


# --- the deposit's texts ------------------------------------------------------------------------


def test_the_deposit_texts_give_the_runs_n_and_countries(tmp_path):
    pd.DataFrame({"d1": ["Brazil", "Austria", None, "Brazil", "Chile"]}).to_csv(
        tmp_path / "responses.csv", index=False
    )
    facts = run_facts({"rows_kept": 5}, tmp_path / "responses.csv", "d1")
    assert facts == RunFacts(responses=5, countries=3)
    assert facts.sentence() == "This run analysed 5 complete responses from 3 countries."
    assert RunFacts(1).sentence() == "This run analysed 1 complete response."

    citation = study_citation(
        study_settings(PILOT_STUDY), facts, workflow=WORKFLOW_CFF, reproduction=False
    )
    assert citation["type"] == "dataset" and citation["title"] == PILOT_STUDY["title"]
    assert citation["abstract"].endswith("5 complete responses from 3 countries.")
    assert citation["authors"][0] == {
        "family-names": "Mendez",
        "given-names": "Daniel",
        "affiliation": "Blekinge Institute of Technology",
    }
    # A study of its own cites the workflow by name; its full title names the reproduced paper.
    assert citation["references"][0]["title"] == "surveyflow"
    assert yaml.safe_load(citation_text(citation)) == citation
    metadata = zenodo_metadata(
        citation,
        synthetic=False,
        related_identifiers=related_identifiers(PILOT_STUDY, reproduction=False),
        data_license="CC-BY-4.0",
        code_license="MIT",
    )
    assert metadata["creators"][0]["name"] == "Mendez, Daniel"
    assert "related_identifiers" not in metadata and metadata["license"] == "cc-by-4.0"
    assert metadata["notes"].endswith(
        "code and configuration MIT; data, tables and figures CC-BY-4.0."
    )
    readme = deposit_readme(
        metadata, synthetic=False, zips={}, columns=["d1"], redactions=0,
        data_license="CC-BY-4.0", code_license="MIT",
    )  # fmt: skip
    assert readme.startswith(f"# {PILOT_STUDY['title']}")
    assert (
        "5 complete responses from 3 countries" in readme
        and "Code and configuration: MIT" in readme
    )
    texts = [citation_text(citation), json.dumps(metadata), readme]
    assert not [word for text in texts for word in PAPER_WORDS if word in text]


def test_the_paper_doi_is_referenced_by_a_reproduction_and_supplemented_otherwise():
    study = {"paper_doi": "10.1000/xyz"}
    extra = [
        {"identifier": "10.1000/xyz", "relation": "cites"},
        {"identifier": "10.2/a", "relation": "cites"},
    ]
    assert related_identifiers(study, extra, reproduction=True) == [
        {"identifier": "10.1000/xyz", "relation": "references", "scheme": "doi"},
        {"identifier": "10.2/a", "relation": "cites"},
    ]
    assert related_identifiers(study, reproduction=False)[0]["relation"] == "isSupplementTo"
    with pytest.raises(InputError, match="study.authors is empty"):
        study_citation(
            study_settings("Untitled"), RunFacts(3), workflow=WORKFLOW_CFF, reproduction=False
        )


def render_home_page(config: dict) -> str:
    """report/workflow.rst as `snakemake --report` renders it (same Jinja settings)."""
    template = (ROOT / "report/workflow.rst").read_text(encoding="utf-8")
    snakemake_object = type("Snakemake", (), {"config": config})
    env = Environment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(template).render(snakemake=snakemake_object)


def test_the_reports_home_page_is_the_studys():
    own = render_home_page(
        {"study": study_settings(PILOT_STUDY), "synthetic": False, "paper_reference": None}
    )
    assert own.startswith(f"**{PILOT_STUDY['title']}**") and PILOT_STUDY["description"] in own
    assert "paper" not in own.replace("``paper``", "")
    default = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    reproduction = render_home_page({**default, "study": study_settings(default["study"])})
    assert "The input is the synthetic default export" in reproduction
    assert "check of the paper's published numbers" in reproduction


# --- the workflow -------------------------------------------------------------------------------


def test_a_study_of_its_own_says_its_own_words_everywhere(tmp_path):
    """The real pilot export with a study block of its own and an analysis without `figure:`:
    the archive and the figures say the pilot's title, N and countries, never the paper's."""
    data = DATA / "efs-napire-pilot/data_project_400193_2017_09_13.csv"
    workdir, config = _pilot_project(tmp_path, data)
    config["study"] = PILOT_STUDY
    config["analyses"]["team_size"] = TEAM_SIZE  # no `figure:` key: fig_team_size
    config["bootstrap"] = {"resamples": 200}
    run = snakemake(workdir, "--cores", "2", "archive", "fig_team_size", config=config)
    assert run.returncode == 0, run.output
    results = workdir / "results"
    assert {p.name for p in (results / "figures").iterdir()} == {
        "fig_team_size.pdf",
        "fig_team_size.png",
        "fig_team_size.rst",
    }
    caption = (results / "figures/fig_team_size.rst").read_text()
    # The four completed pilot interviews: team sizes 3, 20, 30, 10; four countries.
    assert caption.startswith("**Figure 1 (Team size).**") and "N = 4 respondents" in caption
    assert "Mean of the answers: 15.8." in caption

    deposit = {name: (results / "archive" / name).read_text() for name in
               ("README.md", ".zenodo.json", "CITATION.cff")}  # fmt: skip
    texts = {**deposit, "fig_team_size.rst": caption}
    assert not {
        name: [word for word in PAPER_WORDS if word in text]
        for name, text in texts.items()
        if any(word in text for word in PAPER_WORDS)
    }
    for name, text in deposit.items():
        assert PILOT_STUDY["title"] in text, name
        assert "4 complete responses from 4 countries" in text, name
    metadata = json.loads(deposit[".zenodo.json"])
    assert metadata["creators"][0] == {
        "name": "Mendez, Daniel",
        "affiliation": "Blekinge Institute of Technology",
    }
    assert "related_identifiers" not in metadata
    assert yaml.safe_load(deposit["CITATION.cff"])["type"] == "dataset"


def test_the_reproduction_still_says_what_it_said(default_run):
    results = default_run.workdir / "results"
    readme = (results / "archive/README.md").read_text()
    metadata = json.loads((results / "archive/.zenodo.json").read_text())
    citation = yaml.safe_load((results / "archive/CITATION.cff").read_text())
    title = yaml.safe_load((ROOT / "config/config.yaml").read_text())["study"]["title"]
    for text in (readme, metadata["description"], citation["abstract"]):
        assert "This run analysed 188 complete responses from 25 countries." in text
    assert f"Related (references): https://doi.org/{PAPER_DOI}" in readme
    assert metadata["title"] == f"SYNTHETIC DATA: {title}" and citation["title"] == title
    assert PAPER_DOI in metadata["notes"] and PAPER_DOI in citation["message"]
    fig4 = (results / "figures/fig4.rst").read_text()
    assert fig4.startswith("**Figure 4 (the paper's Fig. 4, RQ1.1).**")
    assert "Mean of the answers: 45.41%." in (results / "figures/fig10.rst").read_text()
    assert (
        (results / "figures/fig1.rst").read_text().startswith("**Figure 1 (the paper's Fig. 1).**")
    )
