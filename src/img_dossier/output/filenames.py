"""File names the tool makes up (dossier, pack folder, letters): ASCII, from any script.

A name in Chinese, Korean, Arabic, Hebrew, Cyrillic or Devanagari is transliterated with
anyascii (王小明 -> wang-xiao-ming, 김민준 -> gim-min-jun, Иванов -> ivanov), so two
clients with non-Latin names never both get the bare default name.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

#: Scripts written without spaces between syllables: each character is its own word.
_SYLLABIC = ("CJK ", "HANGUL ", "HIRAGANA ", "KATAKANA ", "YI ")


def ascii_words(text: str) -> str:
    """``text`` in ASCII letters (CJK and Hangul syllables as separate words)."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ch)
            continue
        latin = anyascii(ch)
        if unicodedata.name(ch, "").startswith(_SYLLABIC):
            latin = f" {latin} "
        out.append(latin)
    return "".join(out)


def slug(text: str, limit: int = 60) -> str:
    """``quispe-mamani``, ``wang-xiao-ming``: lower-case ASCII words joined by ``-``."""
    words = re.sub(r"[^a-z0-9]+", "-", ascii_words(text).lower()).strip("-")
    return words[:limit].rstrip("-")
