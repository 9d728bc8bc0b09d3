"""Make a PDF or a photo fit a portal's byte limit without going below legibility floors.

PDFs: lossless first (compressed content streams, identical objects merged, unused objects
dropped), then page images resampled to no less than ``min_dpi`` (computed from the size
each image is drawn at on its page) and re-encoded as JPEG at no less than ``min_quality``.
Photos: JPEG re-encoding, then scaling down to no less than ``min_pixels``. What cannot fit
above the floors comes back with ``fits`` false and the smallest size reached: never a
silently degraded file.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from itertools import repeat
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.errors import DeprecationError, PdfReadError
from pypdf.generic import (
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

#: Images smaller than this (logos, signatures, stamps) are never touched.
MIN_IMAGE_PIXELS = 40_000
#: Images larger than this (a pixel bomb in a hostile PDF) are never decoded.
MAX_IMAGE_PIXELS = 100_000_000
#: JPEG qualities tried from the best down, before the portal's floor.
QUALITIES = (85, 75)
#: Resolutions tried from the highest down, before the floor (dpi).
RESOLUTIONS = (300, 200)
#: Guards pypdf objects shared by the threads that re-encode images.
_PYPDF_LOCK = threading.Lock()
#: Share of the limit aimed at, so that the PDF's own overhead never tips it over.
HEADROOM = 0.98

#: What a catch-all around pypdf must let through: a deprecated or removed pypdf API is a bug
#: of this tool (it once silently disabled pack's de-duplication), not a damaged document.
#: DeprecationWarning is an exception where warnings are errors (the test run).
API_CHANGED = (DeprecationError, DeprecationWarning)


@dataclass(frozen=True)
class Floors:
    """The least a fitted file may keep: image resolution (dpi) and JPEG quality."""

    min_dpi: int = 150
    min_quality: int = 60


@dataclass(frozen=True)
class Fitted:
    """A fitted file: its bytes (the smallest reached when it does not fit) and what was done."""

    data: bytes
    fits: bool
    actions: tuple[str, ...] = ()
    pages: int = 0
    dpi: int | None = None  # lowest resolution an image was resampled to
    quality: int | None = None  # lowest JPEG quality an image was re-encoded at


def pdf_bytes(writer: PdfWriter) -> bytes:
    buf = BytesIO()
    writer.write(buf)
    return buf.getvalue()


# -- PDFs ----------------------------------------------------------------------------------


def fit_pdf(
    data: bytes, max_bytes: int, floors: Floors, metadata: Mapping[str, str] | None = None
) -> Fitted:
    """``data`` (a PDF) made to fit ``max_bytes`` above ``floors``, or the smallest reached."""
    reader = PdfReader(BytesIO(data), strict=False)
    pages = len(reader.pages)
    if len(data) <= max_bytes:
        return Fitted(data, True, (), pages)
    writer = PdfWriter(clone_from=reader)
    if metadata:
        writer.add_metadata(dict(metadata))
    _lossless(writer)
    smaller = pdf_bytes(writer)
    actions: list[str] = []
    if len(smaller) < len(data):
        actions.append("compressed losslessly")
    else:
        smaller = data
    if len(smaller) <= max_bytes:
        return Fitted(smaller, True, tuple(actions), pages)

    images = _images(writer)
    if not images:
        return Fitted(smaller, False, tuple(actions), pages)
    target = int(max_bytes * HEADROOM)
    best = smaller
    dpi_used: int | None = None
    q_used: int | None = None
    scale = 1.0
    lossy = False
    for attempt in range(3):
        writer = PdfWriter(clone_from=PdfReader(BytesIO(smaller), strict=False))
        images = _images(writer)
        image_bytes = sum(i.size for i in images)
        available = target - (len(smaller) - image_bytes)
        if available <= 0 or image_bytes <= 0:
            break
        last = attempt == 2
        dpis: list[int] = []
        qualities: list[int] = []
        at_floor = True  # every image as small as the floors allow: another pass cannot help
        budgets = [0 if last else int(available * scale * im.size / image_bytes) for im in images]
        # Pillow decodes, resizes and encodes outside the GIL: images are done in threads
        with ThreadPoolExecutor(max_workers=_workers(len(images))) as pool:
            outcomes = list(
                pool.map(_shrink_image, repeat(writer), images, budgets, repeat(floors))
            )
        for im, budget, chosen in zip(images, budgets, outcomes, strict=True):
            if chosen is not None:
                if chosen[0] < int(im.dpi):
                    dpis.append(chosen[0])
                qualities.append(chosen[1])
                floor_dpi = min(int(im.dpi), floors.min_dpi)
                at_floor = at_floor and chosen == (floor_dpi, floors.min_quality)
            elif budget and im.size <= budget:
                at_floor = False  # left as it was; a smaller budget may still shrink it
        out = pdf_bytes(writer)
        if len(out) < len(best):
            best = out
            dpi_used = min(dpis) if dpis else None
            q_used = min(qualities) if qualities else None
            lossy = True
        if len(out) <= max_bytes or at_floor:
            break
        scale *= 0.9 * target / len(out)
    fits = len(best) <= max_bytes
    if lossy and dpi_used is not None:
        actions.append(f"downsampled page images to {dpi_used} dpi")
    if lossy and q_used is not None:
        actions.append(f"recompressed images as JPEG at quality {q_used}")
    return Fitted(best, fits, tuple(actions), pages, dpi_used, q_used)


def _workers(count: int) -> int:
    return max(1, min(count, os.cpu_count() or 1, 4))


def _lossless(writer: PdfWriter) -> None:
    for page in writer.pages:
        try:
            page.compress_content_streams()
        except API_CHANGED:  # pypdf's API changed under us: a bug to see, never "damaged"
            raise
        except Exception:  # a content stream pypdf cannot re-encode stays as it was
            continue
    # No keywords: pypdf 7 renamed them (remove_identicals -> remove_duplicates, ...) and
    # raises on the old names; both generations merge duplicates and drop orphans by
    # default. tests/output/test_dedup.py fails if this stops merging.
    try:
        writer.compress_identical_objects()
    except (PdfReadError, ValueError, KeyError, TypeError):  # an odd object graph: keep it
        return


@dataclass(frozen=True)
class _Image:
    """One image XObject of the writer: where it is, its size and its effective dpi."""

    page: int
    name: str
    ref: IndirectObject
    width: int
    height: int
    size: int  # bytes of its stream now
    dpi: float  # the lowest resolution at which it is drawn


def _images(writer: PdfWriter) -> list[_Image]:
    """The images worth resampling (8-bit, no mask, not tiny), each once."""
    found: dict[int, _Image] = {}
    for number, page in enumerate(writer.pages):
        try:
            resources = page.get("/Resources")
            resources = resources.get_object() if resources is not None else None
            if not isinstance(resources, DictionaryObject):
                continue
            xobjects = resources.get("/XObject")
            xobjects = xobjects.get_object() if xobjects is not None else None
            if not isinstance(xobjects, DictionaryObject):
                continue
            page_w = float(page.mediabox.width)
            page_h = float(page.mediabox.height)
            drawn = _drawn_sizes(page, writer)
        except API_CHANGED:  # pypdf's API changed under us: a bug to see, never "damaged"
            raise
        except Exception:  # a page we cannot analyse keeps its images as they are
            continue
        for name, ref in xobjects.items():
            if not isinstance(ref, IndirectObject):
                continue
            obj = ref.get_object()
            if not isinstance(obj, StreamObject) or not _eligible(obj):
                continue
            width, height = _num(obj, "/Width"), _num(obj, "/Height")
            draw_w, draw_h = drawn.get(str(name), (page_w, page_h))
            if draw_w <= 0 or draw_h <= 0:
                draw_w, draw_h = page_w, page_h
            dpi = min(width / (draw_w / 72.0), height / (draw_h / 72.0))
            previous = found.get(ref.idnum)
            if previous is None or dpi < previous.dpi:
                found[ref.idnum] = _Image(
                    number, str(name), ref, width, height, len(obj._data), dpi
                )
    return list(found.values())


def _eligible(obj: StreamObject) -> bool:
    if obj.get("/Subtype") != "/Image":
        return False
    if any(k in obj for k in ("/SMask", "/Mask", "/ImageMask", "/Decode", "/SMaskInData")):
        return False
    try:
        width, height = _num(obj, "/Width"), _num(obj, "/Height")
        bits = _num(obj, "/BitsPerComponent")
    except (KeyError, TypeError, ValueError):
        return False
    return bits == 8 and MIN_IMAGE_PIXELS <= width * height <= MAX_IMAGE_PIXELS


def _num(obj: StreamObject, key: str) -> int:
    value: Any = obj.get(key, 0)
    return int(value)


def _drawn_sizes(page: Any, writer: PdfWriter) -> dict[str, tuple[float, float]]:
    """XObject name -> the largest (width, height) in points it is drawn at on the page."""
    contents = page.get_contents()
    if contents is None:
        return {}
    stream = contents if isinstance(contents, ContentStream) else ContentStream(contents, writer)
    ctm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[tuple[float, ...]] = []
    sizes: dict[str, tuple[float, float]] = {}
    for operands, operator in stream.operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop() if stack else ctm
        elif operator == b"cm" and len(operands) == 6:
            a, b, c, d, e, f = (float(x) for x in operands)
            A, B, C, D, E, F = ctm
            ctm = (
                a * A + b * C,
                a * B + b * D,
                c * A + d * C,
                c * B + d * D,
                e * A + f * C + E,
                e * B + f * D + F,
            )
        elif operator == b"Do" and operands:
            w = math.hypot(ctm[0], ctm[1])
            h = math.hypot(ctm[2], ctm[3])
            name = str(operands[0])
            old = sizes.get(name, (0.0, 0.0))
            sizes[name] = (max(old[0], w), max(old[1], h))
    return sizes


def _ladder(native_dpi: float, floors: Floors) -> Iterator[tuple[int, int]]:
    """(dpi, quality) from the best-looking down to the floors."""
    top = int(native_dpi)
    levels = sorted(
        {min(top, d) for d in RESOLUTIONS if d > floors.min_dpi} | {min(top, floors.min_dpi)},
        reverse=True,
    )
    qualities = [q for q in QUALITIES if q > floors.min_quality]
    for dpi in levels:
        for q in qualities:
            yield dpi, q
    yield levels[-1], floors.min_quality


def _shrink_image(
    writer: PdfWriter, im: _Image, budget: int, floors: Floors
) -> tuple[int, int] | None:
    """Re-encode one image to fit ``budget`` bytes (0: the floors); (dpi, quality) or None.

    Each candidate's size is first predicted from a band of the image, so that only the
    candidates likely to fit are encoded whole.
    """
    if budget and im.size <= budget:
        return None
    obj = im.ref.get_object()
    if not isinstance(obj, StreamObject):
        return None
    steps = list(_ladder(im.dpi, floors))
    if not budget:
        steps = steps[-1:]
    resized: dict[int, Image.Image] = {}
    chosen: tuple[int, int, bytes] | None = None
    for n, (dpi, q) in enumerate(steps):
        if dpi not in resized:
            frame = _decoded(writer, obj, im, dpi)
            if frame is None:
                return None
            resized[dpi] = frame
        frame = resized[dpi]
        last = n == len(steps) - 1
        if budget and not last and _predicted(frame, q) > budget:
            continue
        data = _jpeg(frame, q)
        chosen = (dpi, q, data)
        if not budget or len(data) <= budget:
            break
    if chosen is None or len(chosen[2]) >= im.size:
        return None  # no gain: the original stays
    dpi, q, data = chosen
    frame = resized[dpi]
    with _PYPDF_LOCK:
        _replace_stream(obj, frame, data)
    return dpi, q


def _replace_stream(obj: StreamObject, frame: Image.Image, data: bytes) -> None:
    """The image XObject ``obj`` becomes the JPEG ``data`` of ``frame`` (same object number)."""
    for key in list(obj.keys()):
        del obj[key]
    obj.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(frame.width),
            NameObject("/Height"): NumberObject(frame.height),
            NameObject("/ColorSpace"): NameObject(
                "/DeviceGray" if frame.mode == "L" else "/DeviceRGB"
            ),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
        }
    )
    obj._data = data
    obj.decoded_self = None


def _decoded(writer: PdfWriter, obj: StreamObject, im: _Image, dpi: int) -> Image.Image | None:
    """The image at ``dpi`` (never upsampled), as L or RGB; None when it cannot be decoded."""
    scale = min(1.0, dpi / im.dpi)
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    try:
        if obj.get("/Filter") in ("/DCTDecode", ["/DCTDecode"]) and "/DecodeParms" not in obj:
            jpeg = Image.open(BytesIO(obj._data))
            if jpeg.size != (im.width, im.height):
                return None  # the data is not the image its dictionary says: left alone
            jpeg.draft(jpeg.mode, size)  # JPEG decodes at 1/2, 1/4 or 1/8 scale for free
            jpeg.load()
            pil: Image.Image = jpeg
        else:
            with _PYPDF_LOCK:  # pypdf's objects are shared: one thread at a time
                decoded = writer.pages[im.page].images[im.name].image
            if decoded is None or decoded.size != (im.width, im.height):
                return None
            pil = decoded
    except API_CHANGED:  # pypdf's API changed under us: a bug to see, never "damaged"
        raise
    except Exception:  # an image neither Pillow nor pypdf can decode stays as it is
        return None
    if pil.mode not in ("L", "RGB"):
        if pil.mode not in ("P", "CMYK", "YCbCr"):
            return None
        pil = pil.convert("RGB")
    if pil.size != size:
        # bicubic: as legible as Lanczos for scanned pages, at half the time
        pil = pil.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    return pil


def _jpeg(frame: Image.Image, quality: int) -> bytes:
    buf = BytesIO()
    frame.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _predicted(frame: Image.Image, quality: int) -> int:
    """The JPEG size of ``frame`` predicted from three bands of it (an eighth of its area)."""
    band = max(16, frame.height // 24)
    sampled = 0
    total = 0
    for centre in (frame.height // 4, frame.height // 2, 3 * frame.height // 4):
        top = max(0, min(frame.height - band, centre - band // 2))
        sampled += len(_jpeg(frame.crop((0, top, frame.width, top + band)), quality))
        total += band
    return int(sampled * frame.height / total) if total else 0


# -- photos --------------------------------------------------------------------------------


def fit_photo(
    path: Path,
    max_bytes: int,
    *,
    min_pixels: tuple[int, int] = (0, 0),
    min_quality: int = 60,
    dpi: int | None = None,
    aspect: tuple[float, float] | None = None,
) -> Fitted:
    """An image file as a JPEG of at most ``max_bytes``, upright, without its metadata,
    centre-cropped to ``aspect`` (width:height) when its shape is more than 3% off.

    A JPEG that already fits, needs no rotation and has the shape is kept byte for byte.
    """
    raw = path.read_bytes()
    with Image.open(BytesIO(raw)) as im:
        fmt = im.format
        orientation = int(im.getexif().get(0x0112, 1) or 1)
        shaped = _crop_box(im.size, aspect) is None
        if (
            fmt == "JPEG"
            and orientation == 1
            and shaped
            and len(raw) <= max_bytes
            and im.mode in ("RGB", "L")
        ):
            return Fitted(raw, True, ("copied unchanged",), 1)
        im.load()
        upright = ImageOps.exif_transpose(im) or im
        rgb = _flatten(upright)
    actions = [f"converted from {fmt or 'image'} to JPEG" if fmt != "JPEG" else "re-encoded JPEG"]
    if orientation != 1:
        actions.append("turned upright")
    box = _crop_box(rgb.size, aspect)
    if box is not None and aspect is not None:
        rgb = rgb.crop(box)
        actions.append(f"cropped to {aspect[0]:g}:{aspect[1]:g} ({rgb.width} x {rgb.height} px)")
    min_w, min_h = min_pixels
    # never scale below the floor; a photo already smaller than it keeps its size
    floor_scale = max(min_w / rgb.width, min_h / rgb.height, 0.0)
    floor_scale = min(1.0, floor_scale) if floor_scale > 0 else 0.0
    scales = [1.0]
    s = 1.0
    while True:
        s *= 0.8
        if s <= floor_scale:
            if floor_scale < 1.0 and floor_scale not in scales:
                scales.append(floor_scale)
            break
        scales.append(s)
        if len(scales) > 30:
            break
    qualities = [q for q in (92, 85, 75) if q > min_quality] + [min_quality]
    best: tuple[bytes, int, int, int] | None = None
    save_kw: dict[str, Any] = {"dpi": (dpi, dpi)} if dpi else {}
    for scale in scales:
        w = max(1, math.ceil(rgb.width * scale))
        h = max(1, math.ceil(rgb.height * scale))
        frame = rgb if scale == 1.0 else rgb.resize((w, h), Image.Resampling.LANCZOS)
        for q in qualities:
            buf = BytesIO()
            frame.save(buf, "JPEG", quality=q, optimize=True, **save_kw)
            data = buf.getvalue()
            if best is None or len(data) < len(best[0]):
                best = (data, q, w, h)
            if len(data) <= max_bytes:
                return Fitted(data, True, (*actions, *_photo_actions(q, scale, w, h)), 1, None, q)
    assert best is not None
    data, q, w, h = best
    return Fitted(data, False, (*actions, *_photo_actions(q, w / rgb.width, w, h)), 1, None, q)


#: How far a photo's shape may be from the portal's before it is cropped (as check judges).
ASPECT_TOLERANCE = 0.03


def _crop_box(
    size: tuple[int, int], aspect: tuple[float, float] | None
) -> tuple[int, int, int, int] | None:
    """The centred box of ``aspect`` inside an image of ``size``; None when it has the shape."""
    if aspect is None or aspect[0] <= 0 or aspect[1] <= 0:
        return None
    w, h = size
    target = aspect[0] / aspect[1]
    if w <= 0 or h <= 0 or abs(w / h - target) / target <= ASPECT_TOLERANCE / 2:
        return None
    if w / h > target:  # too wide: keep the full height
        new_w = max(1, round(h * target))
        left = (w - new_w) // 2
        return (left, 0, left + new_w, h)
    new_h = max(1, round(w / target))
    top = (h - new_h) // 2
    return (0, top, w, top + new_h)


def _photo_actions(q: int, scale: float, w: int, h: int) -> tuple[str, ...]:
    done = [f"JPEG quality {q}"]
    if scale < 1.0:
        done.append(f"scaled to {w} x {h} px")
    return tuple(done)


def _flatten(im: Image.Image) -> Image.Image:
    """RGB on white (transparency flattened); greyscale stays greyscale."""
    if im.mode == "L":
        return im.copy()
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return im.convert("RGB")
