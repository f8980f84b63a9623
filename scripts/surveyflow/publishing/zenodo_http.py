"""Transport to Zenodo: one HTTP client with the retry rules, and the messages of its failures.

- the token travels as a Bearer header only and is never logged, stored or put into an
  exception message (`TokenFilter` scrubs the log as defence in depth);
- 429, 5xx and dropped connections are retried with capped exponential backoff; when the server
  sends Retry-After (on a 429 or a 5xx alike) the wait is the longer of it and the backoff,
  capped by `max_wait`; an exhausted rate-limit window is waited out before the next request;
- 400/401/403/404 are not retried; a POST whose answer was lost (5xx, dropped connection) is
  looked up on the server (`recover`) before it is repeated: publish can answer 504 and still
  publish (see docs/zenodo-api.md, "Errors to expect").
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from surveyflow.publishing.deposit_texts import MAX_FILES
from surveyflow.publishing.zenodo_hosts import TOKEN_ENV, WEB, ZenodoError

DEFAULT_USER_AGENT = "surveyflow/0.1.0 (+https://zenodo.org/records/10092394)"

log = logging.getLogger("surveyflow.publishing.zenodo")


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

    def wait(self, failures: int, retry_after: float | None = None) -> float:
        """The wait after the `failures`-th failure: the backoff, or the server's Retry-After
        if that is longer (it knows when it will be back), never more than `max_wait`."""
        backoff = self.backoff * 2 ** (failures - 1)
        return min(max(backoff, retry_after or 0.0), self.max_wait)


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
LOST = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class _Transient(Exception):
    """A failure worth retrying (429, 5xx, dropped connection), and the wait it asks for."""

    def __init__(self, reason: str, wait: float, reply: Reply | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
        self.reply = reply


def describe_body(response: requests.Response) -> tuple[Any, str]:
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
    """HTTP calls with the retry rules above; the token never leaves its header."""

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

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
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

    def retry_wait(self, response: requests.Response, failures: int) -> float:
        """The wait before retrying after `response` (a 429 or 5xx), Retry-After included."""
        value = response.headers.get("Retry-After", "").strip()
        seconds: float | None = None
        if re.fullmatch(r"\d+(\.\d+)?", value):
            seconds = float(value)
        elif value:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - self.clock()
            except (TypeError, ValueError):
                seconds = None
        return self.retry.wait(failures, seconds)

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
                    headers=self.headers(extra),
                    params=params,
                    timeout=self.timeout,
                )
        data = json.dumps(json_body) if json_body is not None else None
        return self.session.request(
            method, url, data=data, headers=self.headers(extra), params=params, timeout=self.timeout
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
                log.warning(
                    "%s: %s; attempt %d of %d in %.1f s",
                    what,
                    last.reason,
                    attempt,
                    self.retry.attempts,
                    last.wait,
                )
                self.sleep(last.wait)
                if not safe and (found := self._recovered(what, last, recover)):
                    return found
            try:
                response = self._send(
                    method, url, json_body=json_body, upload=upload, params=params
                )
            except LOST as exc:
                reason = f"connection lost ({type(exc).__name__})"
                last = _Transient(reason, self.retry.wait(attempt))
                continue
            except requests.RequestException as exc:
                raise ZenodoError(
                    f"could not {what}: {self.scrub(type(exc).__name__ + ': ' + str(exc))}"
                ) from None
            self._respect_rate_limit(response)
            data, summary = describe_body(response)
            reply = Reply(response.status_code, data, summary)
            if response.status_code in expected or response.status_code in accept:
                return reply
            if response.status_code == 429 or response.status_code >= 500:
                kind = "429 rate limited" if response.status_code == 429 else reply.status
                reason = f"{kind} ({summary or 'no message'})"
                last = _Transient(reason, self.retry_wait(response, attempt), reply)
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
                f"and {TOKEN_ENV[other]} (see docs/zenodo-api.md).",
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
