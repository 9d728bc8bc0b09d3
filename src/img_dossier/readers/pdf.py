"""Read a PDF: pages, page sizes, metadata, signatures and first-pages text with PDFium.

PDFium (pypdfium2) answers everything for a well-formed file in one parse, several times
faster than pypdf (bench/, README "Performance"). pypdf (strict=False) reads only the files
PDFium does not open cleanly: a password, a cut-short file, a broken cross-reference table
that had to be rebuilt. Its log of what it repaired is the ``damaged`` warning's text, and
what it cannot repair is a ``damaged`` error.

Encryption is an ``encrypted`` problem because portals reject encrypted PDFs.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import OWN_OUTPUT_KEY, Problem
from .result import Reading, cap_text, error, warning

if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject

    from .limits import Limits

#: pypdf loggers whose warnings, while opening a file, mean its structure was repaired.
_STRUCTURE_LOGGERS = ("pypdf._reader", "pypdf._doc_common", "pypdf.generic")

#: Bounds on walking the AcroForm field tree for signatures.
_MAX_FIELDS = 2000
_MAX_FIELD_DEPTH = 12

ENCRYPTED_LOCKED = (
    "password-protected: portals reject it; remove the password (print to PDF without a "
    "password) and replace the file"
)
ENCRYPTED_OPEN = (
    "encrypted (it opens without a password, but has an owner password): portals reject "
    "encrypted PDFs; print it to a new PDF without a password and replace the file"
)
NO_TEXT = (
    "a scan without a text layer: its content could not be checked; if it is a scan, run "
    "it through OCR (e.g. ocrmypdf) or check its content yourself"
)


def read_pdf(path: Path, limits: Limits) -> Reading:
    """Read one PDF; never raises for a bad file (MemoryError excepted: the caller's job)."""
    info: dict[str, Any] = {
        "encrypted": False,
        "signed": False,
        "page_sizes": [],
        "producer": None,
        "title": None,
        "own_output": False,
        "own_output_pack": False,
        "recovered": False,
        "images_only": False,
    }
    data = path.read_bytes()  # once, for the parsers and the byte-level checks (size is capped)
    if not _cut_short(data):
        fast = _read_with_pdfium(data, info, limits)
        if fast is not None:
            return fast
    return _read_with_pypdf(data, info, limits)


def preload() -> None:
    """Import the libraries of the fast path (before worker processes fork, so that they
    share them); pypdf, for damaged and locked files only, is imported when one comes."""
    import pikepdf  # noqa: F401
    import pypdfium2
    import pypdfium2.raw  # noqa: F401


def _read_with_pypdf(data: bytes, info: dict[str, Any], limits: Limits) -> Reading:
    """The careful path: pypdf's structure and repair log, PDFium's text where it opens."""
    from pypdf import PdfReader

    problems: list[Problem] = []
    with _pypdf_log() as log, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            locked = False
            if reader.is_encrypted:
                info["encrypted"] = True
                locked = not _opens_without_password(reader)
                problems.append(
                    error("encrypted", ENCRYPTED_LOCKED)
                    if locked
                    else warning("encrypted", ENCRYPTED_OPEN)
                )
            pages = len(reader.pages)
        except RecursionError:
            return _unreadable(info, problems, "its structure is nested too deeply")
        except Exception as exc:  # untrusted input: any pypdf failure is damage
            if info["encrypted"]:
                return Reading("pdf", None, "", tuple(problems), info)
            why = _describe(exc, log)
            if _cut_short(data):
                why = f"it is cut short, with no end-of-file marker: {why}"
            return _unreadable(info, problems, why)
        if locked:
            return Reading("pdf", pages, "", tuple(problems), info)
        repairs = [r.getMessage() for r in log if r.name.startswith(_STRUCTURE_LOGGERS)]
        if pages == 0:
            return _unreadable(info, problems, "it has no pages")
        _read_metadata(reader, info)
        info["page_sizes"], unmeasured = _page_sizes(reader, pages)
        info["signed"] = _signed(reader, data)
        count = min(pages, limits.text_pages)
        pdfium_text = _pdfium_text(data, count)
        if pdfium_text is not None:
            text, failures = pdfium_text
        else:  # PDFium cannot open what pypdf could: pypdf's own extraction
            text, failures = _first_pages_text(reader, count)
        failures += unmeasured
    if repairs or failures:
        info["recovered"] = True
        found = (repairs or failures)[0]
        problems.append(
            warning(
                "damaged",
                f"damaged but recovered: {_short(found)}; it may be incomplete: open it and "
                "re-save it (print to PDF) or get a fresh copy, then replace the file",
            )
        )
    if not text.strip():
        info["images_only"] = True
        if limits.ocr:
            text, read = _ocr(data, pages, info, limits)
            problems.extend(read)
        else:
            problems.append(warning("no-text", NO_TEXT))
    return Reading("pdf", pages, text, tuple(problems), info)


def _read_with_pdfium(data: bytes, info: dict[str, Any], limits: Limits) -> Reading | None:
    """The Reading of a PDF that PDFium opens cleanly, or None: PDFium could not open it
    (a password, a structure it rejects) or had to rebuild its cross-reference table; the
    caller then reads it with pypdf, whose repair log says what was wrong."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        doc = pdfium.PdfDocument(data)
    except Exception:  # a password or a structure PDFium rejects: the careful path
        return None
    try:
        if not raw.FPDF_DocumentHasValidCrossReferenceTable(doc.raw):
            return None  # repaired while opening: pypdf says what was repaired
        pages = len(doc)
        signed = _well_formed(data, pages) if pages else None
        if signed is None:
            return None
        problems: list[Problem] = []
        if raw.FPDF_GetSecurityHandlerRevision(doc.raw) != -1:  # it opened without a password
            info["encrypted"] = True
            problems.append(warning("encrypted", ENCRYPTED_OPEN))
        _pdfium_metadata(doc, info)
        info["page_sizes"], failures = _pdfium_page_sizes(doc, pages)
        info["signed"] = signed or b"/ByteRange" in data
        text, unread = _doc_text(doc, min(pages, limits.text_pages))
        failures += unread
    finally:
        doc.close()
    if failures:
        info["recovered"] = True
        problems.append(
            warning(
                "damaged",
                f"damaged but recovered: {_short(failures[0])}; it may be incomplete: open it "
                "and re-save it (print to PDF) or get a fresh copy, then replace the file",
            )
        )
    if not text.strip():
        info["images_only"] = True
        if limits.ocr:
            text, read = _ocr(data, pages, info, limits)
            problems.extend(read)
        else:
            problems.append(warning("no-text", NO_TEXT))
    return Reading("pdf", pages, text, tuple(problems), info)


def _well_formed(data: bytes, pages: int) -> bool | None:
    """Whether a signature field of the form holds a value, or None when the file is not
    well formed: qpdf (pikepdf) warns while parsing it, finds another number of pages, or a
    page has no usable MediaBox of its own or inherited (PDFium silently puts US Letter in
    place of a broken one, and lets past structure pypdf repairs)."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) != pages:
                return None
            for page in pdf.pages:
                box = [float(v) for v in page.mediabox]
                if len(box) != 4 or box[0] == box[2] or box[1] == box[3]:
                    return None
            signed = _pikepdf_signed(pdf)
            return None if pdf.get_warnings() else signed
    except Exception:  # anything qpdf cannot take is read the careful way (pypdf)
        return None


def _pikepdf_signed(pdf: Any) -> bool:
    """True when a signature field (/FT /Sig, at most _MAX_FIELD_DEPTH deep in the form's
    field tree) carries a value (/V): what ``_signed`` finds with pypdf."""
    import pikepdf

    form = pdf.Root.get("/AcroForm")
    fields = form.get("/Fields") if isinstance(form, pikepdf.Dictionary) else None
    if not isinstance(fields, pikepdf.Array):
        return False
    stack: list[tuple[Any, int]] = [(f, 0) for f in list(fields)[:_MAX_FIELDS]]
    seen = 0
    while stack and seen < _MAX_FIELDS:
        field, depth = stack.pop()
        seen += 1
        if not isinstance(field, pikepdf.Dictionary):
            continue
        if str(field.get("/FT", "")) == "/Sig" and field.get("/V") is not None:
            return True
        kids = field.get("/Kids")
        if isinstance(kids, pikepdf.Array) and depth < _MAX_FIELD_DEPTH:
            stack.extend((k, depth + 1) for k in list(kids)[:_MAX_FIELDS])
    return False


def _pdfium_metadata(doc: Any, info: dict[str, Any]) -> None:
    """Producer, title and the mark of the tool's own outputs, from the Info dictionary."""
    try:
        mark = doc.get_metadata_value(OWN_OUTPUT_KEY.lstrip("/"))
        info["own_output"] = bool(mark)
        info["own_output_pack"] = bool(mark) and _pack_mark(mark)
        for key, name in (("Producer", "producer"), ("Title", "title")):
            text = cap_text(doc.get_metadata_value(key)).strip()[:500]
            info[name] = text or None
    except Exception:  # metadata is optional; a broken /Info dictionary is not fatal
        return


def _pdfium_page_sizes(doc: Any, pages: int) -> tuple[list[list[float]], list[str]]:
    """[width, height] of every page as a viewer shows it (the crop box, turned by /Rotate),
    without parsing the pages' content; failures for pages that could not be measured."""
    sizes: list[list[float]] = []
    failures: list[str] = []
    for index in range(pages):
        try:
            width, height = doc.get_page_size(index)
            width, height = abs(float(width)), abs(float(height))
        except Exception:  # a page we cannot measure keeps its place with size 0 x 0
            width = height = 0.0
        sizes.append([round(width, 2), round(height, 2)])
        if not (width > 0 and height > 0):
            failures.append(f"page {index + 1} has no usable size (MediaBox)")
    return sizes, failures


def _ocr(
    data: bytes, pages: int, info: dict[str, Any], limits: Limits
) -> tuple[str, tuple[Problem, ...]]:
    """Text of an image-only PDF by OCR of its first pages (rendered by PDFium)."""
    from .ocr import OcrUnavailable
    from .scans import ocr_failed, pdf_pages, read_scan

    try:
        scans = pdf_pages(data, limits.ocr_pages)
        text, found, problems = read_scan(scans, pages, limits.seconds / 3)
    except MemoryError:
        raise
    except OcrUnavailable as exc:
        info["ocr"] = {"error": str(exc)}
        return "", (warning("no-text", NO_TEXT),)
    except Exception as exc:  # PDFium or the engine failed on a page: unread, not damaged
        info["ocr"] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        return "", (warning("no-text", ocr_failed(exc)),)
    info["ocr"] = found
    return text, problems


def _opens_without_password(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported algorithm or missing crypto library: treat as locked
        return False


def _unreadable(info: dict[str, Any], problems: list[Problem], why: str) -> Reading:
    problems.append(
        error(
            "damaged",
            f"damaged and could not be read ({why}): get a fresh copy from its source or "
            "re-save it (print to PDF), then replace the file",
        )
    )
    return Reading("pdf", None, "", tuple(problems), info)


def _cut_short(data: bytes) -> bool:
    """True when the file does not end with a %%EOF marker (an interrupted download or copy)."""
    return b"%%EOF" not in data[-1024:]


def _describe(exc: Exception, log: list[logging.LogRecord]) -> str:
    message = str(exc).strip() or type(exc).__name__
    if log and message in ("", type(exc).__name__):
        message = log[-1].getMessage()
    return _short(message)


def _short(message: str, limit: int = 120) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _read_metadata(reader: PdfReader, info: dict[str, Any]) -> None:
    try:
        meta = reader.metadata
        if meta is None:
            return
        info["own_output"] = OWN_OUTPUT_KEY in meta
        if info["own_output"]:
            info["own_output_pack"] = _pack_mark(meta.get(OWN_OUTPUT_KEY))
        for key, name in (("/Producer", "producer"), ("/Title", "title")):
            value = meta.get(key)
            if value is not None:
                text = cap_text(str(value)).strip()[:500]
                info[name] = text or None
    except Exception:  # metadata is optional; a broken /Info dictionary is not fatal
        return


def _pack_mark(value: object) -> bool:
    """True when the tool's mark says ``dossier pack`` wrote the file (a copy of a user's
    document, which counts), not a dossier or a letter."""
    return isinstance(value, str) and value.strip().endswith("(pack)")


def _page_sizes(reader: PdfReader, pages: int) -> tuple[list[list[float]], list[str]]:
    """[width, height] of every page as displayed; failures for pages that could not be measured."""
    sizes: list[list[float]] = []
    failures: list[str] = []
    for index in range(pages):
        try:
            page = reader.pages[index]
            box = page.mediabox
            width, height = abs(float(box.width)), abs(float(box.height))
            if int(page.get("/Rotate", 0) or 0) % 180 == 90:
                width, height = height, width
            sizes.append([round(width, 2), round(height, 2)])
            if not (width > 0 and height > 0):
                failures.append(f"page {index + 1} has no usable size (MediaBox)")
        except Exception:  # a page we cannot measure keeps its place with size 0 x 0
            sizes.append([0.0, 0.0])
            failures.append(f"page {index + 1} has no usable size (MediaBox)")
    return sizes, failures


def _first_pages_text(reader: PdfReader, count: int) -> tuple[str, list[str]]:
    texts: list[str] = []
    failures: list[str] = []
    for index in range(count):
        try:
            texts.append(reader.pages[index].extract_text() or "")
        except RecursionError:
            failures.append(f"page {index + 1}: its content is nested too deeply")
        except Exception as exc:  # one bad page must not lose the others
            failures.append(f"page {index + 1}: {exc or type(exc).__name__}")
    return cap_text("\n\f".join(texts)), failures


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t\f")


def _pdfium_text(data: bytes, count: int) -> tuple[str, list[str]] | None:
    """Text of the first ``count`` pages by PDFium, or None when PDFium cannot open the file."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except Exception:  # a structure PDFium rejects (or a password): the caller falls back
        return None
    try:
        return _doc_text(doc, count)
    finally:
        doc.close()


def _doc_text(doc: Any, count: int) -> tuple[str, list[str]]:
    """Text of the first ``count`` pages of an open PDFium document; failures by page."""
    texts: list[str] = []
    failures: list[str] = []
    for index in range(min(count, len(doc))):
        try:
            page = doc[index]
            try:
                textpage = page.get_textpage()
                try:
                    raw = _layout_text(textpage)
                finally:
                    textpage.close()
            finally:
                page.close()
        except Exception as exc:  # one bad page must not lose the others
            failures.append(f"page {index + 1}: {exc or type(exc).__name__}")
            continue
        texts.append(raw.translate(_CONTROL))
    return cap_text("\n\f".join(texts)), failures


def _layout_text(textpage: Any) -> str:
    """The page's text line by line, as PDFium segments it into runs.

    Runs on one line are joined with a space, or two when a column gap separates them
    (``Examinee  Mateo Rojas``: a label and its value), as the facts' patterns expect.
    PDFium is called directly (one call per run into one buffer): the helpers' two calls
    and a buffer per run were a third of the time of reading a small PDF.
    """
    import ctypes

    import pypdfium2.raw as raw

    handle = textpage.raw
    capacity = max(0, raw.FPDFText_CountChars(handle)) + 2
    buffer = ctypes.create_string_buffer(capacity * 2)
    chars = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    box = [ctypes.c_double() for _ in range(4)]
    lines: list[str] = []
    parts: list[str] = []
    line: tuple[float, float, float, float] | None = None
    for index in range(raw.FPDFText_CountRects(handle, 0, -1)):
        if not raw.FPDFText_GetRect(handle, index, *box):
            continue
        left, top, right, bottom = (v.value for v in box)
        got = max(
            0,
            min(
                capacity,
                raw.FPDFText_GetBoundedText(handle, left, top, right, bottom, chars, capacity),
            ),
        )
        run = buffer.raw[: got * 2].decode("utf-16-le", errors="replace")
        if run.endswith("\x00"):  # the count includes the terminating NUL
            run = run[:-1]
        run = " ".join(run.split("\r\n"))
        run = run.replace("\r", " ").replace("\n", " ").rstrip()
        if line is not None:
            l0, b0, r0, t0 = line
            overlap = min(top, t0) - max(bottom, b0)
            if overlap > 0.5 * min(top - bottom, t0 - b0) and left >= r0 - 1:
                gap = left - r0
                parts.append(("  " if gap > max(top - bottom, t0 - b0, 1.0) else " ") + run)
                line = (l0, min(bottom, b0), right, max(top, t0))
                continue
            lines.append("".join(parts))
        parts = [run]
        line = (left, bottom, right, top)
    if parts:
        lines.append("".join(parts))
    return "\n".join(lines)


def _signed(reader: PdfReader, data: bytes) -> bool:
    """True when a signature field carries a value or the file has a /ByteRange."""
    from pypdf.generic import ArrayObject, DictionaryObject

    try:
        root = reader.trailer["/Root"].get_object()
        if not isinstance(root, DictionaryObject):
            return b"/ByteRange" in data
        form = root.get("/AcroForm")
        form = form.get_object() if form is not None else None
        if isinstance(form, DictionaryObject):
            fields = form.get("/Fields")
            fields = fields.get_object() if fields is not None else None
            if isinstance(fields, ArrayObject) and _has_signed_field(fields):
                return True
    except Exception:  # a broken form tree says nothing either way
        pass
    return b"/ByteRange" in data


def _has_signed_field(fields: ArrayObject) -> bool:
    from pypdf.generic import ArrayObject, DictionaryObject

    stack: list[tuple[Any, int]] = [(f, 0) for f in fields[:_MAX_FIELDS]]
    seen = 0
    while stack and seen < _MAX_FIELDS:
        ref, depth = stack.pop()
        seen += 1
        field = ref.get_object()
        if not isinstance(field, DictionaryObject):
            continue
        if field.get("/FT") == "/Sig" and field.get("/V") is not None:
            return True
        kids = field.get("/Kids")
        kids = kids.get_object() if kids is not None else None
        if isinstance(kids, ArrayObject) and depth < _MAX_FIELD_DEPTH:
            stack.extend((k, depth + 1) for k in kids[:_MAX_FIELDS])
    return False


@contextmanager
def _pypdf_log() -> Iterator[list[logging.LogRecord]]:
    """Collect pypdf's log records (its repair notes) instead of letting them reach stderr."""
    records: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(records) < 200:
                records.append(record)

    logger = logging.getLogger("pypdf")
    handler = _Collect(logging.WARNING)
    saved = (logger.propagate, logger.level)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved[0]
        logger.setLevel(saved[1])
