"""A grey page is made smaller before it is made RGB (a third of the work): OCR reads the
same text and confidence from it as from its RGB copy, and the caller's image is untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from img_dossier.readers import ocr, scans

pytest.importorskip("rapidocr")

FONT = Path(__file__).resolve().parents[2] / "src/img_dossier/output/fonts/DejaVuSans.ttf"
LINES = ["Date of expiry 16 MAR 2031", "P<PERQUISPE<MAMANI<<LUCIA<FERNANDA<<<<<<<<<<"]


def grey_page() -> Image.Image:
    """A grey page larger than ocr.MAX_SIDE (made smaller before reading)."""
    font = ImageFont.truetype(str(FONT), 60)
    im = Image.new("L", (2300, 700), 235)
    draw = ImageDraw.Draw(im)
    for n, line in enumerate(LINES):
        draw.text((60, 120 + n * 200), line, fill=20, font=font)
    return im


def test_a_grey_page_reads_as_its_rgb_copy_and_is_left_as_it_is() -> None:
    grey = grey_page()
    before = grey.tobytes()
    read = ocr.read_page(grey)
    assert grey.mode == "L" and grey.size == (2300, 700) and grey.tobytes() == before
    assert read == ocr.read_page(grey.convert("RGB"))
    assert "16MAR2031" in read.text.replace(" ", "")


def test_a_grey_image_file_is_decoded_grey_and_reads_as_its_rgb_copy(tmp_path: Path) -> None:
    grey = tmp_path / "grey.png"
    rgb = tmp_path / "rgb.png"
    grey_page().save(grey)
    grey_page().convert("RGB").save(rgb)
    [(_i, frame)] = list(scans.image_frames_at(grey, [0]))
    assert frame.mode == "L" and max(frame.size) == ocr.MAX_SIDE
    [(_j, colour)] = list(scans.image_frames_at(rgb, [0]))
    assert colour.mode == "RGB"
    assert ocr.read_page(frame) == ocr.read_page(colour)
