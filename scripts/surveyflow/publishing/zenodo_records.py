"""Records and drafts on Zenodo: find the version to build on, make new versions, sync files.

The latest published version behind any version or concept id, the open draft of a concept, a
new version and the version string it needs, and a draft's files made exactly the bundle's
(uploaded, each MD5 verified).

Zenodo makes a new version only from the latest published version of a record (its deposit
API refuses an older version's id), so every id is resolved to that version first: through
the deposition's `links.latest` (the records API redirects it to the latest version), the
record of a concept id (which answers with its latest version), or, where neither answers,
the account's published depositions of that concept (see docs/zenodo-api.md, "Concept ids and
versions").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from surveyflow.publishing.zenodo_bundle import LocalFile, checksum_md5, md5s
from surveyflow.publishing.zenodo_hosts import ZenodoError
from surveyflow.publishing.zenodo_http import Reply, ZenodoClient

log = logging.getLogger("surveyflow.publishing.zenodo")
UPLOADS = 3  # uploads of one file before its MD5 mismatch is an error


def _is_stale_draft_error(data: Any) -> bool:
    text = json.dumps(data).lower() if data is not None else ""
    return "files.enabled" in text or "remove all files" in text


def _newest(deposition: Mapping[str, Any]) -> tuple[str, Any]:
    return str(deposition.get("created", "")), deposition["id"]


class Records:
    """Reading depositions and records, new versions, a draft's files (the uploader builds on
    it and saves its state at each `checkpoint`)."""

    def __init__(
        self, client: ZenodoClient, *, files: list[LocalFile], metadata: Mapping[str, Any]
    ) -> None:
        self.client = client
        self.api = client.api
        self.files = files
        self.metadata = dict(metadata)

    def checkpoint(self, deposition: Mapping[str, Any]) -> None:
        """Called with the deposition after each verification (the uploader records it)."""

    def read(self, deposition: Mapping[str, Any], what: str = "re-read the deposition") -> dict:
        return self.client.call("GET", deposition["links"]["self"], what=what).data

    def deposition(self, rid: Any, what: str | None = None) -> Reply:
        return self.client.call(
            "GET",
            f"{self.api}/deposit/depositions/{rid}",
            what=what or f"read deposition {rid}",
            accept=(404, 410),
        )

    def list_depositions(self, **params: Any) -> list[dict]:
        found: list[dict] = []
        for page in range(1, 11):
            reply = self.client.call(
                "GET",
                f"{self.api}/deposit/depositions",
                what="list depositions",
                params={**params, "size": 100, "page": page},
            )
            batch = reply.data if isinstance(reply.data, list) else []
            found += batch
            if len(batch) < 100:
                break
        return found

    def concept_draft(self, conceptrecid: Any) -> dict | None:
        """The open (unpublished) draft of a concept, if any."""
        drafts = self.list_depositions(
            q=f"conceptrecid:{conceptrecid}", status="draft", all_versions="true"
        )
        drafts = [
            d
            for d in drafts
            if str(d.get("conceptrecid")) == str(conceptrecid) and not d.get("submitted")
        ]
        return max(drafts, key=_newest) if drafts else None

    def _latest_listed(self, conceptrecid: Any) -> dict | None:
        """The newest published deposition of a concept among the account's."""
        versions = [
            d
            for d in self.list_depositions(q=f"conceptrecid:{conceptrecid}", all_versions="true")
            if str(d.get("conceptrecid")) == str(conceptrecid) and d.get("submitted")
        ]
        return max(versions, key=_newest) if versions else None

    def same_files(self, deposition: Mapping[str, Any]) -> bool:
        """True when the deposition holds exactly the bundle's files (names and MD5s)."""
        return md5s(deposition.get("files", [])) == {f.name: f.md5 for f in self.files}

    def latest_of(self, published: dict) -> dict:
        """The deposition of the latest published version of `published`'s record."""
        url = (published.get("links") or {}).get("latest")
        latest_id = None
        if url:
            reply = self.client.call(
                "GET",
                url,
                what=f"find the latest version of record {published['id']}",
                accept=(404, 410),
            )
            if reply.status == 200 and isinstance(reply.data, dict):
                latest_id = reply.data.get("id")
        else:
            listed = self._latest_listed(published.get("conceptrecid"))
            latest_id = listed["id"] if listed else None
        if latest_id is None or str(latest_id) == str(published["id"]):
            return published
        reply = self.deposition(latest_id, f"read record {latest_id}, the latest version")
        if reply.status != 200:
            raise ZenodoError(
                f"the latest version of record {published['id']} on {self.api} is record "
                f"{latest_id}, which is not a deposition of this account.",
                hint="new versions can only follow the latest version: upload with the token of "
                "the account that owns it, or set zenodo.record: null for a new deposition.",
            )
        log.info(
            "record %s has a newer version, %s: the new version follows that one",
            published["id"],
            latest_id,
        )
        return reply.data

    def latest_version(self, ref: str) -> dict:
        """zenodo.record, the id of any version or the concept id, resolved to the deposition of
        the latest published version; the id of an unpublished draft is that draft."""
        what = f"read record {ref} (zenodo.record)"
        reply = self.deposition(ref, what)
        if reply.status == 200:
            if not reply.data.get("submitted"):
                log.info("record %s is an unpublished draft: uploading into it", ref)
                return reply.data
            return self.latest_of(reply.data)
        # Not a deposition: the concept id, whose record answers with the latest version.
        record = self.client.call("GET", f"{self.api}/records/{ref}", what=what, accept=(404, 410))
        if record.status == 200 and isinstance(record.data, dict) and record.data.get("id"):
            found = self.deposition(record.data["id"], what)
            if found.status == 200 and found.data.get("submitted"):
                log.info("record %s is a concept: its latest version is %s", ref, found.data["id"])
                return found.data
        listed = self._latest_listed(ref)
        if listed is None:
            raise ZenodoError(
                f"record {ref} (zenodo.record) is not a published record of this account on "
                f"{self.api}.",
                hint="give the id of any published version (or the concept id) of a record the "
                "token's account owns, on the same host; or null for a new deposition.",
            )
        return listed

    def check_version(self, latest: Mapping[str, Any]) -> None:
        """A new version needs a version string of its own: stop before making it otherwise."""
        ours = str(self.metadata.get("version") or "")
        theirs = str((latest.get("metadata") or {}).get("version") or "")
        if ours and ours == theirs:
            raise ZenodoError(
                f"the bundle's files differ from record {latest['id']} (DOI "
                f"{latest.get('doi') or 'none'}), the latest published version, but its version "
                f"is the same, {ours}: every version needs a version string of its own.",
                hint='set study.version in your config (e.g. study: {version: "0.2.0"}; without '
                "it the deposit takes the workflow's version from CITATION.cff), rebuild with "
                "`snakemake --cores all archive`, and run zenodo_upload again.",
            )
        log.info("new version %s (the latest published is %s)", ours, theirs or "unversioned")

    def new_version(self, published: Mapping[str, Any]) -> dict:
        """The draft of a new version of `published` (the latest published version)."""
        concept = published.get("conceptrecid")
        reply = self.client.call(
            "POST",
            published["links"]["newversion"],
            what=f"create a new version of record {published['id']}",
            expected=(200, 201),
            accept=(400,),
            safe=False,
            recover=lambda: self.concept_draft(concept),
        )
        if reply.status == 400:
            if not _is_stale_draft_error(reply.data):
                raise self.client.failure(reply, "create a new version")
            draft = self.concept_draft(concept)
            if draft is None:
                raise ZenodoError(
                    f"Zenodo refuses a new version of record {published['id']} because a draft "
                    "with files exists, but the draft cannot be found.",
                    hint="open the record on Zenodo's web page, discard or finish its draft, and "
                    "run the same command again.",
                )
            log.info(
                "a draft of this record already exists (%s): reusing it, stale files included",
                draft["id"],
            )
            return draft
        draft = reply.data
        if draft.get("submitted") or draft.get("id") == published["id"]:
            # The older form of the answer is the published version, linking its new draft.
            draft = self.client.call(
                "GET", draft["links"]["latest_draft"], what="read the new version's draft"
            ).data
        log.info("new version of record %s: draft %s", published["id"], draft["id"])
        return draft

    def _upload(self, deposition: Mapping[str, Any], local: LocalFile) -> None:
        url = f"{deposition['links']['bucket']}/{quote(local.name)}"
        for attempt in range(1, UPLOADS + 1):
            reply = self.client.call(
                "PUT", url, what=f"upload {local.name}", expected=(200, 201), upload=local.path
            )
            md5 = checksum_md5(reply.data or {})
            if md5 == local.md5:
                log.info("uploaded %s (%d bytes, MD5 verified)", local.name, local.size)
                return
            log.warning(
                "uploaded %s (upload %d of %d), but the server stores MD5 %s, not the "
                "manifest's %s%s",
                local.name,
                attempt,
                UPLOADS,
                md5 or "(none)",
                local.md5,
                ": uploading again" if attempt < UPLOADS else "",
            )
        raise ZenodoError(
            f"the server's copy of {local.name} keeps a different MD5 than the manifest after "
            f"{UPLOADS} uploads.",
            hint="check the network path to Zenodo (a proxy rewriting uploads?) and run the "
            "same command again.",
        )

    def sync_files(self, deposition: dict) -> dict:
        """Make the draft's files exactly the bundle's: delete others, upload what differs."""
        local = {f.name: f for f in self.files}
        rounds = 3
        for round_ in range(1, rounds + 1):
            server = {f["filename"]: f for f in deposition.get("files", [])}
            for name, entry in sorted(server.items()):
                if name not in local:
                    self.client.call(
                        "DELETE",
                        entry["links"]["self"],
                        what=f"delete the old file {name}",
                        expected=(204, 200),
                        accept=(404,),
                    )
                    log.info("deleted %s from the draft (not in the bundle)", name)
            on_server = md5s(server.values())
            todo = [f for name, f in sorted(local.items()) if on_server.get(name) != f.md5]
            if round_ == 1 and len(todo) < len(local):
                log.info(
                    "%d file(s) already on the server with the right MD5", len(local) - len(todo)
                )
            for file in todo:
                self._upload(deposition, file)
            deposition = self.read(deposition, "verify the uploaded files")
            self.checkpoint(deposition)
            if self.same_files(deposition):
                log.info("verified: the draft holds exactly the manifest's %d files", len(local))
                return deposition
            if round_ < rounds:
                log.warning(
                    "the draft's files differ from the manifest after uploading: round %d of %d",
                    round_ + 1,
                    rounds,
                )
        raise ZenodoError(
            f"the draft's files still differ from the manifest after {rounds} rounds of uploads.",
            hint="check the draft on Zenodo's web page and run the same command again.",
        )
