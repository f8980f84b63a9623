"""Zenodo client: deposit the archive bundle, resumably and verified; fetch a published record.

Follows the contract in ../shared/zenodo-api.md (Zenodo's legacy deposit API):

- the token comes from the environment only (ZENODO_SANDBOX_TOKEN for the sandbox,
  ZENODO_TOKEN for production), travels as a Bearer header and is never logged, stored or
  put into an exception message;
- every step is recorded in a small state file, so a rerun after any failure resumes the
  same draft instead of creating another; links from the server are used as given;
- 429 (honouring Retry-After), 5xx and dropped connections are retried with capped
  exponential backoff; 400/401/403/404 are not, except the documented cases (a stale draft
  on newversion, publishing twice); a POST whose answer was lost (5xx, dropped connection)
  is checked on the server before it is repeated (publish can answer 504 and still publish);
- each uploaded file's MD5 is compared with the manifest and uploaded again on mismatch;
- synthetic bundles go to the sandbox only.
"""

from __future__ import annotations

import csv
import email.utils
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

# The bundle's format, shared with the archive rule (which imports no HTTP code).
from surveyflow.deposit_texts import MANIFEST_COLUMNS, MAX_FILES, SYNTHETIC_MARK, file_digests
from surveyflow.errors import InputError

HOSTS = {"sandbox": "https://sandbox.zenodo.org/api", "production": "https://zenodo.org/api"}
WEB = {"sandbox": "https://sandbox.zenodo.org", "production": "https://zenodo.org"}
TOKEN_ENV = {"sandbox": "ZENODO_SANDBOX_TOKEN", "production": "ZENODO_TOKEN"}
DEFAULT_USER_AGENT = "surveyflow/0.1.0 (+https://zenodo.org/records/10092394)"

log = logging.getLogger("surveyflow.zenodo")


def read_manifest(path: str | Path) -> list[dict[str, Any]]:
    """The bundle manifest's rows (file, size, sha256, md5)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != MANIFEST_COLUMNS:
            raise InputError(
                f"is not a bundle manifest (columns {reader.fieldnames}).",
                path=str(path),
                hint="rebuild the bundle with `snakemake --cores all archive`.",
            )
        return [{**row, "size": int(row["size"])} for row in reader]


def is_synthetic_metadata(metadata: Mapping[str, Any]) -> bool:
    """True when deposit metadata carries the synthetic label (title or description)."""
    return any(
        str(metadata.get(key, "")).startswith(SYNTHETIC_MARK) for key in ("title", "description")
    )


class ZenodoError(InputError):
    """A failure talking to Zenodo: what happened, and what to do about it."""

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None):
        super().__init__(message, hint=hint)
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per request; waits start at `backoff` s, double, and never exceed `max_wait`."""

    attempts: int = 6
    backoff: float = 2.0
    max_wait: float = 120.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> RetryPolicy:
        config = config or {}
        default = cls()
        return cls(
            attempts=int(config.get("attempts", default.attempts)),
            backoff=float(config.get("backoff", default.backoff)),
            max_wait=float(config.get("max_wait", default.max_wait)),
        )

    def wait(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), self.max_wait)


def api_base(host: str, override: str | None = None) -> str:
    """The API base URL: the override (a test server) or the host's."""
    if override:
        return override.rstrip("/")
    if host not in HOSTS:
        raise InputError(
            f"zenodo host {host!r} is neither sandbox nor production.",
            path="config zenodo.host",
            hint="set zenodo.host: sandbox (the default) or production.",
        )
    return HOSTS[host]


def record_id(ref: int | str | None) -> str:
    """The record id of `ref`: an id, a Zenodo DOI (10.5281/zenodo.N, sandbox 10.5072/zenodo.N),
    a DOI URL or a record URL."""
    text = str(ref or "").strip()
    if re.fullmatch(r"\d+", text):
        return text
    match = re.search(r"(?:10\.5281|10\.5072)/zenodo\.(\d+)$", text) or re.search(
        r"zenodo\.org/(?:records?|deposit|uploads)/(\d+)/?$", text
    )
    if match:
        return match.group(1)
    raise InputError(
        f"{ref!r} is not a Zenodo record id or DOI.",
        path="config zenodo.fetch",
        hint="give a record id (10092394) or a Zenodo DOI (10.5281/zenodo.10092394).",
    )


def fetch_dir_id(ref: int | str | None) -> str:
    """The record id naming data/raw/zenodo-<id>/, or "invalid" (the fetch then says why)."""
    try:
        return record_id(ref)
    except InputError:
        return "invalid"


def read_token(host: str, environ: Mapping[str, str] | None = None) -> str:
    """The token for `host` from the environment; never from config or params."""
    environ = os.environ if environ is None else environ
    name = TOKEN_ENV[host]
    token = environ.get(name, "").strip()
    if not token:
        other = "production" if host == "sandbox" else "sandbox"
        also = (
            f" {TOKEN_ENV[other]} is set, but a token works only on the host that issued it "
            f"({WEB[other]}), and this run uploads to the {host} ({WEB[host]})."
            if environ.get(TOKEN_ENV[other], "").strip()
            else ""
        )
        raise ZenodoError(
            f"no Zenodo token for the {host}: the environment variable {name} is not set.{also}",
            hint=f"create a personal access token at {WEB[host]}/account/settings/applications/"
            f"tokens/new/ with the scopes deposit:write and deposit:actions, then run "
            f"`{name}=<token> snakemake --cores 1 zenodo_upload` (the token is read from the "
            "environment only, never from config).",
        )
    if not re.fullmatch(r"[\x21-\x7e]+", token):
        raise ZenodoError(
            f"the token in {name} contains spaces or non-ASCII characters.",
            hint="copy the token again, without quotes or line breaks.",
        )
    return token


class TokenFilter(logging.Filter):
    """Replaces the token in every log record that passes (defence in depth)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "***"), None
        return True


def install_token_filter(token: str) -> None:
    """Scrub the token from everything the root logger's handlers write."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(TokenFilter(token))


@dataclass
class Reply:
    """An answer: status, parsed JSON body (None if not JSON), the server's message in a line."""

    status: int
    data: Any
    summary: str = ""


# A connection that failed or died mid-answer: nothing is known about the request's effect.
_LOST = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class _Transient(Exception):
    """A failure worth retrying (429, 5xx, dropped connection)."""

    def __init__(self, reason: str, wait: float | None = None, reply: Reply | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
        self.reply = reply


def _describe_body(response: requests.Response) -> tuple[Any, str]:
    """(parsed JSON or None, a one-line description of the server's message)."""
    try:
        data = response.json()
    except ValueError:
        text = response.text or ""
        title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
        if "<html" in text.lower():
            summary = f"an HTML page ({title.group(1).strip() if title else 'no title'})"
        else:
            summary = repr(text[:200]) if text else "an empty body"
        return None, summary
    if not isinstance(data, dict):
        return data, ""
    parts = [str(data["message"])] if data.get("message") else []
    for error in data.get("errors") or []:
        if isinstance(error, dict):
            where = error.get("field")
            messages = error.get("messages") or [error.get("message", "")]
            parts.append(f"{where}: {' '.join(map(str, messages))}" if where else str(messages))
    parts += [str(m) for m in data.get("messages") or []]
    if data.get("error_id"):
        parts.append(f"error id {data['error_id']}")
    return data, "; ".join(parts)


class ZenodoClient:
    """HTTP calls with the contract's retry rules; the token never leaves its header."""

    def __init__(
        self,
        api: str,
        token: str | None = None,
        *,
        host: str = "sandbox",
        user_agent: str = DEFAULT_USER_AGENT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (15.0, 600.0),
    ) -> None:
        self.api = api.rstrip("/")
        self.host = host
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self._token = token
        self._not_before = 0.0

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _respect_rate_limit(self, response: requests.Response) -> None:
        """Remaining 0 → wait (capped) until the window resets before the next request."""
        remaining = response.headers.get("X-RateLimit-Remaining")
        reset = response.headers.get("X-RateLimit-Reset")
        if remaining == "0" and reset and reset.isdigit():
            now = self.clock()
            self._not_before = min(float(reset), now + self.retry.max_wait)

    def _retry_after(self, response: requests.Response, attempt: int) -> float:
        value = response.headers.get("Retry-After", "")
        seconds: float | None = None
        if re.fullmatch(r"\d+(\.\d+)?", value.strip()):
            seconds = float(value)
        elif value:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - self.clock()
            except (TypeError, ValueError):
                seconds = None
        if seconds is None:
            return self.retry.wait(attempt)
        return min(max(seconds, 0.0), self.retry.max_wait)

    def _send(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        upload: Path | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> requests.Response:
        wait = self._not_before - self.clock()
        if wait > 0:
            log.info("rate limit reached: waiting %.1f s for the window to reset", wait)
            self.sleep(wait)
        extra: dict[str, str] = {}
        if json_body is not None:
            extra["Content-Type"] = "application/json"
        if upload is not None:
            # A file object with an explicit length: never chunked (Zenodo needs Content-Length).
            extra["Content-Type"] = "application/octet-stream"
            extra["Content-Length"] = str(upload.stat().st_size)
            with upload.open("rb") as handle:
                return self.session.request(
                    method,
                    url,
                    data=handle,
                    headers=self._headers(extra),
                    params=params,
                    timeout=self.timeout,
                )
        data = json.dumps(json_body) if json_body is not None else None
        return self.session.request(
            method,
            url,
            data=data,
            headers=self._headers(extra),
            params=params,
            timeout=self.timeout,
        )

    def call(
        self,
        method: str,
        url: str,
        *,
        what: str,
        expected: Iterable[int] = (200,),
        accept: Iterable[int] = (),
        json_body: Any = None,
        upload: Path | None = None,
        params: Mapping[str, Any] | None = None,
        safe: bool = True,
        recover: Callable[[], Any] | None = None,
    ) -> Reply:
        """One API call. Statuses in `expected` or `accept` come back as a Reply; 429, 5xx and
        dropped connections are retried; anything else raises a ZenodoError.

        `safe=False` marks a call that must not be repeated blindly (POST): after a lost
        answer, `recover()` looks on the server, and a non-None result is the call's result.
        """
        expected, accept = set(expected), set(accept)
        last: _Transient | None = None
        for attempt in range(1, self.retry.attempts + 1):
            if last is not None:
                wait = last.wait if last.wait is not None else self.retry.wait(attempt - 1)
                log.warning(
                    "%s: %s; retry %d of %d in %.1f s",
                    what,
                    last.reason,
                    attempt,
                    self.retry.attempts,
                    wait,
                )
                self.sleep(wait)
                if not safe and (found := self._recovered(what, last, recover)):
                    return found
            try:
                response = self._send(
                    method, url, json_body=json_body, upload=upload, params=params
                )
            except _LOST as exc:
                last = _Transient(f"connection lost ({type(exc).__name__})")
                continue
            except requests.RequestException as exc:
                raise ZenodoError(
                    f"could not {what}: {self.scrub(type(exc).__name__ + ': ' + str(exc))}"
                ) from None
            self._respect_rate_limit(response)
            data, summary = _describe_body(response)
            reply = Reply(response.status_code, data, summary)
            if response.status_code in expected or response.status_code in accept:
                return reply
            if response.status_code == 429:
                last = _Transient(
                    f"429 rate limited ({summary or 'no message'})",
                    self._retry_after(response, attempt),
                    reply,
                )
                continue
            if response.status_code >= 500:
                last = _Transient(
                    f"{response.status_code} ({summary or 'no message'})", None, reply
                )
                continue
            raise self.failure(reply, what)
        assert last is not None
        if not safe and (found := self._recovered(what, last, recover)):
            return found  # the last attempt, too, may have worked without saying so
        raise ZenodoError(
            f"could not {what}: {self.scrub(last.reason)}, still after {self.retry.attempts} "
            f"attempts at {self.api}.",
            hint="Zenodo may be down or rate limiting (https://status.zenodo.org); run the "
            "same command again later: it resumes where it stopped.",
            status=last.reply.status if last.reply else None,
        )

    @staticmethod
    def _recovered(what: str, last: _Transient, recover: Callable[[], Any] | None) -> Reply | None:
        """After a lost answer (5xx, dropped connection) the POST may have worked: look."""
        if recover is None or (last.reply is not None and last.reply.status < 500):
            return None
        found = recover()
        if found is None:
            return None
        log.info("%s: had worked despite the lost answer", what)
        return Reply(200, found)

    def failure(self, reply: Reply, what: str) -> ZenodoError:
        """The message for an answer that is not retried."""
        status, summary = reply.status, self.scrub(reply.summary)
        said = f" ({summary})" if summary else ""
        if status in (401, 403):
            env = TOKEN_ENV.get(self.host, "the token variable")
            other = "production" if self.host == "sandbox" else "sandbox"
            return ZenodoError(
                f"Zenodo's {self.host} ({self.api}) refused the token from {env} with {status}"
                f"{said} while trying to {what}. A token works only on the host that issued it: "
                f"a {other} token sent to the {self.host} fails exactly like this, and so does "
                "a token without the deposit:write and deposit:actions scopes.",
                hint=f"create a token at {WEB.get(self.host, self.api)}/account/settings/"
                f"applications/tokens/new/ (scopes deposit:write, deposit:actions) and put it in "
                f"{env}; or, if the deposit belongs on the {other}, set zenodo.host: {other} "
                f"and {TOKEN_ENV[other]}.",
                status=status,
            )
        if status == 400 and "quota" in summary.lower():
            return ZenodoError(
                f"Zenodo refused to {what}: 400{said}. A record holds at most {MAX_FILES} files "
                "(and 50 GB); files copied from the previous version count too.",
                hint="zip more of the bundle (fewer files), or delete old files from the draft "
                "on Zenodo's web page, then run the same command again.",
                status=status,
            )
        if status == 404:
            return ZenodoError(
                f"Zenodo answered 404 not found{said} to: {what}. The deposition may have been "
                "deleted or already published (a published record cannot be written to).",
                hint="check the deposition on Zenodo's web page; delete results/zenodo/"
                "deposition.json to start a new deposition.",
                status=status,
            )
        if status == 413:
            return ZenodoError(
                f"Zenodo refused to {what}: 413 request too large{said}.",
                hint="keep each file, and the record, under Zenodo's limits (50 GB per record).",
                status=status,
            )
        return ZenodoError(
            f"Zenodo refused to {what}: {status}{said}.",
            hint="fix what the message names (the deposit metadata comes from the config's "
            "study block and config/archive.yaml; rebuild with `snakemake --cores all archive`), "
            "then run the same command again: it resumes the same draft.",
            status=status,
        )


# --- upload -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalFile:
    name: str
    path: Path
    size: int
    md5: str


def bundle_files(manifest_path: str | Path) -> list[LocalFile]:
    """The bundle's files (the manifest's, and the manifest itself), each checked against it."""
    manifest_path = Path(manifest_path)
    folder = manifest_path.parent
    files = []
    for row in read_manifest(manifest_path):
        path = folder / row["file"]
        size, sha, md5 = file_digests(path) if path.is_file() else (-1, "", "")
        if (size, sha, md5) != (row["size"], row["sha256"], row["md5"]):
            raise InputError(
                f"{row['file']} differs from the manifest (changed or missing after the build).",
                path=str(path),
                hint="rebuild the bundle: snakemake --cores all archive --forcerun archive.",
            )
        files.append(LocalFile(row["file"], path, size, md5))
    size, _, md5 = file_digests(manifest_path)
    files.append(LocalFile(manifest_path.name, manifest_path, size, md5))
    if len(files) > MAX_FILES:
        raise InputError(
            f"the bundle has {len(files)} files; Zenodo accepts at most {MAX_FILES} per record.",
            path=str(folder),
            hint="zip folders so the bundle has fewer files.",
        )
    return sorted(files, key=lambda f: f.name)


def _md5(entry: Mapping[str, Any]) -> str:
    return str(entry.get("checksum", "")).removeprefix("md5:")


def _is_stale_draft_error(data: Any) -> bool:
    text = json.dumps(data).lower() if data is not None else ""
    return "files.enabled" in text or "remove all files" in text


class Uploader:
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
        self.client = client
        self.api = client.api
        self.state_path = Path(state_path)
        self.files = files
        self.metadata = dict(metadata)
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
                    f["filename"]: {"md5": _md5(f), "size": f.get("filesize")}
                    for f in deposition.get("files", [])
                },
            )
        self.state.update(changes)
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(self.state_path)

    def _get(self, deposition: Mapping[str, Any], what: str = "re-read the deposition") -> dict:
        return self.client.call("GET", deposition["links"]["self"], what=what).data

    def _list(self, **params: Any) -> list[dict]:
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

    def _concept_draft(self, conceptrecid: Any) -> dict | None:
        drafts = self._list(q=f"conceptrecid:{conceptrecid}", status="draft", all_versions="true")
        drafts = [
            d
            for d in drafts
            if str(d.get("conceptrecid")) == str(conceptrecid) and not d.get("submitted")
        ]
        return max(drafts, key=lambda d: (str(d.get("created", "")), d["id"])) if drafts else None

    def run(self) -> dict[str, Any]:
        self._load()
        deposition = self._resume()
        if deposition is not None and deposition.get("submitted"):
            if self._same_files(deposition):
                log.info(
                    "deposition %s is published (DOI %s) with exactly these files: nothing to do",
                    deposition["id"],
                    deposition.get("doi"),
                )
                self._save(deposition, pending=None)
                return self._receipt(deposition)
            log.info("the bundle changed since deposition %s was published", deposition["id"])
            deposition = self._new_version(deposition)
        if deposition is None:
            deposition = self._new_version_of(self.record) if self.record else self._create()
        self._save(deposition, pending=None)
        deposition = self._sync_files(deposition)
        deposition = self._set_metadata(deposition)
        if self.publish:
            deposition = self._publish(deposition)
        else:
            log.info(
                "draft %s is complete and verified; not published (zenodo.publish: false): "
                "review it at %s",
                deposition["id"],
                deposition.get("links", {}).get("html", self.api),
            )
        self._save(deposition)
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
            return self._concept_draft(pending["conceptrecid"])
        return None

    def _same_files(self, deposition: Mapping[str, Any]) -> bool:
        server = {f["filename"]: _md5(f) for f in deposition.get("files", [])}
        return server == {f.name: f.md5 for f in self.files}

    def _find_created(self, marker: str) -> dict | None:
        for draft in self._list(status="draft"):
            if marker in str((draft.get("metadata") or {}).get("notes", "")):
                return draft
        return None

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

    def _new_version_of(self, record: str) -> dict:
        reply = self.client.call(
            "GET",
            f"{self.api}/deposit/depositions/{record}",
            what=f"read record {record} (zenodo.record)",
            accept=(404,),
        )
        if reply.status == 200:
            base = reply.data
        else:  # a concept id: its latest published version
            versions = [
                d
                for d in self._list(q=f"conceptrecid:{record}", all_versions="true")
                if str(d.get("conceptrecid")) == record and d.get("submitted")
            ]
            if not versions:
                raise ZenodoError(
                    f"record {record} (zenodo.record) is not a deposition of this account on "
                    f"{self.api}.",
                    hint="give the id of a published version (or the concept id) of a record "
                    "the token's account owns, on the same host; or null for a new deposition.",
                )
            base = max(versions, key=lambda d: (str(d.get("created", "")), d["id"]))
        if not base.get("submitted"):
            log.info("record %s is an unpublished draft: uploading into it", base["id"])
            return base
        return self._new_version(base)

    def _new_version(self, published: Mapping[str, Any]) -> dict:
        concept = published.get("conceptrecid")
        self._save(pending={"action": "newversion", "of": published["id"], "conceptrecid": concept})
        reply = self.client.call(
            "POST",
            published["links"]["newversion"],
            what=f"create a new version of record {published['id']}",
            expected=(200, 201),
            accept=(400,),
            safe=False,
            recover=lambda: self._concept_draft(concept),
        )
        if reply.status == 400:
            if not _is_stale_draft_error(reply.data):
                raise self.client.failure(reply, "create a new version")
            draft = self._concept_draft(concept)
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
        for attempt in range(1, 4):
            reply = self.client.call(
                "PUT", url, what=f"upload {local.name}", expected=(200, 201), upload=local.path
            )
            md5 = _md5(reply.data or {})
            if md5 == local.md5:
                log.info("uploaded %s (%d bytes, MD5 verified)", local.name, local.size)
                return
            log.warning(
                "uploaded %s, but the server stores MD5 %s, not the manifest's %s: "
                "uploading again (%d of 3)",
                local.name,
                md5 or "(none)",
                local.md5,
                attempt,
            )
        raise ZenodoError(
            f"the server's copy of {local.name} keeps a different MD5 than the manifest after 3 "
            "uploads.",
            hint="check the network path to Zenodo (a proxy rewriting uploads?) and run the "
            "same command again.",
        )

    def _sync_files(self, deposition: dict) -> dict:
        """Make the draft's files exactly the bundle's: delete others, upload what differs."""
        local = {f.name: f for f in self.files}
        for attempt in range(3):
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
            todo = [f for name, f in sorted(local.items()) if _md5(server.get(name, {})) != f.md5]
            if attempt == 0 and len(todo) < len(local):
                log.info(
                    "%d file(s) already on the server with the right MD5", len(local) - len(todo)
                )
            for file in todo:
                self._upload(deposition, file)
            deposition = self._get(deposition, "verify the uploaded files")
            self._save(deposition)
            if self._same_files(deposition):
                log.info("verified: the draft holds exactly the manifest's %d files", len(local))
                return deposition
            log.warning("the draft's files differ from the manifest after uploading; again")
        raise ZenodoError(
            "the draft's files still differ from the manifest after 3 rounds of uploads.",
            hint="check the draft on Zenodo's web page and run the same command again.",
        )

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
        current = self._get(deposition, "check whether the deposition was published")
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
        current = self._get(deposition, "read the published deposition")
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
    """Deposit the bundle whose manifest is `manifest_path`; returns the receipt."""
    files = bundle_files(manifest_path)
    metadata_path = Path(manifest_path).parent / ".zenodo.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    if (synthetic or is_synthetic_metadata(metadata)) and host != "sandbox":
        raise ZenodoError(
            f"the bundle holds SYNTHETIC data (its README and metadata say so), and synthetic "
            f"data is only ever uploaded to the sandbox, not to {host}.",
            hint="keep zenodo.host: sandbox for synthetic bundles; to deposit the study, run the "
            "workflow on the real export (synthetic: false) and rebuild the archive.",
        )
    token = read_token(host, environ)
    install_token_filter(token)
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


# --- fetch --------------------------------------------------------------------------------------


def _record_files(record: Mapping[str, Any]) -> list[dict[str, Any]]:
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
                "md5": _md5(entry),
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
    for attempt in range(1, client.retry.attempts + 1):
        offset = part.stat().st_size if part.exists() else 0
        if size is not None and offset == size:
            return
        if size is not None and offset > size:
            part.unlink()
            offset = 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            with client.session.get(
                url, headers=client._headers(headers), stream=True, timeout=client.timeout
            ) as response:
                status = response.status_code
                if status == 416:  # the part is complete, or the server lost track: restart
                    part.unlink(missing_ok=True)
                    last = "416 range not satisfiable"
                    continue
                if status == 429 or status >= 500:
                    last = f"{status}"
                    wait = (
                        client._retry_after(response, attempt)
                        if status == 429
                        else client.retry.wait(attempt)
                    )
                    log.warning("%s: %s; retry %d in %.1f s", what, last, attempt, wait)
                    client.sleep(wait)
                    continue
                if status not in (200, 206):
                    raise client.failure(Reply(status, None, _describe_body(response)[1]), what)
                resumed = status == 206 and offset > 0
                if offset and not resumed:
                    log.info("%s: the server ignored the Range request: downloading again", what)
                elif resumed:
                    log.info("%s: resuming at byte %d", what, offset)
                with part.open("ab" if resumed else "wb") as handle:
                    for chunk in response.iter_content(1 << 16):
                        handle.write(chunk)
            return
        except _LOST as exc:
            last = f"connection lost ({type(exc).__name__})"
            wait = client.retry.wait(attempt)
            log.warning(
                "%s: %s after %d bytes; resuming in %.1f s",
                what,
                last,
                part.stat().st_size if part.exists() else 0,
                wait,
            )
            client.sleep(wait)
    raise ZenodoError(
        f"could not {what}: {last}, still after {client.retry.attempts} attempts.",
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
    files = _record_files(record)
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
            for attempt in (1, 2):
                _download(
                    client, entry["url"], part, what=f"download {entry['key']}", size=entry["size"]
                )
                md5 = file_digests(part)[2]
                if not entry["md5"] or md5 == entry["md5"]:
                    part.replace(target)
                    log.info("%s: downloaded, MD5 verified", entry["key"])
                    break
                part.unlink()
                log.warning(
                    "%s: MD5 %s, not the record's %s (%d of 2)",
                    entry["key"],
                    md5,
                    entry["md5"],
                    attempt,
                )
            else:
                raise ZenodoError(
                    f"{entry['key']} of record {rid} has MD5 {md5} after two downloads, not the "
                    f"record's {entry['md5']}.",
                    hint="run the same command again later; if it persists, report it to Zenodo.",
                )
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
