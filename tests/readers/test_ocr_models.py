"""The int8 OCR models shipped in img_dossier/readers/models: used when intact, never when
damaged (the wheel's float models are used instead), and the cache key tells the two apart."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from img_dossier.readers import ocr, ocr_tag

pytest.importorskip("rapidocr")

FONT = Path(__file__).resolve().parents[2] / "src/img_dossier/output/fonts/DejaVuSans-Bold.ttf"
LINES = ["PASSPORT", "Date of expiry 16 MAR 2031",
         "P<PERQUISPE<MAMANI<<LUCIA<FERNANDA<<<<<<<<<<"]  # fmt: skip


def page() -> Image.Image:
    font = ImageFont.truetype(str(FONT), 26)
    im = Image.new("L", (900, 40 + 47 * len(LINES)), 255)
    draw = ImageDraw.Draw(im)
    for n, line in enumerate(LINES):
        draw.text((30, 20 + n * 47), line, fill=0, font=font)
    return im


@pytest.fixture
def fresh_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An engine loaded anew for the test (the process's own is put back after it)."""
    saved = (ocr._engine, ocr._engine_error)
    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setattr(ocr, "_engine_error", None)
    ocr.model_set.cache_clear()
    yield
    ocr.model_set.cache_clear()
    ocr._engine, ocr._engine_error = saved


def test_the_shipped_int8_models_are_intact_and_say_where_they_come_from() -> None:
    record = json.loads((ocr.INT8_DIR / "models.json").read_text(encoding="utf-8"))
    for task, name in ocr.INT8_MODELS.items():
        data = (ocr.INT8_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record[name]["sha256"]
        assert record[name]["source"] == ocr.FLOAT_MODELS[task]
        assert len(record[name]["source_sha256"]) == 64
    assert ocr.model_set() == "int8"


def test_the_int8_models_read_what_the_float_models_read(fresh_engine: None) -> None:
    texts = {}
    for which in ("int8", "float"):
        engine = ocr._make_engine(ocr.model_paths(which))  # type: ignore[arg-type]
        ocr._engine = engine
        texts[which] = ocr.read_page(page()).text.replace(" ", "").splitlines()
    assert texts["int8"] == texts["float"] == [line.replace(" ", "") for line in LINES]


def test_a_damaged_int8_model_is_not_used_and_ocr_still_works(
    fresh_engine: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "models"
    shutil.copytree(ocr.INT8_DIR, copy)
    rec = copy / ocr.INT8_MODELS["rec"]
    data = bytearray(rec.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the weights
    rec.write_bytes(bytes(data))
    monkeypatch.setattr(ocr_tag, "INT8_DIR", copy)  # where the model set is told
    assert ocr.model_set() == "float"
    paths = ocr.model_paths()
    assert isinstance(paths, dict) and paths["rec"].parent != copy
    assert "PASSPORT" in ocr.read_page(page()).text
    assert "float" in ocr.cache_tag()


def test_missing_int8_models_fall_back_to_the_float_models(
    fresh_engine: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr_tag, "INT8_DIR", tmp_path)
    assert ocr.model_set() == "float"
    assert ocr.unavailable() is None


def test_the_cache_key_names_the_models_so_readings_of_the_other_set_are_not_reused(
    fresh_engine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    int8 = ocr.cache_tag()
    monkeypatch.setenv(ocr.MODELS_ENV, "float")
    ocr.model_set.cache_clear()
    assert ocr.model_set() == "float"
    assert ocr.cache_tag() != int8 and "int8" in int8
