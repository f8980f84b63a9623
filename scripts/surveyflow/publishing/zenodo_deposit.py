"""Deposit the archive bundle on Zenodo, resumably: the upload's steps from draft to publication.

Create (or resume, or version) the deposition, upload, verify, set the metadata, publish.

- every step is recorded in a small state file, so a rerun after any failure resumes the same
  draft instead of creating another; links from the server are used as given (the calls, their
  answers and their failures: see docs/zenodo-api.md);
- each uploaded file's MD5 is compared with the manifest and uploaded again on mismatch;
- a draft completed with zenodo.publish: false is the draft reviewed: a later run with
  publish: true publishes exactly it (no upload, no metadata change) when the bundle still has
  the files verified then, and stops, naming the changed files, when it does not;
- a new version is made from the latest published version (whatever version or concept id
  zenodo.record gives), only when the bundle's files differ from that version's, and only with
  a version (study.version) of its own;
- synthetic bundles go to the sandbox only: the address decides (see zenodo_hosts).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from surveyflow.publishing.zenodo_bundle import (
    LocalFile,
    bundle_files,
    checksum_md5,
    is_synthetic_metadata,
    md5s,
    read_creators,
)
from surveyflow.publishing.zenodo_hosts import ZenodoError, deposit_target, read_token
from surveyflow.publishing.zenodo_http import (
    DEFAULT_USER_AGENT,
    RetryPolicy,
    ZenodoClient,
    install_token_filter,
)
from surveyflow.publishing.zenodo_records import Records

log = logging.getLogger("surveyflow.publishing.zenodo")


class Uploader(Records):
    """Create (or resume, or version) the deposition, upload, verify, set metadata, publish."""

    def __init__(
        self,
        client: ZenodoClient,
        state_path: str | Path,
        *,
        files: list[LocalFile],
        metadata: Mapping[str, Any],
        publish: bool,
        record: str | None = None,
        today: str | None = None,
    ) -> None:
        super().__init__(client, files=files, metadata=metadata)
        self.state_path = Path(state_path)
        self.publish = publish
        self.record = str(record) if record not in (None, "") else None
        self.today = today or datetime.now(UTC).date().isoformat()
        self.state: dict[str, Any] = {}

    # state file: written after every step, atomically, so a crash never corrupts it
    def _load(self) -> None:
        if self.state_path.is_file():
            self.state = json.loads(self.state_path.read_text(encoding="utf-8"))
            if self.state.get("api") not in (None, self.api):
                raise ZenodoError(
                    f"{self.state_path} records a deposition on {self.state['api']}, but this "
                    f"run uploads to {self.api}.",
                    hint=f"move {self.state_path} away to start a new deposition on {self.api} "
                    "(or set zenodo.host / zenodo_api back).",
                )
        self.state.update(api=self.api, host=self.client.host)

    def _save(self, deposition: Mapping[str, Any] | None = None, **changes: Any) -> None:
        if deposition is not None:
            self.state.update(
                deposition_id=deposition["id"],
                conceptrecid=deposition.get("conceptrecid"),
                links=deposition.get("links", {}),
                submitted=bool(deposition.get("submitted")),
                doi=deposition.get("doi") or None,
                conceptdoi=deposition.get("conceptdoi") or None,
                record_id=deposition.get("record_id"),
                files={
                    f["filename"]: {"md5": checksum_md5(f), "size": f.get("filesize")}
                    for f in deposition.get("files", [])
                },
            )
        self.state.update(changes)
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(self.state_path)

    def checkpoint(self, deposition: Mapping[str, Any]) -> None:
        self._save(deposition)

    def run(self) -> dict[str, Any]:
        self._load()
        deposition = self._resume()
        if deposition is not None and deposition.get("submitted"):
            deposition = self._after_published(deposition)
        elif deposition is not None and self.publish and self.state.get("reviewed"):
            return self._publish_reviewed(deposition)
        elif deposition is None and self.record:
            base = self.latest_version(self.record)
            deposition = self._after_published(base) if base.get("submitted") else base
        elif deposition is None:
            deposition = self._create()
        if deposition.get("submitted"):  # a published version already holds the bundle
            self._save(deposition, pending=None, reviewed=None)
            return self._receipt(deposition)
        self._save(deposition, pending=None)
        deposition = self.sync_files(deposition)
        deposition = self._set_metadata(deposition)
        if self.publish:
            deposition = self._publish(deposition)
            self._save(deposition, reviewed=None)
            return self._receipt(deposition)
        log.info(
            "draft %s is complete and verified; not published (zenodo.publish: false): "
            "review it at %s; zenodo.publish: true then publishes exactly this draft",
            deposition["id"],
            deposition.get("links", {}).get("html", self.api),
        )
        reviewed = {"files": {f.name: f.md5 for f in self.files}, "at": _now()}
        self._save(deposition, reviewed=reviewed)
        return self._receipt(deposition)

    def _resume(self) -> dict | None:
        """The deposition of the state file, if it still exists."""
        if self.state.get("deposition_id"):
            links = self.state.get("links") or {}
            url = (
                links.get("self") or f"{self.api}/deposit/depositions/{self.state['deposition_id']}"
            )
            reply = self.client.call("GET", url, what="read the deposition", accept=(404, 410))
            if reply.status == 200:
                log.info("resuming deposition %s from %s", reply.data["id"], self.state_path)
                return reply.data
            if self.publish and self.state.get("reviewed"):
                raise ZenodoError(
                    f"draft {self.state['deposition_id']}, uploaded for review, no longer exists "
                    f"on {self.api}, so there is no reviewed draft to publish.",
                    hint="set zenodo.publish: false and run zenodo_upload again to make a new "
                    "draft; review it on Zenodo, then publish with zenodo.publish: true.",
                )
            log.warning(
                "deposition %s of %s no longer exists on %s (sandbox records can be wiped); "
                "starting a new one",
                self.state["deposition_id"],
                self.state_path,
                self.api,
            )
            self.state = {"api": self.api, "host": self.client.host}
            return None
        pending = self.state.get("pending") or {}
        if pending.get("action") == "create":
            found = self._find_created(pending["marker"])
            if found:
                log.info("found draft %s created by the interrupted run", found["id"])
            return found
        if pending.get("action") == "newversion":
            return self.concept_draft(pending["conceptrecid"])
        return None

    def _after_published(self, published: dict) -> dict:
        """`published` (or the latest version) when it holds the bundle, else a new draft."""
        if not self.same_files(published):
            latest = self.latest_of(published)
            if not self.same_files(latest):
                log.info("the bundle differs from record %s, the latest version", latest["id"])
                self.check_version(latest)
                return self._new_version(latest)
            published = latest
        log.info(
            "record %s (DOI %s), a published version, holds exactly these files: "
            "nothing to do, no new version",
            published["id"],
            published.get("doi"),
        )
        return published

    def _publish_reviewed(self, draft: dict) -> dict[str, Any]:
        """Publish the draft completed by an earlier run, exactly as it was reviewed."""
        reviewed = self.state["reviewed"]
        seen = reviewed["files"]
        where = draft.get("links", {}).get("html", self.api)
        changed = _differences(seen, {f.name: f.md5 for f in self.files})
        if changed:
            raise ZenodoError(
                f"the bundle changed since draft {draft['id']} was uploaded and verified for "
                f"review ({reviewed.get('at', 'earlier')}): {changed}. Publishing now would "
                "publish files nobody reviewed.",
                hint="set zenodo.publish: false and run zenodo_upload again: it uploads the new "
                f"bundle into the same draft; review it at {where}, then publish with "
                "zenodo.publish: true.",
            )
        on_server = _differences(seen, md5s(draft.get("files", [])))
        if on_server:
            raise ZenodoError(
                f"draft {draft['id']} on {self.api} no longer holds the files verified for "
                f"review: {on_server} (changed on Zenodo's web page?).",
                hint="set zenodo.publish: false and run zenodo_upload again to upload the bundle "
                f"into the draft; review it at {where}, then publish with zenodo.publish: true.",
            )
        log.info(
            "publishing draft %s as reviewed: its %d files are those uploaded and verified at %s; "
            "nothing uploaded, metadata left as reviewed",
            draft["id"],
            len(seen),
            reviewed.get("at", "an earlier run"),
        )
        published = self._publish(draft)
        self._save(published, reviewed=None)
        return self._receipt(published)

    def _create(self) -> dict:
        # A marker in the notes finds this draft again if the answer to the POST is lost.
        marker = f"surveyflow-upload-{uuid.uuid4().hex}"
        self._save(pending={"action": "create", "marker": marker})
        notes = "\n\n".join(filter(None, [self.metadata.get("notes"), marker]))
        reply = self.client.call(
            "POST",
            f"{self.api}/deposit/depositions",
            what="create a draft deposition",
            expected=(200, 201),
            json_body={"metadata": {**self.metadata, "notes": notes}},
            safe=False,
            recover=lambda: self._find_created(marker),
        )
        log.info("created draft %s: %s", reply.data["id"], reply.data["links"].get("html", ""))
        return reply.data

    def _find_created(self, marker: str) -> dict | None:
        for draft in self.list_depositions(status="draft"):
            if marker in str((draft.get("metadata") or {}).get("notes", "")):
                return draft
        return None

    def _new_version(self, published: Mapping[str, Any]) -> dict:
        concept = published.get("conceptrecid")
        self._save(pending={"action": "newversion", "of": published["id"], "conceptrecid": concept})
        return self.new_version(published)

    def _set_metadata(self, deposition: dict) -> dict:
        metadata = dict(self.metadata)
        # newversion clears publication_date and version: always send both.
        metadata.setdefault("publication_date", self.today)
        current = deposition.get("metadata") or {}
        if all(current.get(key) == value for key, value in metadata.items()):
            log.info("metadata already up to date")
            return deposition
        reply = self.client.call(
            "PUT",
            deposition["links"]["self"],
            what="set the deposit metadata",
            json_body={"metadata": metadata},
        )
        log.info("metadata set: %s, version %s", metadata.get("title"), metadata.get("version"))
        return reply.data

    def _published(self, deposition: Mapping[str, Any]) -> dict | None:
        current = self.read(deposition, "check whether the deposition was published")
        return current if current.get("submitted") else None

    def _publish(self, deposition: dict) -> dict:
        self._save(deposition, publish_requested=True)
        reply = self.client.call(
            "POST",
            deposition["links"]["publish"],
            what=f"publish deposition {deposition['id']}",
            expected=(200, 202),
            accept=(404,),
            safe=False,
            recover=lambda: self._published(deposition),
        )
        # Re-read whatever the answer: a 404 or a lost answer can hide a done publication.
        current = self.read(deposition, "read the published deposition")
        if not current.get("submitted"):
            if reply.status == 404:
                raise self.client.failure(reply, f"publish deposition {deposition['id']}")
            raise ZenodoError(
                f"Zenodo answered {reply.status} to publishing deposition {deposition['id']}, "
                "but the deposition is not published.",
                hint="check it on Zenodo's web page; run the same command again to retry.",
            )
        self._save(current, publish_requested=False)
        log.info(
            "published deposition %s: DOI %s (concept DOI %s)",
            current["id"],
            current.get("doi"),
            current.get("conceptdoi"),
        )
        return current

    def _receipt(self, deposition: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "api": self.api,
            "host": self.client.host,
            "deposition_id": deposition["id"],
            "conceptrecid": deposition.get("conceptrecid"),
            "published": bool(deposition.get("submitted")),
            "doi": deposition.get("doi") or None,
            "conceptdoi": deposition.get("conceptdoi") or None,
            "html": deposition.get("links", {}).get("html"),
            "files": [{"file": f.name, "size": f.size, "md5": f.md5} for f in self.files],
            "verified": True,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _differences(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """The files that differ between two {name: MD5} maps, in words ("" when none)."""
    parts = [
        (what, sorted(names))
        for what, names in (
            ("changed", [n for n in before.keys() & after.keys() if before[n] != after[n]]),
            ("new", after.keys() - before.keys()),
            ("gone", before.keys() - after.keys()),
        )
        if names
    ]
    return "; ".join(f"{what} {', '.join(names)}" for what, names in parts)


def upload_bundle(
    manifest_path: str | Path,
    *,
    state_path: str | Path,
    host: str,
    api: str,
    publish: bool,
    record: str | int | None = None,
    synthetic: bool = False,
    user_agent: str = DEFAULT_USER_AGENT,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    today: str | None = None,
) -> dict[str, Any]:
    """Deposit the bundle whose manifest is `manifest_path`; returns the receipt.

    Everything that can be checked without the server is checked before the first request:
    the files against the manifest, the address (synthetic data to the sandbox only, zenodo.host
    matching a real Zenodo address), the creators, the token.
    """
    files = bundle_files(manifest_path)
    metadata_path = Path(manifest_path).parent / ".zenodo.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    target = deposit_target(host, api)
    if (synthetic or is_synthetic_metadata(metadata)) and not target.is_sandbox:
        raise ZenodoError(
            "the bundle holds SYNTHETIC data (its README and metadata say so), and synthetic "
            f"data is only ever uploaded to the sandbox; this run would upload it to "
            f"{target.describe()}.",
            hint="keep zenodo.host: sandbox and no zenodo_api (or one on sandbox.zenodo.org) "
            "for synthetic bundles; to deposit the study, run the workflow on the real export "
            "(synthetic: false) and rebuild the archive.",
        )
    target.check_label()
    creators = read_creators(metadata, str(metadata_path))
    token = read_token(host, environ, where=target.describe())
    install_token_filter(token)
    log.info("depositing on %s", target.describe())
    log.info("creators, as Zenodo reads them: %s", "; ".join(creators))
    client = ZenodoClient(api, token, host=host, user_agent=user_agent, retry=retry, sleep=sleep)
    uploader = Uploader(
        client,
        state_path,
        files=files,
        metadata=metadata,
        publish=publish,
        record=None if record is None else str(record),
        today=today,
    )
    return uploader.run()
