"""Turning a report's raw bytes into text without being told the encoding.

Reports arrive as UTF-8 (with or without BOM), UTF-16 (Windows "Unicode" saves,
often without BOM) and GB18030/GBK (older Windows and many government portals).
Only stdlib codecs are used: a BOM decides; otherwise NUL-byte positions tell
UTF-16 apart from everything else, and strict UTF-8 is tried before GB18030
because valid UTF-8 Chinese almost never decodes as GB18030 by accident while
the reverse is common.  Files that are not text at all are refused with a
:class:`~extract.errors.LoadError` saying what they look like.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .errors import LoadError

#: Signatures of binary formats people rename to ``.txt`` by mistake, with the words we use for them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "looks like a PDF, not a text report"),
    (b"PK\x03\x04", "looks like a ZIP archive (a .docx/.xlsx?), not a text report"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "looks like an old Office document (.doc/.xls), not a text report"),
    (b"{\\rtf", "looks like an RTF document, not a plain-text report"),
    (b"\x89PNG\r\n\x1a\n", "looks like a PNG image, not a text report"),
    (b"\xff\xd8\xff", "looks like a JPEG image, not a text report"),
    (b"GIF8", "looks like a GIF image, not a text report"),
    (b"\x1f\x8b", "looks like a gzip archive, not a text report"),
    (b"\x7fELF", "looks like a program (ELF binary), not a text report"),
    (b"Rar!", "looks like a RAR archive, not a text report"),
    (b"7z\xbc\xaf\x27\x1c", "looks like a 7-Zip archive, not a text report"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Control characters that never appear in a text report (tab, newlines and form feed excluded).
_CONTROL = frozenset(chr(c) for c in (*range(0, 9), 11, *range(14, 32), 127))

#: Share of NUL bytes that must sit on one parity for BOM-less UTF-16 to be believed.
_UTF16_PARITY = 0.9
#: Above this share of control characters the decoded "text" is really binary.
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text and the codec name that produced it (``utf-8-sig`` when a BOM was dropped)."""

    text: str
    encoding: str


def decode_bytes(data: bytes, path: str) -> Decoded:
    """Decode a report's bytes, or raise :class:`LoadError` naming ``path`` and the problem.

    A BOM is not part of the text: offsets elsewhere point into the returned
    ``text``, which starts after it.
    """
    if not data.strip():
        raise LoadError(path, "empty file" if not data else "empty file (only whitespace)")
    for magic, problem in _MAGIC:
        if data.startswith(magic):
            raise LoadError(path, problem)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            name = "utf-8-sig" if codec == "utf-8" else codec
            return _checked(_strict(data[len(bom) :], codec, path, f"has a {codec} BOM but"), name, path)
    if b"\x00" in data:
        return _decode_with_nuls(data, path)
    try:
        return _checked(data.decode("utf-8"), "utf-8", path)
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("gb18030"), "gb18030", path)
    except UnicodeDecodeError:
        pass
    if _looks_binary_bytes(data):
        raise LoadError(path, "binary file, not a text report")
    raise LoadError(path, "unknown text encoding (not UTF-8, UTF-16 or GB18030/GBK)")


def _decode_with_nuls(data: bytes, path: str) -> Decoded:
    """BOM-less UTF-16 has its NULs on one byte parity (the high byte of ASCII characters)."""
    sample = data[: 1 << 16]
    even = sum(1 for i in range(0, len(sample), 2) if sample[i] == 0)
    odd = sample.count(0) - even
    total = even + odd
    codec = None
    if len(data) % 2 == 0 and total:
        if odd / total >= _UTF16_PARITY:
            codec = "utf-16-le"
        elif even / total >= _UTF16_PARITY:
            codec = "utf-16-be"
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            text = None
        if text is not None and _control_share(text) <= _MAX_CONTROL_SHARE:
            return Decoded(text, codec)
    if _looks_binary_bytes(data):
        raise LoadError(path, "binary file, not a text report")
    first = data.index(b"\x00")
    raise LoadError(path, f"contains NUL bytes (first at byte {first}) but is not UTF-16 text")


def _strict(data: bytes, codec: str, path: str, context: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"{context} is not valid {codec} (byte {exc.start})") from None


def _checked(text: str, encoding: str, path: str) -> Decoded:
    if "\x00" in text:
        raise LoadError(path, f"contains NUL characters after decoding as {encoding}")
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise LoadError(path, "binary file, not a text report")
    if not text.strip():
        raise LoadError(path, "empty file (only whitespace)")
    return Decoded(text, encoding)


def _control_share(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    return sum(1 for ch in sample if ch in _CONTROL) / len(sample)


def _looks_binary_bytes(data: bytes) -> bool:
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample) > 0.05
