"""Result rules: ``min-scores`` (one sitting) and ``outcome`` (pass or fail)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...config.checklist import Item, Rule
from ...facts import document as facts_mod
from ...model import Document, Problem
from .base import (
    RuleContext,
    RuleOutcome,
    _as_date,
    _each,
    _facts,
    _no_fact,
    _unverified,
    _Verdict,
    _why,
)


def _number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


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
