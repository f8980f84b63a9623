"""The Zenodo client and the upload/fetch targets, against the loopback Zenodo of zenodo_server.py.

Zenodo itself is never contacted. Each failure Zenodo's API is known for is injected into a
real `snakemake zenodo_upload` run; every run must end with no duplicate deposition, the
server's files identical (MD5) to the manifest, a clear message, and the token in no file
the run wrote (.snakemake/ included) and nowhere in its output.
"""

from __future__ import annotations

import json
import logging
import random
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import requests
from conftest import ROOT, copy_project, snakemake
from test_archive import TRIGGERS, built_project, clone, prepare
from zenodo_server import ZenodoServer

from surveyflow.errors import InputError
from surveyflow.publishing.zenodo import (
    SYNTHETIC_MARK,
    RetryPolicy,
    ZenodoClient,
    ZenodoError,
    bundle_files,
    deposit_target,
    fetch_record,
    file_digests,
    read_token,
    record_id,
    upload_bundle,
)

FAST = {"attempts": 4, "backoff": 0.01, "max_wait": 0.05}


@pytest.fixture(scope="session")
def bundle_project(tmp_path_factory, default_run) -> Path:
    return built_project(tmp_path_factory, default_run)


@pytest.fixture
def server():
    zenodo = ZenodoServer(
        token=f"sandbox-{uuid.uuid4().hex}",
        other_host_tokens=(f"production-{uuid.uuid4().hex}",),
    ).start()
    yield zenodo
    zenodo.stop()


@pytest.fixture
def token_env(monkeypatch, server):
    monkeypatch.setenv("ZENODO_SANDBOX_TOKEN", server.token)
    monkeypatch.delenv("ZENODO_TOKEN", raising=False)


@pytest.fixture
def workdir(bundle_project, tmp_path) -> Path:
    return clone(bundle_project, tmp_path / "project")


def upload(workdir: Path, server: ZenodoServer, *args: str, publish: bool = True, **zenodo):
    """The real target: snakemake --cores 1 zenodo_upload, pointed at the loopback server."""
    config = {
        "zenodo_api": server.url,
        "zenodo": {"host": "sandbox", "publish": publish, "retry": FAST, **zenodo},
    }
    return snakemake(workdir, "zenodo_upload", *TRIGGERS, *args, config=config)


def manifest_md5s(workdir: Path, folder: Path | None = None) -> dict[str, str]:
    folder = folder or workdir / "results/archive"
    table = pd.read_csv(folder / "manifest.csv")
    md5s = dict(zip(table.file, table.md5, strict=True))
    md5s["manifest.csv"] = file_digests(folder / "manifest.csv")[2]
    return md5s


def assert_token_absent(workdir: Path, token: str, *runs) -> None:
    for path in workdir.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert token.encode() not in path.read_bytes(), path
    for run in runs:
        assert token not in run.output


def state(workdir: Path) -> dict:
    return json.loads((workdir / "results/zenodo/deposition.json").read_text())


def upload_log(workdir: Path) -> str:
    return (workdir / "results/logs/zenodo_upload.log").read_text()


def assert_deposited(server, workdir, *runs, depositions: int = 1, published: bool = True):
    """No duplicates, the state's deposition holds exactly the manifest's files, no token."""
    assert len(server.depositions) == depositions
    dep = server.depositions[state(workdir)["deposition_id"]]
    assert dep["submitted"] is published
    assert server.md5s(dep["id"]) == manifest_md5s(workdir)
    for request in server.log:
        if request["route"] not in ("record", "download"):
            assert request["auth"] == f"Bearer {server.token}"
        assert "access_token" not in request["query"]
    assert_token_absent(workdir, server.token, *runs)
    return dep


OLD_META = {
    "title": "Earlier deposit",
    "upload_type": "dataset",
    "description": "An earlier deposit.",
    "creators": [{"name": "Doe, Jane"}],
}


def tiny_bundle(folder: Path, files: dict[str, bytes], **metadata) -> Path:
    """A small real-data bundle (files, .zenodo.json, manifest.csv), as the archive lays it out."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "upload_type": "dataset",
        "title": "A study",
        "description": "What the study is.",
        "creators": [{"name": "Doe, Jane"}],
        "access_right": "open",
        "version": "1.0",
        **metadata,
    }
    rows = ["file,size,sha256,md5"]
    for name, data in {**files, ".zenodo.json": json.dumps(meta).encode()}.items():
        (folder / name).write_bytes(data)
        size, sha, md5 = file_digests(folder / name)
        rows.append(f"{name},{size},{sha},{md5}")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return folder / "manifest.csv"


def deposit(server: ZenodoServer, manifest: Path, tmp_path: Path, **options) -> dict:
    """The library's upload, fast: tiny waits, the test server's token, a state file in tmp."""
    settings = {
        "state_path": tmp_path / "deposition.json",
        "host": "sandbox",
        "api": server.url,
        "publish": True,
        "environ": {"ZENODO_SANDBOX_TOKEN": server.token},
        "retry": RetryPolicy(**FAST),
        "sleep": lambda seconds: None,
        **options,
    }
    return upload_bundle(manifest, **settings)


# --- the upload target: the happy path, reruns, versions ---------------------------------------


def test_upload_creates_verifies_publishes_and_a_rerun_creates_nothing(workdir, server, token_env):
    run = upload(workdir, server)
    assert run.returncode == 0, run.output
    dep = assert_deposited(server, workdir, run)
    meta = dep["metadata"]
    bundle_meta = json.loads((workdir / "results/archive/.zenodo.json").read_text())
    assert {k: meta[k] for k in bundle_meta} == bundle_meta
    assert meta["title"].startswith(SYNTHETIC_MARK) and meta["upload_type"] == "dataset"
    assert meta["publication_date"] == datetime.now(UTC).date().isoformat()
    assert "surveyflow-upload-" not in meta.get("notes", "")
    receipt = json.loads((workdir / "results/zenodo/upload.json").read_text())
    assert receipt["published"] and receipt["doi"] == dep["doi"] and receipt["verified"]
    uploads = server.requests("upload")
    assert len(uploads) == len(manifest_md5s(workdir)) and all(r["content_length"] for r in uploads)
    assert all(r["user_agent"].startswith("surveyflow/") for r in server.log)
    assert "published deposition" in upload_log(workdir)
    # The default config's author is a team: one name, which Zenodo takes whole.
    assert meta["creators"] == [{"name": "The surveyflow maintainers"}]
    assert "The surveyflow maintainers (one name, as for a team" in upload_log(workdir)

    seen = len(server.log)
    again = upload(workdir, server)
    assert again.returncode == 0 and "Nothing to be done" in again.output
    assert len(server.log) == seen
    forced = upload(workdir, server, "--forcerun", "zenodo_upload")
    assert forced.returncode == 0, forced.output
    assert [r for r in server.log[seen:] if r["method"] != "GET"] == []
    assert "nothing to do" in upload_log(workdir)
    assert_deposited(server, workdir, run, again, forced)


def test_a_draft_first_then_publishing_it(workdir, server, token_env):
    run = upload(workdir, server, publish=False)
    assert run.returncode == 0, run.output
    draft = assert_deposited(server, workdir, run, published=False)
    assert "not published (zenodo.publish: false)" in upload_log(workdir)
    seen = len(server.log)
    # (In a real project the changed param reruns the job; these copies compare mtimes only.)
    run = upload(workdir, server, "--forcerun", "zenodo_upload", publish=True)
    assert run.returncode == 0, run.output
    assert assert_deposited(server, workdir, run)["id"] == draft["id"]
    # The reviewed draft as it was: nothing uploaded, created or rewritten; only published.
    writes = [r["route"] for r in server.log[seen:] if r["method"] != "GET"]
    assert writes == ["publish"]
    assert f"publishing draft {draft['id']} as reviewed" in upload_log(workdir)


def test_a_changed_bundle_becomes_a_new_version(workdir, server, token_env):
    first = upload(workdir, server)
    assert first.returncode == 0, first.output
    v1 = state(workdir)["deposition_id"]
    v1_files = server.md5s(v1)
    citation = workdir / "CITATION.cff"
    citation.write_text(citation.read_text().replace("version: 0.1.0", "version: 0.2.0"))
    second = upload(workdir, server)
    assert second.returncode == 0, second.output
    assert "rule archive" in second.output  # the bundle was rebuilt first
    v2 = assert_deposited(server, workdir, first, second, depositions=2)
    assert v2["id"] != v1 and v2["conceptrecid"] == server.depositions[v1]["conceptrecid"]
    assert v2["metadata"]["version"] == "0.2.0" and v2["metadata"]["publication_date"]
    assert server.md5s(v1) == v1_files  # the published version is untouched
    assert len(server.requests("newversion")) == 1


def test_a_new_version_of_the_record_in_config(workdir, server, token_env):
    old = server.add_record(
        {"old-data.csv": b"a,b\n1,2\n", "README.md": b"old readme\n"},
        {"title": "Earlier deposit", "upload_type": "dataset", "version": "0.0.9"},
    )
    run = upload(workdir, server, record=str(old))
    assert run.returncode == 0, run.output
    new = assert_deposited(server, workdir, run, depositions=2)
    assert new["conceptrecid"] == server.depositions[old]["conceptrecid"]
    assert "old-data.csv" not in server.files(new["id"])  # deleted: not in the bundle
    assert server.files(old) == {"old-data.csv": b"a,b\n1,2\n", "README.md": b"old readme\n"}
    assert new["metadata"]["version"] == "0.1.0"


def test_a_stale_draft_on_newversion_is_found_and_reused(workdir, server, token_env):
    old = server.add_record({"a.txt": b"a\n"})
    # An earlier, interrupted attempt left a draft of the next version with a file in it.
    auth = {"Authorization": f"Bearer {server.token}"}
    stale = requests.post(
        f"{server.url}/deposit/depositions/{old}/actions/newversion", headers=auth, timeout=10
    ).json()
    requests.put(
        f"{stale['links']['bucket']}/partial.bin", data=b"xx", headers=auth, timeout=10
    ).raise_for_status()
    run = upload(workdir, server, record=str(old))
    assert run.returncode == 0, run.output
    reused = assert_deposited(server, workdir, run, depositions=2)
    assert reused["id"] == stale["id"]
    assert [r["status"] for r in server.requests("newversion")] == [201, 400]
    assert "reusing it" in upload_log(workdir)


def test_a_draft_whose_bundle_changed_since_review_is_not_published(server, tmp_path):
    first = tiny_bundle(tmp_path / "b1", {"data.csv": b"a\n1\n"})
    did = deposit(server, first, tmp_path, publish=False)["deposition_id"]
    reviewed = server.md5s(did)
    changed = tiny_bundle(tmp_path / "b2", {"data.csv": b"a\n2\n", "notes.txt": b"new\n"})
    seen = len(server.log)
    with pytest.raises(
        ZenodoError, match=f"the bundle changed since draft {did} was uploaded"
    ) as error:
        deposit(server, changed, tmp_path, publish=True)
    assert "changed data.csv, manifest.csv; new notes.txt" in str(error.value)
    assert "set zenodo.publish: false" in str(error.value)
    assert [r for r in server.log[seen:] if r["method"] != "GET"] == []
    assert not server.published() and server.md5s(did) == reviewed
    # As the message says: a run with publish: false updates the same draft, then publish.
    deposit(server, changed, tmp_path, publish=False)
    published = deposit(server, changed, tmp_path, publish=True)
    assert published["deposition_id"] == did and published["published"]
    assert len(server.depositions) == 1
    assert server.md5s(did) == manifest_md5s(tmp_path, changed.parent)


def test_an_unchanged_bundle_gets_no_new_version_when_the_state_is_lost(server, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="surveyflow.publishing.zenodo")
    manifest = tiny_bundle(tmp_path / "bundle", {"data.csv": b"a\n1\n"})
    first = deposit(server, manifest, tmp_path)
    (tmp_path / "deposition.json").unlink()  # results/zenodo/, lost
    seen = len(server.log)
    again = deposit(server, manifest, tmp_path, record=first["deposition_id"])
    assert [r for r in server.log[seen:] if r["method"] != "GET"] == []
    assert len(server.depositions) == 1
    assert (again["deposition_id"], again["doi"]) == (first["deposition_id"], first["doi"])
    assert "holds exactly these files: nothing to do, no new version" in caplog.text


@pytest.mark.parametrize("given", ["the first version", "the concept"])
def test_any_version_id_or_the_concept_id_versions_the_latest(server, tmp_path, given):
    first = server.add_record({"a.csv": b"1\n"}, {**OLD_META, "version": "0.0.1"})
    second = server.add_record(
        {"a.csv": b"2\n"}, {**OLD_META, "version": "0.0.2"}, version_of=first
    )
    concept = server.depositions[first]["conceptrecid"]
    ref = str(first) if given == "the first version" else concept
    manifest = tiny_bundle(tmp_path / "bundle", {"data.csv": b"a\n1\n"})
    new = server.depositions[deposit(server, manifest, tmp_path, record=ref)["deposition_id"]]
    assert len(server.depositions) == 3 and new["submitted"] and new["conceptrecid"] == concept
    assert server.latest(concept) is new and "a.csv" not in server.files(new["id"])
    newversions = server.requests("newversion", "POST")
    assert [(r["path"].split("/")[-3], r["status"]) for r in newversions] == [(str(second), 201)]
    assert server.files(first) == {"a.csv": b"1\n"} and server.files(second) == {"a.csv": b"2\n"}


def test_a_new_version_needs_a_version_of_its_own(server, tmp_path):
    v1 = deposit(server, tiny_bundle(tmp_path / "v1", {"data.csv": b"a\n1\n"}), tmp_path)
    changed = tiny_bundle(tmp_path / "v2", {"data.csv": b"a\n2\n"})  # still version 1.0
    with pytest.raises(ZenodoError, match="its version is the same, 1.0") as error:
        deposit(server, changed, tmp_path)
    assert "study.version" in str(error.value)
    assert server.requests("newversion") == [] and len(server.depositions) == 1
    bumped = tiny_bundle(tmp_path / "v3", {"data.csv": b"a\n2\n"}, version="1.1")
    v2 = deposit(server, bumped, tmp_path)
    assert v2["conceptrecid"] == v1["conceptrecid"] and v2["deposition_id"] != v1["deposition_id"]
    assert server.depositions[v2["deposition_id"]]["metadata"]["version"] == "1.1"


def test_creators_are_persons_as_family_given_and_teams_by_name(server, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="surveyflow.publishing.zenodo")
    creators = [
        {"name": "Doe, Jane", "affiliation": "Uni", "orcid": "0000-0002-1825-0097"},
        {"name": "The surveyflow maintainers"},
    ]
    manifest = tiny_bundle(tmp_path / "bundle", {"data.csv": b"a\n1\n"}, creators=creators)
    receipt = deposit(server, manifest, tmp_path)
    assert server.depositions[receipt["deposition_id"]]["metadata"]["creators"] == creators
    assert "Doe, Jane (a person: family name 'Doe')" in caplog.text
    assert "The surveyflow maintainers (one name, as for a team or organisation)" in caplog.text
    # A creator without a family name would be refused at publication, after the draft exists.
    seen = len(server.log)
    nameless = tiny_bundle(tmp_path / "nameless", {"x": b"x"}, creators=[{"name": ", Jane"}])
    with pytest.raises(InputError, match="', Jane', has no family name") as error:
        deposit(server, nameless, tmp_path / "other")
    assert "study.authors" in str(error.value) and len(server.log) == seen


# --- the upload target: every injected failure --------------------------------------------------

TRANSIENT = [
    ("create", "429", "429 rate limited"),
    ("create", "500-json", "500 (Internal server error.; error id"),
    ("upload", "502-html", "502 (an HTML page (502 Bad Gateway))"),
    ("update", "503-json", "503 (Internal server error."),
    ("get", "504-html", "504 (an HTML page (504 Gateway Timeout))"),
    ("create", "504-after", "had worked despite the lost answer"),
    ("publish", "504-after", "had worked despite the lost answer"),
    ("upload", "drop", "connection lost"),
    ("upload", "bad-md5", "uploading again"),
]


@pytest.mark.parametrize(("route", "failure", "logged"), TRANSIENT)
def test_transient_failures_are_survived(workdir, server, token_env, route, failure, logged):
    server.inject(route, failure)
    run = upload(workdir, server)
    assert run.returncode == 0, run.output
    assert_deposited(server, workdir, run)
    assert server.injections[0].times == 0  # the failure did happen
    assert logged in upload_log(workdir)
    # Never published twice, never created twice after an answer that was lost.
    assert [r["status"] for r in server.requests("publish")].count(202) <= 1
    assert len(server.requests("publish")) == 1
    if failure.endswith("-after"):
        assert len(server.requests(route)) == 1
    if route == "publish":  # after the lost answer, the deposition is re-read before anything
        after = server.log.index(server.requests("publish")[0]) + 1
        assert (server.log[after]["method"], server.log[after]["route"]) == ("GET", "get")


STOPS = [
    ("update", "400-errors", "400 (Validation error.; metadata.creators: Missing data"),
    ("update", "400-messages", "400 (Invalid value for upload_type.)"),
    ("upload", "403", "refused the token from ZENODO_SANDBOX_TOKEN with 403"),
]


@pytest.mark.parametrize(("route", "failure", "message"), STOPS)
def test_refusals_stop_with_a_clear_message_and_a_rerun_resumes(
    workdir, server, token_env, route, failure, message
):
    server.inject(route, failure)
    run = upload(workdir, server)
    assert run.returncode != 0
    assert message in run.output and "What to do:" in run.output, run.output
    assert [r["status"] for r in server.requests(route)].count(int(failure[:3])) == 1  # no retry
    assert len(server.depositions) == 1 and not server.published()
    draft = state(workdir)["deposition_id"]
    rerun = upload(workdir, server)
    assert rerun.returncode == 0, rerun.output
    assert assert_deposited(server, workdir, run, rerun)["id"] == draft
    assert len(server.requests("create")) == 1


# Lost answers beyond the list above, and the same failures again, through the library (fast).
MORE_FAILURES = [
    ("create", "drop-after"),
    ("publish", "drop-after"),
    ("upload", "503-html"),
    ("update", "drop"),
    ("newversion", "504-after"),
    ("newversion", "drop-after"),
    ("newversion", "503-json"),
]


@pytest.mark.parametrize(
    ("route", "failure"), [(route, failure) for route, failure, _ in TRANSIENT] + MORE_FAILURES
)
def test_the_client_survives_each_failure(bundle_project, tmp_path, server, route, failure):
    folder = clone(bundle_project / "results/archive", tmp_path / "archive")
    record = server.add_record({"old.txt": b"old\n"}) if route == "newversion" else None
    server.inject(route, failure)
    receipt = upload_bundle(
        folder / "manifest.csv",
        state_path=tmp_path / "deposition.json",
        host="sandbox",
        api=server.url,
        publish=True,
        record=record,
        environ={"ZENODO_SANDBOX_TOKEN": server.token},
        retry=RetryPolicy(**FAST),
        sleep=lambda seconds: None,
    )
    assert server.injections[0].times == 0
    assert len(server.depositions) == (2 if record else 1)  # no duplicate
    dep = server.depositions[receipt["deposition_id"]]
    assert dep["submitted"] and server.md5s(dep["id"]) == manifest_md5s(tmp_path, folder)
    assert len(server.requests("publish")) == 1
    if failure.endswith("-after"):
        assert len(server.requests(route)) == 1  # found on the server, not repeated
    assert_token_absent(tmp_path, server.token)


def test_a_production_token_on_the_sandbox_is_called_a_mix_up(workdir, server, monkeypatch):
    production = next(iter(server.other_host_tokens))
    monkeypatch.setenv("ZENODO_SANDBOX_TOKEN", production)
    run = upload(workdir, server)
    assert run.returncode != 0
    text = " ".join(run.output.split())
    assert "refused the token from ZENODO_SANDBOX_TOKEN with 403 (Permission denied.)" in text
    assert "a production token sent to the sandbox fails exactly like this" in text
    assert "zenodo.host: production and ZENODO_TOKEN" in text
    assert len(server.log) == 1 and not server.depositions  # stopped at once, no retry
    assert_token_absent(workdir, production, run)


def test_a_file_beyond_the_record_limit_stops_the_upload(workdir, server, token_env):
    server.max_files = 7  # the bundle's 8th file is this server's "101st"
    run = upload(workdir, server)
    assert run.returncode != 0
    text = " ".join(run.output.split())
    assert "400 (Bucket quota exceeded.)" in text and "at most 100 files" in text
    assert [r["status"] for r in server.requests("upload")].count(400) == 1
    assert len(server.depositions) == 1 and not server.published()
    assert_token_absent(workdir, server.token, run)


def test_synthetic_data_is_never_uploaded_to_production(workdir, server, monkeypatch):
    monkeypatch.setenv("ZENODO_TOKEN", server.token)
    config = {"zenodo_api": server.url, "zenodo": {"host": "production", "publish": True}}
    run = snakemake(workdir, "zenodo_upload", *TRIGGERS, config=config)
    assert run.returncode != 0
    assert "SYNTHETIC data" in run.output and "only ever uploaded to the sandbox" in run.output
    # A loopback test server stands in for the host zenodo.host names, here production.
    text = " ".join(run.output.split())
    assert f"a test server on this machine ({server.url}, standing in for production)" in text
    assert server.log == []
    assert_token_absent(workdir, server.token, run)


def test_the_address_not_the_label_decides_sandbox_or_production(bundle_project, tmp_path, server):
    folder = clone(bundle_project / "results/archive", tmp_path / "archive")
    # zenodo.host says sandbox, the address is production's: the synthetic bundle stays here.
    # (No token in the environment: even a broken guard could not send anything.)
    with pytest.raises(ZenodoError, match="SYNTHETIC") as error:
        deposit(server, folder / "manifest.csv", tmp_path, api="https://zenodo.org/api", environ={})
    assert "would upload it to production (https://zenodo.org/api)" in str(error.value)
    # Real data: the label contradicting the address stops, naming both.
    manifest = tiny_bundle(tmp_path / "real", {"data.csv": b"a\n1\n"})
    with pytest.raises(
        ZenodoError,
        match="zenodo.host is sandbox, but the deposit would go to "
        r"https://zenodo.org/api, which is not the sandbox",
    ):
        deposit(server, manifest, tmp_path, api="https://zenodo.org/api", environ={})
    assert server.log == []


@pytest.mark.parametrize(
    ("api", "kind"),
    [
        ("https://sandbox.zenodo.org/api", "sandbox"),
        ("https://zenodo.org/api", "production"),
        ("https://invenio.example.org/api", "production"),
        ("http://127.0.0.1:8000/api", "test"),
        ("http://[::1]:8000/api", "test"),
        ("http://localhost:8000/api", "test"),
    ],
)
def test_what_an_address_is(api, kind):
    assert deposit_target("sandbox", api).kind == kind


def test_a_missing_token_says_which_variable_to_set(workdir, server, monkeypatch):
    monkeypatch.delenv("ZENODO_SANDBOX_TOKEN", raising=False)
    monkeypatch.setenv("ZENODO_TOKEN", server.token)
    run = upload(workdir, server)
    assert run.returncode != 0
    text = " ".join(run.output.split())
    assert "the environment variable ZENODO_SANDBOX_TOKEN is not set" in text
    assert "ZENODO_TOKEN is set, but a token works only on the host that issued it" in text
    assert server.log == []
    assert_token_absent(workdir, server.token, run)


# --- the client, called directly ----------------------------------------------------------------


def client_for(
    server: ZenodoServer, token: str | None = None, **retry
) -> tuple[ZenodoClient, list]:
    sleeps: list[float] = []
    client = ZenodoClient(
        server.url,
        server.token if token is None else token,
        retry=RetryPolicy(**{**FAST, **retry}),
        sleep=sleeps.append,
    )
    return client, sleeps


def create(client: ZenodoClient) -> dict:
    return client.call(
        "POST",
        f"{client.api}/deposit/depositions",
        what="create",
        expected=(201,),
        json_body={},
    ).data


def test_retry_after_is_honoured_up_to_the_cap(server):
    server.retry_after = "7"
    client, sleeps = client_for(server, max_wait=60)
    server.inject("create", "429")
    create(client)
    assert sleeps == [7.0]
    client, sleeps = client_for(server, max_wait=2)
    server.inject("create", "429")
    create(client)
    assert sleeps == [2.0]
    # The HTTP-date form of Retry-After, too.
    server.retry_after = "Thu, 01 Jan 2099 00:00:00 GMT"
    client, sleeps = client_for(server, max_wait=3)
    server.inject("create", "429")
    create(client)
    assert sleeps == [3.0]
    assert len(server.depositions) == 3


@pytest.mark.parametrize(
    ("retry_after", "backoff", "max_wait", "waited"),
    [("3", 2, 60, 3.0), ("1", 2, 60, 2.0), ("3", 2, 2.5, 2.5)],
)
@pytest.mark.parametrize("failure", ["503-json", "502-html"])
def test_retry_after_on_5xx_is_honoured_too(
    server, failure, retry_after, backoff, max_wait, waited
):
    server.retry_after_5xx = retry_after  # the longer of Retry-After and the backoff, capped
    client, sleeps = client_for(server, backoff=backoff, max_wait=max_wait)
    server.inject("create", failure)
    create(client)
    assert sleeps == [waited] and len(server.depositions) == 1


def test_the_log_names_only_attempts_that_happen(bundle_project, server, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="surveyflow.publishing.zenodo")
    client, _ = client_for(server, attempts=3)
    server.inject("list", "502-html", times=5)
    with pytest.raises(ZenodoError, match="still after 3 attempts"):
        client.call("GET", f"{server.url}/deposit/depositions", what="list depositions")
    retries = re.findall(r"attempt (\d) of 3", caplog.text)
    assert retries == ["2", "3"]
    caplog.clear()
    folder = clone(bundle_project / "results/archive", tmp_path / "archive")
    server.inject("upload", "bad-md5", times=3, key="README.md")
    with pytest.raises(ZenodoError, match="README.md keeps a different MD5 .* after 3 uploads"):
        deposit(server, folder / "manifest.csv", tmp_path)
    lines = [line for line in caplog.text.splitlines() if "uploaded README.md (upload" in line]
    assert [line.endswith("uploading again") for line in lines] == [True, True, False]
    assert "upload 3 of 3" in lines[-1]


def test_backoff_doubles_up_to_the_cap_then_gives_up(server):
    client, sleeps = client_for(server, attempts=5, backoff=1, max_wait=3)
    server.inject("list", "503-json", times=4)
    client.call("GET", f"{server.url}/deposit/depositions", what="list")
    assert sleeps == [1, 2, 3, 3]
    client, sleeps = client_for(server, attempts=3)
    server.inject("list", "502-html", times=5)
    with pytest.raises(ZenodoError, match=r"502 \(an HTML page.*still after 3 attempts") as error:
        client.call("GET", f"{server.url}/deposit/depositions", what="list depositions")
    assert "resumes where it stopped" in str(error.value)


@pytest.mark.parametrize(
    ("failure", "status", "message"),
    [
        ("400-errors", 400, "metadata.creators: Missing data for required field."),
        ("400-messages", 400, "Invalid value for upload_type."),
        ("403", 403, "Permission denied."),
    ],
)
def test_client_errors_are_not_retried(server, failure, status, message):
    client, sleeps = client_for(server)
    server.inject("create", failure)
    with pytest.raises(ZenodoError) as error:
        create(client)
    assert error.value.status == status and message in str(error.value)
    assert sleeps == [] and len(server.log) == 1
    assert server.token not in str(error.value)


def test_401_and_404_are_not_retried_and_say_what_to_do(server):
    client, sleeps = client_for(server, token="")
    with pytest.raises(ZenodoError, match="refused the token") as error:
        create(client)
    assert error.value.status == 401
    client, sleeps = client_for(server)
    with pytest.raises(ZenodoError, match="404 not found") as error:
        client.call("GET", f"{server.url}/deposit/depositions/1", what="read deposition 1")
    assert "deposition.json" in str(error.value) and sleeps == [] and len(server.log) == 2


def test_an_exhausted_rate_limit_window_is_waited_out(server):
    server.rate_limit = 2
    client, sleeps = client_for(server, max_wait=30)
    for _ in range(3):
        client.call("GET", f"{server.url}/deposit/depositions", what="list")
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 30


def test_the_token_comes_from_the_environment_only():
    assert read_token("sandbox", {"ZENODO_SANDBOX_TOKEN": " abc \n"}) == "abc"
    assert read_token("production", {"ZENODO_TOKEN": "def"}) == "def"
    with pytest.raises(ZenodoError, match="ZENODO_SANDBOX_TOKEN is not set"):
        read_token("sandbox", {})
    with pytest.raises(ZenodoError, match="ZENODO_SANDBOX_TOKEN is set, but") as error:
        read_token("production", {"ZENODO_SANDBOX_TOKEN": "s3cret"})
    assert "s3cret" not in str(error.value)
    with pytest.raises(ZenodoError, match="spaces or non-ASCII") as error:
        read_token("sandbox", {"ZENODO_SANDBOX_TOKEN": "ab cd"})
    assert "ab cd" not in str(error.value)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (10092394, "10092394"),
        ("10092394", "10092394"),
        ("10.5281/zenodo.10092394", "10092394"),
        ("https://doi.org/10.5281/zenodo.10092394", "10092394"),
        ("10.5072/zenodo.123", "123"),
        ("https://zenodo.org/records/10092394", "10092394"),
    ],
)
def test_record_ids_from_ids_dois_and_urls(ref, expected):
    assert record_id(ref) == expected


def test_a_doi_that_is_not_zenodos_is_refused():
    with pytest.raises(InputError, match="not a Zenodo record id or DOI"):
        record_id("10.1007/978-3-031-56281-5_7")


def test_the_bundle_and_the_rules_import_no_http_client():
    # The archive job builds the bundle, and Snakemake parses rules/archive.smk, without it.
    code = (
        "import sys, surveyflow.publishing.archive, surveyflow.publishing.zenodo_hosts; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'requests' "
        "or m == 'surveyflow.publishing.zenodo_http'))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "scripts", capture_output=True, text=True
    )
    assert (run.returncode, run.stdout.strip()) == (0, "[]"), run.stderr


def test_the_bundle_is_checked_against_its_manifest_before_any_upload(bundle_project, tmp_path):
    folder = tmp_path / "archive"
    clone(bundle_project / "results/archive", folder)
    files = bundle_files(folder / "manifest.csv")
    assert [f.name for f in files] == sorted(p.name for p in folder.iterdir())
    (folder / "README.md").write_text("edited after the build\n")
    with pytest.raises(InputError, match="README.md differs from the manifest"):
        bundle_files(folder / "manifest.csv")
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    rows = [f"f{i:03d},0,{empty},d41d8cd98f00b204e9800998ecf8427e" for i in range(100)]
    for i in range(100):
        (folder / f"f{i:03d}").write_bytes(b"")
    (folder / "manifest.csv").write_text("file,size,sha256,md5\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match="the bundle has 101 files; Zenodo accepts at most 100"):
        bundle_files(folder / "manifest.csv")


# --- fetch --------------------------------------------------------------------------------------

CONTENT = {
    "data.csv": random.Random(20231109).randbytes(300_000),
    "README.md": b"# a record\n" * 50,
}


def test_fetch_downloads_verifies_and_resumes(server, tmp_path):
    rid = server.add_record(CONTENT)
    dest = tmp_path / f"zenodo-{rid}"
    dest.mkdir()
    (dest / "data.csv.part").write_bytes(CONTENT["data.csv"][:1000])  # an interrupted run
    server.inject("download", "drop", key="data.csv")  # the line dies mid-file
    server.inject("download", "bad-md5", key="README.md")  # a damaged copy
    receipt = fetch_record(
        f"10.5072/zenodo.{rid}",
        dest,
        api=server.url,
        retry=RetryPolicy(**FAST),
        sleep=lambda s: None,
    )
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == CONTENT
    ranges = [(r["path"].split("/")[-2], r["range"]) for r in server.requests("download")]
    resumed = [int(rng[6:-1]) for name, rng in ranges if name == "data.csv"]
    assert resumed[0] == 1000 and resumed[1] > 1000  # resumed twice: after both interruptions
    assert ranges.count(("README.md", None)) == 2  # the damaged copy was fetched again
    assert receipt["record"] == str(rid) and len(receipt["files"]) == 2
    assert all(r["auth"] == "" for r in server.log)  # records are public: no token sent
    seen = len(server.log)
    fetch_record(rid, dest, api=server.url, retry=RetryPolicy(**FAST))
    assert [r["route"] for r in server.log[seen:]] == ["record"]  # verified, nothing downloaded


def test_fetch_of_a_missing_record_says_what_to_check(server, tmp_path):
    with pytest.raises(ZenodoError, match=r"record 42 was not found.*zenodo.fetch"):
        fetch_record(42, tmp_path, api=server.url, retry=RetryPolicy(**FAST))


def test_the_fetch_target(server, tmp_path):
    rid = server.add_record(CONTENT)
    workdir = prepare(copy_project(tmp_path / "project"))
    partial = workdir / f"data/fetched/zenodo-{rid}/data.csv.part"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(CONTENT["data.csv"][:5000])
    server.inject("download", "drop", key="data.csv")
    config = {
        "zenodo_api": server.url,
        "zenodo": {"fetch": f"10.5072/zenodo.{rid}", "fetch_host": "sandbox", "retry": FAST},
    }
    run = snakemake(workdir, "zenodo_fetch", config=config)
    assert run.returncode == 0, run.output
    folder = workdir / f"data/fetched/zenodo-{rid}"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == CONTENT
    receipt = json.loads((workdir / f"results/zenodo/fetch-{rid}.json").read_text())
    assert receipt["dest"] == f"data/fetched/zenodo-{rid}"
    # data/raw/ holds the exports the user gave; the workflow never writes there.
    assert not [p for p in (workdir / "data/raw").iterdir() if "zenodo" in p.name]
    log = (workdir / "results/logs/zenodo_fetch.log").read_text()
    assert "resuming at byte 5000" in log and re.search(r"data.csv: connection lost", log)
