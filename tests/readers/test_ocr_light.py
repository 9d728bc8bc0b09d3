"""OCR scheduling of scans that need no detection, and a TIFF decoded once.

A page too small to hold text (the corpus's 11 x 11-pixel imagemagick pages) costs OCR a
render and no detection: it is read by a worker that already holds the engine and never
makes a second worker load it. A TIFF that OCR reads is decoded once: the decode that tells
a damaged file also gives OCR its first frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from img_dossier.model import SourceFile
from img_dossier.readers import DEFAULT_LIMITS, read_documents
from img_dossier.readers.scan import scan
from img_dossier.readers.schedule import Queue
from img_dossier.readers.tasks import Task

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
TINY = "007-imagemagick-images_imagemagick-lzw.pdf"


def task(index: int, *, ocr: bool = False, light: bool = False) -> Task:
    source = SourceFile(path=Path(f"{index}.pdf"), rel=f"{index}.pdf", size=1)
    return Task(index, source, "", 1, False, ocr=ocr, light=light)


def tiny_pdf(path: Path) -> None:
    """An image-only PDF of one 11 x 11-point page (an 11 x 11-pixel image at 72 dpi)."""
    Image.effect_noise((11, 11), 40).convert("RGB").save(path, "PDF", resolution=72)


def scan_pdf(path: Path, seed: int) -> None:
    Image.effect_noise((425, 550), 30 + seed).convert("RGB").save(path, "PDF", resolution=50)


def test_pages_too_small_for_text_never_start_a_second_engine() -> None:
    queue = Queue([task(n, ocr=True, light=True) for n in range(10)], scheduled=True, backlog=4)
    assert queue.wants_worker(0)  # no engine yet: the first worker takes one
    assert queue.take(False, 0) is not None
    assert not queue.wants_worker(1)  # nine wait, none of them real OCR work
    assert queue.take(False, 1) is None
    taken = [queue.take(True, 1) for _ in range(9)]
    assert all(t is not None for t in taken) and not queue


def test_real_ocr_work_still_starts_a_second_engine_and_goes_first() -> None:
    light = [task(n, ocr=True, light=True) for n in range(3)]
    heavy = [task(n, ocr=True) for n in range(3, 7)]
    queue = Queue([*light, *heavy], scheduled=True, backlog=4)
    assert queue.wants_worker(1)  # four real scans wait
    first = queue.take(False, 1)
    assert first is not None and first.index == 3
    assert not queue.wants_worker(1)  # three left: the engine's worker reads them
    order = [queue.take(True, 1) for _ in range(6)]
    assert [t.index for t in order if t is not None] == [4, 5, 6, 0, 1, 2]


def test_a_worker_with_the_engine_reads_the_folder_before_the_tiny_pages() -> None:
    queue = Queue([task(0), task(1, ocr=True, light=True)], scheduled=True, backlog=4)
    got = queue.take(True, 1)
    assert isinstance(got, Task) and got.index == 0 and got.ocr  # read with OCR on
    got = queue.take(True, 1)
    assert isinstance(got, Task) and got.index == 1


@pytest.mark.parametrize(
    "sizes, light",
    [
        ([[11.0, 11.0]], True),
        ([[11.0, 11.0], [8.0, 600.0]], True),
        ([[11.0, 11.0], [595.0, 842.0]], False),  # one real page: detection runs
        ([[595.0, 842.0]], False),
        ([[0.0, 0.0]], False),  # not measured: any size
        ([], False),
    ],
)
def test_which_pages_need_no_detection(sizes: list[list[float]], light: bool) -> None:
    from img_dossier.readers.scans import needs_no_detection

    assert needs_no_detection(sizes) is light


@pytest.mark.parametrize("make", ["generated", "corpus"])
def test_a_page_said_to_need_no_detection_renders_too_small_for_ocr(
    tmp_path: Path, make: str
) -> None:
    """The rule agrees with what OCR really gets: a render no text fits on."""
    from img_dossier.readers import ocr
    from img_dossier.readers.scans import needs_no_detection, pdf_pages

    path = tmp_path / "tiny.pdf"
    if make == "corpus":
        if not (CORPUS / TINY).is_file():
            pytest.skip("the shared corpus is not here")
        path = CORPUS / TINY
    else:
        tiny_pdf(path)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path.read_bytes())
    sizes = [list(pdf.get_page_size(i)) for i in range(len(pdf))]
    pdf.close()
    assert needs_no_detection(sizes)
    images = list(pdf_pages(path.read_bytes(), DEFAULT_LIMITS.ocr_pages))
    assert images and not any(ocr.is_page_shaped(*im.size) for im in images)


def test_a_scan_of_tiny_pages_is_light_and_a_real_scan_not(
    tmp_path: Path, fresh_pool: None
) -> None:
    from img_dossier.readers import _light, reader_limits

    folder = tmp_path / "folder"
    folder.mkdir()
    tiny_pdf(folder / "tiny.pdf")
    scan_pdf(folder / "scan.pdf", 1)
    plain = read_documents(scan(folder).files, jobs=1, limits=reader_limits(ocr=False))
    light = {d.rel: _light(d, DEFAULT_LIMITS) for d in plain}
    assert light == {"scan.pdf": False, "tiny.pdf": True}


def test_a_scan_of_tiny_pages_is_queued_light_and_still_read_by_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    from img_dossier.readers import schedule

    folder = tmp_path / "folder"
    folder.mkdir()
    tiny_pdf(folder / "a-tiny.pdf")
    c = canvas.Canvas(str(folder / "letter.pdf"))
    c.drawString(72, 720, "A letter")
    c.save()
    pushed: list[tuple[str, bool]] = []
    real = schedule.Queue.push

    def push(self: Queue, item: Any, *, front: bool = False) -> None:
        if isinstance(item, Task) and item.ocr:
            pushed.append((item.source.rel, item.light))
        real(self, item, front=front)

    monkeypatch.setattr(schedule.Queue, "push", push)
    docs = {d.rel: d for d in read_documents(scan(folder).files, jobs=1)}
    assert pushed == [("a-tiny.pdf", True)]
    # read with OCR all the same: the reading says OCR looked and found nothing
    assert docs["a-tiny.pdf"].info.get("ocr") is not None
    assert any(p.code == "no-text" for p in docs["a-tiny.pdf"].problems)
    assert "A letter" in docs["letter.pdf"].text


def tiff(path: Path, frames: int = 1) -> None:
    pages = [Image.effect_noise((600, 800), 30 + n).convert("RGB") for n in range(frames)]
    pages[0].save(path, compression="tiff_lzw", save_all=True, append_images=pages[1:])


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every image decoder Pillow makes in this process (one per decoded frame here), with
    OCR's page reading replaced by a record of the page sizes it is given."""
    from PIL import Image as PILImage

    from img_dossier.readers import ocr

    made: list[str] = []
    real = PILImage._getdecoder

    def getdecoder(mode: str, name: str, *args: Any, **kw: Any) -> Any:
        made.append(name)
        return real(mode, name, *args, **kw)

    def read_page(image: Image.Image) -> Any:
        made.append(f"page {image.size[0]}x{image.size[1]}")
        return ocr.PageText("SCANNED TEXT", 0.9, 0, 12)

    monkeypatch.setattr(PILImage, "_getdecoder", getdecoder)
    monkeypatch.setattr(ocr, "read_page", read_page)
    return made


@pytest.mark.parametrize("frames", [1, 2])
def test_a_tiff_read_by_ocr_is_decoded_once(
    tmp_path: Path, decodes: list[str], frames: int
) -> None:
    from img_dossier.readers.image import read_image

    path = tmp_path / "scan.tif"
    tiff(path, frames)
    reading = read_image(path, "tiff", DEFAULT_LIMITS)
    assert reading.pages == frames and "SCANNED TEXT" in reading.text
    pages = [d for d in decodes if d.startswith("page ")]
    assert pages == ["page 600x800"] * min(frames, DEFAULT_LIMITS.ocr_pages)
    # one decode per frame OCR reads (the first one also tells the file is not damaged)
    assert len(decodes) - len(pages) == len(pages)


def test_a_damaged_tiff_is_still_reported_damaged(tmp_path: Path, decodes: list[str]) -> None:
    from img_dossier.readers.image import read_image

    path = tmp_path / "scan.tif"
    tiff(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[:200] + data[200:][: len(data) // 3])
    reading = read_image(cut, "tiff", DEFAULT_LIMITS)
    assert [p.code for p in reading.problems] == ["damaged"]
    assert not any(d.startswith("page ") for d in decodes)
