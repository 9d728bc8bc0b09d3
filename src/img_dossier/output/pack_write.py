"""Making one upload file: converting, joining, fixing to the portal's rules, fitting."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from ..model import Document
from ..sizes import format_size
from .active_content import strip_writer as _strip_active_content
from .convert import to_pdf
from .pack_fixes import pages_off, rescale_pages, small_photo

#: The portals of INTERFACE.md; a custom checklist may define more.
from .pack_plan import _Upload
from .pack_results import SlotResult, safe_name
from .pack_rules import _FORMAT_EXT, _MARKER, _PHOTO_SOURCES, PortalRules
from .shrink import API_CHANGED, Fitted, fit_pdf, fit_photo, pdf_bytes

# -- making the files ----------------------------------------------------------------------


def _make(up: _Upload, family: str, work: Path, staging: Path, taken: set[str]) -> SlotResult:
    portal = up.portal
    sources = tuple(d.rel for d in up.documents)
    ext = _FORMAT_EXT[portal.format]
    name = _unique(f"{safe_name(up.slot)}_{family}", ext, taken)
    base = SlotResult(
        slot=up.slot,
        portal=portal.id,
        item=up.item,
        status="failed",
        sources=sources,
        limit=portal.max_bytes,
    )
    note = _uploader_note(up)
    if portal.format == "jpeg":
        return _make_photo(up, base, name, staging, note)
    actions: list[str] = []
    signed = [d.rel for d in up.documents if d.info.get("signed")]
    if signed and not portal.signatures:
        return _failed(
            base,
            f"{', '.join(signed)}: digitally signed, and {portal.title} refuses signed PDFs; "
            "a copy without the signature would no longer be what its signer signed, so it is "
            "not written: ask the signer for an unsigned PDF (or print it to a new PDF)",
        )
    if up.unaltered and len(up.documents) == 1 and up.documents[0].format == "pdf":
        return _make_unaltered(up, base, name, staging, note)
    active = {d.rel: _active_content(d.path) for d in up.documents if d.format == "pdf"}
    if len(up.documents) == 1 and up.documents[0].format == "pdf":
        as_is = _as_is(up, base, name, staging, note, active[up.documents[0].rel])
        if as_is is not None:
            return as_is
    writer = PdfWriter()
    failed = _append_all(up, base, work, writer, actions)
    if failed is not None:
        return failed
    if len(up.documents) > 1:
        actions.append(f"joined {len(up.documents)} documents")
    if portal.page_size is not None:
        rescaled = rescale_pages(writer, portal.page_size)
        if rescaled:
            w, h = portal.page_size
            actions.append(
                f"rescaled {rescaled} page{'s' if rescaled > 1 else ''} to {w:g} x {h:g} pt, "
                "the portal's paper size"
            )
    removed = [f"{rel} ({', '.join(a.kinds)})" for rel, a in active.items() if a.kinds]
    if removed:
        _strip_active(writer)
        actions.append(f"removed scripts and automatic actions from {'; '.join(removed)}")
    writer.add_metadata(_MARKER)
    try:
        joined = pdf_bytes(writer)
        fitted = fit_pdf(joined, portal.max_bytes, portal.floors, _MARKER)
    except API_CHANGED:  # pypdf's API changed under us: a bug to see, never "damaged"
        raise
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
            doc.path,
            portal.max_bytes,
            min_pixels=portal.min_pixels,
            min_quality=portal.floors.min_quality,
            dpi=portal.dpi,
            aspect=portal.aspect,
        )
        with Image.open(BytesIO(fitted.data)) as written:
            small = small_photo(written.size, portal.min_pixels)
    except Exception as exc:  # Pillow cannot decode it after all
        return _failed(base, f"{doc.rel}: not a readable image ({exc})")
    if small is not None:
        return _failed(base, f"{doc.rel}: {small}")
    actions = fitted.actions
    if len(up.documents) > 1:
        actions = (*actions, f"only the first photo, {doc.rel}, packed")
    return _finish(base, fitted, name, staging, actions, note, portal)


def _as_is(
    up: _Upload, base: SlotResult, name: str, staging: Path, note: str, found: ActiveContent
) -> SlotResult | None:
    """A single PDF that already fits goes as it is (a signature stays valid), unless it
    carries scripts and no signature; None: it is rewritten (by the caller)."""
    portal = up.portal
    single = up.documents[0]
    sizes = single.info.get("page_sizes") or ()
    if (
        single.bytes < portal.max_bytes
        and (not found.kinds or found.signed)
        and not pages_off(sizes, portal.page_size)
    ):
        try:
            data, pages = _marked_copy(single)
        except API_CHANGED:  # pypdf's API changed under us: a bug to see, never "damaged"
            raise
        except Exception:  # pypdf cannot append to it: it is rewritten below
            data, pages = b"", 0
        if data and len(data) <= portal.max_bytes:
            fitted = Fitted(data, True, (), pages)
            kept = _kept_active(single, found, "it is digitally signed")
            acts = ("copied unchanged", *((_KEPT_ACTIVE,) if kept else ()))
            message = " ".join(m for m in (kept, note) if m)
            return _finish(base, fitted, name, staging, acts, message, portal)
    return None


def _append_all(
    up: _Upload, base: SlotResult, work: Path, writer: PdfWriter, actions: list[str]
) -> SlotResult | None:
    """Every document of the upload appended to ``writer`` (others converted to PDF first);
    the failed result when one cannot be, else None."""
    portal = up.portal
    for n, doc in enumerate(up.documents):
        part = work / f"{safe_name(up.slot)}-{n}.pdf"
        if doc.format == "pdf":
            try:
                reader = PdfReader(doc.path, strict=False)
                writer.append(reader, import_outline=False)
            except API_CHANGED:  # pypdf's API changed under us: a bug to see, never "damaged"
                raise
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
        except API_CHANGED:  # pypdf's API changed under us: a bug to see, never "damaged"
            raise
        except Exception as exc:  # pypdf raises many kinds for a PDF it cannot parse
            return _failed(base, f"{doc.rel}: its conversion cannot be read ({exc})")
    return None


def _make_unaltered(
    up: _Upload, base: SlotResult, name: str, staging: Path, note: str
) -> SlotResult:
    """The PDF's own bytes, with the tool's marker appended as an incremental update."""
    doc = up.documents[0]
    try:
        data, pages = _marked_copy(doc)
    except API_CHANGED:  # pypdf's API changed under us: a bug to see, never "damaged"
        raise
    except Exception as exc:  # untrusted PDF: pypdf raises many kinds; this slot fails
        return _failed(base, f"{doc.rel}: could not be copied ({exc})")
    fitted = Fitted(data, len(data) <= up.portal.max_bytes, (), pages)
    found = _active_content(doc.path)
    kept = _kept_active(
        doc,
        found,
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
    except Exception:  # any failure of a hostile structure: the scan is incomplete
        # What was not scanned may hold scripts: never copy such a file as it is, strip it.
        kinds.add("parts that could not be scanned, stripped to be safe")
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
            base,
            status="too-large",
            bytes=size,
            pages=fitted.pages,
            format=portal.format,
            actions=tuple(actions),
            message=message,
        )
    (staging / name).write_bytes(fitted.data)
    return dataclasses.replace(
        base,
        status="packed",
        file=name,
        format=portal.format,
        bytes=size,
        pages=fitted.pages,
        actions=tuple(actions),
        message=note,
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
    """Sizes compared with a limit: the one convention of sizes.py, exact bytes added."""
    return format_size(n, exact=True)
