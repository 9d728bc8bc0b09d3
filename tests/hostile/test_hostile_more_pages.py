"""Hostile inputs in the second reading pass (pages a checklist item asks for beyond the
first ones): a 200-page scan and a reading that hangs stay within the per-file limits,
with a problem that says what happened, and the rest of the folder is judged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from img_dossier.checking.pipeline import run_check
from img_dossier.readers import Limits, pool

TODAY = date(2026, 11, 29)

#: One item, the passport, whose every page may be read (up to the limit of pages).
EVERY_PAGE = """\
schema: 1
id: passport-only
title: The passport only
version: "1"
track: us
items:
  - id: passport
    title: Passport (biographic page)
    required: true
    source: "https://www.ecfmg.org/certification/ (test)"
    names: [passport]
    evidence:
      - [Passport, Date of expiry]
    rules:
      - type: valid-until
        source: "https://www.ecfmg.org/certification/ (test)"
    read_pages: {first: all, source: "https://www.icao.int/ (test)"}
"""


@pytest.fixture(autouse=True)
def fresh_workers() -> Iterator[None]:
    """Readers are patched here and workers are forked with them: no worker from before."""
    pool.shutdown()
    yield
    pool.shutdown()


def folder_with(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "dossier.yaml").write_text("schema: 1\n", encoding="utf-8")
    custom = tmp_path / "passport-only.yaml"
    custom.write_text(EVERY_PAGE, encoding="utf-8")
    return folder, custom


def text_pdf(path: Path, pages: int) -> None:
    c = canvas.Canvas(str(path))
    for n in range(pages):
        c.drawString(72, 720, f"Passport booklet, page {n + 1}")
        c.showPage()
    c.save()


@pytest.mark.slow
def test_a_200_page_scan_read_further_stays_within_its_limits(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr")
    from PIL import Image, ImageDraw

    folder, custom = folder_with(tmp_path)
    small = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(small).text((20, 30), "Page of a long scan", fill=0)
    small.save(folder / "passport.pdf", "PDF", save_all=True, append_images=[small] * 199)
    limits = Limits(seconds=60.0)
    started = time.monotonic()
    run = run_check(folder, track=str(custom), as_of=TODAY, jobs=2, limits=limits)
    assert time.monotonic() - started < 3 * limits.seconds
    scan = next(d for d in run.report.documents if d.rel == "passport.pdf")
    assert scan.pages == 200
    assert 2 <= scan.info["ocr"]["pages"] <= limits.more_pages
    (problem,) = [p for p in scan.problems if p.code == "no-text"]
    assert problem.message.startswith("a scan of 200 pages: OCR read")
    assert "was not checked" in problem.message
    assert f"at most {limits.more_pages} pages" in problem.message or "time limit" in (
        problem.message
    )
    item = run.report.item("passport")
    assert item is not None and item.status == "unverified"


@pytest.mark.fork_only
def test_a_further_reading_that_hangs_is_stopped_and_the_first_reading_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from img_dossier.readers import pages

    def hangs(*args: object) -> dict[str, object]:
        time.sleep(60)
        return {}

    monkeypatch.setattr(pages, "read_more", hangs)
    folder, custom = folder_with(tmp_path)
    text_pdf(folder / "passport.pdf", 6)
    limits = Limits(seconds=3.0, ocr=False)
    started = time.monotonic()
    run = run_check(folder, track=str(custom), as_of=TODAY, jobs=1, limits=limits)
    assert time.monotonic() - started < 4 * limits.seconds
    doc = next(d for d in run.report.documents if d.rel == "passport.pdf")
    assert doc.readable and "page 1" in doc.text  # the first reading is kept
    (problem,) = [p for p in doc.problems if p.code == "no-text"]
    assert "reading pages 4-6 took too long" in problem.message
    assert "pages 4-6 was not checked" in problem.message
    item = run.report.item("passport")
    assert item is not None and item.status == "unverified"
