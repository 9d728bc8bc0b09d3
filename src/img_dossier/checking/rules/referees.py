"""The ``local-referee`` rule: at least one letter from a referee in the given countries."""

from __future__ import annotations

from collections.abc import Sequence

from ...config.checklist import Item, Rule
from ...facts.origin import letter_origin
from ...model import Document, Problem
from .base import RuleContext, RuleOutcome, _why


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
