"""Upload-ready files, one per portal slot, fitted to the portal's format and size rules.

The portal rules are checklist data (``portals:``): ``formats``, ``max_bytes``, ``items``
(one upload per item, named after it, its documents joined into one file), ``one_file_each``
(items uploaded one file per document), ``referee_uploads`` (items a referee uploads),
``translations`` (``with-original``: after the original in its upload; ``separate``: a file
of their own; ``unaltered``: a file of their own, the translator's bytes kept), the floors
``min_dpi``, ``min_jpeg_quality`` and ``min_pixels``, and ``part_of`` / ``pack_with`` (a
portal packed along with another). A custom checklist may instead give ``slots``: a list of
``{id, items, join, uploaded_by}``. They are validated here when a portal is packed.
The output folder is built in a temp folder beside its target and renamed into place;
source documents are only read.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from .. import __version__
from ..checking.classify import by_content, normalize
from ..checking.pipeline import CheckRun, run_check
from ..checking.verify import counts
from ..config.checklist import Checklist, Item
from ..errors import BadInputError, OutputError
from ..model import OWN_OUTPUT_KEY, Document
from ..own_output import PACK_MARKER, previous_outputs
from ..progress import PACKING, ProgressCallback
from .active_content import strip_writer as _strip_active_content
from .convert import to_pdf
from .report import spreadsheet_cell
from .shrink import Fitted, Floors, fit_pdf, fit_photo, pdf_bytes

#: The portals of INTERFACE.md; a custom checklist may define more.
PORTALS = ("carms", "mcc", "ecfmg", "evsp")
TRANSLATION_MODES = ("with-original", "separate", "unaltered")
#: The item id whose documents are translations of other items' documents.
TRANSLATION_ITEM = "translation"
#: Characters every portal accepts in a file name (the rest are folded or replaced).
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
#: Item statuses whose documents are not packed: the portal would refuse them.
_REFUSED_STATUSES = frozenset({"invalid", "expired"})
#: pack's own value: a packed PDF moved back into a folder counts as the user's document
_MARKER = {OWN_OUTPUT_KEY: PACK_MARKER}
_FORMAT_EXT = {"pdf": "pdf", "jpeg": "jpg"}
_PHOTO_SOURCES = frozenset({"jpeg", "png", "tiff"})


class UnknownPortalError(BadInputError):
    """The portal asked for is not one the folder's checklist can pack."""


# -- portal rules (checklist data) ---------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One upload: the items whose documents go in it, joined into one file or one each."""

    id: str
    items: tuple[str, ...]
    join: bool = True
    uploaded_by: str | None = None


@dataclass(frozen=True)
class PortalRules:
    """What ``pack`` needs of one portal, validated."""

    id: str
    title: str
    source: str
    format: str  # "pdf" or "jpeg"
    max_bytes: int
    slots: tuple[Slot, ...]
    translations: str = "with-original"
    floors: Floors = field(default_factory=Floors)
    min_pixels: tuple[int, int] = (0, 0)
    page_size: tuple[float, float] | None = None
    dpi: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "format": self.format,
            "max_bytes": self.max_bytes,
            "source": self.source,
        }


def packable(checklist: Checklist) -> list[str]:
    """Portal ids of the checklist that pack can fill (a format it writes and a byte limit)."""
    out = []
    for pid, spec in checklist.portals.items():
        formats = spec.get("formats")
        writes = isinstance(formats, list) and any(f in _FORMAT_EXT for f in formats)
        if writes and spec.get("max_bytes") is not None:
            out.append(pid)
    return out


def portal_rules(checklist: Checklist, portal: str) -> tuple[PortalRules, ...]:
    """The portal and the portals packed with it (``part_of`` / ``pack_with`` it), validated."""
    ids = packable(checklist)
    if portal not in ids:
        raise UnknownPortalError(
            f"--portal {portal}: not a portal of checklist {checklist.id} that pack can fill; "
            f"its portals are: {', '.join(ids) or 'none'}"
        )
    chosen = [portal] + [
        pid
        for pid in ids
        if pid != portal
        and portal in (checklist.portals[pid].get(k) for k in ("part_of", "pack_with"))
    ]
    name = str(checklist.path) if checklist.path else checklist.id
    return tuple(_rules(name, pid, checklist.portals[pid]) for pid in chosen)


def _rules(name: str, pid: str, spec: Mapping[str, Any]) -> PortalRules:
    def bad(field_: str, what: str) -> BadInputError:
        got = spec.get(field_.split(".")[0].split("[")[0])
        return BadInputError(f"{name}: portals.{pid}.{field_}: {what} (got {got!r})")

    formats = spec.get("formats")
    fmt = next((f for f in formats or () if f in _FORMAT_EXT), None)
    if fmt is None:
        raise bad("formats", "pack writes pdf or jpeg")
    max_bytes = _int(spec.get("max_bytes"), 1)
    if max_bytes is None:
        raise bad("max_bytes", "must be a whole number of bytes > 0")
    translations = spec.get("translations", "with-original")
    if translations not in TRANSLATION_MODES:
        raise bad("translations", f"must be one of {', '.join(TRANSLATION_MODES)}")
    min_dpi = _int(spec.get("min_dpi", 150), 72, 1200)
    if min_dpi is None:
        raise bad("min_dpi", "must be a whole number from 72 to 1200")
    min_q = _int(spec.get("min_jpeg_quality", 60), 10, 95)
    if min_q is None:
        raise bad("min_jpeg_quality", "must be a whole number from 10 to 95")
    min_pixels = _pair(spec.get("min_pixels", [0, 0]), int)
    if min_pixels is None:
        raise bad("min_pixels", "must be [width, height] in pixels")
    page = spec.get("page_size_pt")
    page_size = _pair(page, float) if page is not None else None
    if page is not None and page_size is None:
        raise bad("page_size_pt", "must be [width, height] in points")
    dpi = spec.get("dpi")
    if dpi is not None and _int(dpi, 72, 1200) is None:
        raise bad("dpi", "must be a whole number from 72 to 1200")
    return PortalRules(
        id=pid,
        title=str(spec.get("title") or pid),
        source="; ".join(str(spec[k]) for k in ("source", "pack_source") if spec.get(k)),
        format=fmt,
        max_bytes=max_bytes,
        slots=_slots(bad, spec),
        translations=str(translations),
        floors=Floors(min_dpi, min_q),
        min_pixels=(int(min_pixels[0]), int(min_pixels[1])),
        page_size=(float(page_size[0]), float(page_size[1])) if page_size else None,
        dpi=int(dpi) if dpi is not None else None,
    )


def _slots(bad: Any, spec: Mapping[str, Any]) -> tuple[Slot, ...]:
    raw = spec.get("slots")
    if raw is None:  # one slot per item the portal takes, named after it
        lists = {}
        for key in ("items", "one_file_each", "referee_uploads"):
            value = spec.get(key) or []
            if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
                raise bad(key, "must be a list of item ids")
            lists[key] = value
        return tuple(
            Slot(
                i,
                (i,),
                join=i not in lists["one_file_each"],
                uploaded_by="referee" if i in lists["referee_uploads"] else None,
            )
            for i in lists["items"]
            if i != TRANSLATION_ITEM
        )
    if not isinstance(raw, list):
        raise bad("slots", "must be a list of {id, items, join} mappings")
    slots: list[Slot] = []
    for n, s in enumerate(raw, start=1):
        where = f"slots[{n}]"
        if not isinstance(s, Mapping):
            raise bad(where, "each slot must be a mapping with id and items")
        unknown = set(s) - {"id", "items", "join", "uploaded_by"}
        if unknown:
            key = sorted(unknown)[0]
            raise bad(f"{where}.{key}", "unknown key; expected id, items, join, uploaded_by")
        sid = s.get("id")
        if not isinstance(sid, str) or not sid or _UNSAFE.search(sid):
            raise bad(f"{where}.id", "must be letters, digits, - or _")
        items = s.get("items")
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            raise bad(f"{where}.items", "must be a list of item ids")
        join = s.get("join", True)
        if not isinstance(join, bool):
            raise bad(f"{where}.join", "must be true or false")
        by = s.get("uploaded_by")
        if by is not None and not isinstance(by, str):
            raise bad(f"{where}.uploaded_by", "must be text")
        slots.append(Slot(sid, tuple(items), join, by))
    return tuple(slots)


def _int(value: Any, lo: int, hi: int | None = None) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        return None
    if hi is not None and value > hi:
        return None
    return value


def _pair(value: Any, kind: type) -> tuple[Any, Any] | None:
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value)
    )
    return (kind(value[0]), kind(value[1])) if ok else None


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
    "slot", "portal", "item", "status", "sources", "file", "format", "bytes", "pages",
    "limit_bytes", "actions", "message", "advice",
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


# -- planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Upload:
    """What goes into one output file before it is made."""

    slot: str
    portal: PortalRules
    item: str
    documents: tuple[Document, ...]
    uploaded_by: str | None = None
    unaltered: bool = False


@dataclass
class _Plan:
    uploads: list[_Upload] = field(default_factory=list)
    rows: list[SlotResult] = field(default_factory=list)  # slots with nothing to make
    refused: list[Refused] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _refusal(doc: Document) -> str | None:
    """Why a document cannot go to a portal, with what to do; None when it can."""
    if doc.info.get("encrypted") or any(p.code == "encrypted" for p in doc.problems):
        msg = next((p.message for p in doc.problems if p.code == "encrypted"), "")
        return msg or (
            f"{doc.rel}: encrypted or password-protected; portals refuse it: print it to a "
            "new PDF without a password and replace the file"
        )
    errors = [p for p in doc.problems if p.severity == "error"]
    if errors:
        what = errors[0].message
        return what if what.startswith(doc.rel) else f"{doc.rel}: {what}"
    return None


def _plan(run: CheckRun, rules: Sequence[PortalRules]) -> _Plan:
    report, checklist = run.report, run.checklist
    plan = _Plan()
    by_item: dict[str, list[Document]] = {}
    earlier: dict[Path, set[Path]] = {}  # folder -> files an earlier pack wrote there
    skipped: list[str] = []
    for doc in report.documents:
        parent = doc.path.parent
        if parent not in earlier:
            earlier[parent] = previous_outputs(parent)
        if doc.path.resolve() in earlier[parent]:
            skipped.append(doc.rel)  # a photo an earlier pack wrote (its PDFs are marked)
            continue
        if doc.item is not None and counts(doc):
            by_item.setdefault(doc.item, []).append(doc)
    if skipped:
        plan.notes.append(f"{', '.join(skipped)}: written by an earlier pack; not packed again")

    # only the documents of the items these portals take are theirs to refuse
    taken = {i for p in rules for s in p.slots for i in s.items}
    if any(_takes_translations(checklist, p) for p in rules):
        taken.add(TRANSLATION_ITEM)
    usable: dict[str, list[Document]] = {}
    seen_refused: set[str] = set()
    for item_id, docs in by_item.items():
        if item_id not in taken:
            continue
        for doc in docs:
            why = _refusal(doc)
            if why is None:
                usable.setdefault(item_id, []).append(doc)
            elif doc.rel not in seen_refused:
                seen_refused.add(doc.rel)
                plan.refused.append(Refused(doc.rel, item_id, why))

    for portal in rules:
        slot_items = {i for s in portal.slots for i in s.items if checklist.item(i) is not None}
        translations: dict[str | None, list[Document]] = {}
        verdict = report.item(TRANSLATION_ITEM)
        if _takes_translations(checklist, portal) and usable.get(TRANSLATION_ITEM):
            if verdict is not None and verdict.status in _REFUSED_STATUSES:
                plan.rows.append(
                    SlotResult(
                        slot="translation", portal=portal.id, item=TRANSLATION_ITEM,
                        status="not-packed", limit=portal.max_bytes,
                        sources=tuple(d.rel for d in usable[TRANSLATION_ITEM]),
                        message=(
                            f"translations {verdict.status}: "
                            f"{'; '.join(verdict.messages) or verdict.status}; "
                            "fix them, then pack again (originals are packed without them)"
                        ),
                    )
                )
            else:
                translations = _pair_translations(
                    usable[TRANSLATION_ITEM], usable, checklist, slot_items
                )
        for slot in portal.slots:
            _plan_slot(plan, run, portal, slot, usable, by_item, translations)
        if translations.get(None):
            unpaired = translations[None]
            for n, doc in enumerate(unpaired, start=1):
                sid = "translation" if len(unpaired) == 1 else f"translation-{n}"
                plan.uploads.append(
                    _Upload(sid, portal, TRANSLATION_ITEM, (doc,),
                            unaltered=portal.translations == "unaltered")
                )
            plan.notes.append(
                f"{', '.join(d.rel for d in unpaired)}: could not tell which document it "
                "translates, so it is packed on its own; name it after its original "
                "(e.g. transcript-translation.pdf) or keep it in the original's folder"
            )
    return plan


def _takes_translations(checklist: Checklist, portal: PortalRules) -> bool:
    item = checklist.item(TRANSLATION_ITEM)
    spec = checklist.portals.get(portal.id, {})
    listed = spec.get("items")
    return bool(
        item is not None
        and (item.portal == portal.id or (isinstance(listed, list) and TRANSLATION_ITEM in listed))
    )


def _plan_slot(
    plan: _Plan,
    run: CheckRun,
    portal: PortalRules,
    slot: Slot,
    usable: Mapping[str, list[Document]],
    by_item: Mapping[str, list[Document]],
    translations: Mapping[str | None, list[Document]],
) -> None:
    report, checklist = run.report, run.checklist
    joined: list[Document] = []  # the documents of every item of a joined slot, in order
    joined_items: list[str] = []
    for item_id in slot.items:
        item = checklist.item(item_id)
        result = report.item(item_id)
        if item is None or result is None:
            continue  # a custom checklist dropped it
        row = SlotResult(
            slot=slot.id, portal=portal.id, item=item_id, status="missing", limit=portal.max_bytes
        )
        docs = list(usable.get(item_id, []))
        extra = translations.get(item_id, [])
        # a translation goes nowhere without its original: say so where the original is
        orphans = (
            f" (its translation {', '.join(t.rel for t in extra)} is not packed either)"
            if extra
            else ""
        )
        if not docs and by_item.get(item_id):
            plan.rows.append(
                dataclasses.replace(
                    row, status="not-packed",
                    sources=tuple(d.rel for d in by_item[item_id]),
                    message=f"{item.title}: no usable document (refused below){orphans}",
                )
            )
            continue
        if result.status in _REFUSED_STATUSES:
            why = "; ".join(result.messages) or result.status
            plan.rows.append(
                dataclasses.replace(
                    row, status="not-packed",
                    sources=tuple(d.rel for d in by_item.get(item_id, [])),
                    message=(
                        f"{item.title}: {result.status}: {why}; fix it, then pack again{orphans}"
                    ),
                    advice=item.advice,
                )
            )
            continue
        if not docs:
            if (result.required and result.status != "not-required") or extra:
                plan.rows.append(
                    dataclasses.replace(
                        row, message=f"{item.title}: no document in the folder{orphans}",
                        advice=item.advice,
                    )
                )
            continue
        apart = portal.translations in ("separate", "unaltered")
        if slot.join:
            joined.extend(docs if apart else _with_translations(docs, extra))
            joined_items.append(item_id)
        else:
            for n, doc in enumerate(docs, start=1):
                mine = [t for t in extra if _same_folder(t, doc)] if len(docs) > 1 else extra
                group = [doc] if apart else [doc, *mine]
                plan.uploads.append(
                    _Upload(f"{slot.id}-{n}", portal, item_id, tuple(group), slot.uploaded_by)
                )
            missing = max(0, item.min - len(docs)) if result.required else 0
            for n in range(len(docs) + 1, len(docs) + missing + 1):
                plan.rows.append(
                    SlotResult(
                        slot=f"{slot.id}-{n}", portal=portal.id, item=item_id, status="missing",
                        limit=portal.max_bytes,
                        message=f"{item.title}: {item.min} needed, {len(docs)} in the folder",
                        advice=item.advice,
                    )
                )
        if apart:
            for n, tr in enumerate(extra, start=1):
                sid = f"{slot.id}-translation" + (f"-{n}" if len(extra) > 1 else "")
                plan.uploads.append(
                    _Upload(
                        sid, portal, TRANSLATION_ITEM, (tr,),
                        unaltered=portal.translations == "unaltered",
                    )
                )
    if joined:
        plan.uploads.append(
            _Upload(slot.id, portal, "+".join(joined_items), tuple(joined), slot.uploaded_by)
        )


def _same_folder(a: Document, b: Document) -> bool:
    return PurePosixPath(a.rel).parent == PurePosixPath(b.rel).parent


def _with_translations(docs: list[Document], extra: list[Document]) -> list[Document]:
    """Each translation right after the last original in its folder, else at the end."""
    out = list(docs)
    for tr in extra:
        at = max((i for i, d in enumerate(out) if d in docs and _same_folder(d, tr)), default=None)
        if at is None:
            out.append(tr)
        else:
            out.insert(at + 1, tr)
    return out


def _pair_translations(
    translations: Sequence[Document],
    usable: Mapping[str, list[Document]],
    checklist: Checklist,
    slot_items: set[str],
) -> dict[str | None, list[Document]]:
    """Translation documents by the item of their original (None: could not tell).

    The translation's file name, then its folders, then its text (the original's evidence,
    translated), then the only original in the same folder.
    """
    candidates = [i for i in checklist.items if i.id in slot_items and i.id != TRANSLATION_ITEM]
    out: dict[str | None, list[Document]] = {}
    for tr in translations:
        target = _by_words(normalize(PurePosixPath(tr.rel).stem), candidates)
        if target is None:
            for folder in reversed(PurePosixPath(tr.rel).parts[:-1]):
                target = _by_words(normalize(folder), candidates)
                if target:
                    break
        if target is None and tr.text:
            found = by_content(tr.text, candidates)
            target = found[0] if found else None
        if target is None:
            near = {
                item_id
                for item_id, docs in usable.items()
                if item_id in slot_items and any(_same_folder(d, tr) for d in docs)
            } - {TRANSLATION_ITEM}
            target = near.pop() if len(near) == 1 else None
        out.setdefault(target, []).append(tr)
    return out


def _by_words(words: str, items: Sequence[Item]) -> str | None:
    best: tuple[int, str] | None = None
    for item in items:
        for name in item.names:
            phrase = normalize(name)
            if phrase and f" {phrase} " in f" {words} " and (best is None or len(phrase) > best[0]):
                best = (len(phrase), item.id)
    return best[1] if best else None


# -- making the files ----------------------------------------------------------------------


def _make(up: _Upload, family: str, work: Path, staging: Path, taken: set[str]) -> SlotResult:
    portal = up.portal
    sources = tuple(d.rel for d in up.documents)
    ext = _FORMAT_EXT[portal.format]
    name = _unique(f"{safe_name(up.slot)}_{family}", ext, taken)
    base = SlotResult(
        slot=up.slot, portal=portal.id, item=up.item, status="failed", sources=sources,
        limit=portal.max_bytes,
    )
    note = _uploader_note(up)
    if portal.format == "jpeg":
        return _make_photo(up, base, name, staging, note)
    actions: list[str] = []
    if up.unaltered and len(up.documents) == 1 and up.documents[0].format == "pdf":
        return _make_unaltered(up, base, name, staging, note)
    active = {d.rel: _active_content(d.path) for d in up.documents if d.format == "pdf"}
    if len(up.documents) == 1 and up.documents[0].format == "pdf":
        # a single PDF that already fits goes as it is (a signature stays valid), unless it
        # carries scripts and no signature: then it is rewritten below, without them
        single = up.documents[0]
        found = active[single.rel]
        if single.bytes < portal.max_bytes and (not found.kinds or found.signed):
            try:
                data, pages = _marked_copy(single)
            except Exception:  # pypdf cannot append to it: it is rewritten below
                data, pages = b"", 0
            if data and len(data) <= portal.max_bytes:
                fitted = Fitted(data, True, (), pages)
                kept = _kept_active(single, found, "it is digitally signed")
                acts = ("copied unchanged", *((_KEPT_ACTIVE,) if kept else ()))
                message = " ".join(m for m in (kept, note) if m)
                return _finish(base, fitted, name, staging, acts, message, portal)
    writer = PdfWriter()
    for n, doc in enumerate(up.documents):
        part = work / f"{safe_name(up.slot)}-{n}.pdf"
        if doc.format == "pdf":
            try:
                reader = PdfReader(doc.path, strict=False)
                writer.append(reader, import_outline=False)
            except Exception as exc:  # a damaged PDF the reader recovered but pypdf cannot copy
                return _failed(
                    base,
                    f"{doc.rel}: could not be copied ({type(exc).__name__}: {exc}); "
                    "print it to a new PDF and replace the file",
                )
            continue
        converted = to_pdf(doc, part, portal.page_size or "letter")
        if not converted.ok:
            return _failed(
                base, f"{converted.error}; save it as a PDF yourself and replace the file"
            )
        actions.append(f"converted {doc.rel} ({(doc.format or '?').upper()}) to PDF")
        try:
            writer.append(PdfReader(part, strict=False), import_outline=False)
        except Exception as exc:
            return _failed(base, f"{doc.rel}: its conversion cannot be read ({exc})")
    if len(up.documents) > 1:
        actions.append(f"joined {len(up.documents)} documents")
    removed = [f"{rel} ({', '.join(a.kinds)})" for rel, a in active.items() if a.kinds]
    if removed:
        _strip_active(writer)
        actions.append(f"removed scripts and automatic actions from {'; '.join(removed)}")
    writer.add_metadata(_MARKER)
    try:
        joined = pdf_bytes(writer)
        fitted = fit_pdf(joined, portal.max_bytes, portal.floors, _MARKER)
    except Exception as exc:  # a hostile PDF that pypdf cannot write back
        return _failed(
            base,
            f"{', '.join(sources)}: could not be written as one PDF "
            f"({type(exc).__name__}: {exc}); print the document to a new PDF and replace the file",
        )
    return _finish(base, fitted, name, staging, (*actions, *fitted.actions), note, portal)


def _make_photo(up: _Upload, base: SlotResult, name: str, staging: Path, note: str) -> SlotResult:
    portal = up.portal
    doc = up.documents[0]
    if doc.format not in _PHOTO_SOURCES:
        return _failed(
            base,
            f"{doc.rel}: a {(doc.format or 'unknown').upper()} file, but {portal.title} takes "
            "the photo as JPEG; export the photo itself as a JPEG",
        )
    try:
        fitted = fit_photo(
            doc.path, portal.max_bytes, min_pixels=portal.min_pixels,
            min_quality=portal.floors.min_quality, dpi=portal.dpi,
        )
    except Exception as exc:  # Pillow cannot decode it after all
        return _failed(base, f"{doc.rel}: not a readable image ({exc})")
    actions = fitted.actions
    if len(up.documents) > 1:
        actions = (*actions, f"only the first photo, {doc.rel}, packed")
    return _finish(base, fitted, name, staging, actions, note, portal)


def _make_unaltered(
    up: _Upload, base: SlotResult, name: str, staging: Path, note: str
) -> SlotResult:
    """The PDF's own bytes, with the tool's marker appended as an incremental update."""
    doc = up.documents[0]
    try:
        data, pages = _marked_copy(doc)
    except Exception as exc:
        return _failed(base, f"{doc.rel}: could not be copied ({exc})")
    fitted = Fitted(data, len(data) <= up.portal.max_bytes, (), pages)
    found = _active_content(doc.path)
    kept = _kept_active(
        doc, found,
        "it is digitally signed" if found.signed else "the portal wants translations as received",
    )
    actions = (
        "copied unaltered (the portal wants translations as received)",
        *((_KEPT_ACTIVE,) if kept else ()),
    )
    message = " ".join(m for m in (kept, note) if m)
    return _finish(base, fitted, name, staging, actions, message, up.portal)


#: The action of a slot whose source's scripts were kept (its message says what to do).
_KEPT_ACTIVE = "kept scripts or automatic actions of the source (see the message)"
#: Actions an upload must not carry: scripts, programs run, forms sent (links stay).
_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm", "/Rendition"}
)


@dataclass(frozen=True)
class ActiveContent:
    """Scripts and automatic actions a PDF carries (``kinds``), and whether it is signed."""

    kinds: tuple[str, ...] = ()
    signed: bool = False


def _active_content(path: Path) -> ActiveContent:
    """What a source PDF would run in a viewer: JavaScript, Launch, automatic actions."""
    kinds: set[str] = set()
    signed = False
    try:
        reader = PdfReader(path, strict=False)
        root: Any = reader.trailer["/Root"].get_object()
        opening = _action_kinds(root.get("/OpenAction"))
        kinds.update(f"an open action ({k})" for k in opening)
        if "/AA" in root:
            kinds.add("document actions (/AA)")
        tree: Any = root.get("/Names")
        tree = tree.get_object() if tree is not None else None
        if isinstance(tree, DictionaryObject) and "/JavaScript" in tree:
            kinds.add("document JavaScript")
        for page in list(reader.pages)[:2000]:
            if "/AA" in page:
                kinds.add("page actions (/AA)")
            for ref in page.get("/Annots") or []:
                annot: Any = ref.get_object()
                if not isinstance(annot, DictionaryObject):
                    continue
                if "/AA" in annot:
                    kinds.add("field or annotation actions (/AA)")
                kinds.update(f"link actions ({k})" for k in _action_kinds(annot.get("/A")))
        form: Any = root.get("/AcroForm")
        form = form.get_object() if form is not None else None
        if isinstance(form, DictionaryObject):
            flags = form.get("/SigFlags")
            signed = isinstance(flags, int) and bool(flags & 1)
            stack = list(form.get("/Fields") or [])
            seen = 0
            while stack and seen < 100_000:
                seen += 1
                fld: Any = stack.pop().get_object()
                if not isinstance(fld, DictionaryObject):
                    continue
                if "/AA" in fld:
                    kinds.add("field or annotation actions (/AA)")
                if fld.get("/FT") == "/Sig" and "/V" in fld:
                    signed = True
                stack.extend(fld.get("/Kids") or [])
        signed = signed or "/Perms" in root
    except Exception:  # the reader has said what is wrong with it; nothing more to find here
        pass
    return ActiveContent(tuple(sorted(kinds)), signed)


def _action_kinds(action: Any) -> set[str]:
    """The active action types (JavaScript, Launch, ...) of an action and its /Next chain."""
    found: set[str] = set()
    stack, seen = [action], 0
    while stack and seen < 1000:
        seen += 1
        item = stack.pop()
        item = item.get_object() if hasattr(item, "get_object") else item
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, DictionaryObject):
            continue
        kind = item.get("/S")
        if kind in _ACTIVE_ACTIONS or "/JS" in item:
            found.add(str(kind or "/JavaScript").lstrip("/"))
        if "/Next" in item:
            stack.append(item["/Next"])
    return found


def _kept_active(doc: Document, found: ActiveContent, why: str) -> str:
    """The message for a source whose scripts were kept (its bytes had to stay)."""
    if not found.kinds:
        return ""
    return (
        f"{doc.rel} carries {', '.join(found.kinds)}, kept because {why}; a portal may refuse "
        "a PDF with scripts: ask its issuer for a copy without them before you upload it"
    )


def _strip_active(writer: PdfWriter) -> None:
    """Drop scripts and automatic actions from a rewritten upload; links (URI, GoTo) stay."""
    _strip_active_content(writer)  # pages, annotations and form fields
    root: Any = writer.root_object
    for key in ("/OpenAction", "/AA"):
        if key in root and (key == "/AA" or _action_kinds(root.get(key))):
            del root[NameObject(key)]
    names: Any = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        del names[NameObject("/JavaScript")]


def _marked_copy(doc: Document) -> tuple[bytes, int]:
    """The document's bytes unchanged, then an incremental update that adds our marker.

    Whatever the PDF holds (a digital signature, a translator's certification) stays
    byte for byte; raises when pypdf cannot append to it or the result does not read back.
    """
    writer = PdfWriter(doc.path, incremental=True)
    writer.add_metadata(_MARKER)
    data = pdf_bytes(writer)
    pages = len(PdfReader(BytesIO(data), strict=False).pages)
    if doc.pages is not None and pages != doc.pages:
        raise ValueError(f"{pages} pages read back, {doc.pages} expected")
    return data, pages


def _failed(base: SlotResult, message: str) -> SlotResult:
    return dataclasses.replace(base, status="failed", message=message)


def _finish(
    base: SlotResult,
    fitted: Fitted,
    name: str,
    staging: Path,
    actions: Sequence[str],
    note: str,
    portal: PortalRules,
) -> SlotResult:
    size = len(fitted.data)
    if not fitted.fits:
        over = f"over the {_size(portal.max_bytes)} limit of {portal.title}; not written"
        if portal.format == "jpeg":
            message = (
                f"reached {_size(size)} without going below {portal.min_pixels[0]} x "
                f"{portal.min_pixels[1]} px and JPEG quality {portal.floors.min_quality}, "
                f"{over}: crop it to head and shoulders, or take a new photo"
            )
        elif fitted.quality is None:
            message = (
                f"reached {_size(size)} with lossless compression, {over}: its size is not in "
                "page images, so it cannot shrink without losing content; ask its issuer for "
                "a smaller file, or split it if the portal allows"
            )
        else:
            message = (
                f"reached {_size(size)} without going below {portal.floors.min_dpi} dpi and "
                f"JPEG quality {portal.floors.min_quality}, {over}: rescan it in greyscale at "
                "150-200 dpi, or split it if the portal allows"
            )
        return dataclasses.replace(
            base, status="too-large", bytes=size, pages=fitted.pages, format=portal.format,
            actions=tuple(actions), message=message,
        )
    (staging / name).write_bytes(fitted.data)
    return dataclasses.replace(
        base, status="packed", file=name, format=portal.format, bytes=size,
        pages=fitted.pages, actions=tuple(actions), message=note,
    )


def _uploader_note(up: _Upload) -> str:
    if up.uploaded_by:
        return (
            f"uploaded by the {up.uploaded_by}, not by you: send this file to your "
            f"{up.uploaded_by} for {up.portal.title}"
        )
    return ""


def _unique(stem: str, ext: str, taken: set[str]) -> str:
    name, n = f"{stem}.{ext}", 2
    while name.lower() in taken:
        name, n = f"{stem}-{n}.{ext}", n + 1
    taken.add(name.lower())
    return name


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f} MB ({n:,} bytes)"
    return f"{n / 1000:.0f} KB ({n:,} bytes)"


# -- the output folder ---------------------------------------------------------------------


def check_output(out: Path, run: CheckRun, *, force: bool) -> None:
    """OutputError when writing ``out`` could touch a source or would overwrite without force."""
    target = out.resolve()
    folder = run.folder.resolve()
    if target == folder or folder.is_relative_to(target):
        raise OutputError(
            f"{out}: holds the applicant's folder {run.folder}; refusing to replace it. "
            "Choose another output with --out"
        )
    sources = [d.path for d in run.report.documents] + [run.folder / r for r in run.report.ignored]
    ours = previous_outputs(target)
    for src in sources:
        resolved = Path(src).resolve()
        if resolved.is_relative_to(target) and resolved not in ours:
            raise OutputError(
                f"{out}: holds source documents of {run.folder} (e.g. {src.name}); "
                "refusing to replace it. Choose another output with --out"
            )
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another output with --out")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise OutputError(
            f"{out}: exists and is not empty; use --force to replace it, or choose another --out"
        )
    if target.is_dir() and force:  # a pack writes only files: a folder of folders is not one
        sub = next((p for p in sorted(target.iterdir()) if p.is_dir()), None)
        if sub is not None:
            raise OutputError(
                f"{out}: holds the folder {sub.name}, so it is not an earlier pack's output; "
                "--force replaces only a folder of files. Choose another output with --out"
            )


def _publish(staging: Path, out: Path) -> None:
    """Rename the finished staging folder into place (an old folder is replaced whole)."""
    old: Path | None = None
    if out.is_dir():
        if any(out.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            old.rmdir()
            out.rename(old)
        else:
            out.rmdir()
    try:
        staging.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# -- entry points --------------------------------------------------------------------------


def pack(
    folder: Path,
    portal: str,
    *,
    out: Path | None = None,
    force: bool = False,
    track: str | None = None,
    as_of: date | None = None,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    ocr: bool = True,
) -> PackResult:
    """Check ``folder``, then write one upload-ready file per slot of ``portal`` into ``out``.

    ``progress(stage, done, total)``: documents read, then uploads made (``progress``).
    ``ocr=False``: scans are not read by OCR (``--no-ocr``)."""
    from ..readers import reader_limits

    limits = reader_limits(ocr=ocr)
    run = run_check(
        Path(folder), track=track, as_of=as_of, jobs=jobs, progress=progress, limits=limits
    )
    return pack_run(run, portal, out=out, force=force, progress=progress)


def pack_run(
    run: CheckRun,
    portal: str,
    *,
    out: Path | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> PackResult:
    """Pack an already checked folder (see ``pack``)."""
    rules = portal_rules(run.checklist, portal)
    family = safe_name(run.profile.applicant.family_name or "", "applicant")
    family_name = run.profile.applicant.family_name
    out = Path(out) if out is not None else default_output(family_name, portal)
    check_output(out, run, force=force)
    plan = _plan(run, rules)
    if out.resolve().is_relative_to(run.folder.resolve()):
        rel = out.resolve().relative_to(run.folder.resolve()).as_posix()
        plan.notes.append(
            f"{out} is inside the applicant folder: its PDFs are marked as this tool's own and "
            "left out of checks, but a photo JPEG and the manifests are not; add "
            f'"{rel}/*": ignore under files: in dossier.yaml, or pack outside the folder'
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise OutputError(
            f"{out}: cannot create the output folder ({exc.strerror or exc}); "
            "choose another output with --out"
        ) from exc
    try:
        taken: set[str] = {"manifest.json", "manifest.csv"}
        made: list[SlotResult] = []
        with tempfile.TemporaryDirectory(prefix="dossier-pack-") as work:
            for n, up in enumerate(plan.uploads, 1):
                made.append(_make(up, family, Path(work), staging, taken))
                if progress is not None:
                    progress(PACKING, n, len(plan.uploads))
        order = {
            key: n
            for n, key in enumerate((p.id, s.id) for p in rules for s in p.slots)
        }
        slots = sorted([*made, *plan.rows], key=lambda s: _slot_rank(order, s))
        plan.notes.extend(
            f"{s.file}: {s.message}" for s in made if _KEPT_ACTIVE in s.actions
        )
        result = PackResult(
            portal=portal,
            folder=str(run.folder),
            output=out.resolve(),
            applicant=run.report.applicant,
            portals=rules,
            slots=tuple(slots),
            refused=tuple(plan.refused),
            notes=tuple(plan.notes),
            as_of=run.report.as_of,
        )
        (staging / "manifest.json").write_text(
            json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (staging / "manifest.csv").write_text(manifest_csv(result), encoding="utf-8")
        _publish(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{out}: cannot be written ({exc.strerror or exc})") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _slot_rank(order: Mapping[tuple[str, str], int], s: SlotResult) -> int:
    """A slot's place in the portal's data; numbered slots (reference-letter-2) and
    translations (transcript-translation) sort with their slot, unpaired ones last."""
    for (pid, sid), n in order.items():
        if pid == s.portal and (s.slot == sid or s.slot.startswith(f"{sid}-")):
            return n
    return len(order)
