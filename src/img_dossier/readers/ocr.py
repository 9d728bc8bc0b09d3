"""Text of page images by OCR: RapidOCR (PP-OCR models run by ONNX Runtime).

The models ship inside the ``rapidocr`` wheel (the detector and the direction classifier)
and inside this package (the recogniser quantized to 8-bit integers, made from the wheel's;
see INT8_MODELS), so nothing is ever downloaded (a missing model file makes OCR unavailable,
not a download). They are run by ocr_engine.py the way rapidocr runs them, without
rapidocr's start-up. The engine is made once per reader worker, on its first scan, each
model loaded on first use, single-threaded (the pool runs one worker per CPU).

A page costs one pass of the detector and one of the recogniser over the boxes found (none
when no box is found or the only box is a picture: a portrait photo). A page with no text
costs less: a blank page no detection, a page of noise only a first look at low resolution
(bench/ocr's text-free row). Which way the page lies (on its side or upside
down: a phone photo without an EXIF turn, a page fed the wrong way) is told from the
detected boxes and the engine's direction classifier on its longest lines; the boxes are
turned with the page, not detected again. Small skew needs nothing: the detector finds
slanted line boxes and each is cut out straightened; lines are put back in reading order
along the page's own slant.
"""

from __future__ import annotations

import math
import os
import statistics
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from . import ocr_tag
from .ocr_tag import INT8_DIR as INT8_DIR
from .ocr_tag import INT8_MODELS as INT8_MODELS
from .ocr_tag import MODELS_ENV as MODELS_ENV
from .ocr_tag import PIPELINE as PIPELINE
from .ocr_tag import cache_tag as cache_tag
from .ocr_tag import engine_name as engine_name
from .ocr_tag import model_set as model_set

#: Longer side, in pixels, of the page image given to the engine (about 180 dpi on A4).
MAX_SIDE = 2000
#: Longer side the text detector works at (it finds boxes; the recogniser reads them
#: from the MAX_SIDE image).
DETECT_SIDE = 960
#: An image narrower than this or thinner than 1:ASPECT is no page (a strip, an icon).
MIN_SIDE = 32
MAX_ASPECT = 12
#: Lines the recogniser scores below this are dropped (noise, photo texture).
MIN_LINE_SCORE = 0.5
#: A detected box thinner than this many pixels (on the MAX_SIDE page) holds no readable
#: line: it is not given to the recogniser.
MIN_BOX_SIDE = 6
#: A detected box covering at least this share of the page and less than PICTURE_ASPECT
#: times as long as it is high is a picture (a portrait photo, a photo region the detector
#: takes whole), not a line: it is not given to the recogniser (which reads one line and
#: made junk of it). On the accuracy set and the speed pages no text box comes near it.
PICTURE_AREA = 0.25
PICTURE_ASPECT = 3.0
#: The first look: a page with no plain background (no band of 8 grey levels holds
#: PLAIN_SHARE of its pixels: noise, a photo; paper is plain) is first looked at by the
#: detector at FIRST_LOOK_SIDE (a quarter of the full look's pixels, each the mean of those
#: it covers). Where its text probability stays below FIRST_LOOK_PEAK everywhere the page
#: has no text and the full look is not made. Measured: noise JPEGs peak at 0.008-0.032;
#: every line the full look read on a noisy page (5-8 point print under noise of sigma
#: 20-70 grey levels) peaked at 0.13 or more (tests/readers/test_ocr_cost.py).
FIRST_LOOK_SIDE = 480
FIRST_LOOK_PEAK = 0.06
PLAIN_SHARE = 0.1
#: A page (nearly all of it, BLANK_SHARE, in one band of 8 grey levels) whose pixels all lie
#: within BLANK_CONTRAST grey levels of each other is blank: the detector read print of a
#: contrast of 12 levels, and none of 8.
BLANK_SHARE = 0.99
BLANK_CONTRAST = 4

#: RapidOCR's float models, in the ``rapidocr`` wheel (the direction classifier is used as is).
FLOAT_MODELS = {
    "det": "PP-OCRv6_det_small.onnx",
    "rec": "PP-OCRv6_rec_small.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
#: The int8 recogniser (INT8_MODELS, in INT8_DIR), MODELS_ENV, PIPELINE and the cache tag
#: live in ocr_tag.py, which a warm run reads without loading this module.

Quad = list[tuple[float, float]]

_engine: Any = None
_engine_error: str | None = None
_lock = threading.Lock()


class OcrUnavailable(RuntimeError):
    """OCR cannot run in this installation (the package or a model file is missing)."""


@dataclass(frozen=True)
class PageText:
    """The text OCR read on one page, its confidence (0-1) and the turn it was read at."""

    text: str
    confidence: float
    rotated: int = 0
    chars: int = 0


def unavailable() -> str | None:
    """None when OCR can run here, else why not (the package or a model is missing)."""
    _load()
    return _engine_error


def float_model_dir() -> Path | None:
    """The ``rapidocr`` wheel's model folder (None when rapidocr is not installed)."""
    try:
        import rapidocr
    except ImportError:
        return None
    return Path(rapidocr.__file__).parent / "models"


def model_paths(which: str | None = None) -> dict[str, Path] | str:
    """The model file of each task (det, rec, cls) of the model set ``which`` (default:
    model_set()), or why they cannot be used (rapidocr or a model file missing)."""
    folder = float_model_dir()
    if folder is None:
        return "the OCR engine (rapidocr) is not installed"
    paths = {task: folder / name for task, name in FLOAT_MODELS.items()}
    if (which or model_set()) == "int8":
        paths.update({task: ocr_tag.INT8_DIR / name for task, name in INT8_MODELS.items()})
    missing = [path for path in paths.values() if not path.is_file()]
    if missing:
        return f"the OCR engine's model {missing[0].name} is missing from {missing[0].parent}"
    return paths


def _load() -> Any:
    """The engine of this process (loaded once), or None with _engine_error set."""
    global _engine, _engine_error
    with _lock:
        if _engine is not None or _engine_error is not None:
            return _engine
        paths = model_paths()
        if isinstance(paths, str):
            _engine_error = paths
            return None
        try:
            _engine = _make_engine(paths)
        except Exception as exc:  # a broken install: OCR is off, the reading goes on
            _engine_error = f"the OCR engine could not start ({type(exc).__name__}: {exc})"[:200]
        return _engine


def load_float_engine() -> Any:
    """An engine on the wheel's float models (tools/make_ocr_models.py calibrates with it)."""
    paths = model_paths("float")
    if isinstance(paths, str):
        raise OcrUnavailable(paths)
    return _make_engine(paths)


def _make_engine(paths: dict[str, Path]) -> Any:
    """The engine on these model files (each model is loaded on its first use)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import cv2  # noqa: F401  (a missing package makes OCR unavailable, not a failed page)
    import onnxruntime  # type: ignore[import-untyped]  # noqa: F401
    import pyclipper  # type: ignore[import-untyped]  # noqa: F401

    from .ocr_engine import Engine

    return Engine(paths, DETECT_SIDE)


def is_page_shaped(width: int, height: int) -> bool:
    """False for an image no page can be (a 1 x 100000 strip, an icon)."""
    small, large = sorted((width, height))
    return small >= MIN_SIDE and large <= MAX_ASPECT * small


def read_page(image: Image.Image) -> PageText:
    """The text of one page image (already upright by its EXIF tag); raises OcrUnavailable
    when the engine is unavailable.

    The detector runs once (twice for a page without a plain background: a first look at
    low resolution, after which a page of noise costs nothing more). A page on which it
    finds no text box worth reading (a portrait photo, noise, a box that is a picture)
    costs no recognition. Which way the page lies is told from the detected
    boxes' shape and, for its longest lines, by the engine's direction classifier (a
    majority, never line by line: a line of digits reads as well upside down); the boxes
    are then turned with the page and each is cut out straightened and read once, upright.
    """
    import numpy as np

    engine = _load()
    if engine is None:
        raise OcrUnavailable(_engine_error or "OCR unavailable")
    if not is_page_shaped(*image.size):
        return PageText("", 0.0)
    # a grey page is made smaller before it is made RGB: a third of the work, the same pixels
    page = image if image.mode in ("L", "RGB") else image.convert("RGB")
    if max(page.size) > MAX_SIDE:
        page = page.copy() if page is image else page  # the caller's image is left as it is
        page.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BILINEAR)
    if page.mode != "RGB":
        page = page.convert("RGB")
    pixels = np.asarray(page)
    if _no_text_at_first_look(engine, pixels):
        return PageText("", 0.0)
    height, width = pixels.shape[:2]
    boxes = [
        q for q in _boxes(engine, pixels) if _worth_reading(q) and not _is_picture(q, width, height)
    ]
    if not boxes:
        return PageText("", 0.0)
    turn = _page_turn(engine, pixels, boxes)
    if turn:
        height, width = pixels.shape[:2]
        pixels = np.ascontiguousarray(np.rot90(pixels, turn // 90))
        boxes = [_turned(q, turn, width, height) for q in boxes]
    lines = _recognise(engine, pixels, boxes)
    kept = [(q, t, s) for q, t, s in lines if s >= MIN_LINE_SCORE and t]
    chars = sum(len(t) for _q, t, _s in kept)
    confidence = sum(s * len(t) for _q, t, s in kept) / chars if chars else 0.0
    return PageText(_in_reading_order(kept), round(confidence, 3), turn, chars)


def _no_text_at_first_look(engine: Any, pixels: Any) -> bool:
    """True when the page surely has no text: blank (within BLANK_CONTRAST grey levels), or
    noise by a first look at low resolution. Paper (a plain background) and a page the
    full look reads at not much more than FIRST_LOOK_SIDE get no first look: it would only
    add to their cost."""
    import numpy as np

    grey = pixels[::4, ::4, 1]
    share = np.bincount((grey >> 3).ravel(), minlength=32).max() / grey.size
    if share >= BLANK_SHARE and int(np.ptp(pixels, axis=(0, 1)).max()) <= BLANK_CONTRAST:
        return True
    if (
        share >= PLAIN_SHARE
        or min(max(pixels.shape[:2]), engine.detect_side) < 1.5 * FIRST_LOOK_SIDE
    ):
        return False
    return bool(engine.peak(pixels, FIRST_LOOK_SIDE) < FIRST_LOOK_PEAK)


def _is_picture(q: Quad, width: int, height: int) -> bool:
    """True for a box no line of text has: most of the page, not much longer than high."""
    long, short = sorted((math.dist(q[0], q[1]), math.dist(q[1], q[2])), reverse=True)
    return long * short >= PICTURE_AREA * width * height and long < PICTURE_ASPECT * short


def _boxes(engine: Any, pixels: Any) -> list[Quad]:
    """The text boxes the detector finds, in the page's pixels (no recognition)."""
    return [q for q in (_quad(box) for box in engine.detect(pixels)) if len(q) == 4]


def _worth_reading(q: Quad) -> bool:
    """False for a box too small to hold a readable line (speckle, photo texture)."""
    return min(math.dist(q[0], q[1]), math.dist(q[1], q[2])) >= MIN_BOX_SIDE


def _recognise(engine: Any, pixels: Any, boxes: list[Quad]) -> list[tuple[Quad, str, float]]:
    """(box, text, score) of each box, cut out of the page straightened and read."""
    import numpy as np
    from rapidocr.utils.process_img import get_rotate_crop_image

    crops = [get_rotate_crop_image(pixels, np.array(q, dtype=np.float32)) for q in boxes]
    read = engine.recognize(crops)
    return [(q, t.strip(), s) for q, (t, s) in zip(boxes, read, strict=True)]


def _turned(q: Quad, turn: int, width: int, height: int) -> Quad:
    """The box's corners on the page turned ``turn`` degrees counter-clockwise (as
    numpy.rot90 turns it), starting top left, clockwise."""
    if turn == 90:
        points = [(y, width - x) for x, y in q]
    elif turn == 180:
        points = [(width - x, height - y) for x, y in q]
    else:
        points = [(height - y, x) for x, y in q]
    left_top = min(points, key=lambda p: p[0] + p[1])
    start = points.index(left_top)
    ordered = points[start:] + points[:start]
    # clockwise on screen (y down): the second corner is to the right of the first
    if ordered[1][0] < ordered[3][0]:
        ordered = [ordered[0], ordered[3], ordered[2], ordered[1]]
    return ordered


#: Text boxes whose direction decides which way up a page is (the longest ones).
PROBE_BOXES = 7
#: Pieces of each probed line given to the direction classifier: the classifier sees a
#: piece about four times as long as it is high (a whole long line would be squeezed
#: into its 192 x 48 input and read as noise).
PROBE_PIECES = 3
#: A vote of the direction classifier counts when it is at least this sure.
PROBE_SCORE = 0.6


def _page_turn(engine: Any, pixels: Any, boxes: list[Quad]) -> int:
    """Degrees (counter-clockwise) that turn the page upright: 90/270 when its lines run
    top to bottom, 180 when the direction classifier finds most of its longest lines, cut
    out straightened (a slanted line's bounding rectangle is mostly background), upside
    down."""
    import numpy as np
    from rapidocr.utils.process_img import get_rotate_crop_image

    along = sum(_length(q, vertical=False) for q in boxes)
    down = sum(_length(q, vertical=True) for q in boxes)
    vertical = down > 1.5 * along and len(boxes) >= 3
    longest = sorted(boxes, key=lambda q: -max(math.dist(q[0], q[1]), math.dist(q[1], q[2])))
    pieces = []
    for q in longest[:PROBE_BOXES]:
        # a line running down the page comes out turned a quarter counter-clockwise
        line = get_rotate_crop_image(pixels, np.array(q, dtype=np.float32))
        height, width = line.shape[:2]
        if min(height, width) < 8:
            continue
        step = 4 * height
        for n in range(min(PROBE_PIECES, max(1, -(-width // step)))):
            piece = line[:, n * step : (n + 1) * step]
            if piece.shape[1] >= height:
                pieces.append(np.ascontiguousarray(piece))
    votes = 0.0
    if pieces:
        for label, score in engine.classify(pieces):
            if float(score) >= PROBE_SCORE:
                votes += float(score) if str(label) == "180" else -float(score)
    flipped = votes > 0
    if vertical:
        return 270 if flipped else 90
    return 180 if flipped else 0


def _quad(box: Any) -> Quad:
    return [(float(p[0]), float(p[1])) for p in box][:4]


def _length(q: Quad, *, vertical: bool) -> float:
    """The box's extent along its long side when it runs that way, else 0."""
    width = math.dist(q[0], q[1])
    height = math.dist(q[1], q[2])
    if vertical:
        return height if height > 2 * width else 0.0
    return width if width > 2 * height else 0.0


def _in_reading_order(lines: list[tuple[Quad, str, float]]) -> str:
    """Boxes grouped into text lines along the page's slant, top to bottom, left to right."""
    if not lines:
        return ""
    angles = [
        math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0])
        for q, _t, _s in lines
        if math.dist(q[0], q[1]) > 2 * math.dist(q[1], q[2])
    ]
    slant = statistics.median(angles) if angles else 0.0
    sin, cos = math.sin(slant), math.cos(slant)
    placed = []
    for q, text, _score in lines:
        cx = sum(p[0] for p in q) / 4
        cy = sum(p[1] for p in q) / 4
        across = -sin * cx + cos * cy  # distance down the page, perpendicular to the lines
        along = cos * cx + sin * cy
        height = max(1.0, math.dist(q[1], q[2]))
        placed.append((across, along, height, text.strip()))
    placed.sort()
    rows: list[list[tuple[float, float, float, str]]] = []
    for box in placed:
        if rows:
            row = rows[-1]
            centre = statistics.fmean(b[0] for b in row)
            tall = statistics.fmean(b[2] for b in row)
            if abs(box[0] - centre) < 0.5 * min(tall, box[2]):
                row.append(box)
                continue
        rows.append([box])
    out: list[str] = []
    for row in rows:
        row.sort(key=lambda b: b[1])
        out.append("  ".join(b[3] for b in row))
    return "\n".join(out)
