"""Date rules: ``valid-until``, ``max-age`` and ``date-window``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ...config.checklist import Item, Rule
from ...facts import document as facts_mod
from ...facts.dates import add_months
from ...model import Document, Problem
from .base import (
    _FACT_WORDS,
    RuleContext,
    RuleOutcome,
    _as_date,
    _declared_note,
    _each,
    _facts,
    _merge,
    _no_fact,
    _ocr_unconfirmed,
    _ocr_unsure,
    _source_words,
    _Verdict,
    _why,
)


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
        w
        for w in (f"on or after {after}" if after else "", f"before {before}" if before else "")
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
