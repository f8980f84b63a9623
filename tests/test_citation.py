"""CITATION.cff files, the project's and each deposit's, checked against the format itself.

The Citation File Format's own JSON schema (tests/data/cff-1.2.0, with its attribution) is the
independent fact: a value typed wrong, a person without family names, an unknown licence id
or a malformed ORCID fails it, whatever the code that wrote the file believes.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT

from surveyflow.publishing.deposit_texts import RunFacts, study_citation
from surveyflow.study import study_settings

SCHEMA = json.loads((Path(__file__).parent / "data/cff-1.2.0/schema.json").read_text())


def cff_problems(citation: dict) -> list[str]:
    # YAML reads date-released as a date; the schema wants the ISO string it was written as.
    data = json.loads(json.dumps(citation, default=str))
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_the_projects_citation_cff_is_valid_cff():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff_problems(citation) == []


def test_the_schema_catches_what_a_hand_edit_gets_wrong():
    """The check can fail: each of these edits breaks the format."""
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for edit in (
        {"cff-version": "1.2"},
        {"license": "MIT License"},
        {"authors": [{"family-names": "Doe", "orcid": "0000-0001"}]},
        {"type": "paper"},
    ):
        assert cff_problems({**citation, **edit}), edit


WORKFLOW = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
DEFAULT_STUDY = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))["study"]
OWN_STUDY = {
    "title": "Team sizes in requirements engineering",
    "description": "A survey of 300 practitioners.",
    "authors": [
        {"name": "Mendez, Daniel", "affiliation": "BTH", "orcid": "0000-0003-0619-6027"},
        {"name": "The NaPiRE team"},
    ],
    "keywords": ["requirements engineering"],
    "license": "CC-BY-4.0",
    "paper_doi": None,
}


@pytest.mark.parametrize(
    ("study", "reproduction", "facts"),
    [
        (DEFAULT_STUDY, True, RunFacts(responses=188, countries=25)),
        (OWN_STUDY, False, RunFacts(responses=4, countries=None)),
    ],
)
def test_every_deposits_citation_cff_is_valid_cff(study, reproduction, facts):
    citation = study_citation(
        study_settings(study), facts, workflow=WORKFLOW, reproduction=reproduction
    )
    assert cff_problems(citation) == []
    # A person is split into family and given names; a team stays one name (CFF's entity).
    if study is OWN_STUDY:
        assert citation["authors"][0]["family-names"] == "Mendez"
        assert citation["authors"][0]["orcid"] == "https://orcid.org/0000-0003-0619-6027"
        assert citation["authors"][1] == {"name": "The NaPiRE team"}
