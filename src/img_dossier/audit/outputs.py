"""What a consultant opens: the audit as a dashboard page, a spreadsheet, an iCalendar file.

- ``dashboard_html``: one self-contained page (inline style and script, a
  Content-Security-Policy that allows only that script, by its hash), counts at the top,
  one row per client that sorts and filters with a few lines of plain JavaScript and reads
  the same without it, and the calendar of expiries and deadlines below.
- ``workbook_xlsx``: the same rows with XlsxWriter: frozen header, filters, colour rules by
  status, dates as real dates; a second sheet holds the calendar.
- ``calendar_ics``: one all-day iCalendar event (icalendar) per expiry and deadline.

Folder, applicant and file names are untrusted: the page escapes them (Jinja2 autoescape),
the spreadsheet writes them as strings (never formulas).
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
from collections.abc import Sequence
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..output.report_html import css, environment
from .run import AuditRow, CalendarRow, Expiry, sort_calendar

_HTML_DIR = Path(__file__).parent.parent / "output" / "html"

STATUS_WORDS = {"complete": "Complete", "incomplete": "Incomplete", "error": "Not checked"}
_RANK = {"error": 0, "incomplete": 1, "complete": 2}
#: Fill colours of the spreadsheet's status rule (light, with dark text, readable printed).
STATUS_FILLS = {"complete": "#C6EFCE", "incomplete": "#FFC7CE", "error": "#D9D9D9"}


def days_words(days_left: int) -> str:
    """``in 12 days`` / ``today`` / ``3 days ago``."""
    if days_left == 0:
        return "today"
    n = abs(days_left)
    unit = "day" if n == 1 else "days"
    return f"in {n} {unit}" if days_left > 0 else f"{n} {unit} ago"


def _label(e: Expiry, deadline: bool) -> str:
    if deadline:
        return e.what
    return f"{e.item or e.what} expires" if e.item else f"{e.what}"


def _entry(e: Expiry, deadline: bool) -> dict[str, Any]:
    return {
        "date": e.date.isoformat(),
        "days": days_words(e.days_left),
        "days_left": e.days_left,
        "label": _label(e, deadline),
        "document": e.document,
    }


def blocking_of(row: AuditRow) -> list[dict[str, str]]:
    return [
        {"title": item, "status": status}
        for status, ids in (
            ("missing", row.missing),
            ("insufficient", row.insufficient),
            ("invalid", row.invalid),
            ("expired", row.expired),
        )
        for item in ids
    ]


def dashboard_html(
    rows: Sequence[AuditRow],
    calendar: Sequence[CalendarRow],
    deadlines: Sequence[CalendarRow],
    *,
    as_of: date,
    expiring_within: int,
    summary: dict[str, int],
) -> str:
    """The audit as one HTML page."""
    script = (_HTML_DIR / "dashboard.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    shown_rows = []
    for r in rows:
        shown_rows.append(
            {
                "status": r.status,
                "status_word": STATUS_WORDS[r.status],
                "rank": _RANK[r.status],
                "folder": r.folder,
                "applicant": r.applicant,
                "track": r.checklist or r.track,
                "blocking": blocking_of(r),
                "errors": r.errors,
                "warnings": r.warnings,
                "error": r.error,
                "expiry": _entry(r.earliest_expiry, False) if r.earliest_expiry else None,
                "expiry_date": r.earliest_expiry.date.isoformat() if r.earliest_expiry else None,
                "deadline": _entry(r.next_deadline, True) if r.next_deadline else None,
                "deadline_date": r.next_deadline.date.isoformat() if r.next_deadline else None,
            }
        )
    entries = [(e, "expiry") for e in calendar] + [(e, "deadline") for e in deadlines]
    entries.sort(key=lambda pair: (pair[0].date, pair[0].folder, pair[1], pair[0].what))
    months = []
    for month, group in itertools.groupby(entries, key=lambda p: p[0].date.strftime("%B %Y")):
        months.append(
            (
                month,
                [
                    {
                        **_entry(e, kind == "deadline"),
                        "kind": kind,
                        "folder": e.folder,
                        "applicant": e.applicant,
                    }
                    for e, kind in group
                ],
            )
        )
    return (
        environment()
        .get_template("dashboard.html")
        .render(
            css=css(),
            script=script,
            script_hash=f"sha256-{digest}",
            tool_version=__version__,
            as_of=as_of.isoformat(),
            within=expiring_within,
            counts=summary,
            rows=shown_rows,
            calendar=months,
        )
    )


# -- spreadsheet -------------------------------------------------------------------------

XLSX_COLUMNS = (
    ("Status", 12),
    ("Folder", 28),
    ("Applicant", 26),
    ("Track", 10),
    ("Checklist", 14),
    ("Complete", 10),
    ("Missing", 28),
    ("Insufficient", 20),
    ("Invalid", 20),
    ("Expired", 16),
    ("Errors", 8),
    ("Warnings", 10),
    ("Earliest expiry", 15),
    ("Expiring item", 20),
    ("Days left", 10),
    ("Next deadline", 15),
    ("Deadline", 20),
    ("Could not be checked", 40),
)
CALENDAR_COLUMNS = (
    ("Date", 12),
    ("Days left", 10),
    ("Kind", 10),
    ("Folder", 28),
    ("Applicant", 26),
    ("Item", 20),
    ("What", 24),
    ("Document", 30),
)


def workbook_xlsx(
    rows: Sequence[AuditRow],
    calendar: Sequence[CalendarRow],
    deadlines: Sequence[CalendarRow],
    *,
    as_of: date,
) -> bytes:
    """The audit rows (sheet "Clients") and the calendar (sheet "Calendar") as .xlsx bytes."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties(
        {
            "title": f"img-dossier audit, {as_of.isoformat()}",
            "comments": f"img-dossier {__version__}",
        }
    )
    head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "bottom": 1, "text_wrap": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    sheet = book.add_worksheet("Clients")
    for col, (title, width) in enumerate(XLSX_COLUMNS):
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, width)
    for n, r in enumerate(rows, 1):
        e, d = r.earliest_expiry, r.next_deadline
        texts = [r.status, r.folder, r.applicant or "", r.track or "", r.checklist or ""]
        for col, text in enumerate(texts):
            sheet.write_string(n, col, text)
        sheet.write_boolean(n, 5, r.complete)
        for col, ids in zip(
            range(6, 10), (r.missing, r.insufficient, r.invalid, r.expired), strict=True
        ):
            sheet.write_string(n, col, ", ".join(ids))
        sheet.write_number(n, 10, r.errors)
        sheet.write_number(n, 11, r.warnings)
        if e is not None:
            sheet.write_datetime(n, 12, datetime.combine(e.date, time()), day)
            sheet.write_string(n, 13, e.item or e.what)
            sheet.write_number(n, 14, e.days_left)
        if d is not None:
            sheet.write_datetime(n, 15, datetime.combine(d.date, time()), day)
            sheet.write_string(n, 16, d.what)
        if r.error:
            sheet.write_string(n, 17, r.error, wrap)
    last = max(len(rows), 1)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last, len(XLSX_COLUMNS) - 1)
    for status, fill in STATUS_FILLS.items():
        sheet.conditional_format(
            1,
            0,
            last,
            len(XLSX_COLUMNS) - 1,
            {
                "type": "formula",
                "criteria": f'=$A2="{status}"',
                "format": book.add_format({"bg_color": fill}),
            },
        )

    cal = book.add_worksheet("Calendar")
    for col, (title, width) in enumerate(CALENDAR_COLUMNS):
        cal.write_string(0, col, title, head)
        cal.set_column(col, col, width)
    entries = [(c, "expiry") for c in calendar] + [(c, "deadline") for c in deadlines]
    entries.sort(key=lambda pair: (pair[0].date, pair[0].folder, pair[1], pair[0].what))
    for n, (c, kind) in enumerate(entries, 1):
        cal.write_datetime(n, 0, datetime.combine(c.date, time()), day)
        cal.write_number(n, 1, c.days_left)
        for col, text in enumerate(
            (kind, c.folder, c.applicant or "", c.item or "", c.what, c.document or ""), 2
        ):
            cal.write_string(n, col, text)
    cal.freeze_panes(1, 0)
    cal.autofilter(0, 0, max(len(entries), 1), len(CALENDAR_COLUMNS) - 1)
    book.close()
    return buf.getvalue()


# -- iCalendar ---------------------------------------------------------------------------


def calendar_ics(
    calendar: Sequence[CalendarRow], deadlines: Sequence[CalendarRow], *, as_of: date
) -> bytes:
    """One all-day event per expiry and deadline (stable UIDs: re-importing updates them)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//img-dossier//img-dossier {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "img-dossier: expiries and deadlines")
    stamp = datetime.combine(as_of, time(), tzinfo=timezone.utc)  # noqa: UP017 (3.10 readers)
    entries = [(c, "expiry") for c in sort_calendar(calendar)]
    entries += [(c, "deadline") for c in sort_calendar(deadlines)]
    for c, kind in entries:
        who = c.applicant or c.folder
        what = _label(c, kind == "deadline")
        event = Event()
        key = "|".join((kind, c.folder, c.item or "", c.what, c.document or "", c.date.isoformat()))
        event.add("uid", hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@img-dossier")
        event.add("dtstamp", stamp)
        event.add("dtstart", c.date)
        event.add("dtend", date.fromordinal(c.date.toordinal() + 1))
        event.add("summary", f"{who}: {what}")
        details = [f"Client folder: {c.folder}"]
        if c.document:
            details.append(f"From: {c.document}")
        if c.item:
            details.append(f"Checklist item: {c.item}")
        event.add("description", "\n".join(details))
        event.add("categories", ["img-dossier", kind])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
