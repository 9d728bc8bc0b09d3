"""Letter file names: a template's name and an ASCII slug of the letter's filename field,
never twice in one run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..textfold import fold
from .template import Template
from .values import get_path

_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "ı": "i",
    }
)
_MAX_SLUG = 60


def slug(value: Any) -> str:
    """ASCII file-name part: accents folded, lower case, words joined by ``-``."""
    from ..output.filenames import ascii_words  # any script transliterated: 王 -> wang

    text = fold(ascii_words(str(value).translate(_FOLD)), case="lower", words="ascii")
    return text.replace(" ", "-")[:_MAX_SLUG].rstrip("-")


def file_stems(template: Template, contexts: Sequence[Mapping[str, Any]]) -> list[str]:
    """``<template>-<slug>`` per letter, never twice in one run (``-2``, ``-3`` ...)."""
    used: set[str] = set()
    stems: list[str] = []
    for number, context in enumerate(contexts, 1):
        part = slug(get_path(context, template.filename_field) or "")
        if not part:
            part = str(number) if len(contexts) > 1 else "letter"
        base = f"{template.name}-{part}"
        stem, n = base, 1
        while stem.lower() in used:
            n += 1
            stem = f"{base}-{n}"
        used.add(stem.lower())
        stems.append(stem)
    return stems
