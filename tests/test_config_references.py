"""What the config names must exist: an error at parse time, naming the file, key and item.

Before, a panel naming a question the questions map lacked crashed a figure job with a bare
`KeyError: 'q2_monitoring'` and an empty log. Now `snakemake` stops before any job starts.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT, snakemake

from surveyflow.config import load_questions
from surveyflow.configcheck import check_references
from surveyflow.errors import InputError

QSCHEMA = ROOT / "config/schemas/questions.schema.yaml"


def _config() -> dict:
    config = {}
    for name in ("config.yaml", "analyses.yaml", "archive.yaml"):
        config.update(yaml.safe_load((ROOT / "config" / name).read_text(encoding="utf-8")))
    return config


def _questions():
    return load_questions(ROOT / "config/questions.yaml", QSCHEMA)


def test_the_shipped_config_names_only_what_exists():
    check_references(_config(), _questions(), source="config")  # raises on any problem


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda c: c["figures"]["panels"]["fig2"].update(question="Q2x"),
            "figures.panels.fig2.question names question 'Q2x', which the questions map lacks",
        ),
        (
            lambda c: c["figures"]["panels"]["fig2"]["items"].update(testing="Testing"),
            "figures.panels.fig2.items names 'testing', not item(s) of Q2 "
            "(its items: deployment, monitoring)",
        ),
        (
            lambda c: c["figures"]["panels"]["fig1"].update(roles="D7"),
            "figures.panels.fig1.roles names D7, a count question; it needs single_choice",
        ),
        (
            lambda c: c["subgroups"]["rq3_2_by_role"].update(by="D9"),
            "subgroups.rq3_2_by_role.by names question 'D9'",
        ),
        (
            lambda c: c["subgroups"]["rq3_2_by_role"].update(analysis="rq9"),
            "subgroups.rq3_2_by_role.analysis names analysis 'rq9', which is not configured",
        ),
        (
            lambda c: c["archive"]["columns"].append("Q99"),
            "archive.columns names 'Q99': neither a column of the clean responses nor a "
            "question id",
        ),
        (lambda c: c.update(coding=None), "`coding` (the coding sheet) is not"),
    ],
)
def test_a_name_the_questions_map_lacks_is_a_config_error(change, expected):
    config = _config()
    change(config)
    with pytest.raises(InputError) as caught:
        check_references(config, _questions(), source="my.yaml")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("file my.yaml: ")


def test_every_problem_is_listed_at_once():
    config = _config()
    config["figures"]["panels"]["fig2"]["question"] = "Q2x"
    config["archive"]["columns"].append("Q99")
    with pytest.raises(InputError) as caught:
        check_references(config, _questions(), source="my.yaml")
    assert "fig2.question" in str(caught.value) and "'Q99'" in str(caught.value)


@pytest.mark.workflow
def test_snakemake_stops_before_any_job_naming_the_users_config_file(project):
    """The user's own --configfile is named, with the key and the missing question."""
    run = snakemake(
        project,
        "--dry-run",
        config={"figures": {"panels": {"fig3": {"question": "Q3_missing"}}}},
    )
    assert run.returncode != 0
    assert "test-config.yaml" in run.output
    assert "figures.panels.fig3.question names question 'Q3_missing'" in run.output
    assert "KeyError" not in run.output and "Traceback" not in run.output
    assert not (project / "results").exists()  # no job ran


@pytest.mark.workflow
def test_an_analysis_error_names_the_users_config_file(project):
    run = snakemake(project, "--dry-run", config={"analyses": {"rq1_1": {"question": "Q99"}}})
    assert run.returncode != 0
    assert "test-config.yaml" in run.output
    assert "analysis 'rq1_1', key 'question': unknown question 'Q99'" in run.output
