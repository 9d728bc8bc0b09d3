"""readers/ocr_engine.py runs the PP-OCR models exactly as rapidocr does: the same boxes,
text, scores and direction votes as rapidocr's own pipeline on the same pages (a page, a
page wider than 8:1, which rapidocr pads before detecting, and a blank page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from img_dossier.readers import ocr, ocr_engine

np = pytest.importorskip("numpy")
pytest.importorskip("rapidocr")

FONT = Path(__file__).resolve().parents[2] / "src/img_dossier/output/fonts/DejaVuSans.ttf"
LINES = [
    "MEDICAL DIPLOMA  Universidad Nacional Mayor de San Marcos",
    "Date of issue: 14 March 2019    Passport No. PE1194837",
    "P<PERQUISPE<MAMANI<<LUCIA<FERNANDA<<<<<<<<<<",
    "1194837265PER9603149F310316445871236<<<<<<48",
]


def page(width: int, lines: list[str], skew: float = 0.0) -> Any:
    font = ImageFont.truetype(str(FONT), 24)
    im = Image.new("RGB", (width, 50 + 44 * len(lines)), "white")
    draw = ImageDraw.Draw(im)
    for n, line in enumerate(lines):
        draw.text((25, 25 + n * 44), line, fill="black", font=font)
    if skew:
        im = im.rotate(skew, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)
    return np.asarray(im)


@pytest.fixture(scope="module")
def engines() -> tuple[Any, Any]:
    """rapidocr's own pipeline and ocr_engine's, on the same model files."""
    from rapidocr import RapidOCR

    paths = ocr.model_paths()
    assert isinstance(paths, dict)
    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Det.limit_side_len": ocr.DETECT_SIDE,
        "Det.limit_type": "max",
        "Rec.rec_batch_num": 1,
        "Rec.rec_img_shape": [3, 48, 48],
    }
    for task, path in paths.items():
        params[f"{task.title()}.model_path"] = str(path)
    return RapidOCR(params=params), ocr_engine.Engine(paths, ocr.DETECT_SIDE)


@pytest.mark.parametrize(
    "pixels",
    [page(1100, LINES, skew=2.0), page(1500, LINES[2:3]), page(900, [])],
    ids=["slanted page", "strip wider than 8:1", "blank page"],
)
def test_the_engine_finds_and_reads_what_rapidocr_finds_and_reads(
    pixels: Any, engines: tuple[Any, Any]
) -> None:
    reference, engine = engines
    found = reference(pixels, use_det=True, use_cls=False, use_rec=False)
    want = getattr(found, "boxes", None)
    boxes = engine.detect(pixels)
    if want is None:
        assert len(boxes) == 0
        return
    assert boxes.shape == np.asarray(want).shape and np.allclose(boxes, want)
    from rapidocr.utils.process_img import get_rotate_crop_image

    lines = [get_rotate_crop_image(pixels, np.array(q, dtype=np.float32)) for q in boxes]
    read = reference.recognize_txt(lines)
    assert engine.recognize(lines) == list(zip(read.txts, read.scores, strict=True))
    pieces = [line[:, : 4 * line.shape[0]] for line in lines] + [np.rot90(lines[0], 2)]
    _turned, voted = reference.cls_and_rotate(pieces)
    assert engine.classify(pieces) == [(label, float(score)) for label, score in voted.cls_res]


def test_the_engine_starts_without_loading_a_model_until_one_is_needed() -> None:
    paths = ocr.model_paths()
    assert isinstance(paths, dict)
    engine = ocr_engine.Engine(paths, ocr.DETECT_SIDE)
    assert engine.detect(page(900, [])).shape == (0, 4, 2)
    assert set(engine._sessions) == {"det"}  # no line: no recogniser, no classifier


def test_the_detector_keeping_its_memory_finds_exactly_what_a_fresh_one_finds() -> None:
    """The detector's session keeps its tensors' memory from page to page (ARENA_TASKS): its
    text map is the same, to the bit, as a session's that frees it after every run, also
    for a page read after a larger and a smaller one."""
    paths = ocr.model_paths()
    assert isinstance(paths, dict)
    engine = ocr_engine.Engine(paths, ocr.DETECT_SIDE)
    assert "det" in ocr_engine.ARENA_TASKS
    fresh = ocr_engine.open_session(paths["det"], arena=False)
    pages = [page(1100, LINES, skew=2.0), page(1500, LINES[2:3]), page(700, LINES[:2])]
    for pixels in [*pages, pages[0]]:
        batch = ocr_engine.det_input(pixels, ocr.DETECT_SIDE)
        kept = engine._run("det", batch)
        freed = fresh.run(None, {fresh.get_inputs()[0].name: batch})[0]
        assert np.array_equal(kept, freed)
    assert len(engine.detect(pages[0])) == len(LINES)
