"""The schema of config/paper_reference.yaml: the shipped file passes, a bad one stops the run.

A bad reference file used to surface only in the reproduction job, or as a bare ``KeyError``
while the rules were parsed; now it is validated with the rest of the config, before any job,
and the message names the file and the key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import ROOT, snakemake

from surveyflow.config import load_yaml, validate_against_schema
from surveyflow.configcheck import prepare_config
from surveyflow.errors import InputError
from surveyflow.estimating.paper_reference import load_reference

REFERENCE = ROOT / "config/paper_reference.yaml"
SCHEMA = ROOT / "config/schemas/paper_reference.schema.yaml"


def _shipped() -> dict:
    return yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, edit: Callable[[dict], Any]) -> Path:
    data = _shipped()
    edit(data)
    path = tmp_path / "paper_reference.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _properties(schema: dict, where: str = "") -> Iterator[tuple[str, dict]]:
    """Every named key of the schema with its subschema, nested ones included."""
    for name, sub in schema.get("properties", {}).items():
        yield f"{where}{name}", sub
        yield from _properties(sub, f"{where}{name}.")
    for part in ("additionalProperties", "items"):
        if isinstance(schema.get(part), dict):
            yield from _properties(schema[part], f"{where}*.")


def test_the_schema_is_a_draft_2020_12_schema_describing_every_key():
    schema = load_yaml(SCHEMA)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    keys = dict(_properties(schema))
    assert "tables.*.cells.*.ci" in keys
    assert [key for key, sub in keys.items() if not sub.get("description")] == []


def test_the_shipped_file_passes():
    validate_against_schema(_shipped(), SCHEMA, source=str(REFERENCE))
    reference = load_reference(REFERENCE, SCHEMA)
    assert set(reference["tables"]) == {"rq1_1", "rq1_2", "rq3_1", "rq3_2", "rq5"}
    assert reference["tables"]["rq5"]["mean"] == 45.41


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda d: d["tables"]["rq3_1"].__setitem__("n", "160"),
            "key 'tables.rq3_1.n' must be an integer, but is '160' (str)",
            id="wrong-type",
        ),
        pytest.param(
            lambda d: d.__setitem__("resamples", True),
            "key 'resamples' must be an integer, but is True (bool)",
            id="bool-is-no-integer",
        ),
        pytest.param(
            lambda d: d["tables"]["rq1_1"]["cells"][0].__setitem__("P", 59.457),
            "key 'tables.rq1_1.cells.0': Additional properties are not allowed ('P' was "
            "unexpected) (a typo?)",
            id="unknown-key",
        ),
        pytest.param(
            lambda d: d["tables"]["rq5"].__setitem__("figures", 10),
            "key 'tables.rq5': Additional properties are not allowed ('figures' was unexpected)",
            id="unknown-table-key",
        ),
        pytest.param(
            lambda d: d.pop("source"),
            "key '(top level)' is missing a required entry: 'source' is a required property",
            id="missing-key",
        ),
        pytest.param(
            lambda d: d["tables"]["rq1_2"].pop("cells"),
            "key 'tables.rq1_2' is missing a required entry: 'cells' is a required property",
            id="missing-table-key",
        ),
    ],
)
def test_a_bad_file_fails_naming_file_and_key(tmp_path, edit, expected):
    bad = _write(tmp_path, edit)
    with pytest.raises(InputError) as info:
        load_reference(bad, SCHEMA)
    message = str(info.value)
    assert message.startswith(f"file {bad}: violates the schema {SCHEMA}: ")
    assert expected in message
    assert "\n" not in message  # one paragraph


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda d: d["tables"]["rq1_2"]["cells"][1].__setitem__("label", "No"),
            "key 'tables.rq1_2.cells.1.label' repeats the label 'No'",
            id="repeated-label",
        ),
        pytest.param(
            lambda d: d["tables"]["rq5"]["cells"][0].__setitem__("p", 26.0),
            "key 'tables.rq5.cells.0.ci' [24.759, 25.171] must enclose p = 26.0",
            id="p-outside-its-interval",
        ),
    ],
)
def test_what_no_schema_says_is_checked_after_it(tmp_path, edit, expected):
    bad = _write(tmp_path, edit)
    with pytest.raises(InputError) as info:
        load_reference(bad, SCHEMA)
    assert str(info.value).startswith(f"file {bad}: {expected}")


def test_prepare_config_checks_the_reference_file(tmp_path, monkeypatch):
    """The parse-time check of the config reads the file the config names."""
    bad = _write(tmp_path, lambda d: d["tables"]["rq3_1"].__setitem__("n", 160.5))
    config: dict = {}
    for name in ("config.yaml", "analyses.yaml", "archive.yaml"):
        config.update(yaml.safe_load((ROOT / "config" / name).read_text(encoding="utf-8")))
    config["paper_reference"] = str(bad)
    monkeypatch.chdir(ROOT)  # the config's other paths are relative to the project
    with pytest.raises(InputError) as info:
        prepare_config(config, ROOT, source="my.yaml")
    assert f"file {bad}: violates the schema" in str(info.value)
    assert "key 'tables.rq3_1.n' must be an integer, but is 160.5 (float)" in str(info.value)


@pytest.mark.workflow
def test_snakemake_stops_before_any_job_naming_file_and_key(project):
    path = project / "config/paper_reference.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tables"]["rq1_1"]["cells"][2]["p"] = "23.826%"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    run = snakemake(project, "--dry-run")

    assert run.returncode != 0
    assert (
        "Error in the config: file config/paper_reference.yaml: violates the schema "
        "config/schemas/paper_reference.schema.yaml: key 'tables.rq1_1.cells.2.p' must be a "
        "number, but is '23.826%' (str)."
    ) in run.output
    assert "Traceback" not in run.output and "KeyError" not in run.output
    assert "Job stats" not in run.output and "rule " not in run.output  # no job was planned
    assert not (project / "results").exists()
