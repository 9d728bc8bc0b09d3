"""Checklist x Profile x Documents -> ItemResults (pure: no I/O).

For each item: decide its ``when`` conditions (an undecided one counts as applying, with a
note naming the dossier.yaml field to set), count the documents that satisfy it, judge
presence, then let the rule engine (rules/) look deeper.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..config import tracks as tracks_data
from ..config.checklist import Checklist, Condition, Item
from ..config.profile import Profile
from ..facts.language import guess_language
from ..model import Document, ItemResult, Problem, StepStatus
from . import rules
from . import steps as steps_mod

#: How bad a status is, for "a rule may make an item worse, never better".
SEVERITY = {
    "ok": 0,
    "not-required": 0,
    "optional-missing": 0,
    "unverified": 1,
    "expiring": 2,
    "insufficient": 3,
    "missing": 3,
    "invalid": 4,
    "expired": 5,
}

#: Condition variable -> (dossier.yaml field, the values to give it); the values of track and
#: status are the data's (checklists/tracks.yaml, _values).
_FIELDS: dict[str, tuple[str, str]] = {
    "track": ("track", ""),
    "visa": ("training.visa", "J-1, H-1B or none"),
    "ecfmg_certified": ("ecfmg_certified", "true or false"),
    "language_exempt": ("language_exempt", "true or false"),
    "status": ("applicant.status", ""),
    "province": ("training.province", "the province code, such as ON"),
    "specialty": ("training.specialty", "the specialty, such as Internal Medicine"),
    "school_language": (
        "medical_school.language",
        "the two-letter code of your school's language, such as es",
    ),
    "school_country": ("medical_school.country", "the country of your medical school"),
    "needs_translation": (
        "medical_school.language",
        "the two-letter code of your school's language, such as es",
    ),
}


@dataclass(frozen=True)
class VerifyResult:
    items: tuple[ItemResult, ...]
    documents: tuple[Document, ...]
    notes: tuple[str, ...]
    steps: tuple[StepStatus, ...] = ()  # coming steps that are not documents


def counts(doc: Document) -> bool:
    """True when the document counts towards its item: classified, not a duplicate copy, and
    its content does not contradict its name (``content-mismatch`` as an error)."""
    return doc.item is not None and not any(
        p.code == "duplicate" or (p.code == "content-mismatch" and p.severity == "error")
        for p in doc.problems
    )


#: The codes that explain each item status; a document problem of the item with one of
#: them is also an item problem (so that a script sees why, by code, on the item).
_STATUS_CODES: dict[str, frozenset[str]] = {
    "expired": frozenset({"expired"}),
    "expiring": frozenset({"expired"}),
    "invalid": frozenset(
        {
            "expired",
            "validity-too-short",
            "below-minimum",
            "not-passed",
            "missing-element",
            "wrong-specialty",
            "outside-date-window",
        }
    ),
    "unverified": frozenset({"unverified", "no-text", "unconfirmed-rule"}),
    "insufficient": frozenset({"below-minimum"}),
    "missing": frozenset({"missing", "content-mismatch"}),
}


def needs_translation(
    checklist: Checklist, profile: Profile, documents: Sequence[Document]
) -> bool | None:
    """Whether the school's documents need an English (or French) translation; None if unknown.

    dossier.yaml ``medical_school.language`` decides; without it, the guessed language of
    the readable classified documents: one outside the checklist's languages means yes,
    all inside means no, none guessed means unknown.
    """
    accepted = set(checklist.languages)
    if profile.medical_school.language:
        return profile.medical_school.language.lower() not in accepted
    guessed = [guess_language(d.text) for d in documents if counts(d) and d.readable and d.has_text]
    languages = {g for g in guessed if g is not None}
    if not languages:
        return None
    return bool(languages - accepted)


def decide(
    conditions: Sequence[Condition], variables: Mapping[str, Any]
) -> tuple[bool, tuple[str, ...]]:
    """(applies, undecided variables) of one group: False as soon as a condition is false."""
    undecided: list[str] = []
    for cond in conditions:
        verdict = cond.decide(variables)
        if verdict is False:
            return False, ()
        if verdict is None and cond.variable not in undecided:
            undecided.append(cond.variable)
    return True, tuple(undecided)


def _decide(item: Item, variables: Mapping[str, Any]) -> tuple[bool, tuple[str, ...]]:
    """(applies, undecided variables); with ``when_any`` any one decided group is enough."""
    applies, undecided = decide(item.when, variables)
    if not applies or not item.when_any:
        return applies, undecided
    groups = [decide(group, variables) for group in item.when_any]
    if any(ok and not open_ for ok, open_ in groups):
        return True, undecided
    open_vars = [v for ok, open_ in groups if ok for v in open_]
    if not open_vars:
        return False, ()
    return True, tuple(dict.fromkeys([*undecided, *open_vars]))


def _undecided_notes(undecided: dict[str, list[Item]], track: str | None) -> list[str]:
    """One note per dossier.yaml field that is not set, naming every item it decides."""
    notes = []
    for variable, items in undecided.items():
        field, values = _FIELDS.get(variable, (variable, "a value"))
        if variable == "track":
            values = tracks_data.either(tracks_data.track_ids())
        elif variable == "status":  # those of the track (all of them for a custom track)
            values = tracks_data.either(tracks_data.statuses_of(track))
        titles = ", ".join(i.title for i in items)
        notes.append(
            f"{field} is not set in dossier.yaml: assumed required: {titles}; "
            f"set {field} to {values}"
        )
    return notes


def _why_unreadable(docs: Sequence[Document]) -> str:
    reasons = []
    for d in docs:
        errors = [p for p in d.problems if p.severity == "error"]
        what = errors[0].message if errors else "cannot be read"
        if not what.startswith(d.rel):
            what = f"{d.rel}: {what}"
        reasons.append(what)
    return "; ".join(reasons)


def verify(
    checklist: Checklist,
    profile: Profile,
    documents: Sequence[Document],
    *,
    as_of: date,
    expiring_within: int = 90,
    strict: bool = False,
    facts_read: bool = False,
) -> VerifyResult:
    """Judge every checklist item on the classified documents; return items, documents, notes.

    ``facts_read``: the caller has read the facts of every readable document, so the rules
    need not read them again.

    ``strict`` does not change a verdict (statuses are facts); the Report decides with it
    whether warnings make the folder incomplete.
    """
    variables = dict(profile.conditions())
    variables["needs_translation"] = needs_translation(checklist, profile, documents)
    docs = [_without_needless_no_text(d, checklist) for d in documents]
    ctx = rules.RuleContext(
        checklist=checklist,
        profile=profile,
        as_of=as_of,
        expiring_within=expiring_within,
        documents=tuple(docs),
        facts_read=facts_read,
    )
    undecided_items: dict[str, list[Item]] = {}
    results: list[ItemResult] = []
    extra: dict[str, list[Problem]] = {}
    for item in checklist.items:
        mine = [d for d in docs if d.item == item.id and counts(d)]
        applies, undecided = _decide(item, variables)
        for variable in undecided:
            undecided_items.setdefault(variable, []).append(item)
        result, outcome = _judge(item, mine, applies, ctx)
        rejected = [d for d in docs if d.item == item.id and not counts(d)]
        result = _coded(result, item, mine, rejected, outcome)
        results.append(result)
        if outcome is not None:
            for rel, problems in outcome.document_problems.items():
                extra.setdefault(rel, []).extend(problems)
    out_docs = tuple(
        d.with_problems(*[p for p in extra.get(d.rel, []) if p not in d.problems])
        if d.rel in extra
        else d
        for d in docs
    )
    notes = [
        *steps_mod.notices(checklist, variables),
        *_undecided_notes(undecided_items, profile.track or checklist.track),
    ]
    return VerifyResult(
        items=tuple(results),
        documents=out_docs,
        notes=tuple(notes),
        steps=steps_mod.coming_steps(checklist, variables, as_of),
    )


def _expects_text(item: Item | None) -> bool:
    """An item with content evidence is read; one without (a photo) is only looked at."""
    return item is not None and bool(item.evidence)


def _without_needless_no_text(doc: Document, checklist: Checklist) -> Document:
    """Drop a ``no-text`` warning from a document whose item expects no text (a photo)."""
    if doc.item is None or _expects_text(checklist.item(doc.item)):
        return doc
    kept = tuple(p for p in doc.problems if p.code != "no-text")
    return doc if len(kept) == len(doc.problems) else doc.replace(problems=kept)


def _judge(
    item: Item, mine: Sequence[Document], applies: bool, ctx: rules.RuleContext
) -> tuple[ItemResult, rules.RuleOutcome | None]:
    rels = tuple(d.rel for d in mine)
    base = ItemResult(
        id=item.id,
        title=item.title,
        required=item.required and applies,
        status="ok",
        documents=rels,
        advice=item.advice,
    )
    if not applies:
        return _with(base, status="not-required"), None
    if not mine:
        if item.min == 0:  # nothing is needed (a custom checklist can say so)
            return _with(base, status="ok" if item.required else "optional-missing"), None
        status = "missing" if item.required else "optional-missing"
        return _with(base, status=status), None

    readable = [d for d in mine if d.readable]
    unreadable = [d for d in mine if not d.readable]
    messages: list[str] = []
    if not readable:
        return _with(base, status="invalid", messages=(_why_unreadable(unreadable),)), None

    status = "ok"
    if len(readable) < item.min:
        status = "insufficient"
        msg = f"{item.title}: {item.min} required, {len(readable)} found"
        if item.count_note:
            msg += f" ({item.count_note})"
        if unreadable:
            msg += f" ({len(unreadable)} more cannot be read: {_why_unreadable(unreadable)})"
        messages.append(msg)
    elif unreadable:
        messages.append(f"not counted: {_why_unreadable(unreadable)}")
    if item.max is not None and len(readable) > item.max:
        note = f" ({item.count_note})" if item.count_note else ""
        messages.append(
            f"{item.title}: at most {item.max} can be used, {len(readable)} found; "
            f"choose which to send{note}"
        )
    if status == "ok" and _expects_text(item) and not any(d.has_text for d in readable):
        status = "unverified"
        if not any(p.code == "no-text" for d in readable for p in d.problems):
            messages.append(
                f"{', '.join(d.rel for d in readable)}: no text could be read (a scan or an "
                "image), so its content was not checked; check it by eye"
            )

    outcome = rules.evaluate(item, readable, ctx)
    if outcome.status is not None and SEVERITY.get(outcome.status, 0) > SEVERITY[status]:
        status = outcome.status
    messages.extend(m for m in outcome.messages if m not in messages)
    return (
        _with(
            base,
            status=status,
            messages=tuple(messages),
            problems=tuple(outcome.item_problems),
        ),
        outcome,
    )


def _with(result: ItemResult, **changes: Any) -> ItemResult:
    return dataclasses.replace(result, **changes)


def _coded(
    result: ItemResult,
    item: Item,
    mine: Sequence[Document],
    rejected: Sequence[Document],
    outcome: rules.RuleOutcome | None,
) -> ItemResult:
    """The result with at least one coded problem when its status is a problem (not ok,
    not-required or optional-missing):
    the rule verdicts of its documents that explain the status, else one said from the
    status itself (``missing``, ``below-minimum``, the reading error, ``unverified``)."""
    if result.status in ("ok", "not-required", "optional-missing"):
        return result  # an optional document left out is a choice, not a problem
    wanted = _STATUS_CODES.get(result.status, frozenset())
    problems = list(result.problems)
    found: list[Problem] = []
    if outcome is not None:
        for d in mine:
            found.extend(outcome.document_problems.get(d.rel, ()))
    for d in (*mine, *rejected):
        found.extend(d.problems)
    for p in found:
        if p.code in wanted and p not in problems:
            problems.append(p)
    if not any(p.code in wanted or p.severity == "error" for p in problems):
        problems.append(_status_problem(result, item, mine))
    return _with(result, problems=tuple(problems))


def _status_problem(result: ItemResult, item: Item, mine: Sequence[Document]) -> Problem:
    """The coded problem an item's status stands for, when no rule gave one."""
    severity: Any = "error" if result.required else "warning"
    first = result.messages[0] if result.messages else ""
    if result.status in ("missing", "optional-missing"):
        name = item.names[0].replace(" ", "-") if item.names else ""
        hint = f"; add it (e.g. as {name}.pdf) or map it in dossier.yaml files:" if name else ""
        return Problem("missing", severity, f"{item.title}: no document found{hint}")
    if result.status == "insufficient":
        return Problem("below-minimum", severity, first or f"{item.title}: too few documents")
    if result.status == "invalid":
        for d in mine:
            for p in d.problems:
                if p.severity == "error":
                    return p
    return Problem("unverified", "warning", first or f"{item.title}: could not be checked")
