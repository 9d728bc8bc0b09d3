"""Read a plain-text or Markdown file: the first 200 KB, decoded (BOM, UTF-16, fallback)."""

from __future__ import annotations

import codecs
from pathlib import Path

from .result import Reading, cap_text
from .sniff import utf16_without_bom

#: Most bytes of a text file read.
MAX_TEXT_BYTES = 200 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_text(path: Path, fmt: str) -> Reading:
    """Read one text file of format fmt ("txt" or "md"); OSError is the caller's to report."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_TEXT_BYTES + 1)
    truncated = len(data) > MAX_TEXT_BYTES
    text, encoding = decode(data[:MAX_TEXT_BYTES])
    info = {"encoding": encoding, "truncated": truncated}
    return Reading(fmt, 1, cap_text(text), (), info)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: a BOM decides, then UTF-16 without BOM, UTF-8, cp1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding
    utf16 = utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8"), "utf-8"  # a character cut at the cap
    return data.decode("cp1252", errors="replace"), "cp1252"
