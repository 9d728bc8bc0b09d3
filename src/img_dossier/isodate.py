"""ISO dates (YYYY-MM-DD) read from configuration, facts and options: one policy.

dossier.yaml, checklists (steps' dates, rule parameters), letter values, the facts a report
stores and the ``--as-of`` option all write dates as YYYY-MM-DD; this is the one place that
turns such a value back into a date. Dates printed in documents ("12 March 2024") are read
by ``facts.dates``, not here.
"""

from __future__ import annotations

import re
from datetime import date, datetime

__all__ = ["ISO_DAY", "iso_date"]

#: Exactly YYYY-MM-DD (what ``strict`` accepts).
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: object, *, strict: bool = False) -> date | None:
    """A date, a datetime (its day) or ISO text -> the date; None when it is not one.

    Text is trimmed and read with :meth:`date.fromisoformat` (Python 3.11: also the basic
    form ``20240131``); ``strict`` accepts only ``YYYY-MM-DD``, for values where a number
    must not pass for a date (the ``dates:`` of a client's dossier.yaml in ``audit``).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if strict and not ISO_DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
