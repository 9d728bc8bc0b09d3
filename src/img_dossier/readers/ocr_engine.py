"""The PP-OCR models run by ONNX Runtime, the way rapidocr runs them, without its start-up.

rapidocr (its wheel carries the models) parses its whole model catalogue with OmegaConf when
it is imported, twice: 0.6 s of CPU in every worker that meets a scan, most of the engine's
start-up. This module does the same work with the same arithmetic from the same model
files: the text detector's input (resized to a multiple of 32, normalised) and its
Differentiable Binarization post-processing (PaddleOCR's DBPostProcess: threshold 0.3,
dilation, boxes scored on the map, unclipped 1.6 with pyclipper), the recogniser's input
(height 48, its own width) and CTC decoding (the character list from the model's metadata),
and the direction classifier's (48 x 192, batches of 6). A line is cut out straightened by
rapidocr's own ``get_rotate_crop_image``. tests/readers/test_ocr_engine.py checks the boxes,
text and scores against rapidocr's own pipeline on the same pages.

Ported from rapidocr 3.10 (Apache-2.0, RapidAI), itself from PaddleOCR (Apache-2.0).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import platform
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

#: Settings rapidocr 3.10 runs PP-OCRv6 with (its config.yaml), as readers/ocr.py sets them.
DET_THRESH = 0.3
DET_BOX_THRESH = 0.5
DET_MAX_CANDIDATES = 1000
DET_UNCLIP_RATIO = 1.6
DET_MIN_SIZE = 3
#: rapidocr pads a page wider than 8:1 or lower than 30 pixels (black, above and below)
#: before detection.
PAD_RATIO = 8
PAD_MIN_HEIGHT = 30
REC_HEIGHT = 48
CLS_SHAPE = (48, 192)
CLS_BATCH = 6
CLS_LABELS = ("0", "180")
_SORT_Y_THRESHOLD = 10
#: The detector's session keeps its tensors' memory from run to run (ONNX Runtime's arena;
#: the other models' sessions free it after each run, as rapidocr runs them all). Its
#: tensors are large (the page's feature maps at up to 960 pixels: tens of MB each), so
#: without the arena every run took them from the operating system afresh and had it zero
#: them again (system time); the same kernels compute the same numbers either way. Measured
#: on this 2-core machine, alternating: the corpus's CMYK photo page 0.27 s of CPU instead
#: of 0.39 s, a page of text 0.82-0.92 s instead of 0.93-1.03 s. The cost: the arena is kept
#: for the worker's next page, so a worker reading pages of 2,000 pixels peaks about 140 MB
#: higher (samples/scans: 497 MB against 360; 1.03 GB of address space of its 2 GB limit).
ARENA_TASKS = frozenset({"det"})
#: Folder of the cache directory (cachedir.py) that holds each model's graph optimised
#: ahead (see open_session).
OPTIMISED_DIR = "ocr-models"


class Engine:
    """The three models of one worker, each loaded on first use, one thread each."""

    def __init__(self, paths: dict[str, Path], detect_side: int) -> None:
        self.paths = paths
        self.detect_side = detect_side
        self._sessions: dict[str, Any] = {}
        self._characters: list[str] = []
        self._lock = threading.Lock()

    def session(self, task: str) -> Any:
        with self._lock:
            found = self._sessions.get(task)
            if found is None:
                found = open_session(self.paths[task], arena=task in ARENA_TASKS)
                if task == "rec":
                    listed = found.get_modelmeta().custom_metadata_map["character"]
                    self._characters = ["blank", *listed.splitlines(), " "]
                self._sessions[task] = found
            return found

    def _run(self, task: str, batch: Any) -> Any:
        session = self.session(task)
        name = session.get_inputs()[0].name
        return session.run(None, {name: batch})[0]

    # -- the detector ------------------------------------------------------------------------

    def detect(self, pixels: Any) -> Any:
        """The text boxes on the page (an N x 4 x 2 float array, top to bottom, left to
        right), as rapidocr's detector returns them."""
        import numpy as np

        height, width = pixels.shape[:2]
        pixels, top = _padded(pixels)
        batch = det_input(pixels, self.detect_side)
        if batch is None:
            return np.zeros((0, 4, 2), dtype=np.float32)
        pred = self._run("det", batch)
        boxes = db_boxes(pred[0, 0], pixels.shape[0], pixels.shape[1])
        if not len(boxes):
            return np.zeros((0, 4, 2), dtype=np.float32)
        boxes = sorted_boxes(boxes)
        boxes[:, :, 1] -= top
        boxes = np.where(boxes < 0, 0, boxes)
        boxes[..., 0] = np.where(boxes[..., 0] > width, width, boxes[..., 0])
        boxes[..., 1] = np.where(boxes[..., 1] > height, height, boxes[..., 1])
        return boxes

    def peak(self, pixels: Any, side: int) -> float:
        """The detector's highest text probability anywhere on the page, looked at with
        its longer side at most ``side``, each pixel the mean of those it covers (a cheap
        first look: averaging keeps thin strokes that sampling would skip, and quiets
        noise)."""
        import cv2

        batch = det_input(_padded(pixels)[0], side, cv2.INTER_AREA)
        if batch is None:
            return 0.0
        return float(self._run("det", batch).max())

    # -- the recogniser ----------------------------------------------------------------------

    def recognize(self, lines: list[Any]) -> list[tuple[str, float]]:
        """(text, score) of each line image, one at a time at its own width."""
        import numpy as np

        out = []
        for line in lines:
            probs = self._run("rec", rec_input(line))[0]
            index = probs.argmax(axis=1)
            keep = np.ones(len(index), dtype=bool)
            keep[1:] = index[1:] != index[:-1]
            keep &= index != 0
            best = probs[np.arange(len(index))[keep], index[keep]]  # the max, not a 2nd pass
            confidences = [round(c, 5) for c in best.tolist()] or [0]
            text = "".join(self._characters[i] for i in index[keep])
            out.append((text, float(np.mean(confidences).round(5))))
        return out

    # -- the direction classifier ------------------------------------------------------------

    def classify(self, pieces: list[Any]) -> list[tuple[str, float]]:
        """("0" or "180", score) of each piece of line, in batches of similar width."""
        import numpy as np

        order = np.argsort(np.array([p.shape[1] / float(p.shape[0]) for p in pieces]))
        out: list[tuple[str, float]] = [("", 0.0)] * len(pieces)
        for start in range(0, len(pieces), CLS_BATCH):
            chosen = order[start : start + CLS_BATCH]
            batch = np.concatenate([cls_input(pieces[i])[np.newaxis] for i in chosen])
            probs = self._run("cls", batch.astype(np.float32))
            for i, row in zip(chosen, probs, strict=True):
                best = int(row.argmax())
                out[i] = (CLS_LABELS[best], float(row[best]))
        return out


def _options(level: Any, *, arena: bool = False) -> Any:
    import onnxruntime as ort  # type: ignore[import-untyped]

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.enable_cpu_mem_arena = arena
    options.graph_optimization_level = level
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return options


def open_session(path: Path, *, arena: bool = False) -> Any:
    """An ONNX Runtime session on one model file, every graph optimisation on, one thread;
    with ``arena``, the memory of its tensors is kept from run to run (ARENA_TASKS).

    Working out the graph optimisations was half of a session's start (0.21 of 0.30 s of CPU
    for the three models). So the model optimised to ONNX Runtime's "extended" level (fused
    operators; the same on every CPU, unlike the last, layout level, which is still applied
    here) is saved once in the cache folder, keyed by the model file, the ONNX Runtime
    version and the machine type, and the sessions of later workers start from it (0.09 s).
    The saved copy's name carries its sha256, checked on every load: a damaged or
    unloadable copy is not used (the model file itself is, and the copy is made again); a
    cache folder that cannot be written only leaves the start as slow as before."""
    import onnxruntime as ort

    level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    data = optimised_model(path)
    if data is not None:
        try:
            return ort.InferenceSession(
                data, sess_options=_options(level, arena=arena), providers=["CPUExecutionProvider"]
            )
        except Exception:  # an ONNX Runtime that cannot load the copy: the model it is
            pass
    return ort.InferenceSession(
        str(path), sess_options=_options(level, arena=arena), providers=["CPUExecutionProvider"]
    )


def optimised_model(path: Path) -> bytes | None:
    """The bytes of ``path`` optimised ahead (see open_session), made and saved now when
    none is saved or the saved one is damaged; None when that cannot be done."""
    try:
        folder, key = _optimised_place(path)
        for saved in folder.glob(f"{key}-*.onnx"):
            data = saved.read_bytes()
            if saved.name == f"{key}-{hashlib.sha256(data).hexdigest()[:32]}.onnx":
                return data
            with contextlib.suppress(OSError):
                saved.unlink()  # damaged: made again below
        return _save_optimised(path, folder, key)
    except Exception:  # a cache that cannot be used only makes the start slower
        return None


def _optimised_place(path: Path) -> tuple[Path, str]:
    """The folder of the saved copies and the key of ``path``'s: the model file (its path,
    size and modification time), ONNX Runtime's version and the machine type."""
    import onnxruntime as ort

    from ..cachedir import default_directory

    stat = path.stat()
    ident = f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0{ort.__version__}"
    ident += f"\0{platform.machine()}\0extended"
    digest = hashlib.sha256(ident.encode()).hexdigest()[:24]
    return default_directory() / OPTIMISED_DIR, f"{path.stem}-{digest}"


def _save_optimised(path: Path, folder: Path, key: str) -> bytes:
    """Optimise ``path`` to the extended level into ``folder`` (written beside and renamed,
    so a reader never sees half a file) and return its bytes. Copies of the same model
    file under another key (an older ONNX Runtime) are removed."""
    import onnxruntime as ort

    from ..cachedir import mkdir_private

    mkdir_private(folder)
    handle, name = tempfile.mkstemp(prefix=".tmp-", suffix=".onnx", dir=folder)
    os.close(handle)
    temp = Path(name)
    try:
        options = _options(ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
        options.optimized_model_filepath = str(temp)
        ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        data = temp.read_bytes()
        temp.replace(folder / f"{key}-{hashlib.sha256(data).hexdigest()[:32]}.onnx")
        stem = key.rsplit("-", 1)[0]
        for old in folder.glob(f"{stem}-*.onnx"):
            if not old.name.startswith(f"{key}-") and old.name.count("-") == key.count("-") + 1:
                with contextlib.suppress(OSError):
                    old.unlink()
        for left in folder.glob(".tmp-*.onnx"):  # of a worker that was killed while saving
            with contextlib.suppress(OSError):
                if left.stat().st_mtime < time.time() - 3600:
                    left.unlink()
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    return data


def _padded(pixels: Any) -> tuple[Any, int]:
    """The page padded as rapidocr pads it before detection, and the rows added on top."""
    height, width = pixels.shape[:2]
    if height > PAD_MIN_HEIGHT and width / height <= PAD_RATIO:
        return pixels, 0
    import cv2

    top = int(abs(max(int(width / PAD_RATIO), PAD_MIN_HEIGHT) * 2 - height) / 2)
    return cv2.copyMakeBorder(pixels, top, top, 0, 0, cv2.BORDER_CONSTANT, value=0), top


_DET_LUT: Any = None


def det_input(pixels: Any, side: int, interpolation: int | None = None) -> Any:
    """The detector's input: the page resized so that its longer side is at most ``side``,
    both sides rounded to a multiple of 32, normalised to -1..1 (None if nothing is left).
    Resized as rapidocr resizes (bilinear) unless another OpenCV ``interpolation`` is given."""
    import cv2
    import numpy as np

    global _DET_LUT
    if _DET_LUT is None:  # as rapidocr: x * (1 / 255) in float32, - 0.5 and / 0.5 in float64
        scaled = np.arange(256, dtype=np.float32) * np.float32(1 / 255.0)
        _DET_LUT = ((scaled.astype(np.float64) - 0.5) / 0.5).astype(np.float32)
    height, width = pixels.shape[:2]
    ratio = float(side) / max(height, width) if max(height, width) > side else 1.0
    new_h = round(int(height * ratio) / 32) * 32
    new_w = round(int(width * ratio) / 32) * 32
    if new_h <= 0 or new_w <= 0:
        return None
    how = cv2.INTER_LINEAR if interpolation is None else interpolation  # cv2's default
    resized = cv2.resize(pixels, (new_w, new_h), interpolation=how)
    return np.ascontiguousarray(_DET_LUT[resized].transpose(2, 0, 1)[np.newaxis])


def db_boxes(pred: Any, height: int, width: int) -> Any:
    """PaddleOCR's DB post-processing ("fast" scores, dilation): the boxes of the text
    regions of a probability map, in the page's pixels, clockwise from the top left."""
    import cv2
    import numpy as np

    bitmap = cv2.dilate((pred > DET_THRESH).astype(np.uint8), np.array([[1, 1], [1, 1]]))
    map_h, map_w = bitmap.shape
    found = cv2.findContours(bitmap * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    contours = found[1] if len(found) == 3 else found[0]
    boxes = []
    for contour in contours[:DET_MAX_CANDIDATES]:
        points, short = _mini_box(contour)
        if short < DET_MIN_SIZE:
            continue
        if _box_score(pred, points.reshape(-1, 2)) < DET_BOX_THRESH:
            continue
        box, short = _mini_box(_unclip(points))
        if short < DET_MIN_SIZE + 2:
            continue
        box[:, 0] = np.clip(np.round(box[:, 0] / map_w * width), 0, width)
        box[:, 1] = np.clip(np.round(box[:, 1] / map_h * height), 0, height)
        box = _clockwise(box.astype(np.int32))
        box[:, 0] = np.clip(box[:, 0], 0, width - 1).astype(np.int32)
        box[:, 1] = np.clip(box[:, 1], 0, height - 1).astype(np.int32)
        if int(np.linalg.norm(box[0] - box[1])) <= 3 or int(np.linalg.norm(box[0] - box[3])) <= 3:
            continue
        boxes.append(box)
    return np.array(boxes, dtype=np.float32)


def _mini_box(contour: Any) -> tuple[Any, float]:
    import cv2
    import numpy as np

    rect = cv2.minAreaRect(contour)
    points = sorted(cv2.boxPoints(rect), key=lambda p: p[0])
    first, fourth = (0, 1) if points[1][1] > points[0][1] else (1, 0)
    second, third = (2, 3) if points[3][1] > points[2][1] else (3, 2)
    box = np.array([points[first], points[second], points[third], points[fourth]])
    return box, min(rect[1])


def _box_score(pred: Any, box: Any) -> float:
    import cv2
    import numpy as np

    h, w = pred.shape[:2]
    box = box.copy()
    xmin = np.clip(np.floor(box[:, 0].min()).astype(np.int32), 0, w - 1)
    xmax = np.clip(np.ceil(box[:, 0].max()).astype(np.int32), 0, w - 1)
    ymin = np.clip(np.floor(box[:, 1].min()).astype(np.int32), 0, h - 1)
    ymax = np.clip(np.ceil(box[:, 1].max()).astype(np.int32), 0, h - 1)
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), dtype=np.uint8)
    box[:, 0] = box[:, 0] - xmin
    box[:, 1] = box[:, 1] - ymin
    cv2.fillPoly(mask, box.reshape(1, -1, 2).astype(np.int32), 1)
    return float(cv2.mean(pred[ymin : ymax + 1, xmin : xmax + 1], mask)[0])


def _unclip(box: Any) -> Any:
    """The box grown by area * ratio / perimeter on every side (rounded corners)."""
    import numpy as np
    import pyclipper  # type: ignore[import-untyped]

    xs = box[:, 0].astype(np.float64)
    ys = box[:, 1].astype(np.float64)
    area = abs(float(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1)))) / 2
    length = sum(math.dist(box[i], box[(i + 1) % len(box)]) for i in range(len(box)))
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return np.array(offset.Execute(area * DET_UNCLIP_RATIO / length)).reshape((-1, 1, 2))


def _clockwise(points: Any) -> Any:
    import numpy as np

    by_x = points[np.argsort(points[:, 0]), :]
    left = by_x[:2][np.argsort(by_x[:2, 1]), :]
    right = by_x[2:][np.argsort(by_x[2:, 1]), :]
    return np.array([left[0], right[0], right[1], left[1]], dtype="float32")


def sorted_boxes(boxes: Any) -> Any:
    """Top to bottom (boxes within 10 pixels of each other's top are one row), then left
    to right, as rapidocr sorts them."""
    import numpy as np

    by_y = np.argsort(boxes[:, 0, 1], kind="stable")
    boxes = boxes[by_y]
    ys = boxes[:, 0, 1]
    rows = np.concatenate([[0], np.cumsum((np.diff(ys) >= _SORT_Y_THRESHOLD).astype(np.int32))])
    return boxes[np.lexsort((boxes[:, 0, 0], rows))]


def rec_input(line: Any) -> Any:
    """The recogniser's input for one line image: 48 pixels high, its own width."""
    import cv2
    import numpy as np

    height, width = line.shape[:2]
    ratio = max(1.0, width / float(height))
    target = int(REC_HEIGHT * ratio)
    resized_w = min(target, math.ceil(REC_HEIGHT * width / float(height)))
    resized = cv2.resize(line, (resized_w, REC_HEIGHT)).astype("float32")
    resized = resized.transpose((2, 0, 1)) / 255
    resized -= 0.5
    resized /= 0.5
    padded = np.zeros((3, REC_HEIGHT, target), dtype=np.float32)
    padded[:, :, :resized_w] = resized
    return padded[np.newaxis]


def cls_input(piece: Any) -> Any:
    """The direction classifier's input for one piece of line: 48 x 192, padded."""
    import cv2
    import numpy as np

    height, width = piece.shape[:2]
    cls_h, cls_w = CLS_SHAPE
    resized_w = min(cls_w, math.ceil(cls_h * width / float(height)))
    resized = cv2.resize(piece, (resized_w, cls_h), interpolation=cv2.INTER_LINEAR)
    resized = resized.astype("float32").transpose((2, 0, 1)) / 255
    resized -= 0.5
    resized /= 0.5
    padded = np.zeros((3, cls_h, cls_w), dtype=np.float32)
    padded[:, :, :resized_w] = resized
    return padded
