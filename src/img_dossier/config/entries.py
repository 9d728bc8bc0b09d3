"""Checklist steps (dated things to do that are not documents) and notices (sentences shown
when their conditions hold), as the tool reads them (validated by config/models.py).

Both merge by id over the base checklist's, key by key, like items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import Condition


@dataclass(frozen=True)
class Step:
    """A dated step that is not a document (register for the Match, certify a rank order
    list); ``date`` is None while the cycle's date is not published (never guessed)."""

    id: str
    title: str
    source: str
    date: date | None = None
    confirmed: bool = False
    note: str = ""
    when: tuple[Condition, ...] = ()
    advice: str = ""


@dataclass(frozen=True)
class Notice:
    """A sentence the report shows when its conditions hold (a province's criteria, a
    specialty that applies outside ERAS)."""

    id: str
    text: str
    source: str
    when: tuple[Condition, ...] = ()
    confirmed: bool = True
    note: str = ""


def when_to_raw(when: tuple[Condition, ...]) -> dict[str, Any]:
    return {c.variable: ({"not": list(c.values)} if c.negate else list(c.values)) for c in when}
