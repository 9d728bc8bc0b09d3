"""What a page asks of the OCR engine (counted with a spy on the engine, never timed): a
page with no text (noise, blank, a portrait photo, the corpus's grey image) never reaches
the full detector or the recogniser; text, small or on a noisy ground or in big letters,
is still read; an image-only PDF page is rendered at its image's own resolution and
still read."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps

from img_dossier.readers import ocr, scans

np = pytest.importorskip("numpy")
pytest.importorskip("rapidocr")
pdfium = pytest.importorskip("pypdfium2")

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "src" / "img_dossier" / "output" / "fonts" / "DejaVuSans.ttf"
CORPUS_GREY = ROOT.parent / "shared" / "corpus" / "019-grayscale-image_grayscale-image.pdf"
LINE = "Page 3 of 7  Passport number AB1234567"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Calls of the engine's first look (peak), full detection, recogniser and direction
    classifier during the test."""
    engine = ocr._load()
    if engine is None:
        pytest.skip(f"OCR unavailable: {ocr.unavailable()}")
    counted: Counter[str] = Counter()
    for name in ("peak", "detect", "recognize", "classify"):
        real = getattr(engine, name)

        def spy(*args: object, _real: object = real, _name: str = name) -> object:
            counted[_name] += 1
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(engine, name, spy)
    return counted


def printed(size: tuple[int, int], text: str, px: int, ground: int = 255, ink: int = 0,
            noise: float = 0.0, at: tuple[int, int] = (100, 100)) -> Image.Image:  # fmt: skip
    """A page of ``size`` with ``text`` printed ``px`` pixels high on a ground of grey
    ``ground``, with Gaussian noise of sigma ``noise`` over it (seeded)."""
    im = Image.new("L", size, ground)
    ImageDraw.Draw(im).text(at, text, fill=ink, font=ImageFont.truetype(str(FONT), px))
    if noise:
        rng = np.random.default_rng(7)
        grey = np.asarray(im, dtype=np.float32) + rng.normal(0, noise, (size[1], size[0]))
        im = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8))
    return im.convert("RGB")


def test_a_page_of_noise_is_dismissed_by_the_first_look(calls: Counter[str]) -> None:
    page = Image.effect_noise((850, 1100), 50).convert("RGB")
    assert ocr.read_page(page).text == ""
    assert calls == {"peak": 1}


def test_a_blank_page_costs_no_detection(calls: Counter[str]) -> None:
    assert ocr.read_page(Image.new("RGB", (1654, 2339), "white")).text == ""
    assert calls == {}


def test_a_portrait_photo_never_reaches_the_recogniser(calls: Counter[str]) -> None:
    with Image.open(ROOT / "samples" / "us-j1" / "photo.jpg") as im:
        page = im.convert("RGB")
    assert ocr.read_page(page).text == ""
    assert calls == {"detect": 1}  # its one box is the picture, not a line


def test_small_print_on_a_noisy_ground_passes_the_first_look_and_is_read(
    calls: Counter[str],
) -> None:
    """7-point print at 170 dpi under heavy noise: no plain background, so the first look
    is made; it must not dismiss the page (sampling it down without averaging did)."""
    page = printed((1414, 2000), LINE, px=17, ground=200, noise=35, at=(150, 900))
    assert "1234567" in ocr.read_page(page).text
    assert calls["peak"] == 1 and calls["detect"] == 1 and calls["recognize"] == 1


def test_small_print_on_paper_is_read_without_a_first_look(calls: Counter[str]) -> None:
    page = printed((1414, 2000), LINE, px=14, at=(150, 1700))  # 6 points at 170 dpi
    assert "1234567" in ocr.read_page(page).text
    assert calls["peak"] == 0 and calls["detect"] == 1


def test_a_word_in_big_letters_is_no_picture(calls: Counter[str]) -> None:
    page = printed((900, 300), "PASSPORT", px=150, at=(40, 60))
    assert ocr.read_page(page).text == "PASSPORT"
    assert calls["recognize"] == 1


def image_pdf(image: Image.Image, dpi: float) -> bytes:
    buf = io.BytesIO()
    image.convert("L").save(buf, "PDF", resolution=dpi)
    return buf.getvalue()


def test_a_low_resolution_scan_is_rendered_at_its_own_resolution_and_read() -> None:
    """A 96-dpi image-only page is not upsampled to 200 dpi for OCR, and is still read."""
    scan = printed((560, 300), "Date of expiry 16 MAR 2031", px=22, at=(30, 120))
    pdf = pdfium.PdfDocument(image_pdf(scan, 96))
    page = pdf[0]
    assert scans.render_scale(page) == pytest.approx(96 / 72, rel=0.01)
    rendered = scans.render_page(page)
    assert rendered.size == pytest.approx(scan.size, abs=1)
    assert "expiry16MAR2031" in ocr.read_page(rendered).text.replace(" ", "")


def test_a_very_low_resolution_scan_is_upsampled_to_the_floor() -> None:
    pdf = pdfium.PdfDocument(image_pdf(Image.new("L", (200, 280), 255), 40))
    assert scans.render_scale(pdf[0]) == pytest.approx(scans.MIN_NATIVE_DPI / 72)


def test_a_page_with_text_or_a_sharp_scan_is_rendered_at_200_dpi() -> None:
    text_pdf = pdfium.PdfDocument(ROOT / "samples" / "us-j1" / "passport.pdf")
    width, height = text_pdf[0].get_size()
    assert scans.render_scale(text_pdf[0]) == pytest.approx(
        min(scans.RENDER_DPI / 72, ocr.MAX_SIDE / max(width, height))
    )
    sharp = pdfium.PdfDocument(image_pdf(Image.new("L", (900, 600), 255), 300))
    assert scans.render_scale(sharp[0]) == pytest.approx(scans.RENDER_DPI / 72)


def test_the_corpus_grey_image_is_read_at_its_size_without_recognition(
    calls: Counter[str],
) -> None:
    if not CORPUS_GREY.is_file():
        pytest.skip("the shared corpus is not available")
    pdf = pdfium.PdfDocument(CORPUS_GREY)
    page = scans.render_page(pdf[0])
    assert page.size == (324, 450)  # its image's pixels, not 675 x 938 at 200 dpi
    assert ocr.read_page(page).text == ""
    assert calls["recognize"] == 0


CORPUS_CMYK = ROOT.parent / "shared" / "corpus" / "023-cmyk-image_cmyk-image.pdf"


def photo_on_paper(extra: str, at: tuple[str, int], px: int = 22) -> Image.Image:
    """The corpus's CMYK photo pasted at 60% of the width on a white A4 page (1414 x 2000),
    with ``extra`` printed ``at`` ("over": that many pixels above the photo, "in": inside
    it, orange like a camera's date stamp)."""
    photo = scans.render_page(pdfium.PdfDocument(CORPUS_CMYK)[0]).convert("RGB")
    photo = photo.crop((115, 115, 875, 1125))  # the photo without the page's margins
    width = int(1414 * 0.6)
    height = photo.height * width // photo.width
    left, top = (1414 - width) // 2, (2000 - height) // 2
    page = Image.new("RGB", (1414, 2000), "white")
    page.paste(photo.resize((width, height), Image.Resampling.LANCZOS), (left, top))
    where, gap = at
    xy = (left, top - gap - px - 4) if where == "over" else (left + width - 260, top + height - 50)
    ink = (0, 0, 0) if where == "over" else (255, 140, 0)
    ImageDraw.Draw(page).text(xy, extra, fill=ink, font=ImageFont.truetype(str(FONT), px))
    return page


@pytest.mark.parametrize(
    ("extra", "at", "px"),
    [("Exhibit 7 Rotation site", ("over", 2), 22), ("2024/03/12 14:05", ("in", 0), 26)],
)
def test_text_touching_or_inside_a_photo_on_paper_is_read(
    extra: str, at: tuple[str, int], px: int
) -> None:
    """A caption 2 pixels above a photo pasted on a page, and a date stamp inside it, are
    read. A first look at 480 or 736 pixels (round 9's try to spare such pages the full
    look) sees each page as one picture and nothing beside it, and would have lost them."""
    if not CORPUS_CMYK.is_file():
        pytest.skip("the shared corpus is not available")
    assert ocr.read_page(photo_on_paper(extra, at, px)).text == extra


def test_a_phone_photo_of_a_passport_pasted_on_a_page_is_read() -> None:
    """The common upload: a Word page with a phone photo of the passport, as a PDF (here the
    photo pasted at 60% of an A4 page's width): most of the page is no paper, and still read."""
    with Image.open(ROOT / "samples" / "scans" / "IMG_4107.jpg") as im:
        photo = ImageOps.exif_transpose(im).convert("RGB")
    width = int(1414 * 0.6)
    height = photo.height * width // photo.width
    page = Image.new("RGB", (1414, 2000), "white")
    page.paste(photo.resize((width, height)), ((1414 - width) // 2, (2000 - height) // 2))
    assert "PASSPORT" in ocr.read_page(page).text
