"""A Zenodo of our own on loopback: Zenodo's legacy deposit API, with failures.

`ZenodoServer` serves the legacy deposit API (depositions, bucket uploads, publish,
newversion), public records with downloadable files (Range requests), Bearer-token auth
(a token of "the other host" gets 403 "Permission denied."), rate-limit headers on every
answer, absolute links with random bucket ids and non-consecutive ids, and a file limit per
record. As Zenodo does, it makes a new version only from the latest published version of a
record (`links.latest` of a published deposition, /api/records/<id>/versions/latest, redirects
to it; a concept id's record answers with it), and reads a creator's `name` with exactly one
comma as "Family, Given" and any other name whole as the family name, refusing publication
of a creator without one. `inject(...)` makes the next matching request(s) fail in one of the
ways Zenodo does: 429 with Retry-After, 5xx with a JSON or an HTML body (with Retry-After
when `retry_after_5xx` is set), publish answering 504 after publishing, a connection dropped
mid-upload (or mid-download), a wrong MD5 once, 403, 400 in both error shapes, quota exceeded.
Everything is in memory; nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import socket
import threading
import time
import uuid
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

HTML_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>nginx</center></body></html>"
)
HTML_PAGE = (
    "<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>"
)
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    411: "Length Required",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
METADATA_KEYS = {
    "upload_type",
    "publication_date",
    "title",
    "creators",
    "description",
    "access_right",
    "license",
    "keywords",
    "notes",
    "related_identifiers",
    "version",
    "language",
    "contributors",
    "references",
    "communities",
    "grants",
    "subjects",
    "doi",
    "prereserve_doi",
    "publication_type",
    "image_type",
}


@dataclass
class Injection:
    """Fail the next `times` requests of `route` (after skipping `skip` of them)."""

    route: str  # create, list, get, update, delete, publish, newversion, upload, file_delete,
    #             record, download (see ZenodoServer._route)
    failure: str  # 429, 500-json, 502-html, 503-json, 504-html, 504-after, drop, drop-after,
    #               bad-md5, 403, 400-errors, 400-messages, quota
    times: int = 1
    skip: int = 0
    key: str | None = None  # only uploads/downloads of this file name


class ZenodoServer:
    """Threaded HTTP server on 127.0.0.1 (random port) following the deposit API contract."""

    def __init__(
        self,
        token: str = "sandbox-token-0123456789",
        other_host_tokens: tuple[str, ...] = ("production-token-9876543210",),
        max_files: int = 100,
        rate_limit: int = 100,
        retry_after: str = "1",
        retry_after_5xx: str | None = None,
    ) -> None:
        self.token = token
        self.other_host_tokens = set(other_host_tokens)
        self.max_files = max_files
        self.rate_limit = rate_limit
        self.retry_after = retry_after
        self.retry_after_5xx = retry_after_5xx  # Retry-After of injected 5xx answers, if any
        self._published_count = 0  # publication order: the latest version is the last published
        self.lock = threading.RLock()
        self.depositions: dict[int, dict[str, Any]] = {}
        self.buckets: dict[str, dict[str, dict[str, Any]]] = {}  # bucket -> key -> object
        self.injections: list[Injection] = []
        self.log: list[dict[str, Any]] = []  # every request: method, path, route, status
        self._ids = random.Random()
        self._next_id = self._ids.randrange(1_000_000, 9_000_000)
        self._window: list[float] = []
        self._httpd: ThreadingHTTPServer | None = None

    # --- life cycle ---------------------------------------------------------------------------
    def start(self) -> ZenodoServer:
        server = self

        class Handler(_Handler):
            zenodo = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def root(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.root}/api"

    # --- test helpers --------------------------------------------------------------------------
    def inject(self, route: str, failure: str, *, times: int = 1, skip: int = 0, key=None) -> None:
        with self.lock:
            self.injections.append(Injection(route, failure, times, skip, key))

    def requests(self, route: str | None = None, method: str | None = None) -> list[dict]:
        with self.lock:
            return [
                r
                for r in self.log
                if (route is None or r["route"] == route)
                and (method is None or r["method"] == method)
            ]

    def files(self, deposition_id: int) -> dict[str, bytes]:
        """The stored bytes of a deposition's files."""
        with self.lock:
            dep = self.depositions[deposition_id]
            return {k: o["data"] for k, o in self.buckets[dep["bucket"]].items()}

    def md5s(self, deposition_id: int) -> dict[str, str]:
        return {k: hashlib.md5(v).hexdigest() for k, v in self.files(deposition_id).items()}

    def published(self) -> list[dict[str, Any]]:
        with self.lock:
            return [d for d in self.depositions.values() if d["submitted"]]

    def drafts(self) -> list[dict[str, Any]]:
        with self.lock:
            return [d for d in self.depositions.values() if not d["submitted"]]

    def add_record(
        self,
        files: dict[str, bytes],
        metadata: dict | None = None,
        *,
        version_of: int | None = None,
    ) -> int:
        """A published record, or a newer published version of record `version_of`; its id."""
        with self.lock:
            concept = self.depositions[version_of]["conceptrecid"] if version_of else None
            dep = self._new_deposition(
                metadata or {"title": "A record", "upload_type": "dataset"}, concept=concept
            )
            for key, data in files.items():
                self._store(dep, key, data)
            self._do_publish(dep)
            return dep["id"]

    def latest(self, concept: str) -> dict[str, Any] | None:
        """The latest published version of a concept: the one published last."""
        with self.lock:
            versions = [d for d in self._concept_versions(concept) if d["submitted"]]
            return max(versions, key=lambda d: d["published_order"]) if versions else None

    # --- model -------------------------------------------------------------------------------
    def _new_id(self) -> int:
        # Non-consecutive on purpose: clients must use links, never guess ids.
        self._next_id += self._ids.randrange(3, 400)
        return self._next_id

    def _new_deposition(self, metadata: dict, concept: str | None = None) -> dict[str, Any]:
        dep_id = self._new_id()
        bucket = str(uuid.uuid4())
        self.buckets[bucket] = {}
        now = datetime.now(UTC).isoformat()
        dep = {
            "id": dep_id,
            "record_id": dep_id,
            "conceptrecid": concept or str(self._new_id()),
            "created": now,
            "modified": now,
            "owner": 1,
            "state": "unsubmitted",
            "submitted": False,
            "doi": "",
            "conceptdoi": "",
            "metadata": _as_zenodo_reads(metadata),
            "bucket": bucket,
            "latest_draft": dep_id,
        }
        self.depositions[dep_id] = dep
        return dep

    def _store(self, dep: dict, key: str, data: bytes) -> dict[str, Any]:
        obj = {"id": str(uuid.uuid4()), "key": key, "data": data}
        self.buckets[dep["bucket"]][key] = obj
        dep["modified"] = datetime.now(UTC).isoformat()
        return obj

    def _do_publish(self, dep: dict) -> None:
        self._published_count += 1
        dep["published_order"] = self._published_count
        dep["submitted"], dep["state"] = True, "done"
        dep["doi"] = f"10.5072/zenodo.{dep['id']}"
        dep["conceptdoi"] = f"10.5072/zenodo.{dep['conceptrecid']}"
        dep["metadata"].setdefault("publication_date", datetime.now(UTC).date().isoformat())
        dep["metadata"]["doi"] = dep["doi"]

    def _links(self, dep: dict) -> dict[str, str]:
        api, dep_url = self.url, f"{self.url}/deposit/depositions/{dep['id']}"
        links = {
            "self": dep_url,
            "html": f"{self.root}/deposit/{dep['id']}",
            "files": f"{dep_url}/files",
            "bucket": f"{api}/files/{dep['bucket']}",
            "publish": f"{dep_url}/actions/publish",
            "discard": f"{dep_url}/actions/discard",
            "edit": f"{dep_url}/actions/edit",
            "newversion": f"{dep_url}/actions/newversion",
            "latest_draft": f"{api}/deposit/depositions/{dep['latest_draft']}",
        }
        if dep["submitted"]:
            links["record"] = f"{api}/records/{dep['id']}"
            links["latest"] = f"{api}/records/{dep['id']}/versions/latest"
            links["latest_html"] = f"{self.root}/records/{dep['id']}/latest"
        return links

    def _file_json(self, dep: dict, obj: dict) -> dict[str, Any]:
        return {
            "id": obj["id"],
            "filename": obj["key"],
            "filesize": len(obj["data"]),
            "checksum": hashlib.md5(obj["data"]).hexdigest(),
            "links": {
                "self": f"{self.url}/deposit/depositions/{dep['id']}/files/{obj['id']}",
                "download": f"{self.url}/files/{dep['bucket']}/{obj['key']}",
            },
        }

    def _dep_json(self, dep: dict) -> dict[str, Any]:
        hidden = ("bucket", "latest_draft", "published_order")
        body = {k: deepcopy(v) for k, v in dep.items() if k not in hidden}
        body["title"] = dep["metadata"].get("title", "")
        body["files"] = [self._file_json(dep, o) for o in self.buckets[dep["bucket"]].values()]
        body["links"] = self._links(dep)
        return body

    def _record_json(self, dep: dict) -> dict[str, Any]:
        files = []
        for obj in self.buckets[dep["bucket"]].values():
            files.append(
                {
                    "id": obj["id"],
                    "key": obj["key"],
                    "size": len(obj["data"]),
                    "checksum": "md5:" + hashlib.md5(obj["data"]).hexdigest(),
                    "links": {"self": f"{self.url}/records/{dep['id']}/files/{obj['key']}/content"},
                }
            )
        return {
            "id": dep["id"],
            "recid": dep["id"],
            "conceptrecid": dep["conceptrecid"],
            "doi": dep["doi"],
            "conceptdoi": dep["conceptdoi"],
            "metadata": deepcopy(dep["metadata"]),
            "files": files,
            "links": {
                "self": f"{self.url}/records/{dep['id']}",
                "latest": f"{self.url}/records/{dep['id']}/versions/latest",
            },
        }

    def _concept_versions(self, concept: str) -> list[dict]:
        return [d for d in self.depositions.values() if d["conceptrecid"] == concept]


def _as_zenodo_reads(metadata: dict) -> dict:
    """Known keys only; each creator as Zenodo reads and serves it: a name with exactly one
    comma is "Family, Given" (stripped), any other name is the family name, whole."""
    kept = {k: v for k, v in metadata.items() if k in METADATA_KEYS}
    if isinstance(kept.get("creators"), list):
        creators = []
        for creator in kept["creators"]:
            family, given = _family_given(creator)
            entry = {k: creator[k] for k in ("affiliation", "orcid", "gnd") if creator.get(k)}
            creators.append({"name": f"{family}, {given}" if given else family, **entry})
        kept["creators"] = creators
    return kept


def _family_given(creator: Any) -> tuple[str, str]:
    name = str(creator.get("name") or "") if isinstance(creator, dict) else ""
    if name.count(",") == 1:
        family, given = name.split(",")
        return family.strip(), given.strip()
    return name.strip(), ""


def _json_error(status: int, message: str, **extra: Any) -> tuple[int, dict, dict]:
    return status, {"status": status, "message": message, **extra}, {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stalls
    zenodo: ZenodoServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: the tests read ZenodoServer.log

    # --- plumbing ---------------------------------------------------------------------------------
    def _send(self, status: int, body: Any = None, headers: dict | None = None) -> None:
        if isinstance(body, str | bytes):
            payload = body.encode() if isinstance(body, str) else body
            ctype = "text/html" if isinstance(body, str) else "application/octet-stream"
        elif body is None:
            payload, ctype = b"", None
        else:
            payload, ctype = json.dumps(body).encode(), "application/json"
        self._record(status)  # before the answer leaves: a client never sees an unlogged reply
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in self._rate_headers().items():
            self.send_header(name, value)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _rate_headers(self) -> dict[str, str]:
        z = self.zenodo
        now = time.time()
        with z.lock:
            z._window = [t for t in z._window if t > now - 60]
            remaining = max(0, z.rate_limit - len(z._window))
            reset = int(min(z._window, default=now) + 60)
        return {
            "X-RateLimit-Limit": str(z.rate_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
        }

    def _record(self, status: int | str) -> None:
        with self.zenodo.lock:
            self.zenodo.log.append(
                {
                    "method": self.command,
                    "path": urlsplit(self.path).path,
                    "query": urlsplit(self.path).query,
                    "route": self._route_name,
                    "status": status,
                    "auth": self.headers.get("Authorization", ""),
                    "user_agent": self.headers.get("User-Agent", ""),
                    "content_length": self.headers.get("Content-Length"),
                    "range": self.headers.get("Range"),
                }
            )

    def _drop(self) -> None:
        self._record("dropped")
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        return self.rfile.read(int(length)) if length else b""

    def _take_injection(self, route: str, key: str | None) -> Injection | None:
        z = self.zenodo
        with z.lock:
            for inj in z.injections:
                if inj.route != route or inj.times <= 0 or (inj.key and inj.key != key):
                    continue
                if inj.skip > 0:
                    inj.skip -= 1
                    return None
                inj.times -= 1
                return inj
        return None

    # --- dispatch ---------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    _ROUTES = [
        ("POST", r"/api/deposit/depositions", "create"),
        ("GET", r"/api/deposit/depositions", "list"),
        ("GET", r"/api/deposit/depositions/(?P<id>\d+)", "get"),
        ("PUT", r"/api/deposit/depositions/(?P<id>\d+)", "update"),
        ("DELETE", r"/api/deposit/depositions/(?P<id>\d+)", "delete"),
        ("GET", r"/api/deposit/depositions/(?P<id>\d+)/files", "files"),
        ("DELETE", r"/api/deposit/depositions/(?P<id>\d+)/files/(?P<file>[^/]+)", "file_delete"),
        ("POST", r"/api/deposit/depositions/(?P<id>\d+)/actions/publish", "publish"),
        ("POST", r"/api/deposit/depositions/(?P<id>\d+)/actions/newversion", "newversion"),
        ("POST", r"/api/deposit/depositions/(?P<id>\d+)/actions/discard", "discard"),
        ("PUT", r"/api/files/(?P<bucket>[0-9a-f-]+)/(?P<key>[^/]+)", "upload"),
        ("DELETE", r"/api/files/(?P<bucket>[0-9a-f-]+)/(?P<key>[^/]+)", "object_delete"),
        ("GET", r"/api/records/(?P<id>\d+)", "record"),
        ("GET", r"/api/records/(?P<id>\d+)/versions/latest", "latest"),
        ("GET", r"/api/records/(?P<id>\d+)/files/(?P<key>[^/]+)/content", "download"),
    ]
    PUBLIC = {"record", "latest", "download"}

    def _dispatch(self) -> None:
        self._route_name = "unknown"
        parts = urlsplit(self.path)
        match = None
        for method, pattern, name in self._ROUTES:
            match = re.fullmatch(pattern, parts.path)
            if match and method == self.command:
                self._route_name = name
                break
            match = None
        with self.zenodo.lock:
            self.zenodo._window.append(time.time())
        if match is None:
            self._read_body()
            self._send(*_json_error(404, "The requested URL was not found on the server.")[:2])
            return
        args = {k: unquote(v) for k, v in match.groupdict().items()}
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        inj = self._take_injection(self._route_name, args.get("key"))
        if inj is not None and self._fail_before(inj):
            return
        if self._route_name not in self.PUBLIC and not self._authorised():
            return
        handler = getattr(self, f"_r_{self._route_name}")
        status, body, headers = handler(args, query, inj)
        if headers.get("__sent__"):
            return
        if inj is not None and inj.failure == "504-after":
            self._send(504, HTML_PAGE.format(status=504, reason="Gateway Timeout"))
        elif inj is not None and inj.failure == "drop-after":
            self._drop()
        else:
            self._send(status, body, headers)

    def _fail_before(self, inj: Injection) -> bool:
        """Failures that happen before the action (the server does nothing)."""
        kind = inj.failure
        if kind in ("504-after", "drop-after", "bad-md5"):
            return False
        if kind == "drop":
            if self._route_name == "download":
                return False  # handled while streaming the content
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length // 2)  # half the upload arrives, then the line goes dead
            self._drop()
            return True
        self._read_body()
        m = re.fullmatch(r"(\d{3})-(json|html)", kind)
        if m:
            status = int(m.group(1))
            retry = (
                {"Retry-After": self.zenodo.retry_after_5xx} if self.zenodo.retry_after_5xx else {}
            )
            if m.group(2) == "json":
                self._send(
                    status,
                    {
                        "status": status,
                        "message": "Internal server error.",
                        "error_id": uuid.uuid4().hex,
                    },
                    retry,
                )
            else:
                page = HTML_502 if status == 502 else HTML_PAGE
                self._send(status, page.format(status=status, reason=REASONS[status]), retry)
        elif kind == "429":
            self._send(
                429,
                {"status": 429, "message": "Too many requests."},
                {"Retry-After": self.zenodo.retry_after},
            )
        elif kind == "403":
            self._send(403, {"status": 403, "message": "Permission denied."})
        elif kind == "400-errors":
            error = {"field": "metadata.creators", "message": "Missing data for required field."}
            self._send(400, {"status": 400, "message": "Validation error.", "errors": [error]})
        elif kind == "400-messages":
            self._send(400, {"messages": ["Invalid value for upload_type."]})
        elif kind == "quota":
            self._send(400, {"status": 400, "message": "Bucket quota exceeded."})
        else:
            raise ValueError(f"unknown failure {kind!r}")
        return True

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        if token == self.zenodo.token:
            return True
        self._read_body()
        if token in self.zenodo.other_host_tokens or token:
            self._send(403, {"status": 403, "message": "Permission denied."})
        else:
            self._send(
                401,
                {
                    "status": 401,
                    "message": "The server could not verify that you are "
                    "authorized to access the URL requested.",
                },
            )
        return False

    def _json_body(self) -> tuple[Any, tuple | None]:
        raw = self._read_body()
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            return None, _json_error(415, "Unsupported media type: send application/json.")
        try:
            return (json.loads(raw) if raw else {}), None
        except ValueError:
            return None, _json_error(400, "Invalid JSON.")

    def _dep(self, args: dict) -> dict | None:
        return self.zenodo.depositions.get(int(args["id"]))

    # --- routes (called with the server lock free; take it for the model) -------------------------
    def _r_create(self, args, query, inj):
        body, error = self._json_body()
        if error:
            return error
        unknown = sorted(set(body) - {"metadata"})
        if unknown:
            errors = [{"field": k, "message": "Unknown field."} for k in unknown]
            return 400, {"status": 400, "message": "Validation error.", "errors": errors}, {}
        with self.zenodo.lock:
            dep = self.zenodo._new_deposition(body.get("metadata") or {})
            return 201, self.zenodo._dep_json(dep), {}

    def _r_list(self, args, query, inj):
        z = self.zenodo
        with z.lock:
            deps = list(z.depositions.values())
            q = query.get("q", "")
            m = re.fullmatch(r"conceptrecid:(\d+)", q)
            if m:
                deps = [d for d in deps if d["conceptrecid"] == m.group(1)]
            elif q:
                deps = [d for d in deps if q.lower() in d["metadata"].get("title", "").lower()]
            status = query.get("status")
            if status == "draft":
                deps = [d for d in deps if not d["submitted"]]
            elif status == "published":
                deps = [d for d in deps if d["submitted"]]
            if query.get("all_versions", "").lower() not in ("1", "true"):
                latest: dict[str, dict] = {}
                for d in deps:
                    if d["submitted"]:
                        best = latest.get(d["conceptrecid"])
                        if best is None or d["created"] > best["created"]:
                            latest[d["conceptrecid"]] = d
                deps = [d for d in deps if not d["submitted"] or latest[d["conceptrecid"]] is d]
            deps.sort(key=lambda d: d["created"], reverse=True)
            size, page = int(query.get("size", 10)), int(query.get("page", 1))
            deps = deps[(page - 1) * size : page * size]
            return 200, [z._dep_json(d) for d in deps], {}

    def _r_get(self, args, query, inj):
        with self.zenodo.lock:
            dep = self._dep(args)
            if dep is None:
                return _json_error(404, "PID does not exist.")
            return 200, self.zenodo._dep_json(dep), {}

    def _r_files(self, args, query, inj):
        with self.zenodo.lock:
            dep = self._dep(args)
            if dep is None:
                return _json_error(404, "PID does not exist.")
            return 200, self.zenodo._dep_json(dep)["files"], {}

    def _r_update(self, args, query, inj):
        body, error = self._json_body()
        if error:
            return error
        with self.zenodo.lock:
            dep = self._dep(args)
            if dep is None or dep["submitted"]:
                return _json_error(404, "PID does not exist.")
            unknown = set(body) - {"metadata"}
            if unknown:
                return 400, {"messages": [f"Unknown field: {k}" for k in sorted(unknown)]}, {}
            # Replaces the metadata wholesale; unknown keys are dropped silently.
            dep["metadata"] = _as_zenodo_reads(body.get("metadata") or {})
            dep["modified"] = datetime.now(UTC).isoformat()
            return 200, self.zenodo._dep_json(dep), {}

    def _r_delete(self, args, query, inj):
        with self.zenodo.lock:
            dep = self._dep(args)
            if dep is None or dep["submitted"]:
                return _json_error(404, "PID does not exist.")
            del self.zenodo.depositions[dep["id"]]
            return 204, None, {}

    def _r_discard(self, args, query, inj):
        return 201, {}, {}

    def _r_file_delete(self, args, query, inj):
        with self.zenodo.lock:
            dep = self._dep(args)
            if dep is None or dep["submitted"]:
                return _json_error(404, "PID does not exist.")
            bucket = self.zenodo.buckets[dep["bucket"]]
            for key, obj in list(bucket.items()):
                if obj["id"] == args["file"]:
                    del bucket[key]
                    return 204, None, {}
            return _json_error(404, "File does not exist.")

    def _r_object_delete(self, args, query, inj):
        with self.zenodo.lock:
            bucket = self.zenodo.buckets.get(args["bucket"])
            if bucket is None or args["key"] not in bucket:
                return _json_error(404, "Object does not exist.")
            del bucket[args["key"]]
            return 204, None, {}

    def _dep_of_bucket(self, bucket: str) -> dict | None:
        for dep in self.zenodo.depositions.values():
            if dep["bucket"] == bucket:
                return dep
        return None

    def _r_upload(self, args, query, inj):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return _json_error(411, "Chunked transfer is not supported: send Content-Length.")
        if self.headers.get("Content-Length") is None:
            return _json_error(411, "Content-Length required.")
        data = self._read_body()
        z = self.zenodo
        with z.lock:
            dep = self._dep_of_bucket(args["bucket"])
            if dep is None or dep["submitted"]:
                return _json_error(404, "Bucket does not exist or is locked.")
            bucket = z.buckets[dep["bucket"]]
            if args["key"] not in bucket and len(bucket) >= z.max_files:
                return _json_error(400, "Bucket quota exceeded.")
            if inj is not None and inj.failure == "bad-md5" and data:
                # The stored copy is damaged once: its MD5 is not the client's.
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            obj = z._store(dep, args["key"], data)
            return (
                201,
                {
                    "key": obj["key"],
                    "size": len(data),
                    "mimetype": "application/octet-stream",
                    "checksum": "md5:" + hashlib.md5(data).hexdigest(),
                    "version_id": obj["id"],
                    "links": {"self": f"{z.url}/files/{dep['bucket']}/{obj['key']}"},
                },
                {},
            )

    def _r_publish(self, args, query, inj):
        z = self.zenodo
        with z.lock:
            dep = self._dep(args)
            if dep is None or dep["submitted"]:
                return _json_error(404, "PID does not exist.")  # publishing twice gives 404
            errors = [
                {"field": f"metadata.{key}", "message": "Missing data for required field."}
                for key in ("upload_type", "title", "creators", "description")
                if not dep["metadata"].get(key)
            ]
            for i, creator in enumerate(dep["metadata"].get("creators") or []):
                if not _family_given(creator)[0]:
                    field = f"metadata.creators.{i}.person_or_org.family_name"
                    errors.append({"field": field, "message": "Missing data for required field."})
            if not z.buckets[dep["bucket"]]:
                errors.append({"field": "files", "message": "Minimum one file must be provided."})
            if errors:
                return 400, {"status": 400, "message": "Validation error.", "errors": errors}, {}
            z._do_publish(dep)
            return 202, z._dep_json(dep), {}

    def _r_newversion(self, args, query, inj):
        z = self.zenodo
        with z.lock:
            dep = self._dep(args)
            if dep is None or not dep["submitted"]:
                return _json_error(404, "PID does not exist.")
            if z.latest(dep["conceptrecid"]) is not dep:
                # Zenodo: the id of a new version's request has to be the latest version's.
                error = {
                    "field": "id",
                    "message": "A new version can only be made from the latest published "
                    "version of the record.",
                }
                return 400, {"status": 400, "message": "Validation error.", "errors": [error]}, {}
            versions = z._concept_versions(dep["conceptrecid"])
            drafts = [d for d in versions if not d["submitted"]]
            if drafts:
                draft = drafts[0]
                if z.buckets[draft["bucket"]]:
                    return (
                        400,
                        {
                            "status": 400,
                            "message": "Validation error.",
                            "errors": [
                                {
                                    "field": "files.enabled",
                                    "message": "Please remove all files first.",
                                }
                            ],
                        },
                        {},
                    )
                return 201, z._dep_json(draft), {}
            metadata = {
                k: v
                for k, v in dep["metadata"].items()
                if k not in ("publication_date", "version", "doi")
            }
            draft = z._new_deposition(metadata, concept=dep["conceptrecid"])
            for obj in z.buckets[dep["bucket"]].values():
                z._store(draft, obj["key"], obj["data"])
            for version in versions:
                version["latest_draft"] = draft["id"]
            return 201, z._dep_json(draft), {}

    def _published_dep(self, rid: int) -> dict | None:
        z = self.zenodo
        dep = z.depositions.get(rid)
        if dep is not None and dep["submitted"]:
            return dep
        # A concept id answers with its latest published version.
        return z.latest(str(rid))

    def _r_record(self, args, query, inj):
        with self.zenodo.lock:
            dep = self._published_dep(int(args["id"]))
            if dep is None:
                return _json_error(404, "The persistent identifier does not exist.")
            return 200, self.zenodo._record_json(dep), {}

    def _r_latest(self, args, query, inj):
        """The latest version of a record: a redirect to it, as Zenodo's records API answers."""
        with self.zenodo.lock:
            dep = self._published_dep(int(args["id"]))
            latest = self.zenodo.latest(dep["conceptrecid"]) if dep else None
            if latest is None:
                return _json_error(404, "The persistent identifier does not exist.")
            return 302, None, {"Location": f"{self.zenodo.url}/records/{latest['id']}"}

    def _r_download(self, args, query, inj):
        with self.zenodo.lock:
            dep = self._published_dep(int(args["id"]))
            obj = self.zenodo.buckets[dep["bucket"]].get(args["key"]) if dep else None
            if obj is None:
                return _json_error(404, "File does not exist.")
            data = obj["data"]
        start = 0
        m = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if m:
            start = int(m.group(1))
            if start >= len(data):
                return 416, {"status": 416, "message": "Range not satisfiable."}, {}
        if inj is not None and inj.failure == "bad-md5":
            data = bytes([data[0] ^ 0xFF]) + data[1:]  # damaged in transit, once
        if inj is not None and inj.failure == "drop":
            # Announce the whole rest, send half of it, hang up.
            rest = data[start:]
            self.send_response(206 if start else 200)
            self.send_header("Content-Length", str(len(rest)))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            self.wfile.write(rest[: len(rest) // 2])
            self.wfile.flush()
            self._drop()
            return 0, None, {"__sent__": "1"}
        if start:
            headers = {
                "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}",
                "Accept-Ranges": "bytes",
            }
            return 206, data[start:], headers
        return 200, data, {"Accept-Ranges": "bytes"}
