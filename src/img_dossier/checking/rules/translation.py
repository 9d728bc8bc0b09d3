"""The ``translation`` rule: a document outside the checklist's languages needs a
certified translation in the folder."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from ...config.checklist import Item, Rule
from ...model import Document, Problem
from ...textfold import fold
from .base import RuleContext, RuleOutcome, _facts, _why

_LANGUAGES = {
    "en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese", "de": "German",
    "it": "Italian", "ru": "Russian (Cyrillic script)", "ar": "Arabic (script)",
    "zh": "Chinese", "uk": "Ukrainian", "ko": "Korean", "ja": "Japanese", "el": "Greek",
    "he": "Hebrew", "hi": "Hindi (Devanagari script)", "bn": "Bengali", "ta": "Tamil",
    "th": "Thai", "ka": "Georgian", "hy": "Armenian",
}  # fmt: skip


#: Words of a file name that say nothing about which original it translates (a word list,
#: written as one text).
_GENERIC_WORDS = frozenset(
    """
    translation translated certified certificate official english en eng copy scan
    scanned traduccion traducido traduction traduit traducao traduzido jurada
    oficial certificada of the de la del and y pdf final page
    """.split()  # noqa: SIM905 (words of file names, not item ids: one text)
)


def _ascii(text: str) -> str:
    """Lower case, accents dropped, white space collapsed."""
    return fold(text)


def _stem_words(rel: str) -> set[str]:
    stem = PurePosixPath(rel).stem
    words = set(re.split(r"[^a-z]+", _ascii(stem)))
    return {w for w in words if len(w) > 2 and w not in _GENERIC_WORDS}


def _is_translation(doc: Document, ctx: RuleContext, translation_items: Sequence[str]) -> bool:
    return bool(_facts(doc, ctx).get("certified_translation")) or doc.item in translation_items


def _pairs(original: Document, item: Item, translation: Document, ctx: RuleContext) -> bool:
    """A translation belongs to an original when their file names share a word, or the
    translation's text names the original's file or a name of the original's item."""
    if _stem_words(original.rel) & _stem_words(translation.rel):
        return True
    text = _ascii(translation.text)
    stem = _ascii(PurePosixPath(original.rel).stem)
    if stem and stem in text:
        return True
    words = [_ascii(n) for n in (*item.names, item.title) if len(n) > 3]
    return any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)


def _translation(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    from ...facts.language import guess_language  # the core's guesser

    accepted = {lang.lower() for lang in ctx.checklist.languages}
    translation_items: Sequence[str] = rule.params.get(
        "translation_items"
    ) or ctx.checklist.with_role("certified-translations")
    school = ctx.profile.medical_school.language
    translations = [
        d
        for d in ctx.documents
        if d.rel not in {x.rel for x in docs} and _is_translation(d, ctx, translation_items)
    ]
    problems: dict[str, tuple[Problem, ...]] = {}
    for doc in docs:
        if _facts(doc, ctx).get("certified_translation"):
            continue  # the translation is part of the same file
        if doc.has_text:
            language, how = guess_language(doc.text), "guessed from its text"
        else:
            language, how = school, "medical_school.language in dossier.yaml; it has no text"
        if language is None or language.lower() in accepted:
            continue
        if any(_pairs(doc, item, t, ctx) for t in translations):
            continue
        wanted = " or ".join(_LANGUAGES.get(lang, lang) for lang in sorted(accepted))
        stem = PurePosixPath(doc.rel).stem
        msg = (
            f"{doc.rel}: in {_LANGUAGES.get(language, language)} ({how}), and no certified "
            f"{wanted} translation of it was found{_why(rule)}; add one, with the translator's "
            f"certification statement, named after the original (e.g. {stem}-translation.pdf)"
        )
        problems[doc.rel] = (Problem("needs-translation", "warning", msg),)
    return RuleOutcome(document_problems=problems)
