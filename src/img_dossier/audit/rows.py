"""What an audit produces: the client folders, their rows, expiries and calendar entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..programs.load import LoadedList
    from ..programs.matrix import ClientScreen


@dataclass(frozen=True)
class Client:
    """One client folder: where it is, and how it is shown (the path as the user gave it)."""

    path: Path
    folder: str


@dataclass(frozen=True)
class Expiry:
    """Something that expires: the item, the document (or dossier.yaml), the date, days left."""

    item: str | None
    document: str | None
    what: str
    date: date
    days_left: int

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "document": self.document,
            "what": self.what,
            "date": self.date.isoformat(),
            "days_left": self.days_left,
        }


@dataclass(frozen=True)
class AuditRow:
    """One client: completeness, what blocks it, problem counts, its earliest expiry."""

    folder: str
    applicant: str | None
    track: str | None
    checklist: str | None
    complete: bool
    missing: tuple[str, ...] = ()
    insufficient: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    expired: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0
    earliest_expiry: Expiry | None = None
    next_deadline: Expiry | None = None
    error: str | None = None
    internal: bool = False  # the error is a bug of the tool, not of the client's folder
    ocr_pages: int = 0  # pages of scans read by OCR

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        return "complete" if self.complete else "incomplete"

    @property
    def blocking(self) -> tuple[str, ...]:
        """Every required item that keeps the client incomplete."""
        return self.missing + self.insufficient + self.invalid + self.expired

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "status": self.status,
            "applicant": self.applicant,
            "track": self.track,
            "checklist": self.checklist,
            "complete": self.complete,
            "missing": list(self.missing),
            "insufficient": list(self.insufficient),
            "invalid": list(self.invalid),
            "expired": list(self.expired),
            "problems": {"error": self.errors, "warning": self.warnings},
            "earliest_expiry": self.earliest_expiry.to_json() if self.earliest_expiry else None,
            "next_deadline": self.next_deadline.to_json() if self.next_deadline else None,
            "error": self.error,
            "ocr_pages": self.ocr_pages,
        }


@dataclass(frozen=True)
class CalendarRow(Expiry):
    """One thing of one client that expires within the window: an Expiry and whose it is."""

    folder: str = ""
    applicant: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"folder": self.folder, "applicant": self.applicant, **super().to_json()}


@dataclass(frozen=True)
class ClientResult:
    """What a worker sends back: the row and the client's expiries within the window."""

    row: AuditRow
    calendar: tuple[CalendarRow, ...] = ()
    programs: ClientScreen | None = None  # with --programs: the client's program screen
    deadlines: tuple[CalendarRow, ...] = ()  # dates to act by, from today on (dossier.yaml)


@dataclass(frozen=True)
class AuditOptions:
    """The options of one audit, the same for every client (sent to the workers)."""

    as_of: date
    track: str | None = None
    expiring_within: int = 90
    strict: bool = False
    cache: object | None = None
    ocr: bool = True  # read scans by OCR (--no-ocr: off)
    programs: LoadedList | None = None  # a program list to screen every client against
