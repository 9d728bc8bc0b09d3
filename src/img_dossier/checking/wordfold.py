"""Text folded for comparing words: file names, names, text and checklist phrases."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def normalize(text: str) -> str:
    """Lower case, accents stripped, punctuation to spaces, letters and digits split apart.

    ``"USMLE Step2CK"`` -> ``"usmle step 2 ck"``; ``"Lettre_de-recommandation"`` ->
    ``"lettre de recommandation"``. File names, names, text and phrases all go through it,
    so that they compare word by word.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = (  # most text is ASCII: nothing to strip
        decomposed
        if decomposed.isascii()
        else "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    spaced = _NOT_WORD.sub(" ", folded)
    return " ".join(_LETTER_DIGIT.sub(" ", spaced).split())


@lru_cache(maxsize=4096)
def _phrase(text: str) -> str:
    """normalize(), remembered: checklist phrases are compared with every document."""
    return normalize(text)
