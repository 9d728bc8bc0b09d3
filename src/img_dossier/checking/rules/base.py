"""Shared by every rule family: the context and outcome of a rule, per-document verdicts
and how they combine, and the words for dates and their sources."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ...config.checklist import Checklist, Item, Rule
from ...config.profile import Profile
from ...facts import document as facts_mod
from ...isodate import iso_date
from ...model import Document, Problem


@dataclass(frozen=True)
class RuleContext:
    checklist: Checklist
    profile: Profile
    as_of: date
    expiring_within: int  # days: "expiring" window
    documents: tuple[Document, ...]  # every document of the folder (classified, with facts)
    #: the pipeline read the facts of every readable document (an empty mapping is a reading)
    facts_read: bool = False
    #: facts read here for documents the pipeline gave none, once per document and run
    memo: dict[tuple[str, str], Mapping[str, Any]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True)
class RuleOutcome:
    #: "invalid" | "expired" | "expiring" | "unverified" | None (no change)
    status: str | None = None
    messages: tuple[str, ...] = ()  # item messages
    item_problems: tuple[Problem, ...] = ()
    #: by rel path
    document_problems: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)


#: How bad a rule status is, to combine several rules (the worst wins).
_RANK = {None: 0, "expiring": 1, "unverified": 2, "invalid": 3, "expired": 4}


_FACT_WORDS = {
    "expiry": "expiry date",
    "test_date": "test date",
    "issue_date": "issue date",
    "signature_date": "signature date",
    "date": "date",
}


@dataclass(frozen=True)
class _Verdict:
    """One document under one rule: passes (status None), or why not."""

    doc: Document
    status: str | None = None
    message: str | None = None
    problem: Problem | None = None
    note: str | None = None  # said whatever the verdict (e.g. "judged on dossier.yaml")


def _facts(doc: Document, ctx: RuleContext) -> Mapping[str, Any]:
    """The document's facts; read them now if the pipeline did not (a test, a library user)."""
    if doc.facts or ctx.facts_read:
        return doc.facts
    key = (doc.rel, doc.sha256)
    if key not in ctx.memo:
        carries = facts_mod.carried_facts(ctx.checklist, doc.item)
        ctx.memo[key] = facts_mod.extract(doc, ctx.profile, carries=carries)
    return ctx.memo[key]


def _combine_documents(item: Item, verdicts: Sequence[_Verdict]) -> RuleOutcome:
    """Enough passing documents satisfy the item (an old expired copy beside a valid one is
    fine); otherwise the failing ones say why."""
    notes = [v.note for v in verdicts if v.note]
    passing = [v for v in verdicts if v.status is None]
    expiring = [v for v in verdicts if v.status == "expiring"]
    need = max(item.min, 1)
    if len(passing) >= need:
        return RuleOutcome(messages=tuple(notes))
    if len(passing) + len(expiring) >= need:
        chosen = expiring
    else:
        chosen = [v for v in verdicts if v.status is not None]
    worst = max((v.status for v in chosen), key=lambda s: _RANK[s], default=None)
    problems: dict[str, tuple[Problem, ...]] = {}
    for v in chosen:
        if v.problem is not None:
            problems[v.doc.rel] = (*problems.get(v.doc.rel, ()), v.problem)
    messages = notes + [v.message for v in chosen if v.message]
    return RuleOutcome(status=worst, messages=tuple(messages), document_problems=problems)


def _each(
    item: Item, docs: Sequence[Document], judge: Callable[[Document], _Verdict]
) -> RuleOutcome:
    return _combine_documents(item, [judge(d) for d in docs])


def _no_fact(doc: Document, what: str, declared: str | None) -> _Verdict:
    if declared:
        fix = f"set dates.{declared} in dossier.yaml"
        if doc.has_text:
            fix = f"check it by eye, or {fix}"
    else:
        fix = "check it by eye"
    read = "no text could be read from it" if not doc.has_text else f"no {what} was found in it"
    return _unverified(doc, f"{doc.rel}: {read}, so its {what} was not checked; {fix}")


def _unverified(doc: Document, msg: str) -> _Verdict:
    """A document whose content could not be judged: status and coded problem ``unverified``."""
    return _Verdict(doc, "unverified", msg, Problem("unverified", "warning", msg))


def _source_words(facts: Mapping[str, Any], fact: str) -> str:
    source = facts.get(f"{fact}_source")
    if source == "dossier.yaml":
        return f" ({facts.get(f'{fact}_declared_as', 'dates')} in dossier.yaml)"
    ocr = facts.get("source") == "ocr"
    if source == "mrz":
        return " (machine-readable zone read by OCR)" if ocr else " (machine-readable zone)"
    return " (read by OCR)" if ocr else ""


def _ocr_unconfirmed(facts: Mapping[str, Any], fact: str) -> bool:
    """A date OCR read from plain text (not a zone whose check digits confirm it): a misread
    digit must not make a document expired."""
    return facts.get("source") == "ocr" and facts.get(f"{fact}_source") == "text"


def _ocr_unsure(doc: Document, what: str, value: date, declared: object) -> str:
    fix = f"set dates.{declared} in dossier.yaml" if declared else "check it by eye"
    return (
        f"{doc.rel}: OCR read its {what} as {value}, which would make it too old, but a date "
        f"read by OCR outside a machine-readable zone is not trusted for that; {fix}"
    )


def _declared_note(doc: Document, facts: Mapping[str, Any], fact: str) -> str | None:
    if facts.get(f"{fact}_source") != "dossier.yaml":
        return None
    key = facts.get(f"{fact}_declared_as", "dates")
    what = _FACT_WORDS.get(fact, fact)
    read = facts.get(f"{fact}_read")
    if read:
        why = f"the document says {read}"
    elif doc.has_text:
        why = "none could be read from it"
    else:
        why = "no text could be read from it"
    return f"{doc.rel}: {what} {facts[fact]} taken from {key} in dossier.yaml ({why})"


def _why(rule: Rule) -> str:
    why = rule.params.get("why")
    return f" ({why})" if why else ""


def _merge(outcomes: Sequence[RuleOutcome]) -> RuleOutcome:
    status: str | None = None
    messages: list[str] = []
    item_problems: list[Problem] = []
    doc_problems: dict[str, tuple[Problem, ...]] = {}
    for o in outcomes:
        if _RANK.get(o.status, 0) > _RANK.get(status, 0):
            status = o.status
        messages.extend(m for m in o.messages if m not in messages)
        item_problems.extend(p for p in o.item_problems if p not in item_problems)
        for rel, problems in o.document_problems.items():
            have = doc_problems.get(rel, ())
            doc_problems[rel] = have + tuple(p for p in problems if p not in have)
    return RuleOutcome(status, tuple(messages), tuple(item_problems), doc_problems)


def _as_date(value: Any) -> date | None:
    return iso_date(value)


RuleFunction = Callable[[Rule, Item, Sequence[Document], RuleContext], RuleOutcome]
