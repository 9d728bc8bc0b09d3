"""Read a JPEG, PNG, TIFF or HEIC with Pillow: size, dpi, mode, frames, and the text OCR
finds on it; pixel bombs refused unread.

The pixel count comes from the header before anything is decoded; the image is then
verified (PNG chunk CRCs) or decoded at reduced size (JPEG draft mode) so that a
truncated file is reported as ``damaged``. iPhone HEIC/HEIF photos are opened through
pillow-heif. An image that is page-shaped is read by OCR (``scans.py``) unless
``Limits.ocr`` is off; one in which OCR finds no text (a portrait photo) keeps its
``no-text`` warning and ``info["ocr"]["pages"]`` says it was looked at.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageFile

from .result import Reading, error, warning

if TYPE_CHECKING:
    from .limits import Limits

#: Most TIFF frames counted (a multi-page scan has a few dozen).
MAX_FRAMES = 2000

NO_TEXT = (
    "an image has no text layer: its content could not be verified; check it yourself, "
    "or give a PDF with text instead"
)


def register_heif() -> bool:
    """Let Pillow open HEIC/HEIF photos (pillow-heif); False when it is not installed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def read_image(path: Path, fmt: str, limits: Limits) -> Reading:
    """Read one image of format fmt ("jpeg", "png", "tiff", "heic"); never raises for a bad
    file."""
    info: dict[str, Any] = {}
    if fmt == "heic" and not register_heif():
        return _damaged(fmt, info, "HEIC support (pillow-heif) is not installed")
    with _own_bomb_check(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(path) as im:
                width, height = im.size
                info.update(
                    width=width,
                    height=height,
                    dpi=_dpi(im.info.get("dpi")),
                    mode=im.mode,
                    format=im.format,
                    upright=_upright_size(im),
                )
                if width * height > limits.max_pixels:
                    return Reading(
                        fmt,
                        problems=(
                            error(
                                "too-large",
                                f"{width} x {height} pixels is over the limit of "
                                f"{limits.max_pixels:,} pixels (it may be a decompression "
                                "bomb): scan or export it again at 300 dpi",
                            ),
                        ),
                        info=info,
                    )
                pages = _frames(im) if fmt == "tiff" else 1
            # a TIFF OCR may read: its first frame, decoded here, is the one OCR reads
            first = _verify(path, fmt, keep=fmt == "tiff" and limits.ocr)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            return Reading(fmt, problems=(error("too-large", _bomb(exc)),), info=info)
        except RecursionError:
            return _damaged(fmt, info, "its structure is nested too deeply")
        except Exception as exc:  # untrusted input: any Pillow failure is damage
            return _damaged(fmt, info, str(exc) or type(exc).__name__)
        try:
            if limits.ocr:  # the OCR modules only when OCR may run (not with --no-ocr)
                from .ocr import is_page_shaped

                if is_page_shaped(width, height):
                    return _with_ocr(path, fmt, pages, info, limits, first)
        finally:
            if first is not None:
                first.close()
    return Reading(fmt, pages, "", (warning("no-text", NO_TEXT),), info)


def _with_ocr(
    path: Path,
    fmt: str,
    pages: int,
    info: dict[str, Any],
    limits: Limits,
    first: Image.Image | None = None,
) -> Reading:
    """The image's reading with the text OCR finds on its first pages (``first``: its
    first frame, already decoded)."""
    from .ocr import OcrUnavailable
    from .scans import image_frames, ocr_failed, read_scan

    try:
        frames = image_frames(path, limits.ocr_pages, first=first)
        text, found, problems = read_scan(frames, pages, limits.seconds / 3)
    except MemoryError:
        raise
    except OcrUnavailable as exc:  # no engine here: the image is read as before
        info["ocr"] = {"error": str(exc)}
        return Reading(fmt, pages, "", (warning("no-text", NO_TEXT),), info)
    except Exception as exc:  # the engine failed on this image: it stays unread, not damaged
        info["ocr"] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        return Reading(fmt, pages, "", (warning("no-text", ocr_failed(exc)),), info)
    info["ocr"] = found
    return Reading(fmt, pages, text, problems, info)


def _verify(path: Path, fmt: str, *, keep: bool = False) -> Image.Image | None:
    """Raise when the image data is truncated or corrupt (PNG: CRCs; others: decode).
    With ``keep`` (not for PNG or JPEG), the image opened, its first frame decoded: the
    caller closes it (a TIFF read by OCR is then decoded once, not twice)."""
    im = Image.open(path)
    try:
        if fmt == "png":
            im.verify()
        else:
            if fmt == "jpeg":
                im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
            im.load()
            if keep and fmt != "jpeg":
                return im
    except BaseException:
        im.close()
        raise
    im.close()
    return None


def _upright_size(im: Image.Image) -> list[int]:
    """[width, height] as the image is shown: swapped when EXIF says it is turned 90°."""
    try:
        orientation = int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # a broken EXIF block: as stored
        orientation = 1
    return [im.height, im.width] if orientation in (5, 6, 7, 8) else [im.width, im.height]


def _frames(im: Image.Image) -> int:
    count = 1
    try:
        while count < MAX_FRAMES:
            im.seek(count)
            count += 1
    except EOFError:
        pass
    finally:
        im.seek(0)
    return count


def _dpi(value: object) -> list[float] | None:
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    try:
        x, y = (round(float(v), 1) for v in value)
    except (TypeError, ValueError):
        return None
    return [x, y] if x > 0 and y > 0 else None


def _bomb(exc: BaseException) -> str:
    return (
        f"over the pixel limit ({exc}): it may be a decompression bomb; scan or export it "
        "again at 300 dpi"
    )


def _damaged(fmt: str, info: dict[str, Any], why: str) -> Reading:
    why = " ".join(why.split())[:160]
    return Reading(
        fmt,
        problems=(
            error(
                "damaged",
                f"damaged or truncated and could not be read ({why}): scan or export it "
                "again, then replace the file",
            ),
        ),
        info=info,
    )


@contextmanager
def _own_bomb_check() -> Iterator[None]:
    """Pillow's global pixel limit off (Limits.max_pixels decides), truncation strict."""
    saved = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)
    Image.MAX_IMAGE_PIXELS = None
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = saved
