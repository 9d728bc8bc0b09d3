"""The OCR engine starts from models optimised ahead and saved in the cache folder
(ocr_engine.open_session): made once, used by later engines, and never trusted when damaged
or when the cache folder cannot be written (the model file itself is then used)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from img_dossier.readers import ocr, ocr_engine

pytest.importorskip("rapidocr")

FONT = Path(__file__).resolve().parents[2] / "src/img_dossier/output/fonts/DejaVuSans-Bold.ttf"
LINES = ["PASSPORT", "Date of expiry 16 MAR 2031"]


def page() -> Any:
    import numpy as np

    font = ImageFont.truetype(str(FONT), 26)
    im = Image.new("RGB", (700, 40 + 47 * len(LINES)), "white")
    draw = ImageDraw.Draw(im)
    for n, line in enumerate(LINES):
        draw.text((30, 20 + n * 47), line, fill="black", font=font)
    return np.asarray(im)


def read(engine: ocr_engine.Engine) -> list[str]:
    from rapidocr.utils.process_img import get_rotate_crop_image

    pixels = page()
    lines = [get_rotate_crop_image(pixels, box) for box in engine.detect(pixels)]
    return [text for text, _score in engine.recognize(lines)]


def new_engine() -> ocr_engine.Engine:
    paths = ocr.model_paths()
    assert isinstance(paths, dict)
    return ocr_engine.Engine(paths, ocr.DETECT_SIDE)


def saved(cache: Path) -> list[Path]:
    return sorted((cache / ocr_engine.OPTIMISED_DIR).glob("*.onnx"))


def test_the_optimised_models_are_saved_once_and_used_by_the_next_engine(
    _private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = read(new_engine())
    assert first == LINES
    copies = saved(_private_cache)
    assert len(copies) == 2  # the detector and the recogniser (no line to turn: no classifier)
    assert not list((_private_cache / ocr_engine.OPTIMISED_DIR).glob(".tmp-*"))

    def no_saving(*args: Any) -> bytes:
        raise AssertionError("the saved copy should have been used")

    monkeypatch.setattr(ocr_engine, "_save_optimised", no_saving)
    assert read(new_engine()) == first
    assert saved(_private_cache) == copies


def test_a_damaged_saved_model_is_not_used_and_is_made_again(_private_cache: Path) -> None:
    want = read(new_engine())
    for copy in saved(_private_cache):
        data = bytearray(copy.read_bytes())
        data[len(data) // 2] ^= 0xFF  # one flipped byte in the weights: loads, reads wrong
        copy.write_bytes(bytes(data))
    damaged = saved(_private_cache)
    assert read(new_engine()) == want
    remade = saved(_private_cache)
    assert len(remade) == len(damaged)
    for copy in remade:
        import hashlib

        assert copy.stem.endswith(hashlib.sha256(copy.read_bytes()).hexdigest()[:32])


def test_a_saved_copy_onnx_runtime_cannot_load_leaves_the_model_file_in_use(
    _private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr_engine, "optimised_model", lambda path: b"not a model")
    assert read(new_engine()) == LINES


def test_a_cache_folder_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(blocked))
    assert ocr_engine.optimised_model(ocr.INT8_DIR / ocr.INT8_MODELS["rec"]) is None
    assert read(new_engine()) == LINES


def test_a_new_onnx_runtime_version_makes_its_own_copy_and_removes_the_old(
    _private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onnxruntime  # type: ignore[import-untyped]

    model = ocr.INT8_DIR / ocr.INT8_MODELS["rec"]
    assert ocr_engine.optimised_model(model) is not None
    old = saved(_private_cache)
    monkeypatch.setattr(onnxruntime, "__version__", onnxruntime.__version__ + ".post1")
    assert ocr_engine.optimised_model(model) is not None
    new = saved(_private_cache)
    assert len(new) == 1 and new != old
