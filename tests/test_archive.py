"""The archive bundle: personal data kept out, deterministic zips, manifest, Zenodo metadata."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import DATA, ROOT, copy_project, snakemake

from surveyflow.config import Question, load_questions, load_yaml
from surveyflow.errors import InputError
from surveyflow.pii import redact_text, scan_text, scrub_table
from surveyflow.publishing.archive import allowed_columns, manifest, stop_on_findings, write_zip
from surveyflow.publishing.deposit_texts import deposit_readme, zenodo_metadata
from surveyflow.publishing.zenodo import MAX_FILES, SYNTHETIC_MARK, file_digests

ARCHIVE_FILES = [
    ".zenodo.json",
    "CITATION.cff",
    "README.md",
    "config.zip",
    "data.zip",
    "environment.zip",
    "manifest.csv",
    "results.zip",
]
# Runs in copies of a built project: absolute library paths differ between copies, so only
# modification times decide what is out of date.
TRIGGERS = ("--rerun-triggers", "mtime")


# --- helpers shared with test_zenodo.py ---------------------------------------------------------


def prepare(workdir: Path) -> Path:
    """Give a copy made by conftest.copy_project what the archive needs: CITATION.cff,
    requirements.txt, and the archive's configfile and rules if the Snakefile lacks them."""
    for name in ("CITATION.cff", "requirements.txt"):
        if not (workdir / name).exists():
            shutil.copy2(ROOT / name, workdir / name)
    snakefile = workdir / "Snakefile"
    text = snakefile.read_text()
    if "config/archive.yaml" not in text:
        first_include = text.index("include:")
        text = (
            text[:first_include] + 'configfile: "config/archive.yaml"\n\n\n' + text[first_include:]
        )
    if "rules/archive.smk" not in text:
        text += '\n\ninclude: "rules/archive.smk"\n'
    snakefile.write_text(text)
    return workdir


_BUILT: dict[str, Path] = {}


def built_project(factory: pytest.TempPathFactory, default_run) -> Path:
    """The project with its bundle built on the synthetic default, once per test process: a
    copy of the shared default run (whose default target includes the archive)."""
    if "default" not in _BUILT:
        workdir = clone(default_run.workdir, factory.mktemp("archive") / "project")
        assert (workdir / "results/archive/manifest.csv").is_file()
        _BUILT["default"] = workdir
    return _BUILT["default"]


def clone(built: Path, dest: Path) -> Path:
    """A copy of a built project (results and .snakemake included, modification times kept)."""
    shutil.copytree(built, dest, symlinks=True)
    return dest


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="session")
def bundle_project(tmp_path_factory, default_run) -> Path:
    return built_project(tmp_path_factory, default_run)


# --- scanning free text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("write to respondent-a@example.org please", "email", "respondent-a@example.org"),
        (
            "Max.Mustermann+survey@uni-stuttgart.de",
            "email",
            "Max.Mustermann+survey@uni-stuttgart.de",
        ),
        ("call +49 89 1234 5678 after 5", "phone", "+49 89 1234 5678"),
        ("(555) 123-4567", "phone", "(555) 123-4567"),
        ("my number: 089 1234567", "phone", "089 1234567"),
        ("0049-89-123456", "phone", "0049-89-123456"),
        ("see https://example.org/our-mlops?x=1", "url", "https://example.org/our-mlops?x=1"),
        ("www.example.com", "url", "www.example.com"),
        ("github.com/acme/model-server", "url", "github.com/acme/model-server"),
        ("server at 192.168.10.1 is ours", "ip", "192.168.10.1"),
    ],
)
def test_scan_finds_personal_data(text, kind, found):
    assert [(k, t) for k, t, _, _ in scan_text(text)] == [(kind, found)]


@pytest.mark.parametrize(
    "text",
    [
        "3-5",
        "10+",
        "about 10",
        "1,000",
        "1.000.000",
        "2019-2021",
        "10000-20000 employees",
        "2000 or more employees",
        "2022-04-30 12:00:01",
        "45.41%",
        "0.123456789",
        "33.333333333333336",
        "Streaming job in Kafka/Flink",
        "n/a",
        "ASP.NET and Node.js",
        "Getting servers/containers from IT",
        "e.g. drift, i.e. data shift",
        "Project Leader / Project Manager",
    ],
)
def test_scan_leaves_ordinary_answers_alone(text):
    assert scan_text(text) == []


def test_redact_replaces_only_the_kinds_asked_for():
    text = "mail a@b.org or call +49 30 1234 5678"
    clean, found = redact_text(text, ["email"])
    assert clean == "mail [email removed] or call +49 30 1234 5678"
    assert [kind for kind, _ in found] == ["email", "phone"]


def test_scrub_table_redacts_emails_and_lists_the_rest():
    frame = pd.DataFrame(
        {
            "respondent_id": ["7", "9", "12"],
            "remarks": ["contact: x@y.org", "see www.example.com", "nothing"],
            "count": ["3", "4", "5"],
        }
    )
    scrubbed, findings = scrub_table(frame, "responses.csv")
    assert scrubbed.remarks.tolist() == [
        "contact: [email removed]",
        "see www.example.com",
        "nothing",
    ]
    assert [(f.respondent, f.column, f.kind, f.action) for f in findings] == [
        ("7", "remarks", "email", "redacted"),
        ("9", "remarks", "url", "stop"),
    ]
    with pytest.raises(InputError) as error:
        stop_on_findings(findings)
    message = str(error.value)
    # Where and what kind, never the value: the message goes into logs.
    assert "respondent 9, column 'remarks': URL" in message
    assert "archive.allow" in message and "x@y.org" not in message
    assert "example.com" not in message
    _, allowed = scrub_table(frame, "responses.csv", allow=["url"])
    stop_on_findings(allowed)  # allowed: no error


def test_the_pilot_export_has_exactly_its_two_email_addresses_redacted():
    """The real pilot export, every column as exported: only the e-mails are found."""
    path = DATA / "efs-napire-pilot/data_project_400193_2017_09_13.csv"
    raw = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    scrubbed, findings = scrub_table(raw, path.name, id_column="lfdn")
    assert [(f.respondent, f.column, f.kind, f.action) for f in findings] == [
        ("7", "v_298", "email", "redacted"),
        ("9", "v_298", "email", "redacted"),
    ]
    assert not scrubbed.apply(lambda col: col.str.contains("@example.org")).any().any()
    assert scrubbed.set_index("lfdn").loc["7", "v_298"] == "[email removed]"


# --- columns ------------------------------------------------------------------------------------

QUESTIONS = {
    "D1": Question(id="D1", type="single_choice", variable="v_10"),
    "Q13": Question(
        id="Q13",
        type="multiple_choice",
        options={"service": "v_60", "others": "v_63"},
        other_text="v_64",
    ),
    "AGENT": Question(id="AGENT", type="text", variable="browser"),
    "CONTACT": Question(id="CONTACT", type="text", variable="v_298"),
}
AVAILABLE = ["respondent_id", "d1", "q13_service", "q13_others", "q13_other", "agent", "contact"]


def test_columns_are_named_or_expanded_from_question_ids():
    assert allowed_columns(["respondent_id", "Q13"], AVAILABLE, QUESTIONS) == [
        "respondent_id",
        "q13_service",
        "q13_others",
        "q13_other",
    ]
    assert allowed_columns(["d1", "contact"], AVAILABLE, QUESTIONS) == ["d1", "contact"]


def test_unknown_columns_and_export_metadata_are_refused():
    with pytest.raises(InputError, match="'q99' is neither a column"):
        allowed_columns(["d1", "q99"], AVAILABLE, QUESTIONS)
    with pytest.raises(InputError, match=r"agent \(export variable browser\).*never be archived"):
        allowed_columns(["d1", "AGENT"], AVAILABLE, QUESTIONS)
    for name in ("email", "referer", "ip_address", "participant_city", "user_agent"):
        with pytest.raises(InputError, match="never be archived"):
            allowed_columns([name], [name], {})


# --- zips and manifest --------------------------------------------------------------------------


def test_zips_are_byte_identical_for_identical_content(tmp_path):
    members = {"b/two.csv": b"x,y\n1,2\n", "a/one.txt": b"hello\n"}
    write_zip(tmp_path / "1.zip", members)
    write_zip(tmp_path / "2.zip", dict(reversed(members.items())))
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "1.zip") as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["a/one.txt", "b/two.csv"]
    assert {(i.date_time, i.external_attr >> 16, i.extra) for i in infos} == {
        ((1980, 1, 1, 0, 0, 0), 0o100644, b"")
    }


def test_manifest_lists_size_sha256_md5_and_refuses_too_many_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    table = manifest(tmp_path, [tmp_path / "a.txt"])
    assert table.to_dict("records") == [
        {
            "file": "a.txt",
            "size": 3,
            "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "md5": "900150983cd24fb0d6963f7d28e17f72",
        }
    ]
    files = []
    for i in range(MAX_FILES):  # + the manifest itself: one too many
        files.append(tmp_path / f"f{i:03d}")
        files[-1].write_bytes(b"")
    with pytest.raises(InputError, match=r"101 files; Zenodo accepts at most 100"):
        manifest(tmp_path, files)


# --- metadata -----------------------------------------------------------------------------------

CITATION = {
    "cff-version": "1.2.0",
    "message": "Cite it as below.",
    "title": "A workflow",
    "abstract": "What it does.",
    "version": "1.2.0",
    "license": "MIT",
    "keywords": ["survey", "MLOps"],
    "authors": [
        {
            "family-names": "Beethoven",
            "name-particle": "van",
            "given-names": "Ludwig",
            "affiliation": "Bonn",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
        },
        {"name": "The ACME lab"},
    ],
}
RELATED = [{"identifier": "10.5281/zenodo.10092394", "relation": "references", "scheme": "doi"}]


def test_zenodo_metadata_follows_zenodos_citation_cff_mapping():
    meta = zenodo_metadata(CITATION, synthetic=False, related_identifiers=RELATED)
    assert meta == {
        "upload_type": "dataset",
        "title": "A workflow",
        "description": "What it does.",
        "creators": [
            {
                "name": "van Beethoven, Ludwig",
                "affiliation": "Bonn",
                "orcid": "0000-0002-1825-0097",
            },
            {"name": "The ACME lab"},
        ],
        "access_right": "open",
        "license": "mit",
        "keywords": ["survey", "MLOps"],
        "version": "1.2.0",
        "notes": "Cite it as below.",
        "related_identifiers": RELATED,
    }
    with pytest.raises(InputError, match="lacks abstract"):
        zenodo_metadata({**CITATION, "abstract": ""}, synthetic=False)
    with pytest.raises(InputError, match="is not an ORCID"):
        bad = {**CITATION, "authors": [{"family-names": "X", "orcid": "12"}]}
        zenodo_metadata(bad, synthetic=False)


def test_synthetic_bundles_say_so_in_their_first_line():
    meta = zenodo_metadata(CITATION, synthetic=True, data_license="CC-BY-4.0")
    assert meta["description"].splitlines()[0].startswith(SYNTHETIC_MARK)
    assert meta["title"].startswith(SYNTHETIC_MARK)
    assert "data, tables and figures CC-BY-4.0" in meta["notes"]
    zips = {"data.zip": ["results/clean/responses.csv"]}
    readme = deposit_readme(
        meta, synthetic=True, zips=zips, columns=["d1"], redactions=2, data_license="CC-BY-4.0"
    )
    assert readme.splitlines()[0].startswith(SYNTHETIC_MARK)
    real = zenodo_metadata(CITATION, synthetic=False)
    readme = deposit_readme(
        real, synthetic=False, zips=zips, columns=["d1"], redactions=0, data_license="CC0-1.0"
    )
    assert SYNTHETIC_MARK not in readme and readme.startswith("# A workflow")


def test_the_projects_citation_cff_maps_to_deposit_metadata():
    """Zenodo's mapping of the project's own CITATION.cff (whose validity against the format's
    schema tests/test_citation.py checks): licence id lower-cased, every author a creator."""
    citation = load_yaml(ROOT / "CITATION.cff")
    meta = zenodo_metadata(citation, synthetic=False)
    assert meta["license"] == citation["license"].lower()
    assert len(meta["creators"]) == len(citation["authors"])
    assert meta["keywords"] == citation["keywords"] and meta["version"] == citation["version"]


# --- the archive target -------------------------------------------------------------------------


def test_bundle_on_the_synthetic_default(bundle_project):
    folder = bundle_project / "results/archive"
    assert sorted(p.name for p in folder.iterdir()) == ARCHIVE_FILES
    table = pd.read_csv(folder / "manifest.csv")
    assert list(table.file) == [f for f in ARCHIVE_FILES if f != "manifest.csv"]
    for row in table.itertuples():
        assert file_digests(folder / row.file) == (row.size, row.sha256, row.md5)
    readme = (folder / "README.md").read_text()
    metadata = json.loads((folder / ".zenodo.json").read_text())
    assert readme.startswith(SYNTHETIC_MARK) and metadata["description"].startswith(SYNTHETIC_MARK)
    assert metadata["upload_type"] == "dataset" and metadata["version"] == "0.1.0"
    assert metadata["related_identifiers"][0]["identifier"] == "10.5281/zenodo.10092394"
    # The deposit's own CITATION.cff (a dataset, from config `study:`) cites the workflow's.
    citation, workflow = load_yaml(folder / "CITATION.cff"), load_yaml(ROOT / "CITATION.cff")
    assert (
        citation["type"] == "dataset" and citation["title"] == metadata["title"].split(": ", 1)[1]
    )
    assert citation["references"][0]["title"] == " ".join(workflow["title"].split())

    data = read_zip(folder / "data.zip")
    assert {
        "results/clean/responses.csv",
        "results/clean/cleaning_log.csv",
        "results/clean/cleaning_summary.csv",
        "results/ingest/manifest.json",
        "results/archive/redactions.csv",
    } <= set(data)
    responses = pd.read_csv(io.BytesIO(data["results/clean/responses.csv"]), dtype=str)
    config = yaml.safe_load((ROOT / "config/archive.yaml").read_text())
    expected = allowed_columns(
        config["archive"]["columns"],
        list(pd.read_csv(bundle_project / "results/clean/responses.csv", nrows=0).columns),
        load_questions(
            ROOT / "config/questions.yaml", ROOT / "config/schemas/questions.schema.yaml"
        ),
    )
    assert list(responses.columns) == expected and len(responses) == 188
    assert set(read_zip(folder / "environment.zip")) == {"requirements.txt", "environment.yml"}
    configs = read_zip(folder / "config.zip")
    assert {"config/config.yaml", "config/effective-config.yaml"} <= set(configs)
    effective = yaml.safe_load(configs["config/effective-config.yaml"])
    assert "zenodo" not in effective and effective["synthetic"] is True


def test_rebuilding_gives_byte_identical_files_and_takes_the_report_in(bundle_project, tmp_path):
    workdir = clone(bundle_project, tmp_path / "project")
    before = {p.name: p.read_bytes() for p in (workdir / "results/archive").iterdir()}
    run = snakemake(workdir, "archive", "--forcerun", "archive", *TRIGGERS)
    assert run.returncode == 0, run.output
    after = {p.name: p.read_bytes() for p in (workdir / "results/archive").iterdir()}
    assert after == before
    # Once `snakemake --report` has written the report, the bundle is rebuilt with it.
    (workdir / "results/report.html").write_text("<html>the report</html>\n")
    run = snakemake(workdir, "archive", *TRIGGERS)
    assert run.returncode == 0 and "rule archive" in run.output, run.output
    results = read_zip(workdir / "results/archive/results.zip")
    assert results["results/report.html"] == b"<html>the report</html>\n"


# --- the pilot export through config ------------------------------------------------------------

PILOT_QUESTIONS = {
    "questions": {
        "D1": {"type": "single_choice", "variable": "v_23"},
        "TEAM": {"type": "count", "variable": "v_3"},
        "ROLE_OTHER": {"type": "text", "variable": "v_18"},
        "REMARKS": {"type": "text", "variable": "v_297"},
        "CONTACT": {"type": "text", "variable": "v_298"},
    }
}


def _study_switched_off(workdir: Path) -> dict:
    """Config that switches off the paper's analyses, figures and checks (null switches an
    entry off), which name questions the pilot does not have."""
    spec = yaml.safe_load((workdir / "config/analyses.yaml").read_text())
    off: dict = {"paper_reference": None, "coding": None}
    for key, value in spec.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            off[key] = dict.fromkeys(value)
    panels = (spec.get("figures") or {}).get("panels")
    if panels:
        off["figures"] = {"panels": dict.fromkeys(panels)}
    return off


def _pilot_project(tmp_path: Path, data: Path, **archive) -> tuple[Path, dict]:
    workdir = prepare(copy_project(tmp_path / "project"))
    questions = workdir / "pilot-questions.yaml"
    questions.write_text(yaml.safe_dump(PILOT_QUESTIONS))
    config = {
        **_study_switched_off(workdir),
        "synthetic": False,
        "export": {
            "data": str(data),
            "codebook": str(DATA / "efs-napire-pilot/codebook_project_400193_2017_09_13.csv"),
        },
        "questions": str(questions),
        "cleaning": {"ratios": []},
        "archive": {
            "columns": ["respondent_id", "D1", "TEAM", "ROLE_OTHER", "REMARKS", "CONTACT"],
            **archive,
        },
    }
    return workdir, config


def _pilot_with_a_phone_number(tmp_path: Path) -> Path:
    """The pilot export with a phone number typed into respondent 9's further remarks."""
    source = DATA / "efs-napire-pilot/data_project_400193_2017_09_13.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("lfdn")] == "9":
            row[header.index("v_297")] = "happy to talk: +49 711 1234 5678"
    path = tmp_path / "data_project_400193_2017_09_13.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
            rows
        )
    return path


def test_pilot_bundle_has_its_email_addresses_redacted(tmp_path):
    data = DATA / "efs-napire-pilot/data_project_400193_2017_09_13.csv"
    workdir, config = _pilot_project(tmp_path, data)
    run = snakemake(workdir, "archive", config=config)
    assert run.returncode == 0, run.output
    folder = workdir / "results/archive"
    everything = b"".join(p.read_bytes() for p in folder.iterdir())
    for name in ("data.zip", "config.zip", "results.zip", "environment.zip"):
        everything += b"".join(read_zip(folder / name).values())
    assert b"@example.org" not in everything
    data_zip = read_zip(folder / "data.zip")
    responses = pd.read_csv(io.BytesIO(data_zip["results/clean/responses.csv"]), dtype=str)
    expected = ["respondent_id", "d1", "team", "role_other", "remarks", "contact"]
    assert sorted(responses.columns) == sorted(expected)
    assert responses.set_index("respondent_id").loc[["7", "9"], "contact"].tolist() == [
        "[email removed]",
        "[email removed]",
    ]
    redactions = pd.read_csv(io.BytesIO(data_zip["results/archive/redactions.csv"]), dtype=str)
    assert redactions[["respondent", "column", "kind", "action"]].values.tolist() == [
        ["7", "contact", "email", "redacted"],
        ["9", "contact", "email", "redacted"],
    ]
    assert not (folder / "README.md").read_text().startswith(SYNTHETIC_MARK)
    assert "2 value(s) were redacted" in (folder / "README.md").read_text()
    # Ingest redacted them already: no file of results/ holds them, the log a masked form.
    for path in (workdir / "results").rglob("*"):
        assert not path.is_file() or b"@example.org" not in path.read_bytes(), path
    log = pd.read_csv(workdir / "results/clean/cleaning_log.csv", dtype=str)
    rows = log[log.rule == "personal_data_redacted"]
    assert rows[["respondent_id", "question", "raw_value"]].values.tolist() == [
        ["7", "contact", "[email: r…@….org]"],
        ["9", "contact", "[email: r…@….org]"],
    ]


def test_pilot_with_a_phone_number_stops_the_archive_unless_allowed(tmp_path):
    data = _pilot_with_a_phone_number(tmp_path)
    workdir, config = _pilot_project(tmp_path, data)
    # By default (cleaning.redact) ingest already redacts it: the bundle builds without it.
    run = snakemake(workdir, "archive", config=config)
    assert run.returncode == 0, run.output
    data_zip = read_zip(workdir / "results/archive/data.zip")
    responses = pd.read_csv(io.BytesIO(data_zip["results/clean/responses.csv"]), dtype=str)
    assert (
        responses.set_index("respondent_id").loc["9", "remarks"] == "happy to talk: [phone removed]"
    )
    # A phone number the cleaning stage leaves alone stops the archive.
    config["cleaning"]["redact"] = ["email"]
    run = snakemake(workdir, "archive", config=config)
    assert run.returncode != 0
    assert (
        "respondent 9, column 'remarks': phone number" in run.output
        and "archive.allow" in run.output
    ), run.output
    # The message names place and kind, never the number: it ends up in logs.
    assert "1234 5678" not in run.output
    assert not (workdir / "results/archive/manifest.csv").exists()
    config["archive"]["allow"] = ["phone"]
    run = snakemake(workdir, "archive", config=config)
    assert run.returncode == 0, run.output
    data_zip = read_zip(workdir / "results/archive/data.zip")
    assert b"+49 711 1234 5678" in data_zip["results/clean/responses.csv"]
    assert b"@example.org" not in data_zip["results/clean/responses.csv"]
