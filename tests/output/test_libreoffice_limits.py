"""Issue 12: LibreOffice runs with limits of its own (time, memory), also inside a worker.

A build worker converts a Word file with LibreOffice when one is found. LibreOffice gets
``output.libreoffice.MEMORY_MB`` of address space whatever the worker's own cap is, and the
worker's time limit minus 5 s. The LibreOffice tests skip where none is installed (set
``IMG_DOSSIER_SOFFICE`` to a ``soffice`` to run them); the cap itself is tested with Python.
"""

from __future__ import annotations

import dataclasses
import resource
import sys
import time
from pathlib import Path

import pikepdf
import pypdfium2
import pytest

from img_dossier.checking.pipeline import run_check
from img_dossier.output import libreoffice
from img_dossier.output.convert import ENGINE_BUILTIN, ENGINE_LIBREOFFICE, docx_to_pdf
from img_dossier.output.prepare import prepare_documents
from img_dossier.readers import DEFAULT_LIMITS, pool
from img_dossier.readers.isolation import run_bounded

ROOT = Path(__file__).resolve().parents[2]
CV = ROOT / "samples" / "us-j1" / "cv-j1.docx"
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is Linux's")
needs_soffice = pytest.mark.skipif(
    libreoffice.soffice_path() is None, reason="LibreOffice is not installed"
)

_PROBE = """
import resource, sys
soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
open(sys.argv[1], "w").write(str(soft))
if len(sys.argv) > 2:
    blob = bytearray(int(sys.argv[2]) * 1024 * 1024)  # over the cap: MemoryError, exit 1
    open(sys.argv[1], "w").write("allocated")
"""


@linux_only
def test_a_program_gets_its_own_address_space_cap_and_the_callers_is_put_back(
    tmp_path: Path,
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, hard))  # a caller capped at 3 GB
    try:
        out = tmp_path / "limit"
        assert run_bounded([sys.executable, "-c", _PROBE, str(out)], 60, memory_mb=700)
        assert int(out.read_text()) == 700 * 1024 * 1024
        assert resource.getrlimit(resource.RLIMIT_AS) == (3 * 1024**3, hard)
        # larger than the caller's own cap too (a build worker's cap may be small)
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, hard))
        assert run_bounded([sys.executable, "-c", _PROBE, str(out)], 60, memory_mb=2500)
        assert int(out.read_text()) == 2500 * 1024 * 1024
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == 2 * 1024**3
        # a program that needs more than its cap fails there, not in the caller
        run_bounded([sys.executable, "-c", _PROBE, str(out), "900"], 60, memory_mb=400)
        assert out.read_text() != "allocated"
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_the_watchdog_ends_a_program_whose_memory_passes_its_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # macOS has no address-space limit: the tree's resident memory is watched instead
    monkeypatch.setenv("IMG_DOSSIER_MEMORY_GUARD", "watchdog")
    grow = "import time\nb = [bytearray(b'x' * (20 << 20)) for _ in range(30)]\ntime.sleep(20)\n"
    began = time.monotonic()
    assert not run_bounded([sys.executable, "-c", grow], 20, memory_mb=200)  # 600 MB at most
    assert time.monotonic() - began < 15


@needs_soffice
def test_libreoffice_converts_a_word_file_under_its_limits(tmp_path: Path) -> None:
    dst = tmp_path / "cv.pdf"
    timeout = DEFAULT_LIMITS.seconds - 5  # what a build worker gives it
    assert docx_to_pdf(CV, dst, timeout=timeout) == ENGINE_LIBREOFFICE
    assert len(pypdfium2.PdfDocument(str(dst))) == len(pikepdf.open(dst).pages) >= 1


@needs_soffice
def test_libreoffice_inside_a_build_worker_with_a_small_cap_still_converts(
    tmp_path: Path,
) -> None:
    # the worker's own cap (here 300 MB) is too small for LibreOffice; its own cap is not
    folder = tmp_path / "client"
    folder.mkdir()
    for name in ("cv-j1.docx", "dossier.yaml"):
        (folder / name).write_bytes((CV.parent / name).read_bytes())
    doc = next(d for d in run_check(folder, jobs=1).report.documents if d.rel == "cv-j1.docx")
    limits = dataclasses.replace(DEFAULT_LIMITS, memory_mb=300, ocr=False)
    pool.shutdown()
    try:
        done = prepare_documents([doc], tmp_path, (612.0, 792.0), limits=limits, jobs=1)
    finally:
        pool.shutdown()
    ready = done[doc.rel]
    assert ready.path is not None, ready.why
    assert ready.engine == ENGINE_LIBREOFFICE, ready
    assert len(pypdfium2.PdfDocument(str(ready.path))) >= 1


@needs_soffice
def test_libreoffice_over_its_cap_falls_back_to_the_built_in_renderer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(libreoffice, "MEMORY_MB", 64)  # too little to start LibreOffice
    dst = tmp_path / "cv.pdf"
    assert docx_to_pdf(CV, dst, timeout=DEFAULT_LIMITS.seconds - 5) == ENGINE_BUILTIN
    assert len(pypdfium2.PdfDocument(str(dst))) >= 1
