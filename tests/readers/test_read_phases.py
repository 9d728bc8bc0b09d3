"""Images are read with OCR at once, other files without it first; scans without text are
read again with it, by as few workers as pays, so the OCR engine is loaded by one worker for
a folder of few scans."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from img_dossier.readers import read_documents
from img_dossier.readers.scan import scan


def text_pdf(path: Path, text: str) -> None:
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, text)
    c.save()


def scan_jpeg(path: Path, seed: int) -> None:
    Image.effect_noise((850, 1100), 30 + seed).convert("RGB").save(path, quality=60)


@pytest.mark.fork_only
@pytest.mark.parametrize(("scans", "most_loads"), [(1, 1), (2, 1), (6, 2)])
def test_the_ocr_engine_is_loaded_by_one_worker_for_a_few_scans(
    tmp_path: Path,
    ocr_loads: Path,
    scans: int,
    most_loads: int,
) -> None:
    loads = ocr_loads
    folder = tmp_path / "folder"
    folder.mkdir()
    for n in range(8):
        text_pdf(folder / f"letter-{n}.pdf", f"Letter number {n}")
    for n in range(scans):
        scan_jpeg(folder / f"0-scan-{n}.jpg", n)  # first: each worker would take one
    docs = {d.rel: d for d in read_documents(scan(folder).files, jobs=2)}
    assert all(f"Letter number {n}" in docs[f"letter-{n}.pdf"].text for n in range(8))
    for n in range(scans):  # looked at by OCR (here: no engine, so no text)
        assert docs[f"0-scan-{n}.jpg"].info.get("ocr") is not None
        assert {p.code for p in docs[f"0-scan-{n}.jpg"].problems} == {"no-text"}
    workers = set(loads.read_text().split())
    assert 1 <= len(workers) <= most_loads
    assert str(os.getpid()) not in workers  # never in this process


def test_progress_counts_each_file_once(tmp_path: Path, fresh_pool: None) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    for n in range(3):
        text_pdf(folder / f"letter-{n}.pdf", f"Letter number {n}")
    scan_jpeg(folder / "scan.jpg", 1)
    calls: list[tuple[int, int]] = []
    read_documents(
        scan(folder).files, jobs=2, progress=lambda _stage, done, total: calls.append((done, total))
    )
    assert [done for done, _ in calls] == [1, 2, 3, 4] and {t for _, t in calls} == {4}
