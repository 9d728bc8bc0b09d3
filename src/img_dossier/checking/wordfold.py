"""Text folded for comparing words: file names, names, text and checklist phrases."""

from __future__ import annotations

from functools import lru_cache

from ..textfold import fold


def normalize(text: str) -> str:
    """Lower case, accents stripped, punctuation to spaces, letters and digits split apart.

    ``"USMLE Step2CK"`` -> ``"usmle step 2 ck"``; ``"Lettre_de-recommandation"`` ->
    ``"lettre de recommandation"``. File names, names, text and phrases all go through it,
    so that they compare word by word.
    """
    return fold(text, case="lower", words="ascii", digits_apart=True)


@lru_cache(maxsize=4096)
def _phrase(text: str) -> str:
    """normalize(), remembered: checklist phrases are compared with every document."""
    return normalize(text)


@lru_cache(maxsize=16)
def folded_text(text: str) -> str:
    """normalize() of a document's text, remembered: classifying a document and checking
    its content fold the same text several times."""
    return normalize(text)
