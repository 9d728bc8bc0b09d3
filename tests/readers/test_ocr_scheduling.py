"""When OCR runs and in which worker: a scan is read by OCR as soon as it is found (not
after the whole folder), by a worker that holds the OCR engine; that worker reads its other
files with OCR on, so a scan it meets is read once; the further pages of a scan go to it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from img_dossier.readers import read_documents, reader_limits
from img_dossier.readers.scan import scan

pytestmark = pytest.mark.fork_only  # the workers inherit the recording patches


def text_pdf(path: Path, text: str) -> None:
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, text)
    c.save()


def scan_pdf(path: Path, seed: int) -> None:
    """A PDF of one page image and no text layer (what a scanner makes)."""
    Image.effect_noise((425, 550), 30 + seed).convert("RGB").save(path, "PDF", resolution=50)


def scan_jpeg(path: Path, seed: int) -> None:
    Image.effect_noise((425, 550), 30 + seed).convert("RGB").save(path, quality=60)


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file the workers write to: ``read <rel> <ocr on?>`` for each reading, in the order
    they are made, and ``engine <pid>`` for each process that loads the OCR engine (a
    stand-in that loads nothing: OCR is then unavailable, which is enough here)."""
    from img_dossier.readers import ocr, pool

    path = tmp_path / "log.txt"
    real = pool.read_source

    def reading(source: Any, sha256: str, size: int, limits: Any, **kw: Any) -> Any:
        with open(path, "a") as fh:
            fh.write(f"read {source.rel} {limits.ocr}\n")
        return real(source, sha256, size, limits, **kw)

    def loading() -> None:
        with open(path, "a") as fh:
            fh.write(f"engine {os.getpid()}\n")

    monkeypatch.setattr(pool, "read_source", reading)
    monkeypatch.setattr(ocr, "_load", loading)
    return path


def lines(log: Path, kind: str) -> list[str]:
    if not log.exists():
        return []
    return [line.split(" ", 1)[1] for line in log.read_text().splitlines() if line.startswith(kind)]


def test_a_scan_is_read_by_ocr_as_soon_as_it_is_found(
    tmp_path: Path, fresh_pool: None, log: Path
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    scan_pdf(folder / "0-scan.pdf", 1)
    for n in range(6):
        text_pdf(folder / f"letter-{n}.pdf", f"Letter number {n}")
    docs = {d.rel: d for d in read_documents(scan(folder).files, jobs=1)}
    reads = lines(log, "read")
    # found without text, then read with OCR at once, before the rest of the folder
    assert reads[:3] == ["0-scan.pdf False", "0-scan.pdf True", "letter-0.pdf True"]
    assert len(reads) == 8  # the scan twice, each letter once
    assert docs["0-scan.pdf"].info.get("ocr") is not None
    assert all(f"Letter number {n}" in docs[f"letter-{n}.pdf"].text for n in range(6))


def test_the_worker_with_the_engine_reads_a_scan_once(
    tmp_path: Path, fresh_pool: None, log: Path
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    scan_jpeg(folder / "0-photo.jpg", 1)  # an image: read with OCR from the start
    scan_pdf(folder / "1-scan.pdf", 2)
    text_pdf(folder / "2-letter.pdf", "A letter")
    docs = {d.rel: d for d in read_documents(scan(folder).files, jobs=1)}
    assert lines(log, "read") == ["0-photo.jpg True", "1-scan.pdf True", "2-letter.pdf True"]
    assert docs["1-scan.pdf"].info.get("ocr") is not None
    assert "A letter" in docs["2-letter.pdf"].text
    assert len(set(lines(log, "engine"))) == 1


@pytest.mark.parametrize("first", [True, False])
def test_one_scan_starts_one_ocr_worker_and_no_ocr_none(
    tmp_path: Path, fresh_pool: None, log: Path, first: bool
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    for n in range(10):
        text_pdf(folder / f"letter-{n}.pdf", f"Letter number {n}")
    scan_pdf(folder / ("0-scan.pdf" if first else "z-scan.pdf"), 1)
    files = scan(folder).files
    plain = read_documents(files, jobs=2, limits=reader_limits(ocr=False))
    assert lines(log, "engine") == []  # --no-ocr: no worker loads the engine
    assert all("True" not in line for line in lines(log, "read"))
    docs = read_documents(files, jobs=2)
    engines = lines(log, "engine")
    assert len(engines) == 1 and engines[0] != str(os.getpid())
    assert [d.rel for d in docs] == [d.rel for d in plain]


def test_many_scans_are_shared_by_at_most_the_workers(
    tmp_path: Path, fresh_pool: None, log: Path
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    for n in range(8):
        scan_pdf(folder / f"scan-{n}.pdf", n)
    docs = read_documents(scan(folder).files, jobs=2)
    assert all(d.info.get("ocr") is not None for d in docs)
    assert 1 <= len(set(lines(log, "engine"))) <= 2
    assert sorted(lines(log, "read")).count("scan-0.pdf True") == 1


def test_the_further_pages_of_a_scan_go_to_the_worker_with_the_engine(
    tmp_path: Path, fresh_pool: None, log: Path
) -> None:
    from img_dossier.readers import DEFAULT_LIMITS
    from img_dossier.readers.pool import Job, run_jobs

    folder = tmp_path / "folder"
    folder.mkdir()
    for n in range(6):
        text_pdf(folder / f"letter-{n}.pdf", f"Letter number {n}")
    scan_pdf(folder / "m-scan.pdf", 1)
    read_documents(scan(folder).files, jobs=2)
    [engine] = lines(log, "engine")
    [done] = run_jobs([Job(0, "os:getpid", ())], DEFAULT_LIMITS, 1)
    assert str(done.value) == engine
