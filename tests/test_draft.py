"""A drafted config: inferred from the export alone, it runs end to end with no line written.

The end-to-end tests use the real NaPiRE pilot export (tests/data/efs-napire-pilot) as
published, and the same data written in the labels shape without its codebook. Expected
counts are computed here from the raw file with the csv module, independently of the workflow.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import copy_project, snakemake
from exportgen import PILOT_CODEBOOK, PILOT_DATA, write_labels_export

from surveyflow import reading as readers
from surveyflow.drafting.draft import draft_questions
from surveyflow.drafting.draft_yaml import draft_config, render
from surveyflow.reading.efs_files import read_codebook, read_export

PILOT_QUESTIONS = 68  # drafted from the pilot with its codebook (see the first test)
PAPER_WORDS = ("188", "25 countries", "10.5281/zenodo.10092394", "the paper's fig")


def _raw_pilot() -> list[dict[str, str]]:
    with PILOT_DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _draft(workdir: Path, data: Path, codebook: Path | None) -> dict:
    book = "null" if codebook is None else str(codebook)
    run = snakemake(
        workdir, "draft_config", "--config", f"export={{data: {data}, codebook: {book}}}"
    )
    assert run.returncode == 0, run.output[-3000:]
    return yaml.safe_load((workdir / "results/draft/config.yaml").read_text(encoding="utf-8"))


def _run_draft(workdir: Path):
    return snakemake(
        workdir, "--cores", "2", "--configfile", "results/draft/config.yaml", timeout=900
    )


def _check_every_analysis_has_its_outputs(workdir: Path, config: dict) -> list[str]:
    own = {name: spec for name, spec in config["analyses"].items() if spec}
    panels = {fig: spec for fig, spec in config["figures"]["panels"].items() if spec}
    assert own, "the draft has no analysis"
    for name in own:
        assert (workdir / f"results/{name}/estimates.csv").is_file(), name
        for ext in ("pdf", "png", "rst"):
            assert (workdir / f"results/figures/fig_{name}.{ext}").stat().st_size > 0, name
    for fig in panels:
        assert (workdir / f"results/figures/{fig}.png").stat().st_size > 0, fig
    return list(own)


def _no_paper_words(workdir: Path) -> None:
    """Run on another survey, nothing under results/ speaks of the paper's study."""
    for path in (workdir / "results").rglob("*"):
        if path.is_file() and path.suffix in (".md", ".json", ".rst", ".cff", ".yaml", ".csv"):
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            for words in PAPER_WORDS:
                if words == "188":
                    assert not re.search(r"\b188 (complete|respond)", text), path
                else:
                    assert words not in text, (path, words)


@pytest.mark.workflow
def test_the_pilot_export_runs_end_to_end_from_its_draft(tmp_path):
    workdir = copy_project(tmp_path / "project")
    config = _draft(workdir, PILOT_DATA, PILOT_CODEBOOK)
    assert len(config["questions"]) == PILOT_QUESTIONS
    # What the codebook says, drafted: a question id, the type, the other-text field.
    assert config["questions"]["q_4381437"]["type"] == "multiple_choice"
    assert config["questions"]["q_4381437"]["other_text"] == "v_15"
    assert config["questions"]["q_4381425"] == {"type": "count", "variable": "v_3"}
    assert config["questions"]["q_4386791"]["type"] == "likert"
    # The e-mail question is personal: not in the map, so not past ingest.
    assert all("v_298" not in str(spec) for spec in config["questions"].values())
    assert config["paper_reference"] is None and config["coding"] is None
    assert all(config["analyses"][name] is None for name in ("rq1_1", "rq3_2", "rq5"))

    run = _run_draft(workdir)
    assert run.returncode == 0, run.output[-4000:]
    analyses = _check_every_analysis_has_its_outputs(workdir, config)
    assert len(analyses) >= 20

    # Counts of the raw file, among completed interviews (dispcode 31/32).
    completed = [r for r in _raw_pilot() if r["dispcode"] in ("31", "32")]
    manifest = pd.read_json(workdir / "results/ingest/manifest.json", typ="series")
    assert manifest["rows_kept"] == len(completed) == 4
    distributed = pd.read_csv(workdir / "results/q_4381446/estimates.csv")
    answers = [r["v_16"] for r in completed if r["v_16"] in ("1", "2", "3")]
    shares = distributed[distributed["ci_method"] == "percentile"].set_index("label")
    assert shares["n"].iloc[0] == len(answers)
    for code, label in (("1", "Yes"), ("2", "No"), ("3", "I don't know")):
        assert shares.loc[label, "count"] == answers.count(code)
    _no_paper_words(workdir)


@pytest.mark.workflow
def test_a_labels_export_of_the_pilot_without_codebook_runs_from_its_draft(tmp_path):
    workdir = copy_project(tmp_path / "project")
    labels = write_labels_export(
        read_export(PILOT_DATA).frame,
        read_codebook(PILOT_CODEBOOK),
        workdir / "data/raw/pilot-labels.csv",
        encoding="latin-1",
    )
    config = _draft(workdir, labels, None)
    assert config["export"]["shape"] == "labels" and config["export"]["codebook"] is None
    # Without a codebook, ids are variable names and levels are written out.
    team = config["questions"]["v_3"]
    assert team == {"type": "count", "variable": "v_3"}
    mc = next(q for q in config["questions"].values() if "v_6" in q.get("options", {}))
    assert mc["type"] == "multiple_choice"

    run = _run_draft(workdir)
    assert run.returncode == 0, run.output[-4000:]
    _check_every_analysis_has_its_outputs(workdir, config)
    completed = [r for r in _raw_pilot() if r["dispcode"] in ("31", "32")]
    manifest = pd.read_json(workdir / "results/ingest/manifest.json", typ="series")
    assert manifest["rows_kept"] == len(completed)
    clean = pd.read_csv(workdir / "results/clean/responses.csv", dtype=str)
    mc_id = next(k for k, q in config["questions"].items() if "v_6" in q.get("options", {}))
    ticked = clean[f"{mc_id.lower()}_v_6"].map({"True": 1, "False": 0}).sum()
    assert ticked == sum(r["v_6"] == "1" for r in completed)
    _no_paper_words(workdir)


# ------------------------------------------------------------------- inference, by hand


def _minimal_config(draft) -> dict:
    """The drafted config of a hand-made draft, with nothing else to switch off."""
    return draft_config(
        draft,
        data="x.csv",
        codebook=None,
        detected={},
        title="t",
        defaults={},
        dispcodes=[31],
        known_dispcodes=[31],
        answers={},
    )


def _tiny_labels_export(tmp_path: Path) -> Path:
    header = [
        ["", "", "Tools?", "Tools?", "Tools?", "Team size?", "Share monitored (%)?", "Mail?"],
        ["", "", "CI", "Other", "Other", "Size", "Share", "E-mail"],
        ["lfdn", "dispcode", "v_1", "v_2", "v_3", "v_4", "v_5", "v_6"],
    ]
    body = [
        ["1", "Completed (31)", "quoted", "not quoted", "-99", "5", "50%", "a@example.org"],
        ["2", "Completed (31)", "not quoted", "quoted", "Jenkins", "3-5", "20", "-99"],
        ["3", "Completed (31)", "quoted", "not quoted", "-99", "about 10", "80 %", "b@example.org"],
        ["4", "Suspended (22)", "not quoted", "not quoted", "-99", "12", "-99", "-99"],
    ]
    path = tmp_path / "tiny.csv"
    path.write_text("\n".join(";".join(r) for r in [*header, *body]) + "\n", encoding="utf-8")
    return path


def test_types_are_inferred_from_a_labels_export_alone(tmp_path):
    export = readers.read(_tiny_labels_export(tmp_path), {})
    draft = draft_questions(export, [-77, -66, -99])
    specs = {q.id: q.spec for q in draft.questions}
    assert specs["v_1"] == {
        "type": "multiple_choice",
        "options": {"v_1": "v_1", "v_2": "v_2"},
        "other_text": "v_3",
        "other_option": "v_2",
    }
    assert specs["v_4"] == {"type": "count", "variable": "v_4"}
    assert specs["v_5"] == {"type": "percentage", "variable": "v_5"}
    assert [name for name, _ in draft.personal] == ["v_6"]
    assert draft.metadata == ["lfdn", "dispcode"]


def test_the_rendered_draft_reads_back_as_the_config_it_renders(tmp_path):
    export = readers.read(_tiny_labels_export(tmp_path), {})
    draft = draft_questions(export, [-77, -66, -99])
    config = draft_config(
        draft,
        data="tiny.csv",
        codebook=None,
        detected={"shape": "labels", "encoding": "utf-8", "separator": ";"},
        title="A tiny survey: yes, no",
        defaults={"analyses": ["rq1_1"], "panels": ["fig1"]},
        dispcodes=[22, 31],
        known_dispcodes=[31, 32],
        answers={"v_4": ["5", "3-5", "about 10", "12"]},
    )
    text = render(config, draft)
    assert yaml.safe_load(text) == config
    assert "# Tools?" in text and "# Left out as personal data" in text
    assert config["analyses"]["rq1_1"] is None and config["figures"]["panels"]["fig1"] is None
    # The answers parse as 5, 4 (the midpoint of 3-5), 10 and 12: every one inside the bins,
    # none of the bins below them all.
    analysis = config["analyses"]["v_4"]
    assert analysis["bins"] == [4, 5, 10, 12]
    assert analysis["labels"] == ["[4, 5)", "[5, 10)", "[10, 12]"]


def test_yaml_words_stay_strings_in_the_draft():
    """Level labels such as Yes/No/On must not come back as booleans."""
    from surveyflow.drafting.draft import Draft, DraftQuestion

    question = DraftQuestion(
        "q1", {"type": "single_choice", "variable": "v_1", "levels": ["Yes", "No", "on"]}, "Q?"
    )
    question.levels = ["Yes", "No", "on"]
    draft = Draft([question], [], [])
    config = _minimal_config(draft)
    back = yaml.safe_load(render(config, draft))
    assert back["questions"]["q1"]["levels"] == ["Yes", "No", "on"]
    assert list(back["analyses"]["q1"]["labels"]) == ["Yes", "No", "on"]


def test_a_codebook_no_choice_level_is_a_missing_code_not_a_level():
    """The pilot's country drop-down has "- Please select a country -" as code 233."""
    export = readers.read(PILOT_DATA, {"codebook": str(PILOT_CODEBOOK)})
    draft = draft_questions(export, [-77, -66, -99])
    country = next(q for q in draft.questions if q.spec.get("variable") == "v_23")
    assert country.id == "q_4381600"
    assert country.spec["missing"][0] == "233"
    assert "- Please select a country -" not in country.levels
    assert country.observed and set(country.observed) <= set(country.levels)


FINAL = Path(__file__).parent / "data" / "efs-napire-final"


@pytest.mark.workflow
def test_the_real_final_napire_export_drafts_and_reads_its_mis_decoded_labels(tmp_path):
    """1,051 real interviews, labels shape, with the real codebook of filters and visibility
    rules: the draft reads them, and the language question's labels, mis-decoded in the
    export ("EspaÌ±ol"), are matched to the codebook's ("Español")."""
    workdir = copy_project(tmp_path / "project")
    data = FINAL / "data_project_400193_2018_02_05.csv"
    config = _draft(workdir, data, FINAL / "codebook_project_400193_2018_02_05.csv")
    assert config["export"]["shape"] == "labels"
    assert config["questions"]["q_4423504"] == {"type": "single_choice", "variable": "v_300"}
    run = snakemake(
        workdir,
        "results/q_4423504/estimates.csv",
        "--cores",
        "2",
        "--configfile",
        "results/draft/config.yaml",
    )
    assert run.returncode == 0, run.output[-3000:]
    with data.open(encoding="latin-1", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    names = rows[2]
    completed = [
        dict(zip(names, r, strict=True))
        for r in rows[3:]
        if r[names.index("dispcode")].endswith(("(31)", "(32)"))
    ]
    assert len(completed) == 424 + 64
    spelled = {"English": "English", "EspaÌ±ol": "Español", "PortuguÌ»s": "Português"}
    expected = {label: 0 for label in spelled.values()}
    for row in completed:
        expected[spelled[row["v_300"]]] += 1
    table = pd.read_csv(workdir / "results/q_4423504/estimates.csv")
    shares = table[table["ci_method"] == "percentile"].set_index("label")["count"]
    assert shares.to_dict() == expected


def test_long_option_labels_are_shortened_and_stay_distinct():
    """Figures key their rows by display name: two options alike for 40 characters differ."""
    from surveyflow.drafting.draft import Draft, DraftQuestion

    long = "We elicit and / or refine requirements with the customer"
    spec = {"type": "multiple_choice", "options": {"v_28": "v_28", "v_29": "v_29"}}
    question = DraftQuestion("q1", spec, "How?", [], {"v_28": f"{long} (a)", "v_29": f"{long} (b)"})
    config = _minimal_config(Draft([question], [], []))
    names = list(config["analyses"]["q1"]["labels"].values())
    assert len(set(names)) == 2 and all(len(name) <= 36 for name in names)
    assert names[0].startswith("We elicit and / or refine")
