"""`draft_config` on an export of each survey tool, then the drafted config run as it is
(to its clean table and an analysis of each statistic).

The exports are the shared-respondent forms of ``tests/data/survey-forms/`` (one per tool);
the command is the README's, with no line written by hand. Checked against independent
facts: the generator's own questions map of the form (which variable is which kind of
question, written from the questionnaire, not from any draft) and the respondents table
(how many interviews are complete).
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import formgen
import pytest
import yaml
from conftest import copy_project, snakemake

# One form per tool: the file each gives draft_config.
TOOLS = {
    "efs": "efs-labels",
    "spss": "spss",
    "stata": "stata",
    "qualtrics": "qualtrics-values",
    "limesurvey": "limesurvey-full",
}
# What a draft may call a question the questionnaire calls otherwise, and why it cannot know:
# a Likert matrix of one item is a single choice; a count question's free text is a count.
SAME_KIND = {("likert", "single_choice"), ("single_choice", "likert")}


def _data_file(form: str) -> str:
    return next(p.name for p in (formgen.FORMS_DIR / form).iterdir() if p.name != "config.yaml")


def _draft_and_run(tool: str, base: Path):
    form = TOOLS[tool]
    workdir = copy_project(base / tool)
    (workdir / "data/raw/mine").mkdir(parents=True)
    shutil.copy2(formgen.FORMS_DIR / form / _data_file(form), workdir / "data/raw/mine")
    export = f"export={{data: data/raw/mine/{_data_file(form)}, codebook: null}}"
    draft = snakemake(workdir, "draft_config", "--config", export)
    if draft.returncode != 0:
        return draft, None
    shutil.copy2(workdir / "results/draft/config.yaml", workdir / "mine.yaml")
    # The clean table and one drafted analysis of each statistic (and so ingest, validation,
    # cleaning, the bootstrap): the whole of a drafted config, figures included, is run by
    # the pilot's draft test (tests/test_draft.py); every job here costs a Python start-up.
    analyses = yaml.safe_load((workdir / "mine.yaml").read_text())["analyses"]
    targets = ["results/clean/responses.csv"] + [
        f"results/{name}/estimates.csv" for name in _one_per_statistic(analyses)
    ]
    return draft, snakemake(workdir, "--cores", "2", *targets, "--configfile", "mine.yaml")


def _one_per_statistic(analyses: dict) -> list[str]:
    first: dict[str, str] = {}
    for name, spec in analyses.items():
        if spec:
            first.setdefault(spec["statistic"], name)
    return list(first.values())


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    base = tmp_path_factory.mktemp("draft-tools")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(lambda tool: (tool, _draft_and_run(tool, base)), TOOLS))


def _kinds(questions: dict) -> dict[str, str]:
    """Export variable -> question type, over a questions map."""
    out = {}
    for spec in questions.values():
        if spec["type"] == "multiple_choice":
            names = list(spec["options"].values())
        else:
            names = list((spec.get("items") or {}).values()) or [spec["variable"]]
        out |= {name: spec["type"] for name in names}
    return out


@pytest.mark.workflow
@pytest.mark.xdist_group("draft-tools")
@pytest.mark.parametrize("tool", list(TOOLS))
def test_a_drafted_config_of_each_tool_runs_as_it_is(drafted, tool):
    draft, run = drafted[tool]
    assert draft.returncode == 0, draft.output[-3000:]
    assert run is not None and run.returncode == 0, run.output[-3000:]
    manifest = json.loads((run.workdir / "results/ingest/manifest.json").read_text())
    respondents = formgen.load_respondents()
    assert manifest["tool"] == tool
    assert manifest["rows_kept"] == sum(r["status"] == "completed" for r in respondents)
    analyses = yaml.safe_load((run.workdir / "mine.yaml").read_text())["analyses"]
    statistics = {spec["statistic"] for spec in analyses.values() if spec}
    # Every kind of question the questionnaire has: shares of options, of levels, of bins.
    assert {"share_selected", "share_per_level", "share_per_bin"} <= statistics
    for name in _one_per_statistic(analyses):
        assert (run.workdir / f"results/{name}/estimates.csv").is_file(), name


@pytest.mark.workflow
@pytest.mark.xdist_group("draft-tools")
@pytest.mark.parametrize("tool", list(TOOLS))
def test_the_draft_types_each_variable_as_the_questionnaire_does(drafted, tool):
    draft, run = drafted[tool]
    assert run is not None, draft.output[-3000:]
    drafted_kinds = _kinds(yaml.safe_load((run.workdir / "mine.yaml").read_text())["questions"])
    form = yaml.safe_load((formgen.FORMS_DIR / TOOLS[tool] / "config.yaml").read_text())
    wrong = []
    for variable, kind in _kinds(form["questions"]).items():
        found = drafted_kinds.get(variable)
        # LimeSurvey's "other" option has no column of its own: its text column is the option.
        if found is None and variable in {s.get("other_text") for s in form["questions"].values()}:
            continue
        if found != kind and (found, kind) not in SAME_KIND:
            wrong.append((variable, kind, found))
    assert not wrong, f"(variable, questionnaire, draft): {wrong}"
