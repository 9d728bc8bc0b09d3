"""The data that flows between stages: small frozen dataclasses, replaced, never mutated.

folder -> scan (SourceFile) -> read (Document) -> classify (Document with item) -> facts
(Document with facts) -> verify (ItemResult) -> Report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning"]

#: Codes of a judgement on a readable document (a rule's verdict, not a reading failure): an
#: error among them makes the document fail its item, never unreadable.
JUDGEMENT_CODES = frozenset(
    {
        "unclassified",
        "duplicate",
        "needs-translation",
        "name-mismatch",
        "expired",
        "over-portal-limit",
        "no-local-referee",
        "content-mismatch",
        "name-absent",
        "validity-too-short",
        "below-minimum",
        "not-passed",
        "missing-element",
        "wrong-specialty",
        "missing",
        "unverified",
        "outside-date-window",
        "unconfirmed-rule",
    }
)

#: Codes of a document that could not be read (or not safely): it is left out, not judged.
READING_CODES = frozenset(
    {
        "encrypted",
        "damaged",
        "empty",
        "wrong-format",
        "unsupported-format",
        "too-large",
        "timeout",
        "outside-folder",
        "no-text",
    }
)

#: Every problem code of INTERFACE.md. Readers, classify and verify use only these.
PROBLEM_CODES = READING_CODES | JUDGEMENT_CODES

#: Item statuses of INTERFACE.md.
ITEM_STATUSES = (
    "ok",
    "missing",
    "insufficient",
    "invalid",
    "expired",
    "expiring",
    "unverified",
    "not-required",
    "optional-missing",
)

#: Statuses of a required item that make the folder incomplete.
BLOCKING_STATUSES = frozenset({"missing", "insufficient", "invalid", "expired"})

#: PDF document-information key that marks a file this tool wrote (dossier, pack, letters);
#: the readers recognise it and the scan leaves such files out without comment.
OWN_OUTPUT_KEY = "/ImgDossierOutput"

#: Document formats, named by content (magic bytes), as they appear in the JSON.
DOCUMENT_FORMATS = ("pdf", "docx", "jpeg", "png", "tiff", "heic", "txt", "md")


@dataclass(frozen=True)
class Problem:
    """Something wrong with a document or an item, said so that a person can act on it."""

    code: str
    severity: Severity
    message: str

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code {self.code!r}")

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class SourceFile:
    """A file found in the folder: where it is on disk and its path relative to the folder."""

    path: Path
    rel: str
    size: int


@dataclass(frozen=True)
class Document:
    """One file of the folder as the tool understood it.

    ``text`` is the text of the first pages only (for classification and facts).
    ``info`` holds what a reader learnt that later stages may need, by format:
    pdf: ``encrypted``, ``signed`` (has a digital signature), ``page_sizes`` (list of
    [width, height] in points), ``producer``, ``own_output`` (written by this tool),
    ``own_output_pack`` (written by ``dossier pack``: a copy of a user's document);
    images: ``width``, ``height``, ``dpi`` ([x, y] or None), ``mode``;
    docx: ``paragraphs``, ``tables``, ``images``.
    """

    rel: str
    path: Path
    format: str | None
    bytes: int
    sha256: str
    pages: int | None = None
    text: str = ""
    problems: tuple[Problem, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)
    item: str | None = None
    classified_by: str | None = None
    evidence: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        """True when no reading error (encrypted, damaged, too large...) stops the document
        from being used; a rule's verdict (expired, content-mismatch...) is not one."""
        return not any(
            p.severity == "error" and p.code not in JUDGEMENT_CODES for p in self.problems
        )

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())

    def with_problems(self, *problems: Problem) -> Document:
        return dataclasses.replace(self, problems=self.problems + tuple(problems))

    def replace(self, **changes: Any) -> Document:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        from .pathtext import escaped, raw_bytes_hex

        raw = raw_bytes_hex(self.path, self.rel)
        return {
            "path": escaped(self.rel),
            **({"path_bytes": raw} if raw is not None else {}),
            "format": self.format,
            "bytes": self.bytes,
            "pages": self.pages,
            "sha256": self.sha256,
            "item": self.item,
            "classified_by": self.classified_by,
            "evidence": list(self.evidence),
            "facts": _jsonable(dict(self.facts)),
            "problems": [p.to_json() for p in self.problems],
        }


def ocr_pages_of(doc: Document) -> int:
    """Pages of the document read by OCR (0 when none was)."""
    found = doc.info.get("ocr")
    pages = found.get("pages") if isinstance(found, Mapping) else None
    return pages if isinstance(pages, int) and not isinstance(pages, bool) else 0


@dataclass(frozen=True)
class ItemResult:
    """The verdict on one checklist item."""

    id: str
    title: str
    required: bool
    status: str
    documents: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    advice: str = ""

    def __post_init__(self) -> None:
        if self.status not in ITEM_STATUSES:
            raise ValueError(f"unknown item status {self.status!r}")

    @property
    def blocking(self) -> bool:
        return self.required and self.status in BLOCKING_STATUSES

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "required": self.required,
            "status": self.status,
            "documents": list(self.documents),
            "messages": list(self.messages),
            "problems": [p.to_json() for p in self.problems],
        }


@dataclass(frozen=True)
class StepStatus:
    """A coming step that is not a document (checklist ``steps:``): its date when published,
    else None and ``confirmed`` false (shown as not yet confirmed, never guessed)."""

    id: str
    title: str
    date: date | None
    confirmed: bool
    days_left: int | None = None
    note: str = ""
    advice: str = ""
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "confirmed": self.confirmed,
            "days_left": self.days_left,
            "note": self.note,
            "advice": self.advice,
            "source": self.source,
        }


@dataclass(frozen=True)
class ChecklistRef:
    id: str
    title: str
    version: str


@dataclass(frozen=True)
class Report:
    """The result of checking one folder."""

    folder: str
    checklist: ChecklistRef
    as_of: date
    applicant: str | None
    items: tuple[ItemResult, ...]
    documents: tuple[Document, ...]
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    strict: bool = False
    tool_version: str = "0.1.0"
    steps: tuple[StepStatus, ...] = ()  # coming steps that are not documents

    @property
    def complete(self) -> bool:
        if any(i.blocking for i in self.items):
            return False
        if self.strict:
            return not any(
                p.severity == "warning" for i in self.items if i.required for p in i.problems
            ) and not any(
                p.severity == "warning"
                for d in self.documents
                if d.item is not None
                for p in d.problems
            )
        return True

    @property
    def ocr_pages(self) -> int:
        """Pages of scans and photos whose text was read by OCR."""
        return sum(ocr_pages_of(d) for d in self.documents)

    def summary(self) -> dict[str, int]:
        required = [i for i in self.items if i.required]
        problems = sum(len(i.problems) for i in self.items) + sum(
            len(d.problems) for d in self.documents
        )
        return {
            "required": len(required),
            "ok": sum(1 for i in required if i.status in ("ok", "expiring")),
            "missing": sum(1 for i in required if i.status == "missing"),
            "problems": problems,
            "ocr_pages": self.ocr_pages,
        }

    def item(self, item_id: str) -> ItemResult | None:
        return next((i for i in self.items if i.id == item_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "tool": {"name": "img-dossier", "version": self.tool_version},
            "folder": self.folder,
            "checklist": {
                "id": self.checklist.id,
                "title": self.checklist.title,
                "version": self.checklist.version,
            },
            "as_of": self.as_of.isoformat(),
            "applicant": {"name": self.applicant},
            "complete": self.complete,
            "summary": self.summary(),
            "items": [i.to_json() for i in self.items],
            "documents": [d.to_json() for d in self.documents],
            "ignored": list(self.ignored),
            "notes": list(self.notes),
            "steps": [s.to_json() for s in self.steps],
        }


def _jsonable(value: Any) -> Any:
    """Dates become ISO strings; containers are converted recursively."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
