"""Guess the language of a document's text with a small stop-word model.

Good enough to tell whether a diploma or transcript is in English, Spanish, French,
Portuguese, German or Italian; it says None rather than guess from too little text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

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
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def language_scores(text: str) -> Counter[str]:
    """How many words of the text are stop words of each language."""
    words = _WORD.findall(_fold(text))
    scores: Counter[str] = Counter()
    for word in words:
        for lang, stops in _STOP_WORDS.items():
            if word in stops:
                scores[lang] += 1
    return scores


def guess_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language (en, es, fr, pt, de, it), or None if unsure."""
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
