"""Checklist steps (dated things to do that are not documents) and notices (sentences shown
when their conditions hold): their data and how a checklist file's entries become them.

Both merge by id over the base checklist's, key by key, like items.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..isodate import iso_date
from .conditions import Condition, Errors

STEP_KEYS = {"id", "title", "date", "confirmed", "note", "when", "source", "advice"}
NOTICE_KEYS = {"id", "text", "when", "source", "confirmed", "note"}


#: Validates one group of conditions: (errors, where, raw when) -> conditions.
Conditions = Callable[[Errors, str, Any], list[Condition]]


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


def merged_entries(
    errs: Errors,
    key: str,
    raw: Any,
    base: tuple[Any, ...],
    build: Any,
) -> list[Any]:
    """Steps or notices: the base's, changed key by key by id, new ids appended."""
    merged: dict[str, dict[str, Any]] = {
        b.id: {k: v for k, v in dataclasses.asdict(b).items() if k != "when"}
        | {"when": when_to_raw(b.when)}
        for b in base
    }
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        errs.add(key, "must be a list")
        raw = []
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            errs.add(f"{key}[{n}]", "each entry needs an id")
            continue
        merged[entry["id"]] = {**merged.get(entry["id"], {}), **entry}
    return [build(errs, f"{key}.{eid}", entry) for eid, entry in merged.items()]


def _entry_text(errs: Errors, where: str, raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        errs.add(f"{where}.{key}", f"must be non-empty text (got {value!r})")
        return ""
    return value.strip()


def entry_flag(errs: Errors, where: str, raw: Mapping[str, Any], default: bool) -> bool:
    value = raw.get("confirmed", default)
    if not isinstance(value, bool):
        errs.add(f"{where}.confirmed", f"must be true or false (got {value!r})")
        return default
    return value


def step_entry(
    errs: Errors, where: str, raw: Mapping[str, Any], conditions: Conditions
) -> Step | None:
    before = len(errs.messages)
    for key in raw:
        if key not in STEP_KEYS:
            errs.add(
                f"{where}.{key}", f"unknown key; expected one of: {', '.join(sorted(STEP_KEYS))}"
            )
    when_at = raw.get("date")
    when_date = iso_date(when_at)
    if when_date is None and when_at is not None:
        errs.add(f"{where}.date", f"not a date (got {when_at!r}); write it as YYYY-MM-DD")
    confirmed = entry_flag(errs, where, raw, when_date is not None)
    if when_date is None and confirmed:
        errs.add(
            f"{where}.confirmed",
            "a step without a date cannot be confirmed; give its published date",
        )
    step = Step(
        id=str(raw["id"]),
        title=_entry_text(errs, where, raw, "title"),
        source=_entry_text(errs, where, raw, "source"),
        date=when_date,
        confirmed=confirmed,
        note=str(raw.get("note") or "").strip(),
        when=tuple(conditions(errs, where, raw.get("when") or {})),
        advice=str(raw.get("advice") or "").strip(),
    )
    return step if len(errs.messages) == before else None


def notice_entry(
    errs: Errors, where: str, raw: Mapping[str, Any], conditions: Conditions
) -> Notice | None:
    before = len(errs.messages)
    for key in raw:
        if key not in NOTICE_KEYS:
            errs.add(
                f"{where}.{key}", f"unknown key; expected one of: {', '.join(sorted(NOTICE_KEYS))}"
            )
    notice = Notice(
        id=str(raw["id"]),
        text=_entry_text(errs, where, raw, "text"),
        source=_entry_text(errs, where, raw, "source"),
        when=tuple(conditions(errs, where, raw.get("when") or {})),
        confirmed=entry_flag(errs, where, raw, True),
        note=str(raw.get("note") or "").strip(),
    )
    return notice if len(errs.messages) == before else None
