"""What the SPSS and Stata readers share: file checks, pyreadstat calls, cells as text, labels.

Both formats are read with pyreadstat (ReadStat) with user-missing values kept and no value
labels applied, so codes stay codes. Dates are converted here, not by pyreadstat, so that a
date outside years 1-9999 (which makes pyreadstat's own conversion raise) stays its raw number.
Which survey tool wrote the file (EFS, Qualtrics, LimeSurvey) is told from its own columns:
that decides the metadata and personal columns and the completion fallback.
"""

from __future__ import annotations

import codecs
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveyflow.errors import InputError
from surveyflow.reading import efs
from surveyflow.reading.base import Completion, SurveyExport, integer_text, value_in
from surveyflow.reading.codebook import Codebook, CodebookVariable

ID_CANDIDATES = ("lfdn", "ResponseId", "id", "respondent_id", "caseid", "CaseID")
HEAD_BYTES = 1 << 16
SPSS_MAGIC = (b"$FL2", b"$FL3")  # .sav, .zsav (zlib-compressed)
_STATA_RELEASE = re.compile(rb"^<stata_dta><header><release>(\d{3})</release>")

# The origin tools' own columns (lower case; a pattern where the tool numbers them).
_META = {
    "efs": re.compile(efs.METADATA_PATTERN, re.IGNORECASE),
    "qualtrics": re.compile(
        r"^(?:startdate|enddate|status|ipaddress|progress|duration__in_seconds_|finished"
        r"|recordeddate|responseid|recipient\w*|externalreference|externaldatareference"
        r"|locationlatitude|locationlongitude|distributionchannel|userlanguage)$"
        # Qualtrics' own fields (Q_RecaptchaScore, Q_TotalDuration ...); a question is Q1.
        r"|^(?-i:Q_[A-Z]\w*)$",
        re.IGNORECASE,
    ),
    "limesurvey": re.compile(
        r"^(?:id|submitdate|lastpage|startlanguage|seed|token|ipaddr|refurl|startdate"
        r"|datestamp|interviewtime|grouptime\d+|firstname|lastname|email)$",
        re.IGNORECASE,
    ),
}
_PERSONAL = {
    "efs": re.compile(r"^(?:ip.*|referer|browser|token|session_id)$", re.IGNORECASE),
    "qualtrics": re.compile(
        r"^(?:ipaddress|recipient(?:firstname|lastname|email)|locationlatitude"
        r"|locationlongitude)$",
        re.IGNORECASE,
    ),
    "limesurvey": re.compile(r"^(?:ipaddr|token|refurl|firstname|lastname|email)$", re.I),
}
# LimeSurvey labels a sub-question's variable "[Sub-question] Question text".
_BRACKETED = re.compile(r"^((?:\[[^\]]*\]\s*)+)(\S.*)$", re.DOTALL)


def read_head(path: str) -> bytes:
    """The first bytes of the file; an empty file is an error here, before any parsing."""
    with Path(path).open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        raise InputError(
            "the file is empty (0 bytes).",
            path=path,
            hint="export the data again from the survey tool (or copy it again): the copy "
            "did not receive any data",
        )
    return head


def is_spss(head: bytes) -> bool:
    return head[:4] in SPSS_MAGIC


def stata_release(head: bytes) -> int | None:
    """The .dta format version (``<release>`` of 117+, else the first byte), or None."""
    match = _STATA_RELEASE.match(head)
    if match:
        return int(match[1])
    # Formats 104-115: version byte, byte order (1 hi-lo, 2 lo-hi), file type 1.
    if len(head) >= 4 and 104 <= head[0] <= 115 and head[1] in (1, 2) and head[2] == 1:
        return head[0]
    return None


def claims(path: str, head: bytes, suffixes: tuple[str, ...]) -> bool:
    """A file of these suffixes that is empty or binary but no other format's: its reader
    can then say what is wrong with it, rather than "no survey tool recognised"."""
    if Path(path).suffix.lower() not in suffixes or is_spss(head) or stata_release(head):
        return False
    return not head or b"\x00" in head[:4096]


def not_this_format(path: str, head: bytes, what: str) -> InputError:
    """The error for a file without the signature of ``what`` ("an SPSS file (.sav)"),
    saying what the file seems to be instead."""
    if is_spss(head):
        found, other = "an SPSS system file (it begins with $FL2/$FL3)", "spss"
    elif stata_release(head):
        found, other = "a Stata .dta file (it has a Stata signature)", "stata"
    elif b"\x00" in head[:4096]:
        found, other = "binary, but of no format the workflow reads", None
    else:
        found, other = "text (a CSV or TSV export?)", None
    hint = (
        f"set export.tool to {other} (or auto) in your config and give the file its own "
        "extension (.sav/.zsav for SPSS, .dta for Stata)"
        if other
        else "check export.data in your config; if it is the right file, set export.tool "
        "to the tool that wrote it, or export the data again from the survey tool"
    )
    return InputError(f"is not {what}: it is {found}.", path=path, hint=hint)


def encoding_setting(settings: Mapping[str, Any]) -> str | None:
    """``export.encoding`` as a name iconv (ReadStat) knows; None for auto/unset."""
    name = str(settings.get("encoding") or "auto").strip()
    if name.lower() == "auto":
        return None
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name  # iconv may know it (e.g. "macintosh"); ReadStat says if not.
    return {"utf-8-sig": "utf-8", "mac-roman": "macintosh"}.get(canonical, canonical)


def load(
    reader: Callable[..., tuple[pd.DataFrame, Any]], path: str, what: str, encoding: str | None
) -> tuple[pd.DataFrame, Any]:
    """Data and metadata through pyreadstat, its failures as one InputError."""
    try:
        return reader(path, user_missing=True, disable_datetime_conversion=True, encoding=encoding)
    except Exception as error:  # pyreadstat raises ReadstatError and bare Python errors
        raise _load_error(path, what, encoding, error) from error


def _load_error(path: str, what: str, encoding: str | None, error: Exception) -> InputError:
    text = str(error) or type(error).__name__
    lowered = text.lower()
    if "character set" in lowered or "encoding" in lowered:
        given = f"export.encoding is {encoding!r}" if encoding else "the file's declared one"
        return InputError(
            f"could not be decoded ({given}): ReadStat says {text!r}.",
            path=path,
            hint="set export.encoding in your config to the encoding the file really "
            "uses, as iconv names it (e.g. UTF-8, WINDOWS-1252, ISO-8859-1), or auto to use "
            "the one it declares",
        )
    size = Path(path).stat().st_size
    return InputError(
        f"could not be read as {what}: ReadStat says {text!r}. The file ({size} bytes) "
        "is probably truncated (an incomplete download or copy) or damaged.",
        path=path,
        hint=f"export the data again from the survey tool as {what} and replace the file",
    )


@dataclass(frozen=True)
class CellRule:
    """How a variable's values become text: kind, and for dates the unit and origin."""

    kind: str  # number | string | date | datetime | time
    seconds: float = 1.0  # seconds per stored unit (SPSS: 1; Stata: 86400 days, 0.001 ms)
    origin: str = "1970-01-01"
    single: bool = False  # a 4-byte float (Stata "float"): written 3.14, not 3.1400001


_FIRST_DAY = np.datetime64("0001-01-01T00:00:00", "ms")
_LAST_DAY = np.datetime64("9999-12-31T23:59:59.999", "ms")


def texts(column: pd.Series, rule: CellRule, tag: str = "") -> tuple[np.ndarray, int]:
    """A column's cells as text (object array) and how many dates were out of range.

    A numeric column holding strings is Stata's: those are extended-missing tags, written
    ``tag`` + letter (".a").
    """
    if rule.kind == "string":
        return column.to_numpy(dtype=object, na_value=""), 0
    if pd.api.types.is_numeric_dtype(column.dtype):
        return _numeric_texts(column.to_numpy(dtype=float, na_value=np.nan), rule)
    raw = column.to_numpy(dtype=object, na_value=None)
    tagged = np.array([isinstance(v, str) for v in raw], dtype=bool)
    numbers = np.array(
        [np.nan if t or v is None else float(v) for v, t in zip(raw, tagged, strict=True)]
    )
    out, bad = _numeric_texts(numbers, rule)
    out[tagged] = [tag + v for v in raw[tagged]]
    return out, bad


def _numeric_texts(values: np.ndarray, rule: CellRule) -> tuple[np.ndarray, int]:
    out = np.full(values.shape, "", dtype=object)
    present = ~np.isnan(values)
    if rule.kind == "number":
        _write_numbers(out, values, present, rule.single)
        return out, 0
    seconds = values * rule.seconds
    if rule.kind == "time":
        out[present] = [_clock(s) for s in seconds[present]]
        return out, 0
    whole = present & np.isfinite(seconds) & (np.abs(seconds) < 1e15)
    millis = np.zeros(values.shape, dtype=np.int64)
    millis[whole] = np.round(seconds[whole] * 1000).astype(np.int64)
    stamps = np.datetime64(rule.origin, "ms") + millis.astype("timedelta64[ms]")
    ok = whole & (stamps >= _FIRST_DAY) & (stamps <= _LAST_DAY)
    if rule.kind == "date":
        out[ok] = np.datetime_as_string(stamps[ok], unit="D").astype(object)
    else:
        unit = "s" if not (millis[ok] % 1000).any() else "ms"
        # The space form of ISO 8601 (RFC 3339), as CSV exports of survey tools write it.
        iso = np.char.replace(np.datetime_as_string(stamps[ok], unit=unit), "T", " ")
        out[ok] = iso.astype(object)
    # Out of range for a calendar date: kept as the stored number, counted in `detected`.
    bad = present & ~ok
    _write_numbers(out, values, bad)
    return out, int(bad.sum())


def _write_numbers(
    out: np.ndarray, values: np.ndarray, where: np.ndarray, single: bool = False
) -> None:
    """Numbers as integer_text writes them (3 not 3.0; else the shortest round-trip text,
    which numpy's str of a float is), in bulk: a coded column holds few distinct values."""
    whole = where & np.isfinite(values) & (np.abs(values) < 2.0**63)
    whole &= values == np.floor(np.where(whole, values, 0))
    distinct, position = np.unique(values[whole], return_inverse=True)
    out[whole] = distinct.astype(np.int64).astype(str).astype(object)[position]
    rest = values[where & ~whole]
    # A 4-byte float as its own shortest text, as Stata shows it (3.14, not 3.1400001).
    out[where & ~whole] = (rest.astype(np.float32) if single else rest).astype(str)


def _clock(seconds: float) -> str:
    sign, seconds = ("-" if seconds < 0 else ""), abs(float(seconds))
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    text = f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    fraction = round(seconds - whole, 6)
    return text + (f"{fraction:.6f}".rstrip("0")[1:] if fraction else "")


def frame_of(
    data: pd.DataFrame, rules: Mapping[str, CellRule], tag: str = ""
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The export's frame (text cells, index "row" 1..n) and out-of-range dates by column."""
    columns: dict[str, np.ndarray] = {}
    bad: dict[str, int] = {}
    for name in data.columns:
        columns[name], count = texts(data[name], rules[name], tag)
        if count:
            bad[name] = count
    index = pd.RangeIndex(1, len(data) + 1, name="row")
    return pd.DataFrame(columns, index=index, columns=list(data.columns), dtype="str"), bad


def integer_values(
    labels: Mapping[Any, str], tag: str = ""
) -> tuple[dict[int, str], dict[str, str]]:
    """Value labels split into whole-number codes (the codebook's) and the others, as text
    (string codes, fractions, Stata's ".a" tags)."""
    whole: dict[int, str] = {}
    other: dict[str, str] = {}
    for code, label in labels.items():
        if isinstance(code, str):
            other[tag + code] = str(label)
        elif float(code).is_integer():
            whole[int(code)] = str(label)
        else:
            other[integer_text(float(code))] = str(label)
    return whole, other


def origin_tool(columns: Iterable[str]) -> str | None:
    """The survey tool that wrote the file, told from its own columns, or None."""
    names = {c.lower() for c in columns}
    if names & {"lfdn", "dispcode"}:
        return "efs"
    if "responseid" in names or ("finished" in names and names & {"startdate", "status"}):
        return "qualtrics"
    if "submitdate" in names or ("id" in names and names & {"lastpage", "startlanguage"}):
        return "limesurvey"
    return None


def id_column(columns: list[str], settings: Mapping[str, Any], path: str) -> str | None:
    given = settings.get("id_column")
    if given:
        if given not in columns:
            raise InputError(
                f"has no variable {given!r}, which export.id_column names.",
                path=path,
                hint="set export.id_column in your config to one of the file's variables "
                f"({', '.join(columns[:8])}{' ...' if len(columns) > 8 else ''}), or remove it",
            )
        return str(given)
    lower = {c.lower(): c for c in reversed(columns)}
    return next((lower[c.lower()] for c in ID_CANDIDATES if c.lower() in lower), None)


def split_labels(labels: Mapping[str, str], origin: str | None) -> dict[str, tuple[str, str]]:
    """Variable labels of the form "question - item" (or LimeSurvey's "[item] question")
    as (question, item). A " - " splits only where another variable's label shares the
    text before it, so a question text holding " - " is not cut in two."""
    out: dict[str, tuple[str, str]] = {}
    dashed: dict[str, set[str]] = {}
    for name, label in labels.items():
        match = _BRACKETED.match(label) if origin == "limesurvey" else None
        if match:
            items = [i.strip() for i in re.findall(r"\[([^\]]*)\]", match[1])]
            out[name] = (match[2].strip(), " - ".join(i for i in items if i))
        elif " - " in label:
            dashed[name] = {label[: m.start()] for m in re.finditer(" - ", label)}
    shared = Counter(prefix for prefixes in dashed.values() for prefix in prefixes)
    for name, prefixes in dashed.items():
        common = [p for p in prefixes if shared[p] >= 2 and p.strip()]
        if common:
            question = max(common, key=len)
            item = labels[name][len(question) + 3 :].strip()
            if item:
                out[name] = (question.strip(), item)
    return out


def _block_ids(questions: Mapping[str, str]) -> dict[str, str]:
    """Variables sharing a question text -> one block id: their names' common stem
    (Q5_1, Q5_2 -> Q5), else the first name."""
    by_text: dict[str, list[str]] = {}
    for name, question in questions.items():
        by_text.setdefault(question, []).append(name)
    out = {}
    for names in by_text.values():
        stem = os.path.commonprefix(names)
        # Up to the last separator, so that fruit_SQ001, fruit_SQ002 are "fruit".
        cut = max(stem.rfind("_"), stem.rfind("."))
        stem = names[0] if len(names) == 1 else (stem[:cut] if cut > 0 else stem)
        for name in names:
            out[name] = stem or names[0]
    return out


def build_export(
    path: str,
    tool: str,
    frame: pd.DataFrame,
    meta: Any,
    settings: Mapping[str, Any],
    *,
    rules: Mapping[str, CellRule],
    values: Mapping[str, dict[int, str]],
    declared: Mapping[str, tuple[str, ...]],
    groups: Mapping[str, tuple[str, str]],
    detected: dict[str, Any],
) -> SurveyExport:
    """The SurveyExport of a file with its own metadata. ``groups``: variable -> (question
    id, question text) of a multiple-response set (text "" keeps the variable's own)."""
    columns = list(frame.columns)
    origin = origin_tool(columns)
    labels = {c: (meta.column_names_to_labels.get(c) or "").strip() for c in columns}
    split = split_labels(labels, origin)
    blocks = _block_ids({name: question for name, (question, _) in split.items()})
    question_texts: dict[str, str] = {}
    item_labels: dict[str, str] = {}
    variables: dict[str, CodebookVariable] = {}
    for name in columns:
        question, item = split.get(name, (labels[name], ""))
        group_id, group_text = groups.get(name, (None, ""))
        if group_text:
            question, item = group_text, item or labels[name]
        if question:
            question_texts[name] = question
        if item:
            item_labels[name] = item
        variables[name] = CodebookVariable(
            name=name,
            dtype=rules[name].kind,
            label=item or labels[name],
            question_text=question,
            question_id=group_id or blocks.get(name),
            question_type=None,
            values=dict(values.get(name, {})),
        )
    identifier = id_column(columns, settings, path)
    meta_re, personal_re = _META.get(origin or ""), _PERSONAL.get(origin or "")
    metadata = [c for c in columns if meta_re and meta_re.match(c)]
    if identifier and identifier not in metadata:
        metadata.insert(0, identifier)
    personal = tuple(c for c in metadata if personal_re and personal_re.match(c))
    detected = {"origin": origin, "rows": len(frame), "variables": len(columns), **detected}
    codebook = Codebook(
        path=path,
        encoding=str(detected.get("encoding") or ""),
        variables=variables,
        title=str(getattr(meta, "file_label", None) or ""),
    )
    return SurveyExport(
        path=path,
        tool=tool,
        frame=frame,
        shape="codes",
        id_column=identifier,
        codebook=codebook,
        metadata=tuple(metadata),
        personal=personal,
        question_texts=question_texts,
        item_labels=item_labels,
        declared_missing={k: v for k, v in declared.items() if v},
        detected=detected,
    )


_TRUE_LABELS = {"true", "yes", "finished", "ja", "wahr"}


def completion(export: SurveyExport, settings: Mapping[str, Any]) -> Completion:
    """The origin tool's own rule: EFS dispcode (the EFS reader's rule itself), Qualtrics
    Finished and not a preview or test, LimeSurvey submitdate not empty; without any of
    them the user must configure one."""
    frame = export.frame
    names = {c.lower(): c for c in reversed(frame.columns)}
    if "dispcode" in frame.columns:
        return efs.completion(export, settings)
    if "finished" in names:
        return _qualtrics(export, names)
    if "submitdate" in names:
        done = frame[names["submitdate"]].str.strip() != ""
        return Completion(
            completed=done,
            status=done.map({True: "submitted", False: "not submitted"}).astype("str"),
            rule=f"{names['submitdate']} not empty (LimeSurvey)",
        )
    raise InputError(
        "has no status variable of a survey tool (EFS dispcode, Qualtrics Finished, "
        "LimeSurvey submitdate) that tells completed interviews from the others.",
        path=export.path,
        hint="set export.completed: {variable: ..., values: [...]} in your config: the "
        "variable that marks a completed interview and the values that mean completed",
    )


def _codes(export: SurveyExport, name: str, match: Callable[[str], bool], default: int) -> list:
    """Codes of ``name`` whose value label matches (lower case), or ``default`` if the
    variable has no value labels."""
    entry = export.codebook.variables.get(name) if export.codebook else None
    labels = entry.values if entry else {}
    return [c for c, lab in labels.items() if match(lab.strip().lower())] if labels else [default]


def _qualtrics(export: SurveyExport, names: Mapping[str, str]) -> Completion:
    frame = export.frame
    finished = names["finished"]
    # Qualtrics codes Finished 1 = True, Status 1 = Survey Preview, 2 = Survey Test; an
    # SPSS export may code otherwise (test_width.sav: Finished 1 False, 2 True): its value
    # labels say which. A string variable holds the labels themselves.
    codes = _codes(export, finished, lambda label: label in _TRUE_LABELS, 1)
    done = value_in(frame[finished], [*codes, "True"])
    status = frame[finished].astype("str")
    excluded = pd.Series(False, index=frame.index)
    for kind, code in (("preview", 1), ("test", 2)):
        hit = pd.Series(False, index=frame.index)
        if "status" in names:
            word = f"survey {kind}"  # also "Offline Survey Preview", "Survey Preview Spam"
            found = _codes(export, names["status"], lambda label, w=word: w in label, code)
            hit |= value_in(frame[names["status"]], [*found, word])
        if "distributionchannel" in names:
            hit |= value_in(frame[names["distributionchannel"]], [kind])
        status = status.where(~hit, kind)
        excluded |= hit
    return Completion(
        completed=done & ~excluded,
        status=status,
        rule=f"{finished} in {codes} and not a preview or test response (Status, "
        "DistributionChannel)",
    )
