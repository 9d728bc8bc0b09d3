"""Facts read from a document's text: dates, outcomes, scores, names, the passport MRZ.

Facts are plain JSON values (dates as ISO strings), each date with ``<fact>_source``:
``"text"``, ``"mrz"`` or ``"dossier.yaml"``. Dates the profile declares (``dates:`` in
dossier.yaml, named ``<item>_<fact>`` such as ``passport_expiry``, ``language_test_date``,
``son_expiry`` where ``son`` is the item id's initials) stand in for what a scan cannot
say and win over a reading that differs (the reading is kept as ``<fact>_read``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from datetime import date
from typing import Any

from . import dates, names, results
from .model import Document
from .mrz import find_mrz
from .profile import Profile

#: Facts are read from this much of a document's text (its first pages, bounded).
MAX_TEXT = 60_000

#: Date facts, in the order they are reported.
DATE_FACTS = ("date", "issue_date", "test_date", "signature_date", "expiry", "birth_date")

#: Suffixes of dossier.yaml ``dates:`` keys and the fact each one declares.
_DECLARED_SUFFIXES = (
    ("_expiry", "expiry"),
    ("_expiration", "expiry"),
    ("_test_date", "test_date"),
    ("_issue_date", "issue_date"),
    ("_issued", "issue_date"),
    ("_signature_date", "signature_date"),
    ("_date", "date"),
)

_SPECIALTY = (
    re.compile(r"(?i)\bspecial(?:i)?ty (?:or field )?of\s+(?P<s>[^\n.,;]+(?:\n[^\n.,;]+)?)"),
    re.compile(
        r"(?im)^[ \t]*(?:specialty|speciality|specialty/subspecialty|discipline|"
        r"training program(?:me)?|program(?:me)?|especialidad)"
        r"(?:[ \t]*[:\-][ \t]*|[ \t]{2,}|[ \t]*\n[ \t]*)(?P<s>[^\n]+)"
    ),
    re.compile(r"\b(?P<s>[A-Z][a-z]+(?: [A-Z][a-z]+){0,3}) Residency\b"),
    re.compile(
        r"\b(?:residency|training) (?:program(?:me)?|position) in (?:the )?(?P<s>[A-Z][^\n.,;]+)"
    ),
    re.compile(r"\bresident (?:physician )?in (?:the )?(?:Department of )?(?P<s>[A-Z][^\n.,;]+)"),
)
_SPECIALTY_END = re.compile(
    r"(?i)\s+(?:residency|program(?:me)?|training|at|in|for|with|starting|beginning|from|"
    r"department|pgy-?\d|\().*$"
)

_CERTIFICATION = (
    re.compile(
        r"(?is)\bcertif(?:y|ies|ied)\b.{0,160}?\btranslation\b.{0,100}?"
        r"\b(?:correct|accurate|true|complete|faithful)\b"
    ),
    re.compile(
        r"(?i)\b(?:true|correct|accurate|faithful|complete)(?:,? and (?:accurate|correct|complete|"
        r"true|faithful))? translation\b"
    ),
    re.compile(r"(?i)\bword[- ]for[- ]word (?:english )?translation\b"),
    re.compile(r"(?i)\bcertified (?:english )?translation\b"),
)


def certification_statement(text: str) -> str | None:
    """The translator's certification statement ("I certify that the word-for-word
    translation is correct"), or None: what makes a document a certified translation."""
    for pattern in _CERTIFICATION:
        m = pattern.search(text)
        if m:
            return " ".join(m.group().split())[:200]
    return None


def specialty(text: str) -> str | None:
    """The training specialty a Statement of Need or training contract names."""
    for pattern in _SPECIALTY:
        m = pattern.search(text)
        if m:
            value = _SPECIALTY_END.sub("", " ".join(m["s"].split())).strip(" .:-\"'“”")
            words = value.split()
            if 1 <= len(words) <= 6 and not value.lower().startswith(("the ", "a ")):
                return " ".join(words)
    return None


def _initials(item_id: str) -> str:
    return "".join(part[:1] for part in item_id.split("-") if part)


def declared_key_applies(key_prefix: str, item_id: str) -> bool:
    """Whether ``dates.<prefix>_...`` of dossier.yaml is about documents of ``item_id``:
    the prefix is the item id, its first words, or its initials (``son``)."""
    prefix = key_prefix.replace("_", "-")
    return item_id == prefix or item_id.startswith(prefix + "-") or _initials(item_id) == prefix


def declared_dates(profile: Profile, item_id: str | None) -> dict[str, tuple[str, date]]:
    """fact -> (dossier.yaml key, date) that the profile declares for an item's documents."""
    found: dict[str, tuple[str, date]] = {}
    if item_id is None:
        return found
    for key, value in profile.dates.items():
        for suffix, fact in _DECLARED_SUFFIXES:
            if key.endswith(suffix) and declared_key_applies(key[: -len(suffix)], item_id):
                found.setdefault(fact, (key, value))
                break
    return found


def read_text(text: str, *, today: date | None = None) -> dict[str, Any]:
    """Every fact the text states (no profile involved)."""
    facts: dict[str, Any] = {}
    text = text[:MAX_TEXT]
    if not text.strip():
        return facts
    day_first = dates.numeric_day_first(text)
    labelled = dates.labelled_dates(text, day_first=day_first)
    if "date" not in labelled:
        birth = labelled.get("birth_date")
        for found in dates.find_dates(text, day_first=day_first):
            if found.value != birth:
                labelled["date"] = found.value
                break
    for fact in DATE_FACTS:
        if fact in labelled:
            facts[fact] = labelled[fact].isoformat()
            facts[f"{fact}_source"] = "text"
    mrz, note = find_mrz(text, today=today)
    if mrz is not None:
        facts["mrz"] = mrz.to_json()
        facts["expiry"] = mrz.expiry.isoformat()
        facts["expiry_source"] = "mrz"
        facts["birth_date"] = mrz.birth_date.isoformat()
        facts["birth_date_source"] = "mrz"
        facts["name"] = mrz.name
        facts["name_source"] = "mrz"
    elif note is not None:
        facts["mrz_note"] = note
    if "name" not in facts:
        name = names.find_name(text)
        if name:
            facts["name"] = name
            facts["name_source"] = "text"
    exam = results.exam(text)
    if exam:
        facts["exam"] = exam
    outcome = results.outcome(text)
    if outcome:
        facts["outcome"], facts["outcome_text"] = outcome
    scores = results.scores(text)
    if scores:
        facts["scores"] = scores
    field = specialty(text)
    if field:
        facts["specialty"] = field
    statement = certification_statement(text)
    if statement:
        facts["certified_translation"] = statement
    return facts


def extract(doc: Document, profile: Profile, *, cache: object | None = None) -> dict[str, Any]:
    """Facts of a classified document (keys such as ``expiry``, ``outcome``, ``name``),
    with the dates dossier.yaml declares for its item filled in. With ``cache`` (the read
    cache) the reading of the text is looked up there first (``audit`` runs)."""
    try:
        facts = _read_text(doc.text, cache)
    except (ValueError, RecursionError):  # a hostile text must not stop the run
        facts = {}
    for fact, (key, value) in declared_dates(profile, doc.item).items():
        iso = value.isoformat()
        if facts.get(fact) == iso:
            continue  # the document says the same: keep its own source
        if fact in facts:
            facts[f"{fact}_read"] = facts[fact]
            facts[f"{fact}_read_source"] = facts.get(f"{fact}_source", "text")
        facts[fact] = iso
        facts[f"{fact}_source"] = "dossier.yaml"
        facts[f"{fact}_declared_as"] = f"dates.{key}"
    return facts


def _read_text(text: str, cache: object | None) -> dict[str, Any]:
    """read_text, through the cache when there is one (two-digit MRZ years depend on the year)."""
    from . import mrz
    from .cache import memoized

    code = (sys.modules[__name__], dates, names, results, mrz)
    payload = f"{date.today().year}\n{text}"
    return memoized(cache, "facts", code, payload, lambda: read_text(text))


def fact_date(facts: Mapping[str, Any], fact: str) -> date | None:
    """A date fact back as a date (None when absent or not a date)."""
    value = facts.get(fact)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
