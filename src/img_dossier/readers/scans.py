"""Scans and photos read by OCR: the pages of an image or an image-only PDF, turned into
the text, info and problems of a Reading.

Only the first ``Limits.ocr_pages`` pages are read (classification and the facts the rules
read are on the first pages); a longer scan says how many pages were left unread.
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
from .result import cap_text, warning

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
        problems.append(
            warning(
                "no-text",
                f"a scan of {total} pages: OCR read the first {len(texts)}; the content of "
                f"pages {len(texts) + 1}-{total} was not checked (check them yourself, or give "
                "a PDF with a text layer)",
            )
        )
    return text, info, tuple(problems)


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
    with Image.open(path) as im:
        for index in range(count):
            try:
                im.seek(index)
            except EOFError:
                return
            if im.format == "JPEG":
                im.draft("RGB", (ocr.MAX_SIDE, ocr.MAX_SIDE))  # decode at a reduced scale
            frame = upright(im) if index == 0 else im
            frame = frame.convert("RGB")
            if max(frame.size) > ocr.MAX_SIDE:
                frame.thumbnail((ocr.MAX_SIDE, ocr.MAX_SIDE), Image.Resampling.BILINEAR)
            yield frame


def pdf_pages(data: bytes, count: int) -> Iterator[Image.Image]:
    """The first ``count`` pages of a PDF rendered by PDFium, at most MAX_SIDE pixels long."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(min(count, len(pdf))):
            page = pdf[index]
            try:
                width, height = page.get_size()
                longest = max(width, height, 1.0)
                scale = min(RENDER_DPI / 72, ocr.MAX_SIDE / longest)
                bitmap = page.render(scale=scale, grayscale=True)
                yield bitmap.to_pil().convert("RGB")
            finally:
                page.close()
    finally:
        pdf.close()
