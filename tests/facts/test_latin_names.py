"""Names in accented Latin letters are compared as anyascii makes them, without loading it."""

from __future__ import annotations

import unicodedata

import pytest

from img_dossier.facts import names

anyascii = pytest.importorskip("anyascii").anyascii


def test_every_accented_latin_letter_is_what_anyascii_makes_of_it() -> None:
    """Below names._LATIN_END, each letter the quick way turns into ASCII is anyascii's."""
    end = ord(names._LATIN_END)
    quick = 0
    for code in range(0x80, end):
        ch = chr(code)
        if not (ch.isalpha() or unicodedata.category(ch)[0] == "M"):
            continue
        for text in (ch, f"A{ch}b", f"{ch}{ch.upper()}"):
            assert names._transliterated(text) == anyascii(text).casefold(), hex(code)
        quick += names.strip_accents(ch).isascii()
    assert quick > 200  # the quick way is taken (ÀÉÑÇ... Ł stays anyascii's)


@pytest.mark.parametrize(
    "text",
    ["Lucía Fernanda Quispe Mamani", "José Ñúñez-Ö'Brien", "Łukasz Żółć", "Ærøskøbing ß", "ǅemal"],
)
def test_names_in_latin_letters_compare_as_before(text: str) -> None:
    kept = (c.isalpha() or c in "'’" or unicodedata.category(c)[0] == "M" for c in text)
    letters = "".join(c if keep else " " for c, keep in zip(text, kept, strict=True))
    assert names.latin(text) == anyascii(letters).casefold()
