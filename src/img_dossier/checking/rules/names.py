"""The ``name-match`` rule, and the applicant's names other rules use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...config.checklist import Item, Rule
from ...facts.names import appears_in, same_person
from ...model import Document, Problem
from ..content import judgeable
from .base import RuleContext, RuleOutcome, _facts, _why


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
                    "or add the name it uses to applicant.other_names in dossier.yaml"
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
