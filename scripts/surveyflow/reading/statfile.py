"""What the SPSS and Stata readers share: file checks, pyreadstat calls, cells as text.

Both formats are read with pyreadstat (ReadStat) with user-missing values kept and no value
labels applied, so codes stay codes. Dates are converted here, not by pyreadstat, so that a
date outside years 1-9999 (which makes pyreadstat's own conversion raise) stays its raw number.
The labels make a SurveyExport of the cells in :mod:`surveyflow.reading.statfile_export`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveyflow.errors import InputError

HEAD_BYTES = 1 << 16
SPSS_MAGIC = (b"$FL2", b"$FL3")  # .sav, .zsav (zlib-compressed)
_STATA_RELEASE = re.compile(rb"^<stata_dta><header><release>(\d{3})</release>")


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
