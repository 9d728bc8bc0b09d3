"""The ``required-elements`` rule: a Statement of Need's elements and specialty."""

from __future__ import annotations

from collections.abc import Sequence

from ...config.checklist import Item, Rule
from ...model import Document, Problem
from ...textfold import fold
from .base import RuleContext, RuleOutcome, _each, _facts, _merge, _no_fact, _Verdict, _why
from .names import applicant_names


def _fold(text: str) -> str:
    return fold(text, accents=True, words="unicode")  # accents kept: compared as written


def _required_elements(
    rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext
) -> RuleOutcome:
    from ...facts import statement_of_need as son  # the letters' module owns the element list

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
