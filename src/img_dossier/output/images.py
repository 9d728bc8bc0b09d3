"""JPEG, PNG and TIFF -> PDF pages: one page per frame, aspect kept, EXIF orientation honoured."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence
from reportlab.lib.pagesizes import landscape
from reportlab.lib.utils import ImageReader

from .canvas import IMAGE_MARGIN, ConversionError, _write_atomically, marked_canvas, page_size

MAX_PIXELS = 100_000_000
MAX_FRAMES = 1000

# -- images --------------------------------------------------------------------------------

#: EXIF orientation -> affine map (a, b, c, d, e, f) of the unit square, from the raw image
#: to its upright display, in PDF coordinates (y up): (u, v) -> (a u + c v + e, b u + d v + f).
_ORIENTATION: dict[int, tuple[float, float, float, float, float, float]] = {
    1: (1, 0, 0, 1, 0, 0),
    2: (-1, 0, 0, 1, 1, 0),
    3: (-1, 0, 0, -1, 1, 1),
    4: (1, 0, 0, -1, 0, 1),
    5: (0, -1, -1, 0, 1, 1),
    6: (0, -1, 1, 0, 0, 1),
    7: (0, 1, 1, 0, 0, 0),
    8: (0, 1, -1, 0, 1, 0),
}


def _fit(
    img_w: float, img_h: float, size: tuple[float, float]
) -> tuple[tuple[float, float], float, float, float, float]:
    """Page (portrait or landscape like the image) and the image's box fitted in its margins."""
    page = landscape(size) if img_w > img_h else size
    box_w, box_h = page[0] - 2 * IMAGE_MARGIN, page[1] - 2 * IMAGE_MARGIN
    scale = min(box_w / img_w, box_h / img_h)
    w, h = img_w * scale, img_h * scale
    return page, (page[0] - w) / 2, (page[1] - h) / 2, w, h


def _flat(frame: Image.Image) -> Image.Image:
    """A frame in a mode reportlab embeds compactly: 1-bit -> gray, alpha -> on white."""
    if frame.mode in ("L", "RGB", "CMYK"):
        return frame
    if frame.mode == "1":
        return frame.convert("L")
    if frame.mode in ("RGBA", "LA", "PA", "P") or "transparency" in frame.info:
        rgba = frame.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return frame.convert("RGB")


def image_to_pdf(src: Path, dst: Path, page_size_name: str | tuple[float, float] = "letter") -> int:
    """JPEG/PNG/TIFF -> PDF, one page per frame, aspect kept, fitted with margins.

    EXIF orientation is honoured; a JPEG is embedded as is (rotated by the page's drawing
    matrix, never re-encoded). Returns the number of pages written.
    """
    from ..readers.image import register_heif

    size = page_size(page_size_name)
    register_heif()  # iPhone photos (HEIC) open like any image
    try:
        with Image.open(src) as im:
            if im.width * im.height > MAX_PIXELS:
                raise ConversionError(
                    f"{src.name}: {im.width}x{im.height} pixels is over the limit of {MAX_PIXELS}",
                    "too-large",
                )
            if im.format == "JPEG":
                orientation = int(im.getexif().get(0x0112, 1) or 1)
                return _write_atomically(
                    dst, lambda tmp: _jpeg_page(src, tmp, im.width, im.height, orientation, size)
                )
            # frames are converted one at a time while the PDF is written (a 300-page fax
            # must not sit decoded in memory)
            return _write_atomically(dst, lambda tmp: _frames_pages(im, tmp, size, src.name))
    except ConversionError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ConversionError(f"{src.name}: {exc}", "too-large") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ConversionError(f"{src.name}: not a readable image ({exc})") from exc


def _jpeg_page(
    src: Path, tmp: Path, w: int, h: int, orientation: int, size: tuple[float, float]
) -> int:
    a, b, c, d, e, f = _ORIENTATION.get(orientation, _ORIENTATION[1])
    shown_w, shown_h = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    page, x, y, bw, bh = _fit(shown_w, shown_h, size)
    jpeg = src
    tmpdir = None
    if src.suffix.lower() not in (".jpg", ".jpeg"):
        # reportlab passes JPEG data through only for files it recognises by extension
        tmpdir = tempfile.mkdtemp(prefix="img-dossier-")
        jpeg = Path(tmpdir) / "image.jpg"
        shutil.copyfile(src, jpeg)
    try:
        canvas = marked_canvas(str(tmp), pagesize=page)
        canvas.setTitle(src.name)
        canvas.saveState()
        canvas.transform(bw, 0, 0, bh, x, y)
        canvas.transform(a, b, c, d, e, f)
        canvas.drawImage(str(jpeg), 0, 0, 1, 1)
        canvas.restoreState()
        canvas.showPage()
        canvas.save()
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return 1


def _frames_pages(im: Image.Image, tmp: Path, size: tuple[float, float], title: str) -> int:
    canvas = marked_canvas(str(tmp), pagesize=size)
    canvas.setTitle(title)
    count = 0
    for frame in ImageSequence.Iterator(im):
        count += 1
        if count > MAX_FRAMES:
            raise ConversionError(
                f"{title}: more than {MAX_FRAMES} pages in one image", "too-large"
            )
        if frame.width * frame.height > MAX_PIXELS:
            raise ConversionError(
                f"{title}: page {count} is over the limit of {MAX_PIXELS} pixels", "too-large"
            )
        upright = _flat(ImageOps.exif_transpose(frame.copy()) or frame.copy())
        page, x, y, w, h = _fit(upright.width, upright.height, size)
        canvas.setPageSize(page)
        canvas.drawImage(ImageReader(upright), x, y, w, h)
        canvas.showPage()
    if count == 0:
        raise ConversionError(f"{title}: the image has no frames")
    canvas.save()
    return count
