"""Checklist steps and notices -> what a report shows (pure: no I/O).

Steps are things to do that are not documents (register for the Match, certify a rank
order list); a step is listed while it is coming: its date is on or after ``as_of``, or
its date is not yet published (then it is listed as not confirmed, never with a guessed
date). Notices are sentences shown when their conditions hold (a province's criteria, a
specialty that applies outside ERAS). Both come from checklist data with their sources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..config.checklist import Checklist, Condition
from ..model import StepStatus


def _holds(when: Sequence[Condition], variables: Mapping[str, Any], *, strict: bool) -> bool:
    """All conditions hold; an unknown variable counts as holding unless ``strict``."""
    for cond in when:
        verdict = cond.decide(variables)
        if verdict is False or (verdict is None and strict):
            return False
    return True


def coming_steps(
    checklist: Checklist, variables: Mapping[str, Any], as_of: date
) -> tuple[StepStatus, ...]:
    """The steps that apply and are not past on ``as_of``: dated ones soonest first, then
    the ones whose date is not published."""
    dated: list[StepStatus] = []
    undated: list[StepStatus] = []
    for step in checklist.steps:
        if not _holds(step.when, variables, strict=False):
            continue
        if step.date is not None and step.date < as_of:
            continue
        entry = StepStatus(
            id=step.id,
            title=step.title,
            date=step.date,
            confirmed=step.confirmed and step.date is not None,
            days_left=(step.date - as_of).days if step.date is not None else None,
            note=step.note,
            advice=step.advice,
            source=step.source,
        )
        (dated if step.date is not None else undated).append(entry)
    dated.sort(key=lambda s: (s.date or as_of, s.id))
    return (*dated, *undated)


def notices(checklist: Checklist, variables: Mapping[str, Any]) -> tuple[str, ...]:
    """The texts of the notices whose conditions are known to hold, each with its source."""
    shown = []
    for notice in checklist.notices:
        if not _holds(notice.when, variables, strict=True):
            continue
        text = notice.text.rstrip(".")
        if not notice.confirmed and notice.note:
            text += f" (not confirmed: {notice.note})"
        shown.append(f"{text} (source: {notice.source})")
    return tuple(shown)
