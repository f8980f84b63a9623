"""Personal data in free text: found, redacted, masked for logs; control characters stripped.

Pure functions shared by ingest/cleaning (which redact what config names, with a log row per
value) and the archive (which redacts, allows or stops on what is left):

- `scan_text` finds e-mail addresses (non-ASCII letters, "(at)", "[at]", " at … dot …",
  full-width "＠"), phone numbers (Google's libphonenumber via `phonenumbers`), IPv4/IPv6
  addresses with their port (confirmed by the standard library's `ipaddress`) and URLs
  (schemes, www., domains with a path, personal sites such as jane-doe.github.io);
- `redact_text` replaces findings by "[<kind> removed]", `mask` gives a form for logs that
  shows the kind and shape but not the value ("j…@….de"), `scrub_table` scans a whole table;
- `scrub_columns` strips C0/C1 control characters and redacts personal data in the columns
  of a responses table, returning cleaning-log rows (the raw value masked, never written).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from surveyflow.config import Question

KINDS = ("email", "phone", "ip", "url")
REDACTED = {kind: f"[{kind} removed]" for kind in KINDS}
NAMES = {"email": "e-mail address", "phone": "phone number", "ip": "IP address", "url": "URL"}
# Columns of the cleaning log (surveyflow.checking.cleaning uses the same).
LOG_COLUMNS = ["respondent_id", "question", "raw_value", "clean_value", "rule", "reason"]
SCRUB_RULES = (
    (
        "control_characters",
        "C0/C1 control characters (NUL …) removed from any answer; tab, newline, CR kept",
        '"a\\x00b" -> "ab"',
    ),
    (
        "personal_data_redacted",
        "e-mail, phone, IP (`cleaning.redact`) in typed text replaced; the log's raw value "
        "is masked, never the value",
        '"mail j.doe@uni.de" -> "mail [email removed]" (log: "[email: j…@….de]")',
    ),
)
REASON_PREFIX = "personal data removed: "

# Letters of any script: "jürgen.müller@beispiel.de" is one address, not "…mü" + "ller@…".
_W = r"[^\W_]"
_LOCAL = rf"{_W}[\w%+'\-]*"
_LABEL = rf"{_W}(?:[\w\-]*{_W})?"
_TLD = r"[^\W\d_]{2,24}"
_DOT = r"(?:[.．。]|\s*[(\[{<]\s*(?i:dot)\s*[)\]}>]\s*|\s+(?i:dot)\s+)"
_AT = r"(?:\s?[@＠﹫]\s?|\s*[(\[{<]\s*(?i:at)\s*[)\]}>]\s*)"
# A plain " at " only with spelled dots and a real top-level domain last: "look at the dot
# product" and "we work at acme.com" are no addresses. Two-letter English words (in, it, is,
# to, be, me, us, no …) are left out of the domains.
_SPELLED_TLD = (
    r"(?i:com|org|net|edu|gov|info|io|ai|dev|app|eu|de|at|ch|uk|fr|nl|se|dk|fi|pl|cz|pt|es|br"
    r"|ar|mx|cl|co|jp|cn|kr|ru|tr|au|nz|ca|za|ie|hu|gr|ro|ua)"
)
_EMAIL = re.compile(
    rf"(?<![\w.%+'\-]){_LOCAL}(?:{_DOT}{_LOCAL})*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}"
    rf"(?!\w)"
    rf"|(?<![\w.%+'\-]){_LOCAL}(?:(?:\.|\s+(?i:dot)\s+){_LOCAL})*\s+(?i:at)\s+{_LABEL}"
    rf"(?:\s+(?i:dot)\s+{_LABEL})*\s+(?i:dot)\s+{_SPELLED_TLD}(?!\w)"
)
# Where people put a page of their own: any host under these is a personal site.
_PERSONAL_HOSTS = (
    r"github\.io|gitlab\.io|netlify\.app|vercel\.app|pages\.dev|herokuapp\.com|wordpress\.com"
    r"|blogspot\.com|wixsite\.com|weebly\.com|substack\.com|medium\.com|tumblr\.com"
    r"|carrd\.co|notion\.site|about\.me|sites\.google\.com"
)
# Extensions and languages that look like a domain before a slash: "Node.js/Express".
_NOT_TLD = r"(?!(?:js|ts|py|sh|rs|md|ml|pl|rb|go|cs|jl|net|exe|txt|csv|pdf|png|html?)\b)"
_URL = re.compile(
    r"\b(?:https?|ftp)://[^\s<>\"']+|\bwww\.[^\s<>\"']+"
    # a domain followed by a path: example.org/page (not "Kafka/Flink", "n/a", "Node.js/x")
    rf"|\b{_LABEL}(?:\.{_LABEL})*\.{_NOT_TLD}[a-z]{{2,24}}/[^\s<>\"']*"
    rf"|\b{_LABEL}(?:\.{_LABEL})*\.(?:{_PERSONAL_HOSTS})\b"
    # a bare domain that looks like a person's: jane-doe.com, max-mustermann.de, janedoe.me
    r"|(?<![\w.\-])[^\W\d_]{2,}(?:-[^\W\d_]{2,}){1,2}\.(?:com|net|de|at|ch|eu|info|io|dev|me"
    r"|name|page|site|nl|fr|es|se|dk|fi|no|pl|br|uk)\b(?![.\-]\w)"
    r"|(?<![\w.\-])[^\W\d_]{2,}(?:[.\-][^\W\d_]{2,}){0,2}\.(?:me|name)\b(?![.\-]\w)",
)
_DOI_HOST = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?!\.?\d|\w|:\d)")
_IPV6 = re.compile(
    r"(?<![\w:.\]])\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}"
    r"(?:%[\w.]+)?(?:\]:\d{1,5}|\])?(?![\w:])"
)
_VERSION = re.compile(r"(?i:\b(?:v|ver|version|release|build|rev)\.?\s*)$")
_DATE = re.compile(
    r"(?<!\d)\d{4}-\d\d-\d\d(?!\d)"
    r"|(?<!\d)(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:19|20)?\d\d(?!\d)"
    r"|(?<!\d)(?:0?[1-9]|1[0-2])[./-](?:19|20)\d\d(?!\d)"  # a month: 03/2022
)
# Numbers that say what they are: "ticket no. 2021-0042-17", "order 4711 0815 4711".
_NOT_PHONE = re.compile(
    r"(?i:\b(?:ticket|order|invoice|serial|id|no|nr|ref|isbn|issn|ean|iban|account|version"
    r"|build|doi)[.:#\s]*)$"
)
_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d+)?|\d+[.,]\d+")
_RANGE = re.compile(r"[1-9]\d*\s*[-–]\s*\d+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Phone numbers written without a country code are read as German ones: DE, like most of
# the world, dials abroad with "00" (so "0049 …" and "0044 …" are found, which a US default
# with "011" would miss), and its variable-length national plan makes the matcher propose
# digit groups of any length, which `_is_phone` then judges. POSSIBLE, not VALID: VALID
# drops numbers of unallocated ranges ("555 …") and national numbers of other countries,
# which respondents still type as their phone number.
PHONE_REGION = "DE"
PHONE_LENIENCY = Leniency.POSSIBLE


def _is_phone(text: str, number: phonenumbers.PhoneNumber) -> bool:
    """Phone shapes, not counts, ranges, dates, years or decimals typed by respondents."""
    digits = re.sub(r"\D", "", text)
    groups = re.findall(r"\d+", text)
    if text.startswith("+") or re.match(r"00[1-9]", text):
        return 8 <= len(digits) <= 15 and phonenumbers.is_possible_number(number)
    if not 9 <= len(digits) <= 15 or _DATE.search(text) or _GROUPED_NUMBER.fullmatch(text):
        return False
    if len(groups) == 1:
        # A bare run of digits is a count unless dialled like a phone: a trunk "0" first,
        # or the ten digits of a North American number (a round number is a count).
        if digits.endswith("000"):
            return False
        return digits[0] == "0" or (len(digits) == 10 and digits[0] not in "01")
    if _RANGE.fullmatch(text) or all(1900 <= int(g) <= 2099 for g in groups):
        return False  # "10000-20000", "2019 2020 2021"
    if any(len(g) == 1 for g in groups[1:]):
        return False  # "1 2 3 4 5 6 7 8 9", an ISBN
    if "." in text and len(groups[0]) <= 2 and groups[0][0] != "0":
        return False  # a version or build "6.170623.019" (a dotted phone starts "06.12…")
    return "(" in text or len(groups) >= 3 or (groups[0][0] == "0" and len(groups[0]) >= 2)


def _phones(value: str) -> Iterable[tuple[str, int, int]]:
    if len(re.findall(r"\d", value)) < 8:  # cheap: no phone has fewer digits
        return
    for match in PhoneNumberMatcher(value, PHONE_REGION, leniency=PHONE_LENIENCY):
        before, after = value[max(match.start - 1, 0) : match.start], value[match.end :][:1]
        if before.isalnum() or after.isalnum() or _NOT_PHONE.search(value[: match.start]):
            continue  # digits inside a token (a session id, a hash) are dialled by no one
        if re.search(r"\d[.,]$", value[: match.start]) or re.match(r"[.,]\d", value[match.end :]):
            continue  # the decimals of a number: "76.09624449125756"
        if _is_phone(match.raw_string.strip(), match.number):
            yield match.raw_string.strip(), match.start, match.end


def _ips(value: str) -> Iterable[tuple[str, int, int]]:
    # IPv6 first: "::ffff:192.0.2.1" is one address, not an IPv4 one after a prefix.
    for match in _IPV6.finditer(value):
        text = match.group(0)
        address = re.sub(r"^\[|\](?::\d+)?$|%.*$", "", text)
        if not re.search(r"\d", address):
            continue  # "abc::def" in a code snippet is a scope, not an address
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            continue
        yield text, match.start(), match.end()
    for match in _IPV4.finditer(value):
        address, _, port = match.group(0).partition(":")
        if _VERSION.search(value[: match.start()]) or (port and int(port) > 65535):
            continue  # "version 1.2.3.4" is a release
        try:
            ipaddress.IPv4Address(address)
        except ValueError:
            continue
        yield match.group(0), match.start(), match.end()


def scan_text(value: str) -> list[tuple[str, str, int, int]]:
    """Every (kind, text, start, end) that looks like personal data, without overlaps."""
    found: list[tuple[str, str, int, int]] = []

    def add(kind: str, text: str, start: int, end: int) -> None:
        if all(end <= s or start >= e for _, _, s, e in found):
            found.append((kind, text, start, end))

    for match in _EMAIL.finditer(value):
        add("email", match.group(0), match.start(), match.end())
    for match in _URL.finditer(value):
        text = match.group(0).rstrip(".,;:!?)")  # the sentence's punctuation, not the URL's
        if not _DOI_HOST.match(text):  # a paper's DOI names a publication, not a person
            add("url", text, match.start(), match.start() + len(text))
    for text, start, end in _ips(value):
        add("ip", text, start, end)
    for text, start, end in _phones(value):
        add("phone", text, start, end)
    return sorted(found, key=lambda item: item[2])


def redact_text(value: str, kinds: Iterable[str]) -> tuple[str, list[tuple[str, str]]]:
    """`value` with every finding of `kinds` replaced; returns it and all (kind, text) found."""
    kinds = set(kinds)
    findings = scan_text(value)
    out, last = [], 0
    for kind, _, start, end in findings:
        if kind in kinds:
            out.append(value[last:start] + REDACTED[kind])
            last = end
    out.append(value[last:])
    return "".join(out), [(kind, text) for kind, text, _, _ in findings]


def mask(kind: str, text: str) -> str:
    """A form of a finding for logs: its kind and shape, not who it is ("[email: j…@….de]")."""
    if kind == "phone":
        shown = ("+" if text.startswith("+") else "") + "…" + re.sub(r"\D", "", text)[-2:]
    elif kind == "ip":
        shown = re.match(r"\[?([0-9A-Fa-f]*)", text).group(1) + ("…" if "." in text else ":…")
    else:
        # The top-level domain alone: of the address, or of the URL's host.
        host = text if kind == "email" else re.sub(r"^\w+://", "", text).split("/")[0]
        tail = re.search(r"[^\W\d_]+$", host)
        shown = ("" if kind == "url" else f"{text[0]}…@") + f"….{tail.group(0) if tail else '…'}"
    return f"[{kind}: {shown}]"


def control_characters(value: str) -> list[str]:
    """The C0/C1 control characters of `value` (tab, newline and CR are text)."""
    return _CONTROL.findall(value)


@dataclass(frozen=True)
class Finding:
    """Something personal-looking in a free-text cell."""

    source: str  # the bundle file the cell belongs to
    respondent: str  # respondent id, or "line N" for tables without one
    column: str
    kind: str  # email, phone, ip or url
    text: str  # what was found (never written into the bundle or a log)
    action: str = "stop"  # redacted, allowed or stop


def scrub_table(
    frame: pd.DataFrame,
    source: str,
    *,
    redact: Sequence[str] = ("email",),
    allow: Sequence[str] = (),
    id_column: str = "respondent_id",
    ids: pd.Series | None = None,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Scan the text cells of a table read with dtype=str; redact what config says to redact.

    `ids` names the respondent of each row (default: the `id_column`, else the CSV line).
    Returns the scrubbed table and every finding, each marked redacted, allowed or stop.
    """
    frame = frame.copy()
    findings: list[Finding] = []
    if ids is None:
        ids = (
            frame[id_column]
            if id_column in frame.columns
            # the line of the CSV file (line 1 is the header)
            else pd.Series([f"line {i + 2}" for i in range(len(frame))], index=frame.index)
        )
    ids = ids.astype(str)
    for column in frame.columns:
        if column == id_column:
            continue
        values = frame[column].astype(str)
        # Cheap prefilter: a finding needs an at sign or word, a dot, slash or colon, or digits.
        suspect = values.str.contains(r"[@＠﹫.．/:]|\d{8}|\d.*\d.*\d.*\d.*\d.*\d.*\d.*\d|\bat\b")
        for index in values.index[suspect]:
            clean, found = redact_text(values[index], redact)
            for kind, match in found:
                action = "redacted" if kind in redact else "allowed" if kind in allow else "stop"
                findings.append(Finding(source, ids[index], column, kind, match, action))
            if clean != values[index]:
                frame.loc[index, column] = clean
    return frame, findings


def _audit(value: str, kinds: set[str]) -> tuple[str, str, list[str], list[str]]:
    """(clean text, form for the log, control characters, kinds redacted) of one cell.

    The log form is the raw value with control characters escaped ("\\x00") and each
    redacted finding masked, so the log shows what changed without holding it.
    """
    controls = control_characters(value)
    keep = [i for i, ch in enumerate(value) if not _CONTROL.match(ch)]
    stripped = "".join(value[i] for i in keep)
    spans = [f for f in scan_text(stripped) if f[0] in kinds] if kinds else []
    clean, shown, last = [], [], 0
    for kind, _, start, end in spans:
        clean.append(stripped[last:start] + REDACTED[kind])
        last = end
    clean.append(stripped[last:])
    # Walk the raw value: masks at the findings (mapped back through the stripped text).
    starts = {keep[s]: (kind, text, keep[e - 1] + 1) for kind, text, s, e in spans}
    i = 0
    while i < len(value):
        if i in starts:
            kind, text, i = starts[i][0], starts[i][1], starts[i][2]
            shown.append(mask(kind, text))
            continue
        ch = value[i]
        shown.append(ch.encode("unicode_escape").decode("ascii") if _CONTROL.match(ch) else ch)
        i += 1
    return "".join(clean), "".join(shown), controls, [kind for kind, *_ in spans]


def scrub_columns(
    frame: pd.DataFrame,
    columns: Sequence[str],
    text_columns: Sequence[str],
    *,
    redact: Sequence[str],
    id_column: str = "respondent_id",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Control characters out of `columns`, personal data of `redact` out of `text_columns`.

    Returns the scrubbed frame and one cleaning-log row per value and rule
    (`control_characters`, `personal_data_redacted`); raw values in the log are masked.
    """
    frame = frame.copy()
    rows = []
    kinds = set(redact)
    for column in columns:
        kinds_here = kinds if column in text_columns else set()
        values = frame[column].fillna("").astype(str)
        suspect = values.str.contains(_CONTROL.pattern)
        if kinds_here:
            suspect |= values.str.contains(r"[@＠﹫.．:]|\d.*\d.*\d.*\d.*\d.*\d.*\d.*\d|\bat\b")
        for index in values.index[suspect]:
            clean, shown, controls, found = _audit(values[index], kinds_here)
            if clean == values[index]:
                continue
            frame.loc[index, column] = clean
            who = frame.loc[index, id_column]
            if controls:
                codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in controls}))
                reason = f"{len(controls)} control character(s) removed: {codes}"
                rows.append([who, column, shown, clean, "control_characters", reason])
            if found:
                reason = REASON_PREFIX + ", ".join(dict.fromkeys(found))
                rows.append([who, column, shown, clean, "personal_data_redacted", reason])
    return frame, pd.DataFrame(rows, columns=LOG_COLUMNS)


def scrub_responses(
    responses: pd.DataFrame, questions: Mapping[str, Question], *, redact: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`scrub_columns` on the question columns of a responses table: control characters out
    of every one, personal data out of the typed ones (text, "other" texts, counts, shares)."""
    columns = [c for q in questions.values() for c in q.columns() if c in responses.columns]
    typed = {c for q in questions.values() for c in q.text_columns()}
    return scrub_columns(responses, columns, [c for c in columns if c in typed], redact=redact)


def redacted_kinds(reason: str) -> list[str]:
    """The kinds named by a `personal_data_redacted` log row's reason."""
    return [k for k in reason.removeprefix(REASON_PREFIX).split(", ") if k in KINDS]
