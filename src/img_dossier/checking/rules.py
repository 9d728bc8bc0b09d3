"""The rule engine: deeper checks of an item's documents (dates, results, names, translations,
portal file rules, local referees), driven by the ``rules:`` of checklist items.

verify.py calls ``evaluate`` once per applicable item that has readable documents. Each rule
is data (``{type: valid-until, source: ..., months: 6}``); this module knows rule types,
never items. Rule types and their parameters (all optional unless marked):

- ``valid-until``: a date fact (``fact``, default ``expiry``) must be on or after
  ``reference`` (``as_of`` | ``training.start`` | ``training.end``) plus ``months``.
  ``declared`` names the dossier.yaml ``dates:`` key that stands in for a scan;
  ``required: false`` lets a document without the date pass; ``why`` names the rule.
- ``max-age``: a date fact (default ``test_date``) no older than ``years`` or ``days`` on as_of.
- ``min-scores``: ``scores`` (required): component -> minimum, all from one document (one
  sitting); ``exam`` limits the rule to documents of that exam.
- ``outcome``: the ``outcome`` fact must be ``expect`` (default ``pass``).
- ``required-elements``: every element of a Statement of Need (facts.statement_of_need), the
  specialty equal to ``training.specialty`` and to the specialty of the documents of the
  items in ``specialty_from`` (e.g. the training contract).
- ``name-match``: the name a document states is the applicant's (``name-mismatch``).
- ``translation``: a document outside the checklist's ``languages`` needs a certified
  translation in the folder (``needs-translation``); a scan takes the school's language.
- ``portal-file``: the file rules of ``portal`` (default: the item's ``portal``) from the
  checklist's ``portals:`` (``formats``, ``max_bytes``, ``encryption``, ``digital_signatures``,
  ``page_size_pt``, ``forbidden_filename_chars``, ``max_chars``, ``aspect``, ``min_pixels``), as
  ``over-portal-limit`` warnings; any of those keys given on the rule overrides the portal's.
- ``local-referee``: at least one letter comes from ``countries`` (default [US, CA]),
  else the item problem ``no-local-referee``.

Any rule may carry ``when`` (as an item does, e.g. ``{visa: [J-1]}``) and ``why`` (a few
words naming the rule in messages, e.g. "J-1 rule").
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import PurePosixPath
from typing import Any

from ..config.checklist import CONDITION_VARIABLES, Checklist, Condition, Item, Rule
from ..config.profile import Profile
from ..errors import BadInputError
from ..facts import document as facts_mod
from ..facts.dates import add_months
from ..facts.names import appears_in, same_person
from ..facts.origin import letter_origin
from ..model import Document, Problem
from ..sizes import format_size
from .content import judgeable


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

_LANGUAGES = {
    "en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese", "de": "German",
    "it": "Italian", "ru": "Russian (Cyrillic script)", "ar": "Arabic (script)",
    "zh": "Chinese", "uk": "Ukrainian", "ko": "Korean", "ja": "Japanese", "el": "Greek",
    "he": "Hebrew", "hi": "Hindi (Devanagari script)", "bn": "Bengali", "ta": "Tamil",
    "th": "Thai", "ka": "Georgian", "hy": "Armenian",
}  # fmt: skip

_FACT_WORDS = {
    "expiry": "expiry date",
    "test_date": "test date",
    "issue_date": "issue date",
    "signature_date": "signature date",
    "date": "date",
}


# ---------------------------------------------------------------- per-document verdicts


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


# ---------------------------------------------------------------- dates


def _fact_names(rule: Rule, default: str) -> list[str]:
    """The date facts a rule reads, in order of preference (``fact: [test_date, date]``)."""
    value = rule.params.get("fact", default)
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _first_date(facts: Mapping[str, Any], wanted: Sequence[str]) -> tuple[str, date | None]:
    for fact in wanted:
        value = facts_mod.fact_date(facts, fact)
        if value is not None:
            return fact, value
    return wanted[0], None


def _renew(facts: Mapping[str, Any], fact: str, declared: str | None) -> str:
    """What to do about an expired date, by where the date came from."""
    source = facts.get(f"{fact}_source")
    if source == "dossier.yaml":
        return f"renew it and update {facts.get(f'{fact}_declared_as', 'dates')} in dossier.yaml"
    if source == "text" and declared:
        return f"renew it (if the date was misread, set dates.{declared} in dossier.yaml)"
    return "renew it"


def _reference(rule: Rule, ctx: RuleContext) -> tuple[date, str, str | None]:
    """(reference date, how to say it, a note when the profile lacks what the rule needs)."""
    ref = str(rule.params.get("reference", "as_of"))
    months = int(rule.params.get("months", 0))
    plus = f" plus {months} months" if months else ""
    base: date | None
    if ref == "as_of":
        base, words = ctx.as_of, f"{ctx.as_of}"
        return add_months(base, months), f"{words}{plus}", None
    if ref == "training.ds2019_end":
        return _ds2019_reference(rule, ctx, months, plus)
    if ref == "training.start":
        base, words = ctx.profile.training.start, "training starts"
    else:
        base, words = ctx.profile.training.end, "training ends"
    if base is None:
        note = (
            f"{ref} is not set in dossier.yaml, so the date was judged on {ctx.as_of} only; "
            f"set {ref}"
        )
        return ctx.as_of, f"{ctx.as_of}", note
    return add_months(base, months), f"{words} {base}{plus}", None


def _ds2019_reference(
    rule: Rule, ctx: RuleContext, months: int, plus: str
) -> tuple[date, str, str | None]:
    """The end of the DS-2019 period: training.ds2019_end, else training.start plus
    ``default_months`` (12: ECFMG issues the DS-2019 one training year at a time)."""
    training = ctx.profile.training
    if training.ds2019_end is not None:
        base = training.ds2019_end
        words = f"the end of the DS-2019 period, {base} (training.ds2019_end in dossier.yaml),"
        return add_months(base, months), f"{words}{plus}", None
    default = int(rule.params.get("default_months", 12))
    if training.start is None:
        note = (
            "training.start is not set in dossier.yaml, so the date was judged on "
            f"{ctx.as_of} only; set training.start (and training.ds2019_end if known)"
        )
        return ctx.as_of, f"{ctx.as_of}", note
    base = add_months(training.start, default)
    words = (
        f"the end of the DS-2019 period, {base} (training.start plus {default} months: set "
        "training.ds2019_end in dossier.yaml if your DS-2019 says otherwise),"
    )
    return add_months(base, months), f"{words}{plus}", None


def _why(rule: Rule) -> str:
    why = rule.params.get("why")
    return f" ({why})" if why else ""


def _valid_until(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    wanted = _fact_names(rule, "expiry")
    declared = rule.params.get("declared")
    required = bool(rule.params.get("required", True))
    reference, ref_words, ref_note = _reference(rule, ctx)
    what = _FACT_WORDS.get(wanted[0], wanted[0])
    soon = ctx.as_of + timedelta(days=ctx.expiring_within)

    def judge(doc: Document) -> _Verdict:
        f = _facts(doc, ctx)
        fact, value = _first_date(f, wanted)
        if value is None:
            if not required:
                return _Verdict(doc)
            return _no_fact(doc, what, str(declared) if declared else None)
        note = _declared_note(doc, f, fact)
        src = _source_words(f, fact)
        fix = _renew(f, fact, str(declared) if declared else None)
        if value < reference and _ocr_unconfirmed(f, fact):
            return _Verdict(doc, "unverified", _ocr_unsure(doc, what, value, declared), note=note)
        if value < ctx.as_of:
            msg = f"{doc.rel}: expired on {value}{src}, before {ctx.as_of}{_why(rule)}; {fix}"
            return _Verdict(doc, "expired", msg, Problem("expired", "error", msg), note)
        if value < reference:
            msg = (
                f"{doc.rel}: expires {value}{src}, before {ref_words} ({reference})"
                f"{_why(rule)}; {fix}"
            )
            return _Verdict(doc, "invalid", msg, Problem("validity-too-short", "error", msg), note)
        if value < soon:
            msg = (
                f"{doc.rel}: expires {value}{src}, within {ctx.expiring_within} days of "
                f"{ctx.as_of}{_why(rule)}; renew it soon"
            )
            return _Verdict(doc, "expiring", msg, Problem("expired", "warning", msg), note)
        return _Verdict(doc, note=note)

    outcome = _each(item, docs, judge)
    if ref_note:
        return _merge([outcome, RuleOutcome(messages=(ref_note,))])
    return outcome


def _max_age(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    wanted = _fact_names(rule, "test_date")
    declared = rule.params.get("declared")
    years = rule.params.get("years")
    days = rule.params.get("days")
    what = _FACT_WORDS.get(wanted[0], wanted[0])
    span = f"{years} years" if years is not None else f"{days} days"
    soon = ctx.as_of + timedelta(days=ctx.expiring_within)

    def judge(doc: Document) -> _Verdict:
        f = _facts(doc, ctx)
        fact, value = _first_date(f, wanted)
        if value is None:
            return _no_fact(doc, what, str(declared) if declared else None)
        until = (
            add_months(value, 12 * int(years))
            if years is not None
            else value + timedelta(days=int(days or 0))
        )
        note = _declared_note(doc, f, fact)
        src = _source_words(f, fact)
        if until < ctx.as_of:
            msg = (
                f"{doc.rel}: {what} {value}{src} is more than {span} before {ctx.as_of} "
                f"(valid until {until}){_why(rule)}; take the test again"
            )
            return _Verdict(doc, "expired", msg, Problem("expired", "error", msg), note)
        if until < soon:
            msg = (
                f"{doc.rel}: {what} {value}{src}: valid {span}, until {until}, within "
                f"{ctx.expiring_within} days of {ctx.as_of}{_why(rule)}; plan a new test"
            )
            return _Verdict(doc, "expiring", msg, Problem("expired", "warning", msg), note)
        return _Verdict(doc, note=note)

    return _each(item, docs, judge)


def _date_window(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    """A date fact (default test_date) inside [on_or_after, before); with ``confirmed: false``
    a date inside is only ``unverified``: the window itself is not confirmed."""
    wanted = _fact_names(rule, "test_date")
    declared = rule.params.get("declared")
    after = _as_date(rule.params.get("on_or_after"))
    before = _as_date(rule.params.get("before"))
    confirmed = rule.params.get("confirmed", True) is not False
    what = _FACT_WORDS.get(wanted[0], wanted[0])
    span = " and ".join(
        w for w in (f"on or after {after}" if after else "", f"before {before}" if before else "")
        if w
    )

    def judge(doc: Document) -> _Verdict:
        f = _facts(doc, ctx)
        fact, value = _first_date(f, wanted)
        if value is None:
            return _no_fact(doc, what, str(declared) if declared else None)
        note = _declared_note(doc, f, fact)
        src = _source_words(f, fact)
        if (after is not None and value < after) or (before is not None and value >= before):
            msg = (
                f"{doc.rel}: {what} {value}{src} is outside the accepted window ({span})"
                f"{_why(rule)}; take the test again"
            )
            return _Verdict(doc, "invalid", msg, Problem("outside-date-window", "error", msg), note)
        if not confirmed:
            msg = (
                f"{doc.rel}: {what} {value}{src} is {span}, but that window is not confirmed "
                f"for this cycle{_why(rule)}: {rule.params.get('note', 'check the source')}"
            )
            problem = Problem("unconfirmed-rule", "warning", msg)
            return _Verdict(doc, "unverified", msg, problem, note)
        return _Verdict(doc, note=note)

    return _each(item, docs, judge)


# ---------------------------------------------------------------- results


def _number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _taken_words(rule: Rule) -> str:
    before = rule.params.get("taken_before")
    after = rule.params.get("taken_on_or_after")
    if before and after:
        return f"tests taken from {after} to before {before}"
    if before:
        return f"tests taken before {before}"
    return f"tests taken on or after {after}"


def _min_scores(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    minimums: Mapping[str, Any] = rule.params.get("scores") or {}
    exam = rule.params.get("exam")
    before = _as_date(rule.params.get("taken_before"))
    after = _as_date(rule.params.get("taken_on_or_after"))
    bounded = before is not None or after is not None

    def judge(doc: Document) -> _Verdict:
        f = _facts(doc, ctx)
        if exam and f.get("exam") not in (None, exam):
            return _Verdict(doc)
        verdict = _judge_scores(doc, f)
        if not bounded:
            return verdict
        taken = facts_mod.fact_date(f, "test_date")
        if taken is not None:
            inside = (before is None or taken < before) and (after is None or taken >= after)
            return verdict if inside else _Verdict(doc)
        if verdict.status is None:
            return verdict
        # the test date decides which minimums apply, and it was not read
        return _unverified(
            doc,
            f"{verdict.message}; these minimums are for {_taken_words(rule)} and no test date "
            "was read from it: check the date by eye",
        )

    def _judge_scores(doc: Document, f: Mapping[str, Any]) -> _Verdict:
        scores: Mapping[str, Any] = f.get("scores") or {}
        absent = [c for c in minimums if c not in scores]
        if absent:
            if not doc.has_text:
                return _no_fact(doc, "scores", None)
            return _unverified(
                doc,
                f"{doc.rel}: no {', '.join(c.capitalize() for c in absent)} score found, so the "
                "minimum scores were not checked (all must come from one sitting); check it by eye",
            )
        low = [(c, scores[c], m) for c, m in minimums.items() if float(scores[c]) < float(m)]
        if not low:
            return _Verdict(doc)
        parts = "; ".join(
            f"{c.capitalize()} {_number(v)}, below the minimum {_number(m)}" for c, v, m in low
        )
        span = f" for {_taken_words(rule)}" if bounded else ""
        msg = (
            f"{doc.rel}: {parts}{span}{_why(rule)}; all sub-tests must reach the minimums in "
            "one sitting: retake the test"
        )
        return _Verdict(doc, "invalid", msg, Problem("below-minimum", "error", msg))

    return _each(item, docs, judge)


def _outcome(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    expect = str(rule.params.get("expect", "pass")).lower()

    def judge(doc: Document) -> _Verdict:
        f = _facts(doc, ctx)
        found = f.get("outcome")
        if found is None:
            if not doc.has_text:
                return _no_fact(doc, "result", None)
            return _unverified(doc, f"{doc.rel}: no result (pass or fail) found; check it by eye")
        if found == expect:
            return _Verdict(doc)
        shown = f.get("outcome_text", found)
        msg = f"{doc.rel}: result {shown}, but a {expect} is required{_why(rule)}"
        return _Verdict(doc, "invalid", msg, Problem("not-passed", "error", msg))

    return _each(item, docs, judge)


# ---------------------------------------------------------------- names


def applicant_names(ctx: RuleContext) -> tuple[list[str], str]:
    """The applicant's names (full name first) and where they come from: dossier.yaml,
    else the passport's machine-readable zone."""
    applicant = ctx.profile.applicant
    if applicant.full_name:
        return [applicant.full_name, *applicant.other_names], "dossier.yaml"
    for doc in ctx.documents:
        mrz = doc.facts.get("mrz") if doc.facts else None
        if isinstance(mrz, Mapping):
            name = " ".join(p for p in (mrz.get("given_names"), mrz.get("surname")) if p)
            if name:
                return [name, *applicant.other_names], f"the passport {doc.rel}"
    return list(applicant.other_names), "dossier.yaml"


def _name_match(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    candidates, source = applicant_names(ctx)
    if not candidates:
        return RuleOutcome()
    problems: dict[str, tuple[Problem, ...]] = {}
    for doc in docs:
        stated = _facts(doc, ctx).get("name")
        if not isinstance(stated, str):
            if judgeable(doc) and not appears_in(doc.text, candidates):
                msg = (
                    f'{doc.rel}: the applicant\'s name "{candidates[0]}" ({source}) is not on '
                    f"it{_why(rule)}; {item.title.lower()} should carry it: check it is yours, "
                    'or add the name it uses to applicant.other_names in dossier.yaml'
                )
                problems[doc.rel] = (Problem("name-absent", "warning", msg),)
            continue
        if same_person(stated, candidates):
            continue
        msg = (
            f'{doc.rel}: the name on it, "{stated}", does not match the applicant\'s name '
            f'"{candidates[0]}" ({source}){_why(rule)}; if both are yours, add "{stated}" to '
            "applicant.other_names in dossier.yaml, otherwise have the document corrected"
        )
        problems[doc.rel] = (Problem("name-mismatch", "warning", msg),)
    return RuleOutcome(document_problems=problems)


# ---------------------------------------------------------------- Statement of Need


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _required_elements(
    rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext
) -> RuleOutcome:
    from ..facts import statement_of_need as son  # the letters' module owns the element list

    wanted = ctx.profile.training.specialty
    # the country that needs the applicant back: citizenship, else the medical school's
    countries = [*ctx.profile.applicant.citizenship, ctx.profile.medical_school.country or ""]
    names, _ = applicant_names(ctx)
    applicant = names[0] if names else None
    sources: Sequence[str] = rule.params.get("specialty_from") or ()
    others = [
        (d, _facts(d, ctx).get("specialty"))
        for d in ctx.documents
        if d.item in sources and d.readable
    ]
    notes: list[str] = []
    if not wanted:
        notes.append(
            "training.specialty is not set in dossier.yaml, so the specialty of "
            f"{item.title} was not compared; set training.specialty"
        )

    def judge(doc: Document) -> _Verdict:
        if not doc.has_text:
            return _no_fact(doc, "content", None)
        f = _facts(doc, ctx)
        found = f.get("specialty")
        missing = son.missing_elements(
            doc.text, specialty=wanted, applicant_name=applicant, countries=countries
        )
        named = isinstance(found, str) and bool(found)
        # An element about the specialty is said better by naming both specialties.
        listed = [
            e.description
            for e in missing
            if not (named and any("{specialty}" in pattern for pattern in e.patterns))
        ]
        parts: list[str] = []
        if listed:
            parts.append(f"missing {len(listed)} required element(s): {'; '.join(listed)}")
        if named:
            against: dict[str, list[str]] = {}
            if wanted and _fold(wanted) != _fold(str(found)):
                against.setdefault(wanted, []).append("training.specialty in dossier.yaml")
            for other, spec in others:
                if isinstance(spec, str) and _fold(spec) != _fold(str(found)):
                    against.setdefault(spec, []).append(other.rel)
            for spec, where in against.items():
                parts.append(
                    f'it names the specialty "{found}", not "{spec}" ({", ".join(where)}); '
                    "the specialty must match exactly"
                )
        if not parts:
            return _Verdict(doc)
        msg = f"{doc.rel}: {'; '.join(parts)}{_why(rule)}; ask the issuer for a corrected one"
        code = "missing-element" if listed else "wrong-specialty"
        return _Verdict(doc, "invalid", msg, Problem(code, "error", msg))

    outcome = _each(item, docs, judge)
    if wanted:
        for other, spec in others:
            if isinstance(spec, str) and _fold(spec) != _fold(wanted):
                msg = (
                    f'{other.rel}: names the specialty "{spec}", but training.specialty in '
                    f'dossier.yaml is "{wanted}"; they must match exactly'
                )
                notes.append(msg)
                wrong = Problem("wrong-specialty", "error", msg)
                outcome = _merge([outcome, RuleOutcome(status="invalid", item_problems=(wrong,))])
    return _merge([outcome, RuleOutcome(messages=tuple(notes))])


# ---------------------------------------------------------------- translations

_GENERIC_WORDS = frozenset(
    {
        "translation",
        "translated",
        "certified",
        "certificate",
        "official",
        "english",
        "en",
        "eng",
        "copy",
        "scan",
        "scanned",
        "traduccion",
        "traducido",
        "traduction",
        "traduit",
        "traducao",
        "traduzido",
        "jurada",
        "oficial",
        "certificada",
        "of",
        "the",
        "de",
        "la",
        "del",
        "and",
        "y",
        "pdf",
        "final",
        "page",
    }
)


def _ascii(text: str) -> str:
    """Lower case, accents dropped, white space collapsed."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).split())


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
    from ..facts.language import guess_language  # the core's guesser

    accepted = {lang.lower() for lang in ctx.checklist.languages}
    translation_items: Sequence[str] = rule.params.get("translation_items") or ("translation",)
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


# ---------------------------------------------------------------- portal file rules

_PORTAL_KEYS = (
    "formats", "max_bytes", "encryption", "digital_signatures", "page_size_pt",
    "forbidden_filename_chars", "max_chars", "aspect", "min_pixels",
)  # fmt: skip
_FORMAT_ALIASES = {"jpg": "jpeg", "tif": "tiff"}


def _portal(rule: Rule, item: Item, ctx: RuleContext) -> tuple[str, Mapping[str, Any]]:
    pid = rule.params.get("portal") or item.portal
    spec = dict(ctx.checklist.portals.get(str(pid), {})) if pid else {}
    spec.update({k: v for k, v in rule.params.items() if k in _PORTAL_KEYS})
    return str(pid or "portal"), spec


def _page_ok(size: Sequence[float], want: Sequence[float]) -> bool:
    w, h = float(size[0]), float(size[1])
    a, b = float(want[0]), float(want[1])
    return (abs(w - a) <= 2 and abs(h - b) <= 2) or (abs(w - b) <= 2 and abs(h - a) <= 2)


def _page_name(size: Sequence[float]) -> str:
    known = {"US Letter": (612, 792), "A4": (595.3, 841.9), "US Legal": (612, 1008)}
    for name, want in known.items():
        if _page_ok(size, want):
            return f" ({name})"
    return ""


def _portal_checks(doc: Document, portal: str, spec: Mapping[str, Any]) -> list[str]:
    title = str(spec.get("title") or portal)
    found: list[str] = []
    formats = [str(f).lower() for f in spec.get("formats") or ()]
    formats = [_FORMAT_ALIASES.get(f, f) for f in formats]
    if formats and doc.format not in formats:
        found.append(
            f"a {(doc.format or 'unknown').upper()} file, but {title} takes "
            f"{' or '.join(f.upper() for f in formats)} only; convert it"
        )
    max_bytes = spec.get("max_bytes")
    if isinstance(max_bytes, int) and doc.bytes > max_bytes:
        found.append(
            f"{_size(doc.bytes)}, over the {_size(max_bytes)} limit of {title}; make it smaller"
        )
    if spec.get("encryption") is False and doc.info.get("encrypted"):
        found.append(
            f"encrypted or password-protected, which {title} refuses; save it without a password"
        )
    if spec.get("digital_signatures") is False and doc.info.get("signed"):
        found.append(
            f"carries a digital signature, which {title} refuses; print it to a new PDF without it"
        )
    want = spec.get("page_size_pt")
    sizes = doc.info.get("page_sizes") or ()
    if isinstance(want, list | tuple) and len(want) == 2 and doc.format == "pdf":
        for n, size in enumerate(sizes, start=1):
            if isinstance(size, list | tuple) and len(size) == 2 and not _page_ok(size, want):
                found.append(
                    f"page {n} is {float(size[0]):g} x {float(size[1]):g} pt"
                    f"{_page_name(size)}, but "
                    f"{title} needs {float(want[0]):g} x {float(want[1]):g} pt{_page_name(want)}; "
                    "re-save it on that paper size"
                )
                break
    chars = str(spec.get("forbidden_filename_chars") or "")
    name = PurePosixPath(doc.rel).name
    bad = sorted({c for c in name if c in chars})
    if bad:
        found.append(
            f"its file name has {' '.join(bad)}, which {title} does not allow "
            f"(no {' '.join(chars)}); rename it"
        )
    max_chars = spec.get("max_chars")
    count = doc.info.get("chars", len(doc.text.strip()))
    if isinstance(max_chars, int) and isinstance(count, int) and count > max_chars:
        found.append(f"{count:,} characters, over the {max_chars:,} limit of {title}; shorten it")
    aspect = spec.get("aspect")
    width, height = doc.info.get("width"), doc.info.get("height")
    if (
        isinstance(aspect, list | tuple)
        and len(aspect) == 2
        and isinstance(width, int)
        and isinstance(height, int)
        and width > 0
        and height > 0
    ):
        ratio, target = width / height, float(aspect[0]) / float(aspect[1])
        if abs(ratio - target) / target > 0.03:
            found.append(
                f"{width} x {height} px, not the {aspect[0]}:{aspect[1]} shape {title} expects; "
                "crop it"
            )
    least = spec.get("min_pixels")
    if (
        isinstance(least, list | tuple)
        and len(least) == 2
        and isinstance(width, int)
        and isinstance(height, int)
        and (width < least[0] or height < least[1])
    ):
        found.append(
            f"{width} x {height} px, smaller than the {least[0]} x {least[1]} px {title} "
            "expects; use a larger photo"
        )
    return found


def _portal_file(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    portal, spec = _portal(rule, item, ctx)
    problems: dict[str, tuple[Problem, ...]] = {}
    for doc in docs:
        found = _portal_checks(doc, portal, spec)
        if found:
            problems[doc.rel] = tuple(
                Problem("over-portal-limit", "warning", f"{doc.rel}: {what} ({portal})")
                for what in found
            )
    return RuleOutcome(document_problems=problems)


# ---------------------------------------------------------------- local referee


def _local_referee(
    rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext
) -> RuleOutcome:
    countries = [str(c).upper() for c in rule.params.get("countries") or ("US", "CA")]
    readable = [d for d in docs if d.has_text]
    if not readable:
        return RuleOutcome()
    origins = [(d, letter_origin(d.text)) for d in readable]
    if any(o.country in countries for _, o in origins):
        return RuleOutcome()
    where = {"US": "the United States", "CA": "Canada"}
    places = " or ".join(where.get(c, c) for c in countries)
    listed = "; ".join(f"{d.rel}: {o.describe()}" for d, o in origins)
    msg = (
        f"none of the {len(origins)} {item.title.lower()} comes from a referee in {places} "
        f"({listed}){_why(rule)}; programs weigh letters they can verify: ask a physician who "
        f"supervised you in {places} for one"
    )
    return RuleOutcome(item_problems=(Problem("no-local-referee", "warning", msg),))


# ---------------------------------------------------------------- the engine

RuleFunction = Callable[[Rule, Item, Sequence[Document], RuleContext], RuleOutcome]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_text(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _is_texts(v: Any) -> bool:
    return isinstance(v, list) and all(_is_text(x) for x in v)


def _is_facts(v: Any) -> bool:
    return _is_text(v) or (_is_texts(v) and bool(v))


def _is_scores(v: Any) -> bool:
    return (
        isinstance(v, Mapping)
        and bool(v)
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v.values())
    )


def _is_day(v: Any) -> bool:
    return _as_date(v) is not None


def _is_pair(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(isinstance(x, int | float) for x in v)


def _is_when(v: Any) -> bool:
    if not isinstance(v, Mapping) or not v:
        return False
    return all(var in CONDITION_VARIABLES for var in v)


_COMMON = {
    "why": (_is_text, "text"),
    "confirmed": (lambda v: isinstance(v, bool), "true or false"),
    "note": (_is_text, "text saying what is not confirmed"),
    "when": (_is_when, f"a mapping of conditions on {', '.join(sorted(CONDITION_VARIABLES))}"),
}


def _applies(rule: Rule, ctx: RuleContext) -> bool:
    """A rule's own ``when`` (like an item's): false only when a condition is known false."""
    when = rule.params.get("when")
    if not isinstance(when, Mapping):
        return True
    variables = ctx.profile.conditions()
    for var, spec in when.items():
        negate = isinstance(spec, Mapping) and set(spec) == {"not"}
        values = spec["not"] if negate else spec
        values = values if isinstance(values, list) else [values]
        if Condition(str(var), tuple(values), negate).decide(variables) is False:
            return False
    return True


#: rule type -> (function, {parameter: (check, what it must be)}, required parameters)
ParamChecks = dict[str, tuple[Callable[[Any], bool], str]]
RULE_TYPES: dict[str, tuple[RuleFunction, ParamChecks, tuple[str, ...]]] = {
    "valid-until": (
        _valid_until,
        {
            "fact": (_is_facts, "a fact name such as expiry, or a list of them"),
            "reference": (
                lambda v: v in ("as_of", "training.start", "training.end", "training.ds2019_end"),
                "as_of, training.start, training.end or training.ds2019_end",
            ),
            "months": (_is_int, "a whole number of months"),
            "default_months": (
                _is_int,
                "a whole number of months (the DS-2019 period when training.ds2019_end is unset)",
            ),
            "declared": (_is_text, "a dossier.yaml dates: key such as passport_expiry"),
            "required": (lambda v: isinstance(v, bool), "true or false"),
        },
        (),
    ),
    "date-window": (
        _date_window,
        {
            "fact": (_is_facts, "a fact name such as test_date, or a list of them"),
            "on_or_after": (_is_day, "a date such as 2023-01-01"),
            "before": (_is_day, "a date such as 2022-04-01"),
            "declared": (_is_text, "a dossier.yaml dates: key such as oet_test_date"),
        },
        (),
    ),
    "max-age": (
        _max_age,
        {
            "fact": (_is_facts, "a fact name such as test_date, or a list of them"),
            "years": (_is_int, "a whole number of years"),
            "days": (_is_int, "a whole number of days"),
            "declared": (_is_text, "a dossier.yaml dates: key such as language_test_date"),
        },
        (),
    ),
    "min-scores": (
        _min_scores,
        {
            "scores": (_is_scores, "a mapping of component to minimum, e.g. {writing: 300}"),
            "exam": (_is_text, "an exam such as oet or ielts"),
            "one_sitting": (lambda v: isinstance(v, bool), "true or false"),
            "taken_before": (_is_day, "a date such as 2022-04-01"),
            "taken_on_or_after": (_is_day, "a date such as 2022-04-01"),
        },
        ("scores",),
    ),
    "outcome": (_outcome, {"expect": (lambda v: v in ("pass", "fail"), "pass or fail")}, ()),
    "required-elements": (
        _required_elements,
        {"specialty_from": (_is_texts, "a list of item ids")},
        (),
    ),
    "name-match": (_name_match, {}, ()),
    "translation": (_translation, {"translation_items": (_is_texts, "a list of item ids")}, ()),
    "portal-file": (
        _portal_file,
        {
            "portal": (_is_text, "a portal id defined under portals:"),
            "formats": (_is_texts, "a list of formats such as [pdf]"),
            "max_bytes": (_is_int, "a whole number of bytes"),
            "encryption": (lambda v: isinstance(v, bool), "true or false"),
            "digital_signatures": (lambda v: isinstance(v, bool), "true or false"),
            "page_size_pt": (_is_pair, "[width, height] in points"),
            "forbidden_filename_chars": (_is_text, "the characters, e.g. '|*?:'"),
            "max_chars": (_is_int, "a whole number of characters"),
            "aspect": (_is_pair, "[width, height], e.g. [5, 7]"),
            "min_pixels": (_is_pair, "[width, height] in pixels, e.g. [375, 525]"),
        },
        (),
    ),
    "local-referee": (_local_referee, {"countries": (_is_texts, "a list such as [US, CA]")}, ()),
}


def rule_errors(checklist: Checklist, item: Item) -> list[str]:
    """What is wrong with the rules of one item, each naming file, item and rule."""
    name = str(checklist.path) if checklist.path else checklist.id
    errors: list[str] = []
    for n, rule in enumerate(item.rules, start=1):
        where = f"{name}: items.{item.id}.rules[{n}] ({rule.type})"
        spec = RULE_TYPES.get(rule.type)
        if spec is None:
            errors.append(
                f"{where}: unknown rule type; expected one of: {', '.join(sorted(RULE_TYPES))}"
            )
            continue
        _, params, required = spec
        allowed = {**params, **_COMMON}
        for key, value in rule.params.items():
            if key not in allowed:
                errors.append(
                    f"{where}.{key}: unknown parameter; expected one of: "
                    f"{', '.join(sorted(allowed)) or 'none'}"
                )
            elif not allowed[key][0](value):
                errors.append(f"{where}.{key}: must be {allowed[key][1]} (got {value!r})")
        errors.extend(f"{where}: needs {key}" for key in required if key not in rule.params)
        if rule.type == "max-age" and not ({"years", "days"} & set(rule.params)):
            errors.append(f"{where}: needs years or days")
        if rule.type == "date-window" and not ({"on_or_after", "before"} & set(rule.params)):
            errors.append(f"{where}: needs on_or_after or before")
        if rule.params.get("confirmed") is False and not _is_text(rule.params.get("note")):
            errors.append(f"{where}: a rule with confirmed: false needs a note saying what is not")
        if rule.type == "portal-file":
            pid = rule.params.get("portal") or item.portal
            if not pid or pid not in checklist.portals:
                errors.append(f"{where}: needs a portal defined under portals: (got {pid!r})")
    return errors


def validate_rules(checklist: Checklist) -> None:
    """Raise BadInputError naming the file, item and rule of every unknown rule type or
    wrong parameter (call it where checklists are loaded or validated)."""
    errors = [e for item in checklist.items for e in rule_errors(checklist, item)]
    if errors:
        raise BadInputError("\n".join(errors))


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


def evaluate(item: Item, documents: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    """Apply ``item.rules`` to the documents that satisfy it."""
    errors = rule_errors(ctx.checklist, item)
    if errors:  # a typo must not silently change a verdict
        raise BadInputError("\n".join(errors))
    spec_of = {rule.type: RULE_TYPES[rule.type][0] for rule in item.rules}
    outcomes = [
        _unconfirmed(r, spec_of[r.type](r, item, documents, ctx))
        for r in item.rules
        if _applies(r, ctx)
    ]
    return _merge(outcomes)


def _unconfirmed(rule: Rule, outcome: RuleOutcome) -> RuleOutcome:
    """A rule whose value is not confirmed says so beside any verdict it gives."""
    if rule.params.get("confirmed") is not False or outcome.status is None:
        return outcome
    if rule.type == "date-window":
        return outcome  # its message already says so
    said = f"not confirmed for this cycle: {rule.params.get('note')}"
    return dataclasses.replace(outcome, messages=(*outcome.messages, said))


def _size(n: int) -> str:
    """Sizes compared with a limit: the one convention of sizes.py, exact bytes added."""
    return format_size(n, exact=True)
