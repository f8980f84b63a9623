"""Text files as survey tools and spreadsheets write them: encodings sniffed or declared.

Shared by the readers of data exports and codebooks: UTF-8 with or without BOM, UTF-16 with
BOM (Excel's "Unicode text"), cp1252 or Latin-1, with errors that name the byte and line.
"""

from __future__ import annotations

import codecs

from surveyflow.errors import InputError

__all__ = ["decode_text", "line_ending", "sniff_encoding"]


def sniff_encoding(data: bytes) -> str:
    """Guess the text encoding of an export.

    ``utf-8-sig`` if the data starts with a UTF-8 BOM (``utf-16`` with a UTF-16 one);
    ``utf-8`` if it decodes as UTF-8;
    else ``cp1252`` if it decodes as such (what Excel on Windows writes); else ``latin-1``,
    which decodes any byte sequence.
    """
    return _decode_auto(data)[1]


def _normalise_encoding(encoding: str, path: str, hint: str) -> str:
    """Canonical codec name (as reported in RawExport.encoding), or "auto"."""
    if str(encoding).strip().lower() == "auto":
        return "auto"
    try:
        name = codecs.lookup(str(encoding).strip()).name
    except LookupError:
        raise InputError(f"unknown text encoding {encoding!r}", path=path, hint=hint) from None
    return {"iso8859-1": "latin-1"}.get(name, name)


def _utf16_bom(data: bytes) -> bool:
    # What Excel's "Unicode text" writes; cp1252 would "decode" it into NUL-riddled noise.
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _decode_auto(data: bytes) -> tuple[str, str]:
    """Decode ``data`` by the sniffing rule of :func:`sniff_encoding`; return (text, name)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if _utf16_bom(data):
        return data.decode("utf-16", errors="replace"), "utf-16"
    for name in ("utf-8", "cp1252"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"


def decode_text(data: bytes, encoding: str, path: str, hint: str) -> tuple[str, str]:
    """Decode a file's bytes: sniffed when ``encoding`` is auto, strictly otherwise.

    A UTF-8 BOM is stripped in both cases (and reported as ``utf-8-sig``).
    """
    encoding = _normalise_encoding(encoding, path, hint)
    if encoding == "auto":
        if data.startswith(codecs.BOM_UTF8):
            # A BOM promises UTF-8: bytes that break that promise are an error, not noise.
            encoding = "utf-8-sig"
        elif _utf16_bom(data):
            encoding = "utf-16"
        else:
            return _decode_auto(data)
    bom = data.startswith(codecs.BOM_UTF8)
    skip = len(codecs.BOM_UTF8) if bom else 0
    codec = "utf-8" if encoding in ("utf-8", "utf-8-sig") else encoding
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        # Lines counted in the decoded text, so that this holds for UTF-16 too.
        line = data[skip:offset].decode(codec, errors="replace").count("\n") + 1
        bad = data[offset : offset + 1].hex()
        raise InputError(
            f"cannot be decoded as {encoding}: byte 0x{bad} at line {line}, "
            f"byte offset {offset} is not valid {encoding}",
            path=path,
            hint=hint,
        ) from None
    if codec == "utf-8":
        encoding = "utf-8-sig" if bom else "utf-8"
    return text, encoding


def line_ending(text: str) -> str:
    """CRLF, LF or CR: the line ending most lines of ``text`` use."""
    crlf = text.count("\r\n")
    bare_lf = text.count("\n") - crlf
    if crlf or bare_lf:
        return "CRLF" if crlf >= bare_lf else "LF"
    return "CR" if "\r" in text else "LF"
