"""Text folded for comparison: one policy for case, accents, punctuation and white space.

Every place that compares words (file names with checklist phrases, a Statement of Need with
its required wording, a translation with its original, stop words of a language, condition
values, letter file names) folds through :func:`fold`, so the same two texts compare the
same way everywhere. What a caller needs differently is a named parameter, not a copy.

Accents are dropped by canonical decomposition (NFKD) and removing the combining marks:
"Diplôme" -> "diplome", "ﬁ" -> "fi". Letters with no decomposition ("ß", "ø", "ł") stay;
transliteration of other scripts is ``output.filenames.ascii_words`` (anyascii).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["fold", "strip_accents"]

_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_NOT_WORD = re.compile(r"[^\w]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_HYPHENATED = re.compile(r"(?<=[a-z])-\s*\n\s*(?=[a-z])")


def strip_accents(text: str) -> str:
    """Combining marks removed after NFKD ("é" -> "e"); ASCII text is returned as is."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    # each distinct character is looked up once; each mark found is removed at C speed
    for mark in [c for c in set(decomposed) if unicodedata.combining(c)]:
        decomposed = decomposed.replace(mark, "")
    return decomposed


def fold(
    text: str,
    *,
    case: Literal["casefold", "lower"] = "casefold",
    accents: bool = False,
    words: Literal["ascii", "unicode", "joined"] | None = None,
    digits_apart: bool = False,
    hyphenated_lines: bool = False,
    space: bool = True,
) -> str:
    """``text`` folded for comparison: case folded, accents dropped, white space collapsed.

    - ``case``: ``casefold`` ("ß" -> "ss") or ``lower`` (str.lower: "ß" stays);
    - ``accents``: True keeps the accents (only case and punctuation are folded);
    - ``words``: ``ascii``: anything but a-z and 0-9 becomes a space (after the accents are
      dropped); ``unicode``: anything but a word character of any script becomes a space;
      ``joined``: only letters and digits are kept, with nothing between them ("OB/GYN" ->
      "obgyn"); None: punctuation is kept;
    - ``digits_apart``: letters and digits are split into words ("step2ck" -> "step 2 ck");
    - ``hyphenated_lines``: a word hyphenated across a line break is joined first;
    - ``space``: False keeps the white space as it is (no collapsing, no trimming).
    """
    if hyphenated_lines:
        text = _HYPHENATED.sub("", text)
    text = text.casefold() if case == "casefold" else text.lower()
    if not accents:
        text = strip_accents(text)
    if words == "joined":
        return "".join(ch for ch in text if ch.isalnum())
    if words == "ascii":
        text = _NOT_ASCII_WORD.sub(" ", text)
    elif words == "unicode":
        text = _NOT_WORD.sub(" ", text)
    if digits_apart:
        text = _LETTER_DIGIT.sub(" ", text)
    return " ".join(text.split()) if space else text
