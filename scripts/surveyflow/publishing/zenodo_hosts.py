"""Where a deposit goes: Zenodo's two hosts, which one an address really is, tokens, record ids.

No HTTP here: rules/archive.smk calls `api_base` and `fetch_dir_id` while Snakemake parses the
workflow, and the archive rule builds the bundle without any of the Zenodo client.

Sandbox or production is decided by the address a run actually uses, never by the label
`zenodo.host` alone: sandbox.zenodo.org is the sandbox; a loopback address (127.0.0.0/8, ::1,
localhost) is a test server on this machine, standing in for the host that `zenodo.host` names
(so the tests can exercise both, and nothing leaves the machine); any other address is treated
as production, since it may publish for real (see docs/zenodo-api.md, "Hosts and
authentication").
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from surveyflow.errors import InputError

HOSTS = {"sandbox": "https://sandbox.zenodo.org/api", "production": "https://zenodo.org/api"}
WEB = {"sandbox": "https://sandbox.zenodo.org", "production": "https://zenodo.org"}
TOKEN_ENV = {"sandbox": "ZENODO_SANDBOX_TOKEN", "production": "ZENODO_TOKEN"}
SANDBOX_HOSTNAME = "sandbox.zenodo.org"
_NAMES = {"sandbox": "the sandbox", "production": "production"}


class ZenodoError(InputError):
    """A failure talking to Zenodo: what happened, and what to do about it."""

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None):
        super().__init__(message, hint=hint)
        self.status = status


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


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Target:
    """The address a deposit goes to, and what it is: "sandbox", "production" or "test"."""

    host: str  # the label zenodo.host: which token variable, which web pages to name
    api: str
    kind: str

    @property
    def is_sandbox(self) -> bool:
        """Records here are test records: the sandbox itself, or a test server standing in."""
        return self.kind == "sandbox" or (self.kind == "test" and self.host == "sandbox")

    def describe(self) -> str:
        """The address in words, e.g. "the sandbox (https://sandbox.zenodo.org/api)"."""
        if self.kind == "test":
            return (
                f"a test server on this machine ({self.api}, standing in for {_NAMES[self.host]})"
            )
        return f"{_NAMES[self.kind]} ({self.api})"

    def check_label(self) -> None:
        """Stop when zenodo.host contradicts a real Zenodo address: the token variable and
        every message would otherwise speak of the wrong host."""
        if self.kind in ("test", self.host):
            return
        raise ZenodoError(
            f"zenodo.host is {self.host}, but the deposit would go to {self.api}, which is "
            f"{'the sandbox' if self.kind == 'sandbox' else 'not the sandbox'}.",
            hint=f"set zenodo.host: {self.kind} (token in {TOKEN_ENV[self.kind]}), or remove "
            f"zenodo_api to use the {self.host} ({HOSTS[self.host]}).",
        )


def deposit_target(host: str, api: str) -> Target:
    """What the address `api` is; `host` is the label zenodo.host (see the module's notes)."""
    hostname = (urlsplit(api).hostname or "").lower()
    if hostname == SANDBOX_HOSTNAME:
        kind = "sandbox"
    elif _is_loopback(hostname):
        kind = "test"
    else:
        kind = "production"
    return Target(host, api.rstrip("/"), kind)


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
    """The record id naming data/fetched/zenodo-<id>/, or "invalid" (the fetch then says why)."""
    try:
        return record_id(ref)
    except InputError:
        return "invalid"


def read_token(
    host: str, environ: Mapping[str, str] | None = None, *, where: str | None = None
) -> str:
    """The token for `host` from the environment; never from config or params. `where` names
    the address the run uploads to (Target.describe), when it is known."""
    environ = os.environ if environ is None else environ
    where = where or f"the {host} ({WEB[host]})"
    name = TOKEN_ENV[host]
    token = environ.get(name, "").strip()
    if not token:
        other = "production" if host == "sandbox" else "sandbox"
        also = (
            f" {TOKEN_ENV[other]} is set, but a token works only on the host that issued it "
            f"({WEB[other]}), and this run uploads to {where}."
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
