"""Scans and photos read by OCR: the pages of an image or an image-only PDF, turned into
the text, info and problems of a Reading.

Only the first ``Limits.ocr_pages`` pages are read (classification and most facts the rules
read are on the first pages); a longer scan says which pages were left unread. Pages
further on are read later, for the documents of an item whose checklist entry asks for
them (``read_pages:``) and whose rules lack a fact (``pages.py``, ``checking/more_pages.py``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Sequence
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


def image_frames(path: Path, count: int, first: Image.Image | None = None) -> Iterator[Image.Image]:
    """The first ``count`` frames of an image file, upright, decoded at most at MAX_SIDE
    (``first``: the file opened elsewhere with its first frame decoded, not decoded again)."""
    return (frame for _index, frame in image_frames_at(path, range(count), first=first))


def image_frames_at(
    path: Path,
    indexes: Iterable[int],
    max_pixels: int | None = None,
    first: Image.Image | None = None,
) -> Iterator[tuple[int, Image.Image]]:
    """(index, frame) of the frames ``indexes`` (0-based, ascending) of an image file,
    upright, grey or RGB, decoded at most at MAX_SIDE; a frame over ``max_pixels`` is
    skipped (a bomb among the pages). ``first``: frame 0 as already opened and decoded
    (it is used instead of decoding the file's first frame again)."""
    with Image.open(path) as opened:
        for index in indexes:
            im: Image.Image = opened
            if index == 0 and first is not None:
                im = first
            else:
                try:
                    im.seek(index)
                except EOFError:
                    return
            if max_pixels is not None and im.width * im.height > max_pixels:
                continue
            if im.format == "JPEG":
                im.draft("RGB", (ocr.MAX_SIDE, ocr.MAX_SIDE))  # decode at a reduced scale
            frame = upright(im) if index == 0 else im
            if frame.mode not in ("L", "RGB") or frame is im:  # (im itself is seeked on)
                frame = frame.convert("RGB")
            if max(frame.size) > ocr.MAX_SIDE:  # a grey frame is made smaller grey (a third)
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


def needs_no_detection(page_sizes: Sequence[Sequence[float]]) -> bool:
    """True when every page OCR would read of a PDF whose pages measure ``page_sizes``
    ([width, height] in points, as shown) is rendered too small to hold text (narrower than
    ocr.MIN_SIDE pixels even at RENDER_DPI): ``ocr.read_page`` then finds nothing without
    running the detector (the corpus's 11 x 11-pixel imagemagick pages). Used to schedule,
    never to skip a reading."""
    if not page_sizes:
        return False
    for width, height in page_sizes:
        if not (width > 0 and height > 0):
            return False  # not measured: it may be any size
        scale = min(RENDER_DPI / 72, ocr.MAX_SIDE / max(width, height))
        # the renderer rounds up (pypdfium2); the sizes are rounded to 0.01 point
        if math.ceil((min(width, height) + 0.01) * scale) >= ocr.MIN_SIDE:
            return False
    return True


def render_page(page: Any) -> Image.Image:
    """One PDFium page as an image for OCR, at RENDER_DPI, at most MAX_SIDE pixels long;
    an image-only page (a scan) at its image's own resolution where that is lower
    (see render_scale)."""
    bitmap = page.render(scale=render_scale(page), grayscale=True)
    image: Image.Image = bitmap.to_pil().convert("RGB")
    return image


#: A page's images are rendered at their own resolution only down to this many dpi (an
#: image of a lower resolution is still upsampled, to this: A4 scans made at 60 and 72
#: dpi read the same rendered at 96 dpi as at 200; lower was not measured).
MIN_NATIVE_DPI = 96


def render_scale(page: Any) -> float:
    """Pixels per PDF point to render ``page`` at for OCR: RENDER_DPI, lowered to fit
    MAX_SIDE, and lowered to the resolution of the page's images when the page holds
    nothing but upright images of a lower resolution (a scan of 324 x 450 pixels
    upsampled to 675 x 938 holds no more text, and costs the detector four times as
    much), but not below MIN_NATIVE_DPI."""
    width, height = (float(side) for side in page.get_size())
    longest = max(width, height, 1.0)
    scale = min(RENDER_DPI / 72, ocr.MAX_SIDE / float(longest))
    native = _image_scale(page)
    if native is not None:
        scale = min(scale, max(native, MIN_NATIVE_DPI / 72))
    return scale


#: More objects than this on a page: not a scan (its resolution is not looked for).
_MAX_OBJECTS = 64


def _image_scale(page: Any) -> float | None:
    """Image pixels per PDF point of the sharpest image on a page that holds only upright
    images (None when it holds anything else: text, drawings, a turned or skewed image)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    best = 0.0
    try:
        for count, obj in enumerate(page.get_objects(max_depth=2)):
            if count >= _MAX_OBJECTS:
                return None
            if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
                continue  # its own objects follow
            if obj.type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
                return None
            px_w, px_h = obj.get_px_size()
            left, bottom, right, top = obj.get_bounds()
            matrix = obj.get_matrix().get()
            a, b, c, d = (abs(v) for v in matrix[:4])
            if b < 1e-6 * a and c < 1e-6 * d:
                across, down = px_w, px_h  # upright (or mirrored)
            elif a < 1e-6 * b and d < 1e-6 * c:
                across, down = px_h, px_w  # a quarter turn
            else:
                return None  # skewed: its resolution along the page's axes is unclear
            if right - left <= 0 or top - bottom <= 0:
                return None
            best = max(best, across / (right - left), down / (top - bottom))
    except pdfium.PdfiumError:  # PDFium cannot tell: render as before
        return None
    return best or None
