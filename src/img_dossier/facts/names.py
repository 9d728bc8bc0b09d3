"""People's names: the name a document states, and whether two spellings are the same person.

Accents, case, word order, particles (de, da, van), titles (Dr.) and left-out middle names
are tolerated; initials match the word they begin. A word that the other spelling does not
have at all (another family name) makes a mismatch.

Names in any script are compared after transliteration to Latin letters by ``anyascii``
(ISC licence, pure Python, CLDR-style tables for every script): "Иван Петров" is
"Ivan Petrov". Chinese, Japanese and Korean characters are transliterated one by one, and a
name written as one word in one spelling and several in the other ("Xiaoming Wang",
"王小明") still matches. A name that folds to no letters at all never matches anything.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from itertools import permutations

from ..lazyre import Lazy
from ..textfold import strip_accents

_TITLES = frozenset(
    [
        "dr",
        "dra",
        "doctor",
        "doctora",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "professor",
        "md",
        "mbbs",
        "sr",
        "sra",
        "srta",
        "mme",
        "mlle",
        "señor",
        "senor",
        "señora",
        "senora",
        "monsieur",
        "madame",
    ]
)
_PARTICLES = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "y",
        "e",
        "et",
        "le",
    ]
)

#: Words that end a name read after a label ("Name: Ana Lima Date of birth ...").
_STOP = frozenset(
    """
    date dob born birth sex gender nationality passport number no id usmle ecfmg aamc
    candidate profession venue test has was is who of for the and at in on to with i am
    this that it we he she they hereby has have address phone email e-mail signature
    signed title position program specialty fecha nacimiento nacionalidad sexo né née
    date
    """.split()  # noqa: SIM905 (words of labels, not item ids: one text, not id-like constants)
)

_WORD = r"[^\W\d_][^\W\d_'’\-]*\.?"
_NAME = rf"{_WORD}(?:,?[ \t]+{_WORD}){{1,6}}"
_NAME_IN_TEXT = rf"{_WORD}(?:[ \t]+{_WORD}){{1,6}}"  # in a sentence a comma ends the name
_PATTERNS = (
    Lazy(
        r"(?im)^[ \t]*(?:full name|candidate(?:'s)? name|name of (?:the )?(?:applicant|candidate|"
        r"examinee|student|physician|graduate)(?: for visa)?|applicant(?:'s)? name|"
        r"examinee(?:'s)? name|"
        r"student(?:'s)? name|physician(?:'s)? name|name|nombre(?: completo| y apellidos)?|"
        r"nom(?: et pr[ée]noms?)?|nome(?: completo)?|applicant|examinee|candidate|"
        r"[ée]tudiante?(?:[ \t]*/[ \t]*student)?)"
        r"(?:[ \t]*\([^)\n]{1,40}\))?(?:[ \t]*/[ \t]*[^\n:/]{1,30})?"  # (as in passport), / Nom
        rf"(?:[ \t]*[:：][ \t]*|[ \t]{{2,}}|[ \t]*\n[ \t]*)(?P<name>{_NAME})"
    ),
    Lazy(
        r"(?i)(?:certif(?:y|ies) that|conferred (?:up)?on|awarded to|granted to|"
        r"otorga(?:do)? a|confiere a|confers upon|d[ée]cern[ée] [àa]|presented to|por cuanto|"
        r"a favor de|en faveur de|conf[èe]re [àa])"
        rf"[ \t\n]+(?:(?:Dr|Dra|Mr|Ms|Mrs|Monsieur|Madame)\.?[ \t]+)?(?P<name>{_NAME_IN_TEXT})"
    ),
    Lazy(rf"(?m)^[ \t]*Dear[ \t]+(?:Dr|Dra|Mr|Ms|Mrs|Miss)\.?[ \t]+(?P<name>{_NAME})[ \t]*[,:]"),
)
_SURNAME = Lazy(
    r"(?im)^[ \t]*(?:surname|family name|last name|apellidos?|nom)\b[^:\n]*[:\n][ \t]*"
    rf"(?P<name>{_WORD}(?:[ \t]+{_WORD}){{0,3}})"
)
_GIVEN = Lazy(
    r"(?im)^[ \t]*(?:given names?|first names?|nombres?|pr[ée]noms?)\b[^:\n]*[:\n][ \t]*"
    rf"(?P<name>{_WORD}(?:[ \t]+{_WORD}){{0,3}})"
)


#: Characters written one syllable or word each (Han, kana, Hangul): transliterated apart.
_SYLLABIC = r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])"


@functools.cache
def _syllabic() -> re.Pattern[str]:
    """_SYLLABIC compiled when a text first needs it (its wide ranges take ~3 ms to
    compile; an all-ASCII folder never does)."""
    return re.compile(_SYLLABIC)


#: In ASCII text, what ``latin`` keeps (letters and the apostrophe); the rest is a space.
_NOT_ASCII_LETTER = re.compile(r"[^A-Za-z']")


def latin(text: str) -> str:
    """The text in Latin letters, lower case: every script transliterated (anyascii),
    accents dropped, each Chinese, Japanese or Korean character a word of its own."""
    if text.isascii():  # the same as _transliterated, at once: nothing to transliterate
        return _NOT_ASCII_LETTER.sub(" ", text).lower()
    return _transliterated(text)


#: Below this (Latin-1 Supplement, Latin Extended-A and -B) a letter whose accents, dropped,
#: leave ASCII is what anyascii makes of it (tests/facts: every such letter is compared).
_LATIN_END = "\u0250"


def _transliterated(text: str) -> str:
    letters = "".join(  # letters and their marks (Devanagari vowel signs); no emoji names
        c if c.isalpha() or c in "'’" or unicodedata.category(c)[0] == "M" else " " for c in text
    )
    top = max(letters, default="")
    if top < _LATIN_END:  # accented Latin letters: anyascii's answer, without loading it
        plain = strip_accents(letters)
        if plain.isascii():
            return plain.casefold()
    if top >= "\u3040":  # below it no character is syllabic
        letters = _syllabic().sub(r" \1 ", letters)
    from anyascii import anyascii  # other scripts (~5 ms to import, with importlib.resources)

    return anyascii(letters).casefold()


def tokens(name: str) -> list[str]:
    """A name as comparable words: in Latin letters, no accents, lower case, no titles or
    particles ("Иван Петров" -> ["ivan", "petrov"])."""
    plain = re.sub(r"['’`]", "", latin(name))
    words = re.split(r"[^a-z]+", plain)
    return [w for w in words if w and w not in _TITLES and w not in _PARTICLES]


def _covered(word: str, candidate: list[str]) -> bool:
    for c in candidate:
        if word == c or (len(word) == 1 and c.startswith(word)):
            return True
        if len(word) >= 4 and c.startswith(word):  # MRZ truncates long names
            return True
    return False


def same_person(stated: str, candidates: Iterable[str]) -> bool:
    """Whether ``stated`` is a spelling of one of ``candidates`` (the applicant's names).

    Every word of the stated name must belong to one candidate, and at least two of them
    (or all of a one-word candidate) must be present: "QUISPE MAMANI, LUCIA" is
    "Lucia Fernanda Quispe Mamani"; "Lucia Torres" is not.
    """
    words = tokens(stated)
    if not words:
        return False  # a name with no letters at all is nobody's
    for candidate in candidates:
        cwords = tokens(candidate)
        if not cwords:
            continue
        if all(_covered(w, cwords) for w in words):
            full = [w for w in words if len(w) > 1]
            if len(full) >= min(2, len(cwords)):
                return True
        if _joined_equal(words, cwords):
            return True
    return False


def _joined_equal(a: list[str], b: list[str]) -> bool:
    """Whether the words of both spellings, each in some order, make the same letters
    ("wang xiao ming" and "xiaoming wang"); at least two words in one of them."""
    if max(len(a), len(b)) < 2 or len(a) > 5 or len(b) > 5 or a == b:
        return False
    if sum(map(len, a)) != sum(map(len, b)):
        return False
    joined_b = {"".join(p) for p in permutations(b)}
    return any("".join(p) in joined_b for p in permutations(a))


def appears_in(text: str, candidates: Iterable[str]) -> bool:
    """Whether the text carries one of the names: all the words of a one-word name, else at
    least two words of it (a given and a family name, in any order), in any script."""
    words = set(re.split(r"[^a-z]+", re.sub(r"['’`]", "", latin(text[:50000]))))
    if not words - {""}:
        return False
    for candidate in candidates:
        cwords = [w for w in dict.fromkeys(tokens(candidate)) if len(w) > 1]
        if not cwords:
            continue
        found = sum(1 for w in cwords if w in words)
        if found >= min(2, len(cwords)):
            return True
    return False


def _clean(raw: str) -> str | None:
    words: list[str] = []
    for word in raw.replace(",", " , ").split():
        bare = word.strip(".,").casefold()
        if bare in _STOP:
            break
        words.append(word)
    text = " ".join(words).strip(" ,")
    if "," in text:
        family, _, given = text.partition(",")
        text = f"{given.strip()} {family.strip()}".strip()
    real = [w for w in tokens(text) if len(w) > 1]
    return text if len(real) >= 2 else None


def find_name(text: str) -> str | None:
    """The person's name the text states: after a label ("Name:", "Candidate name:"),
    in "certify that ..." / "conferred upon ...", in a "Dear Dr. ..." line, or from
    passport fields (surname and given names)."""
    head = text[:20000]
    for pattern in _PATTERNS:
        for m in pattern.finditer(head):
            name = _clean(m["name"])
            if name:
                return name
    surname = _SURNAME.search(head)
    given = _GIVEN.search(head)
    if surname and given:
        return _clean(f"{given['name']} {surname['name']}")
    return None
