"""Facts read from a document's text: dates, outcomes, scores, names, the passport MRZ.

Facts are plain JSON values (dates as ISO strings), each date with ``<fact>_source``:
``"text"``, ``"mrz"`` or ``"dossier.yaml"``. Facts of a document whose text was read by
OCR (a scan, a photo) say so: ``source: "ocr"`` and the engine's ``confidence`` (0-1); its
passport zone is read as OCR misreads it (``mrz.find_mrz_ocr``), check digits verified.
Dates the profile declares (``dates:`` in dossier.yaml, named ``<item>_<fact>`` such as
``passport_expiry``, ``language_test_date``, ``son_expiry`` where ``son`` is the item id's
initials) stand in for what a scan cannot say and win over a reading that differs (the
reading is kept as ``<fact>_read``).
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from ..config import exams as exams_data
from ..config.profile import Profile
from ..isodate import iso_date
from ..lazyre import Lazy
from ..model import Document
from . import dates, names
from . import exams as results
from .mrz import find_mrz, find_mrz_ocr

if TYPE_CHECKING:
    from ..config.checklist import Checklist

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
    Lazy(r"(?i)\bspecial(?:i)?ty (?:or field )?of\s+(?P<s>[^\n.,;]+(?:\n[^\n.,;]+)?)"),
    Lazy(
        r"(?im)^[ \t]*(?:specialty|speciality|specialty/subspecialty|discipline|"
        r"training program(?:me)?|program(?:me)?|especialidad)"
        r"(?:[ \t]*[:\-][ \t]*|[ \t]{2,}|[ \t]*\n[ \t]*)(?P<s>[^\n]+)"
    ),
    # "Position: PGY-1, Internal Medicine" (a GME agreement or offer)
    Lazy(r"(?im)^[ \t]*position[ \t]*:[ \t]*PGY-?\d+[ \t]*[,\-–][ \t]*(?P<s>[^\n]+)"),
    Lazy(r"\b(?P<s>[A-Z][a-z]+(?: [A-Z][a-z]+){0,3}) Residency\b"),
    Lazy(r"\b(?:residency|training) (?:program(?:me)?|position) in (?:the )?(?P<s>[A-Z][^\n.,;]+)"),
    Lazy(r"\bresident (?:physician )?in (?:the )?(?:Department of )?(?P<s>[A-Z][^\n.,;]+)"),
)
_SPECIALTY_END = Lazy(
    r"(?i)\s+(?:residency|program(?:me)?|training|at|in|for|with|starting|beginning|from|"
    r"department|pgy-?\d|\().*$"
)

_CERTIFICATION = (
    Lazy(
        r"(?is)\bcertif(?:y|ies|ied)\b.{0,160}?\btranslation\b.{0,100}?"
        r"\b(?:correct|accurate|true|complete|faithful)\b"
    ),
    Lazy(
        r"(?i)\b(?:true|correct|accurate|faithful|complete)(?:,? and (?:accurate|correct|complete|"
        r"true|faithful))? translation\b"
    ),
    Lazy(r"(?i)\bword[- ]for[- ]word (?:english )?translation\b"),
    Lazy(r"(?i)\bcertified (?:english )?translation\b"),
)


_GRADUATION = Lazy(
    r"(?i)(?<!expected )\b(?:date of graduation|graduation date|graduated(?: on)?|"
    r"date of (?:conferral|conferment)(?: of (?:the )?degree)?|degree conferred(?: on)?|"
    r"fecha de (?:graduaci[oó]n|egreso|titulaci[oó]n)|"
    r"date d'obtention du (?:dipl[oô]me|grade)|date de (?:diplomation|fin d'[ée]tudes))\b"
)


def graduation_date(text: str, *, day_first: bool | None = None) -> date | None:
    """The date a transcript, diploma or MSPE gives as the date of graduation (labelled:
    "Date of graduation  December 20, 2021"); an expected graduation is not one."""
    for m in _GRADUATION.finditer(text):
        line_end = text.find("\n", m.end())
        rest = text[m.end() : line_end if line_end >= 0 else len(text)]
        if not rest.strip() and line_end >= 0:  # the value on the next line (a form)
            after = text.find("\n", line_end + 1)
            rest = text[line_end + 1 : after if after >= 0 else len(text)]
        found = dates.find_dates(rest[:80], day_first=day_first)
        if found:
            return found[0].value
    return None


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


#: Facts read by an extractor of their own, which ``read_text`` skips when none of them is
#: wanted (dates, the passport zone and the name are read together, always).
OPTIONAL_FACTS: dict[str, frozenset[str]] = {
    "exam": frozenset({"exam"}),
    "outcome": frozenset({"outcome", "outcome_text"}),
    "scores": frozenset({"scores"}),
    "specialty": frozenset({"specialty"}),
    "certified_translation": frozenset({"certified_translation"}),
    "graduation_date": frozenset({"graduation_date"}),
    "attempts": frozenset({"attempts"}),
}


def skipped_extractors(wanted: Collection[str] | None) -> frozenset[str]:
    """The optional extractors (OPTIONAL_FACTS) whose facts ``keep_carried(..., wanted)``
    would drop anyway: reading them costs time and changes nothing. None: skip none."""
    if wanted is None:
        return frozenset()
    return frozenset(k for k, made in OPTIONAL_FACTS.items() if not made & set(wanted))


def read_text(
    text: str,
    *,
    today: date | None = None,
    ocr: bool = False,
    skip: Collection[str] = frozenset(),
) -> dict[str, Any]:
    """Every fact the text states (no profile involved); ``ocr``: the text was read by OCR.
    ``skip``: optional extractors (keys of OPTIONAL_FACTS) not to run."""
    facts: dict[str, Any] = {}
    text = text[:MAX_TEXT]
    if not text.strip():
        return facts
    day_first = dates.numeric_day_first(text)
    pairs = dates.labelled_pairs(text, day_first=day_first)  # read once, used twice
    labelled = dates.labelled_dates(text, pairs=pairs)
    own = dates.document_date(text, day_first=day_first, pairs=pairs)
    if own is not None:
        labelled["date"] = own
    for fact in DATE_FACTS:
        if fact in labelled:
            facts[fact] = labelled[fact].isoformat()
            facts[f"{fact}_source"] = "text"
    mrz, note = (find_mrz_ocr if ocr else find_mrz)(text, today=today)
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
    exam = None if "exam" in skip else results.exam(text)
    if exam:
        facts["exam"] = exam
    outcome = None if "outcome" in skip else results.outcome(text)
    if outcome:
        facts["outcome"], facts["outcome_text"] = outcome
    scores = None if "scores" in skip else results.scores(text)
    if scores:
        facts["scores"] = scores
    field = None if "specialty" in skip else specialty(text)
    if field:
        facts["specialty"] = field
    statement = None if "certified_translation" in skip else certification_statement(text)
    if statement:
        facts["certified_translation"] = statement
    graduated = None if "graduation_date" in skip else graduation_date(text, day_first=day_first)
    if graduated is not None:
        facts["graduation_date"] = graduated.isoformat()
        facts["graduation_date_source"] = "text"
    history = None if "attempts" in skip else results.attempts(text)
    if history:
        facts["attempts"] = history
    return facts


#: Facts every document carries, whatever its item: its own dates, the name it states,
#: a passport zone, a translator's certification (the translation rule reads it anywhere).
GENERIC_FACTS = frozenset(
    {"date", "issue_date", "signature_date", "birth_date", "name", "mrz", "mrz_note",
     "certified_translation", "source", "confidence"}
)  # fmt: skip

#: Facts a rule type reads from the documents of its item (besides its ``fact:`` parameter).
RULE_FACTS: dict[str, frozenset[str]] = {
    "valid-until": frozenset({"expiry"}),
    "max-age": frozenset({"test_date"}),
    "min-scores": frozenset({"scores", "exam", "test_date"}),
    "outcome": frozenset({"outcome", "exam", "test_date"}),
    "name-match": frozenset({"name"}),
    "required-elements": frozenset({"specialty"}),
}

#: Facts that go with another fact (``outcome_text`` with ``outcome``).
_COMPANIONS = {"outcome": ("outcome_text",)}


def carried_facts(checklist: Checklist, item_id: str | None) -> frozenset[str]:
    """The facts documents of ``item_id`` carry: the generic ones, those its rules read
    (a rule's ``fact:`` names; ``specialty`` of the items a Statement of Need rule compares
    against), and those the item lists under ``facts:`` (a score report's ``scores``).
    The checklist decides, not the code."""
    carried = set(GENERIC_FACTS)
    for item in checklist.items:
        if item.id == item_id:
            carried.update(item.facts)
        for rule in item.rules:
            sources = rule.params.get("specialty_from") or ()
            if rule.type == "required-elements" and item_id in sources:
                carried.add("specialty")
            if item.id != item_id:
                continue
            carried |= RULE_FACTS.get(rule.type, frozenset())
            wanted = rule.params.get("fact")
            if isinstance(wanted, str):
                carried.add(wanted)
            elif isinstance(wanted, list):
                carried.update(str(w) for w in wanted)
    return frozenset(carried)


def keep_carried(facts: Mapping[str, Any], carried: Collection[str]) -> dict[str, Any]:
    """Only the facts in ``carried``, with their ``_source``/``_read`` companions."""
    wanted = set(carried)
    for fact in carried:
        wanted.update(_COMPANIONS.get(fact, ()))
    return {
        k: v
        for k, v in facts.items()
        if k in wanted
        or any(k.startswith(f"{w}_") and k[len(w) + 1 :] in _SUFFIXES for w in wanted)
    }


_SUFFIXES = frozenset({"source", "read", "read_source", "declared_as"})


def extract(
    doc: Document,
    profile: Profile,
    *,
    cache: object | None = None,
    carries: Collection[str] | None = None,
) -> dict[str, Any]:
    """Facts of a classified document (keys such as ``expiry``, ``outcome``, ``name``),
    with the dates dossier.yaml declares for its item filled in. With ``cache`` (the read
    cache) the reading of the text is looked up there first (``audit`` runs). With
    ``carries`` (``carried_facts`` of its item) only those facts are kept: a CV that
    mentions an OET pass is not a score report."""
    ocr = ocr_confidence(doc)
    try:
        facts = _read_text(doc.text, cache, ocr=ocr is not None, skip=skipped_extractors(carries))
    except (ValueError, RecursionError):  # a hostile text must not stop the run
        facts = {}
    if ocr is not None and facts:
        facts["source"] = "ocr"
        facts["confidence"] = ocr
    if carries is not None:
        facts = keep_carried(facts, carries)
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


def ocr_confidence(doc: Document) -> float | None:
    """The OCR engine's confidence in a document's text, or None when it was not OCR'd."""
    found = doc.info.get("ocr")
    if not isinstance(found, Mapping) or not found.get("pages") or not doc.has_text:
        return None
    value = found.get("confidence")
    return float(value) if isinstance(value, int | float) else 0.0


def _read_text(
    text: str, cache: object | None, *, ocr: bool = False, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """read_text, through the cache when there is one (two-digit MRZ years depend on the
    year; facts read with extractors skipped are stored apart)."""
    from ..readers.cache import memoized
    from . import mrz

    code = (sys.modules[__name__], dates, names, results, mrz)
    mode = "ocr" if ocr else "text"
    skipped = ",".join(sorted(skip))
    payload = f"{date.today().year}\n{mode}\n{exams_data.fingerprint()}\n{skipped}\n{text}"
    return memoized(cache, "facts", code, payload, lambda: read_text(text, ocr=ocr, skip=skip))


def fact_date(facts: Mapping[str, Any], fact: str) -> date | None:
    """A date fact back as a date (None when absent or not a date)."""
    return iso_date(facts.get(fact))
