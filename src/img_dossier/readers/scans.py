"""Scans and photos read by OCR: the pages of an image or an image-only PDF, turned into
the text, info and problems of a Reading.

Only the first ``Limits.ocr_pages`` pages are read (classification and most facts the rules
read are on the first pages); a longer scan says which pages were left unread. Pages
further on are read later, for the documents of an item whose checklist entry asks for
them (``read_pages:``) and whose rules lack a fact (``pages.py``, ``checking/more_pages.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from ..model import Problem
from . import ocr
from .result import cap_text, page_ranges, warning

#: Resolution a PDF page is rendered at for OCR (lowered for pages too large for MAX_SIDE).
RENDER_DPI = 200

NOTHING_READ = (
    "a scan or photo without a text layer in which OCR found no text: its content could not "
    "be checked; if it is a document, scan it again (flat, in good light, 300 dpi) or check "
    "it yourself"
)


def read_scan(
    pages: Iterable[Image.Image], total: int, budget: float
) -> tuple[str, dict[str, Any], tuple[Problem, ...]]:
    """OCR of the page images given (the first pages of a document of ``total`` pages):
    (text, info["ocr"] value, problems). No page is begun after ``budget`` seconds (the
    file's time limit must not be reached by reading a second page). Raises
    ocr.OcrUnavailable when OCR cannot run here."""
    texts: list[str] = []
    confidences: list[tuple[float, int]] = []
    turns: list[int] = []
    started = time.monotonic()
    for image in pages:
        if texts and time.monotonic() - started > budget:
            break
        page = ocr.read_page(image)
        texts.append(page.text)
        confidences.append((page.confidence, page.chars))
        turns.append(page.rotated)
    chars = sum(n for _c, n in confidences)
    info: dict[str, Any] = {
        "engine": ocr.engine_name(),
        "pages": len(texts),
        "confidence": round(sum(c * n for c, n in confidences) / chars, 3) if chars else 0.0,
        "rotated": turns,
    }
    text = cap_text("\n\f".join(texts))
    problems: list[Problem] = []
    if not text.strip():
        problems.append(warning("no-text", NOTHING_READ))
    elif total > len(texts):
        problems.append(unread_pages(total, range(len(texts)), ocr=True))
    return text, info, tuple(problems)


#: How the warning about a document's unread pages begins (replaced when more are read).
_UNREAD_STARTS = ("a scan of ", "a document of ")


def unread_pages(
    total: int, read: Iterable[int], *, ocr: bool, why: str = "", next_step: str = ""
) -> Problem:
    """The ``no-text`` warning of a document of ``total`` pages of which only the 0-based
    pages ``read`` were read (by OCR: a scan): which were, which were not, why and what
    to do."""
    done = sorted(set(read))
    left = [n for n in range(total) if n not in set(done)]
    start = _UNREAD_STARTS[0] if ocr else _UNREAD_STARTS[1]
    how = "OCR read" if ocr else "its text was read from"
    if done == list(range(len(done))):
        pages = f"the first {len(done)}" if len(done) != 1 else "the first page"
    else:
        pages = f"pages {page_ranges(done)}"
    fix = next_step or "check them yourself, or give a PDF with a text layer"
    because = f"{why}; " if why else ""
    return warning(
        "no-text",
        f"{start}{total} pages: {how} {pages}; the content of page"
        f"{'s' if len(left) != 1 else ''} {page_ranges(left)} was not checked ({because}{fix})",
    )


def is_unread_pages(problem: Problem) -> bool:
    """True for the warning ``unread_pages`` makes."""
    return problem.code == "no-text" and problem.message.startswith(_UNREAD_STARTS)


def ocr_failed(exc: BaseException) -> str:
    """The no-text message of a scan on which the OCR engine failed."""
    why = " ".join(f"{type(exc).__name__}: {exc}".split())[:120]
    return (
        f"OCR failed on it ({why}): its content could not be checked; check it yourself, or "
        "scan it again as PDF or JPEG"
    )


def upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation tag says (a phone photo held sideways)."""
    with suppress(Exception):  # a broken EXIF block: the image as stored
        turned = ImageOps.exif_transpose(image)
        if turned is not None:
            return turned
    return image


def image_frames(path: Path, count: int) -> Iterator[Image.Image]:
    """The first ``count`` frames of an image file, upright, decoded at most at MAX_SIDE."""
    return (frame for _index, frame in image_frames_at(path, range(count)))


def image_frames_at(
    path: Path, indexes: Iterable[int], max_pixels: int | None = None
) -> Iterator[tuple[int, Image.Image]]:
    """(index, frame) of the frames ``indexes`` (0-based, ascending) of an image file,
    upright, decoded at most at MAX_SIDE; a frame over ``max_pixels`` is skipped (a bomb
    among the pages)."""
    with Image.open(path) as im:
        for index in indexes:
            try:
                im.seek(index)
            except EOFError:
                return
            if max_pixels is not None and im.width * im.height > max_pixels:
                continue
            if im.format == "JPEG":
                im.draft("RGB", (ocr.MAX_SIDE, ocr.MAX_SIDE))  # decode at a reduced scale
            frame = upright(im) if index == 0 else im
            frame = frame.convert("RGB")
            if max(frame.size) > ocr.MAX_SIDE:
                frame.thumbnail((ocr.MAX_SIDE, ocr.MAX_SIDE), Image.Resampling.BILINEAR)
            yield index, frame


def pdf_pages(data: bytes, count: int) -> Iterator[Image.Image]:
    """The first ``count`` pages of a PDF rendered by PDFium, at most MAX_SIDE pixels long."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(min(count, len(pdf))):
            page = pdf[index]
            try:
                yield render_page(page)
            finally:
                page.close()
    finally:
        pdf.close()


def render_page(page: Any) -> Image.Image:
    """One PDFium page as an image for OCR, at RENDER_DPI, at most MAX_SIDE pixels long."""
    width, height = page.get_size()
    longest = max(width, height, 1.0)
    scale = min(RENDER_DPI / 72, ocr.MAX_SIDE / longest)
    bitmap = page.render(scale=scale, grayscale=True)
    image: Image.Image = bitmap.to_pil().convert("RGB")
    return image
