"""Fetch a published Zenodo record: every file, MD5-verified, partial downloads resumed.

No token: records are public. Retries follow the transport's rules (zenodo_http), and a
download that dies mid-file resumes from the bytes already on disk with a Range request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from surveyflow.publishing.deposit_texts import file_digests
from surveyflow.publishing.zenodo_bundle import checksum_md5
from surveyflow.publishing.zenodo_hosts import ZenodoError, record_id
from surveyflow.publishing.zenodo_http import (
    DEFAULT_USER_AGENT,
    LOST,
    Reply,
    RetryPolicy,
    ZenodoClient,
    describe_body,
)

log = logging.getLogger("surveyflow.publishing.zenodo")


def record_files(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """(key, size, md5, url) of a record's files, in either form Zenodo serves."""
    entries = record.get("files") or []
    if isinstance(entries, dict):  # InvenioRDM form: {"entries": {key: {...}}}
        entries = list((entries.get("entries") or {}).values())
    files = []
    for entry in entries:
        key = entry.get("key") or entry.get("filename")
        links = entry.get("links") or {}
        url = links.get("content") or links.get("download") or links.get("self")
        if not key or not url:
            continue
        files.append(
            {
                "key": key,
                "size": entry.get("size", entry.get("filesize")),
                "md5": checksum_md5(entry),
                "url": url,
            }
        )
    return sorted(files, key=lambda f: f["key"])


def _safe_name(key: str) -> str:
    if not key or "/" in key or "\\" in key or key in (".", "..") or "\x00" in key:
        raise ZenodoError(
            f"the record has a file named {key!r}, which is not a safe file name here.",
            hint="download it by hand from Zenodo's web page.",
        )
    return key


def _download(client: ZenodoClient, url: str, part: Path, *, what: str, size: int | None) -> None:
    """Stream `url` into `part`, resuming from its current length with a Range request."""
    last = ""
    attempts = client.retry.attempts
    for attempt in range(1, attempts + 1):
        offset = part.stat().st_size if part.exists() else 0
        if size is not None and offset == size:
            return
        if size is not None and offset > size:
            part.unlink()
            offset = 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            with client.session.get(
                url, headers=client.headers(headers), stream=True, timeout=client.timeout
            ) as response:
                status = response.status_code
                if status == 416:  # the part is complete, or the server lost track: restart
                    part.unlink(missing_ok=True)
                    last = "416 range not satisfiable"
                    continue
                if status == 429 or status >= 500:
                    last = f"{status}"
                    if attempt < attempts:  # no wait, and no word of a retry, after the last
                        wait = client.retry_wait(response, attempt)
                        log.warning(
                            "%s: %s; attempt %d of %d in %.1f s",
                            what,
                            last,
                            attempt + 1,
                            attempts,
                            wait,
                        )
                        client.sleep(wait)
                    continue
                if status not in (200, 206):
                    raise client.failure(Reply(status, None, describe_body(response)[1]), what)
                resumed = status == 206 and offset > 0
                if offset and not resumed:
                    log.info("%s: the server ignored the Range request: downloading again", what)
                elif resumed:
                    log.info("%s: resuming at byte %d", what, offset)
                with part.open("ab" if resumed else "wb") as handle:
                    for chunk in response.iter_content(1 << 16):
                        handle.write(chunk)
            return
        except LOST as exc:
            last = f"connection lost ({type(exc).__name__})"
            got = part.stat().st_size if part.exists() else 0
            if attempt < attempts:
                wait = client.retry.wait(attempt)
                log.warning("%s: %s after %d bytes; resuming in %.1f s", what, last, got, wait)
                client.sleep(wait)
    raise ZenodoError(
        f"could not {what}: {last}, still after {attempts} attempts.",
        hint="run the same command again later: it resumes the partial download.",
    )


def fetch_record(
    ref: int | str,
    dest: str | Path,
    *,
    api: str,
    user_agent: str = DEFAULT_USER_AGENT,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Download every file of a published record into `dest`, verifying each MD5.

    Partial downloads are kept as `<name>.part` and resumed with Range requests; files already
    present with the right MD5 are not downloaded again. No token: records are public.
    """
    rid = record_id(ref)
    client = ZenodoClient(api, None, user_agent=user_agent, retry=retry, sleep=sleep)
    reply = client.call(
        "GET", f"{client.api}/records/{rid}", what=f"read record {rid}", accept=(404, 410)
    )
    if reply.status != 200:
        raise ZenodoError(
            f"record {rid} was not found at {client.api} ({reply.status}).",
            hint="check zenodo.fetch (a record id or DOI such as 10.5281/zenodo.10092394) and "
            "zenodo.fetch_host (sandbox records live on the sandbox).",
            status=reply.status,
        )
    record = reply.data
    files = record_files(record)
    if not files:
        raise ZenodoError(
            f"record {rid} lists no files (restricted or embargoed?).",
            hint="open the record on Zenodo's web page to see its access conditions.",
        )
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    fetched = []
    for entry in files:
        target = dest / _safe_name(entry["key"])
        part = target.with_name(target.name + ".part")
        if target.is_file() and file_digests(target)[2] == entry["md5"]:
            log.info("%s: already here, MD5 verified", entry["key"])
        else:
            _fetch_file(client, entry, part, target, rid)
        fetched.append({"file": entry["key"], "size": target.stat().st_size, "md5": entry["md5"]})
    return {
        "api": client.api,
        "record": rid,
        "record_id": record.get("id"),
        "doi": record.get("doi"),
        "conceptdoi": record.get("conceptdoi"),
        "title": (record.get("metadata") or {}).get("title"),
        "dest": dest.as_posix(),
        "files": fetched,
    }


def _fetch_file(
    client: ZenodoClient, entry: Mapping[str, Any], part: Path, target: Path, rid: str
) -> None:
    """Download one file (twice at most when the copy is damaged) and move it into place."""
    md5 = ""
    for attempt in (1, 2):
        _download(client, entry["url"], part, what=f"download {entry['key']}", size=entry["size"])
        md5 = file_digests(part)[2]
        if not entry["md5"] or md5 == entry["md5"]:
            part.replace(target)
            log.info("%s: downloaded, MD5 verified", entry["key"])
            return
        part.unlink()
        again = "; downloading again" if attempt == 1 else ""
        log.warning(
            "%s: MD5 %s, not the record's %s (download %d of 2)%s",
            entry["key"],
            md5,
            entry["md5"],
            attempt,
            again,
        )
    raise ZenodoError(
        f"{entry['key']} of record {rid} has MD5 {md5} after two downloads, not the "
        f"record's {entry['md5']}.",
        hint="run the same command again later; if it persists, report it to Zenodo.",
    )
