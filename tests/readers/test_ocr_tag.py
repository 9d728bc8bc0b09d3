"""The int8 OCR model is verified (sha256) once, then known by its file's identity: a warm
``check`` does not read the ~6 MB model again, and a model changed since (even with its
modification time put back) is verified again and, damaged, never used."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from img_dossier.readers import ocr_tag

ROOT = Path(__file__).resolve().parents[2]
OLD = 1_600_000_000  # a modification time long past (a fresh copy is not remembered)


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped int8 models, as installed long ago, used by ocr_tag."""
    copy = tmp_path / "models"
    shutil.copytree(ocr_tag.INT8_DIR, copy)
    for path in copy.iterdir():
        os.utime(path, (OLD, OLD))
    monkeypatch.setattr(ocr_tag, "INT8_DIR", copy)
    monkeypatch.delenv(ocr_tag.MODELS_ENV, raising=False)
    ocr_tag.model_set.cache_clear()
    yield copy
    ocr_tag.model_set.cache_clear()


def _remembered(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.cfg"))


def test_a_model_verified_once_is_remembered_in_the_cache(models: Path) -> None:
    cache = Path(os.environ["IMG_DOSSIER_CACHE_DIR"])
    assert ocr_tag.model_set() == "int8"
    assert len(_remembered(cache)) == 1
    ocr_tag.model_set.cache_clear()
    assert ocr_tag.model_set() == "int8"
    assert len(_remembered(cache)) == 1


def test_a_model_damaged_after_it_was_verified_is_not_used(models: Path) -> None:
    assert ocr_tag.model_set() == "int8"
    rec = models / ocr_tag.INT8_MODELS["rec"]
    data = bytearray(rec.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    rec.write_bytes(bytes(data))
    os.utime(rec, (OLD, OLD))  # and the old modification time put back
    ocr_tag.model_set.cache_clear()
    assert ocr_tag.model_set() == "float"


def test_a_model_just_written_is_verified_but_not_remembered(models: Path) -> None:
    cache = Path(os.environ["IMG_DOSSIER_CACHE_DIR"])
    (models / ocr_tag.INT8_MODELS["rec"]).touch()  # as if being written now
    assert ocr_tag.model_set() == "int8"
    assert _remembered(cache) == []


def test_a_remembered_verification_is_cleared_with_the_cache(models: Path) -> None:
    cache = Path(os.environ["IMG_DOSSIER_CACHE_DIR"])
    assert ocr_tag.model_set() == "int8" and _remembered(cache)
    done = subprocess.run(
        [sys.executable, "-m", "img_dossier", "cache", "clear"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert _remembered(cache) == []


#: Runs the console with an audit hook that says which OCR model files are opened.
_WATCHED = (
    "import sys\n"
    "def hook(event, args):\n"
    "    if event == 'open' and str(args[0]).endswith('.onnx'):\n"
    "        sys.stderr.write('OPENED ' + str(args[0]) + '\\n')\n"
    "sys.addaudithook(hook)\n"
    "from img_dossier.cli import main\n"
    "sys.argv = ['dossier', *sys.argv[1:]]\n"
    "main()\n"
)


def test_a_warm_check_opens_no_ocr_model(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr")
    args = [sys.executable, "-c", _WATCHED, "check", str(ROOT / "samples" / "us-j1"), "-q"]
    first = subprocess.run(args, capture_output=True, text=True, check=False)
    assert first.returncode in (0, 1), first.stderr
    warm = subprocess.run(args, capture_output=True, text=True, check=False)
    assert warm.returncode == first.returncode
    assert "OPENED" not in warm.stderr
