"""Guess the language of a document's text with a small stop-word model.

Good enough to tell whether a diploma or transcript is in English, Spanish, French,
Portuguese, German or Italian; it says None rather than guess from too little text.
"""

from __future__ import annotations

import re
from collections import Counter

from ..textfold import fold

#: Frequent function words of each language; words shared by several languages still
#: count for each of them, the distinctive ones decide.
_WORDS: dict[str, str] = {
    "en": (
        "the of and to in is that for it with as was on be by this are from at or an "
        "which have has not but were been their we you he she his her they will would "
        "there all can who its our may any these than"
    ),
    "es": (
        "el la los las de del y en que por con para una un es se al lo como mas pero sus "
        "le ya o este esta ha si porque muy sin sobre entre cuando tambien fue son desde "
        "todo nos durante estos estas ante segun dicho dicha"
    ),
    "fr": (
        "le la les de des du et en un une est que qui dans pour pas sur au aux avec ce "
        "cette il elle ne se par plus sont ou son sa ses nous vous leur ont ete etre a "
        "aussi mais comme tout fait"
    ),
    "pt": (
        "o a os as de do da dos das e em um uma que para com por no na nos nas nao se ao "
        "aos mais como mas foi ser seu sua seus suas pelo pela esta este isso tambem ou "
        "ja quando sao"
    ),
    "de": (
        "der die das und in den von zu mit ist des dem nicht ein eine als auch es an auf "
        "fur sich im dass er sie wird werden bei oder aus wie hat nach noch zum zur sind "
        "wurde uber unter ihre sein"
    ),
    "it": (
        "il lo la i gli le di del della dei delle e in un una che per con non da al alla "
        "si come piu ma sono nel nella anche sua suo questo questa ha essere stato tra "
        "dal dalla degli ed"
    ),
}

_STOP_WORDS = {lang: frozenset(words.split()) for lang, words in _WORDS.items()}

_WORD = re.compile(r"[a-z]+")

#: At least this many words of text, and this many stop words of the winning language.
MIN_WORDS = 12
MIN_HITS = 4


def _fold(text: str) -> str:
    """Lower case without accents ("Diplôme" -> "diplome")."""
    return fold(text, case="lower", space=False)


def language_scores(text: str) -> Counter[str]:
    """How many words of the text are stop words of each language."""
    words = _WORD.findall(_fold(text))
    scores: Counter[str] = Counter()
    for word in words:
        for lang, stops in _STOP_WORDS.items():
            if word in stops:
                scores[lang] += 1
    return scores


#: Scripts that name a language (or a family) by themselves: (first, last code point, code).
#: Ukrainian, Bulgarian and Serbian documents are Cyrillic too: the code says "not Latin".
_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),  # Greek
    (0x0400, 0x052F, "ru"),  # Cyrillic
    (0x0530, 0x058F, "hy"),  # Armenian
    (0x0590, 0x05FF, "he"),  # Hebrew
    (0x0600, 0x06FF, "ar"),  # Arabic (also Persian, Urdu)
    (0x0750, 0x077F, "ar"),
    (0x0900, 0x097F, "hi"),  # Devanagari
    (0x0980, 0x09FF, "bn"),  # Bengali
    (0x0B80, 0x0BFF, "ta"),  # Tamil
    (0x0E00, 0x0E7F, "th"),  # Thai
    (0x10A0, 0x10FF, "ka"),  # Georgian
    (0x3040, 0x30FF, "ja"),  # kana
    (0x3400, 0x4DBF, "zh"),  # Han
    (0x4E00, 0x9FFF, "zh"),
    (0xAC00, 0xD7AF, "ko"),  # Hangul
)

#: Share of letters in one non-Latin script that makes a document "in" that script.
SCRIPT_SHARE = 0.5


def script_language(text: str) -> str | None:
    """The language a non-Latin script stands for when most of the text's letters are in
    it (Cyrillic -> ru, Arabic -> ar, Han -> zh, Hangul -> ko, kana -> ja...), else None.
    Japanese text mixes kana and Han: any kana makes it ja."""
    head = text[:20000]
    if not head or max(head) < "\u0370":  # all Latin (or other scripts before Greek): none
        return None
    counts: Counter[str] = Counter()
    letters = 0
    for ch in head:
        if not ch.isalpha():
            continue
        letters += 1
        point = ord(ch)
        if point < 0x0370:
            continue
        for first, last, code in _SCRIPTS:
            if first <= point <= last:
                counts[code] += 1
                break
    if letters < MIN_WORDS or not counts:
        return None
    if counts["ja"] and counts["ja"] + counts["zh"] >= SCRIPT_SHARE * letters:
        return "ja"
    code, n = counts.most_common(1)[0]
    return code if n >= SCRIPT_SHARE * letters else None


def guess_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language, or None if unsure: by script when most
    letters are in a non-Latin one (ru, ar, zh, ko, ja, el, he, hi...), else by stop words
    (en, es, fr, pt, de, it)."""
    by_script = script_language(text)
    if by_script is not None:
        return by_script
    if len(_WORD.findall(_fold(text[:20000]))) < MIN_WORDS:
        return None
    scores = language_scores(text[:20000])
    if not scores:
        return None
    ranked = scores.most_common()
    best, hits = ranked[0]
    if hits < MIN_HITS:
        return None
    if len(ranked) > 1 and ranked[1][1] == hits:
        return None
    return best
