"""Read further pages of one document: the job of the second reading pass.

The first reading of a file takes its first pages (``Limits.text_pages`` of text,
``Limits.ocr_pages`` by OCR): enough to classify it. When its item's checklist entry asks
for more (``read_pages:``) and its rules lack a fact, ``checking/more_pages.py`` has the
pages it names read here, in a reader worker under the same time and memory limits: each
page's text layer, else (a scan, OCR on) its text by OCR. No page is begun after half the
file's time limit, so a long scan stops with the pages it has, never with a ``timeout``.

What it returns is plain data (pickled back from the worker, stored in the read cache).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from .limits import Limits

#: Bump when what read_more returns changes, so that cached results are not reused.
MORE_VERSION = 1

#: Share of the file's time limit after which no further page is begun.
BUDGET_SHARE = 0.5

#: Why reading stopped before the last page asked for (``stopped`` of the result).
STOPPED_TIME = "time"
STOPPED_CHANGED = "changed"
STOPPED_NO_OCR = "ocr-unavailable"
STOPPED_FAILED = "failed"


def cache_key(sha256: str, fmt: str, pages: Sequence[int], limits: Limits) -> str:
    """The cache key of a further reading: content, format, the pages, the engine, limits."""
    from . import READER_VERSION
    from .scans import RENDER_DPI

    if limits.ocr:
        from .ocr_tag import cache_tag

        how = f"ocr.{cache_tag().replace(' ', '-')}.{RENDER_DPI}"
    else:
        how = "no-ocr"
    chosen = ",".join(str(p) for p in pages)
    bounds = f"{limits.seconds:g}.{limits.max_pixels}.{limits.max_bytes}"
    return f"more:{sha256}:{fmt}:r{READER_VERSION}.m{MORE_VERSION}:{chosen}:{how}:{bounds}"


def read_more(
    path: str, fmt: str, sha256: str, pages: Sequence[int], limits: Limits
) -> dict[str, Any]:
    """The text of the 0-based ``pages`` (ascending) of a PDF or a multi-page image.

    ``{"pages": [...], "texts": [...], "ocr": [...], "confidence": [[c, chars], ...],
    "rotated": [...], "engine": str | None, "stopped": None | "time" | "changed" |
    "ocr-unavailable" | "failed", "why": str}``: the pages read (in order) with their
    text, which of them OCR read (with its confidence and turn), and why reading stopped
    early. A file that is no longer the one read first is ``changed``, and nothing is read.
    """
    out: dict[str, Any] = {
        "pages": [],
        "texts": [],
        "ocr": [],
        "confidence": [],
        "rotated": [],
        "engine": None,
        "stopped": None,
        "why": "",
    }
    with open(path, "rb") as fh:
        data = fh.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes or hashlib.sha256(data).hexdigest() != sha256:
        out["stopped"] = STOPPED_CHANGED
        return out
    started = time.monotonic()
    budget = limits.seconds * BUDGET_SHARE
    try:
        if fmt == "pdf":
            _pdf_pages(data, pages, limits, out, started, budget)
        else:
            _image_pages(Path(path), pages, limits, out, started, budget)
    except MemoryError:
        raise
    except Exception as exc:  # an untrusted page can make a library fail: keep what was read
        out["stopped"] = STOPPED_FAILED
        out["why"] = f"{type(exc).__name__}: {exc}"[:200]
    return out


def _out_of_time(out: dict[str, Any], started: float, budget: float) -> bool:
    if out["pages"] and time.monotonic() - started > budget:
        out["stopped"] = STOPPED_TIME
        return True
    return False


def _pdf_pages(
    data: bytes,
    pages: Sequence[int],
    limits: Limits,
    out: dict[str, Any],
    started: float,
    budget: float,
) -> None:
    import pypdfium2 as pdfium

    from .pdf import _CONTROL, _layout_text
    from .scans import render_page

    pdf = pdfium.PdfDocument(data)
    try:
        total = len(pdf)
        for index in pages:
            if index >= total or _out_of_time(out, started, budget):
                break
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = _layout_text(textpage).translate(_CONTROL)
                finally:
                    textpage.close()
                if text.strip() or not limits.ocr:
                    _add(out, index, text)
                    continue
                if not _ocr_into(out, index, render_page(page)):
                    return
            finally:
                page.close()
    finally:
        pdf.close()


def _image_pages(
    path: Path,
    pages: Sequence[int],
    limits: Limits,
    out: dict[str, Any],
    started: float,
    budget: float,
) -> None:
    from .image import register_heif
    from .scans import image_frames_at

    if not limits.ocr:
        return  # an image has no text layer: without OCR there is nothing to read
    if path.suffix.lower() in (".heic", ".heif"):
        register_heif()
    for index, frame in image_frames_at(path, pages, limits.max_pixels):
        if _out_of_time(out, started, budget) or not _ocr_into(out, index, frame):
            return


def _ocr_into(out: dict[str, Any], index: int, image: Image.Image) -> bool:
    """OCR one page into ``out``; False when the engine cannot run here."""
    from . import ocr

    try:
        page = ocr.read_page(image)
    except ocr.OcrUnavailable as exc:
        out["stopped"] = STOPPED_NO_OCR
        out["why"] = str(exc)[:200]
        return False
    out["engine"] = ocr.engine_name()
    _add(out, index, page.text)
    out["ocr"].append(index)
    out["confidence"].append([page.confidence, page.chars])
    out["rotated"].append(page.rotated)
    return True


def _add(out: dict[str, Any], index: int, text: str) -> None:
    out["pages"].append(index)
    out["texts"].append(text.replace("\x00", ""))
