"""What pack did: one row per upload (the manifest), refused documents, output names."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__

#: The portals of INTERFACE.md; a custom checklist may define more.
from .pack_rules import _UNSAFE, PortalRules
from .report import spreadsheet_cell

# -- results -------------------------------------------------------------------------------

#: Slot statuses: packed; missing (nothing to put in it); too-large (cannot fit above the
#: floors); not-packed (its documents are refused: encrypted, damaged, invalid); failed
#: (a document could not be converted or joined).
SLOT_STATUSES = ("packed", "missing", "too-large", "not-packed", "failed")


@dataclass(frozen=True)
class SlotResult:
    """One upload of the manifest."""

    slot: str
    portal: str
    item: str
    status: str
    sources: tuple[str, ...] = ()
    file: str | None = None
    format: str | None = None
    bytes: int | None = None
    pages: int | None = None
    limit: int = 0
    actions: tuple[str, ...] = ()
    message: str = ""
    advice: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "portal": self.portal,
            "item": self.item,
            "status": self.status,
            "sources": list(self.sources),
            "file": self.file,
            "format": self.format,
            "bytes": self.bytes,
            "pages": self.pages,
            "limit_bytes": self.limit,
            "actions": list(self.actions),
            "message": self.message,
            "advice": self.advice,
        }


@dataclass(frozen=True)
class Refused:
    """A document that was not packed, and what to do about it."""

    path: str
    item: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "item": self.item, "reason": self.reason}


@dataclass(frozen=True)
class PackResult:
    portal: str
    folder: str
    output: Path
    applicant: str | None
    portals: tuple[PortalRules, ...]
    slots: tuple[SlotResult, ...]
    refused: tuple[Refused, ...] = ()
    notes: tuple[str, ...] = ()
    as_of: date | None = None

    @property
    def complete(self) -> bool:
        """Every slot packed and every document usable."""
        return all(s.status == "packed" for s in self.slots) and not self.refused

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "tool": {"name": "img-dossier", "version": __version__},
            "folder": self.folder,
            "portal": self.portal,
            "portals": [p.to_json() for p in self.portals],
            "applicant": {"name": self.applicant},
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "output": str(self.output),
            "complete": self.complete,
            "slots": [s.to_json() for s in self.slots],
            "refused": [r.to_json() for r in self.refused],
            "notes": list(self.notes),
        }


CSV_COLUMNS = (
    "slot",
    "portal",
    "item",
    "status",
    "sources",
    "file",
    "format",
    "bytes",
    "pages",
    "limit_bytes",
    "actions",
    "message",
    "advice",
)


def manifest_csv(result: PackResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in result.slots:
        row = [
            s.slot, s.portal, s.item, s.status, "; ".join(s.sources), s.file or "",
            s.format or "", "" if s.bytes is None else s.bytes,
            "" if s.pages is None else s.pages, s.limit, "; ".join(s.actions), s.message,
            s.advice,
        ]  # fmt: skip
        writer.writerow([spreadsheet_cell(v) for v in row])
    return buf.getvalue()


# -- names ---------------------------------------------------------------------------------


def safe_name(text: str, fallback: str = "applicant") -> str:
    """ASCII letters, digits, ``-`` and ``_`` only: accents folded, the rest made ``-``."""
    from .filenames import ascii_words  # 王 -> Wang, Иванов -> Ivanov

    folded = ascii_words(text)
    cleaned = _UNSAFE.sub("-", folded).strip("-_")
    return re.sub(r"-{2,}", "-", cleaned) or fallback


def default_output(family_name: str | None, portal: str, cwd: Path | None = None) -> Path:
    """``./<family-name>-<portal>/``: ``quispe-mamani-carms``."""
    stem = safe_name(family_name or "", "applicant").lower()
    return (cwd or Path.cwd()) / f"{stem}-{safe_name(portal)}"
