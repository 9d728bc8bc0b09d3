"""The rule engine: deeper checks of an item's documents (dates, results, names, translations,
portal file rules, local referees), driven by the ``rules:`` of checklist items.

OWNER: helper "deeper checks" (issue 7). Until then ``evaluate`` finds nothing.
verify.py calls ``evaluate`` once per applicable item that has documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .checklist import Checklist, Item
from .model import Document, Problem
from .profile import Profile


@dataclass(frozen=True)
class RuleContext:
    checklist: Checklist
    profile: Profile
    as_of: date
    expiring_within: int                 # days: "expiring" window
    documents: tuple[Document, ...]      # every document of the folder (classified, with facts)


@dataclass(frozen=True)
class RuleOutcome:
    status: str | None = None            # "invalid" | "expired" | "expiring" | "unverified" | None (no change)
    messages: tuple[str, ...] = ()       # item messages
    item_problems: tuple[Problem, ...] = ()
    document_problems: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)  # by rel path


def evaluate(item: Item, documents: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    """Apply ``item.rules`` to the documents that satisfy it."""
    return RuleOutcome()
