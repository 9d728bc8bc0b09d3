"""DOCX -> PDF with LibreOffice: headless, a throw-away profile, a time limit on its whole
process group, a memory cap of its own, and the tool's marker added to what it writes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .. import __version__
from ..model import OWN_OUTPUT_KEY
from ..readers.isolation import run_bounded
from .canvas import _write_atomically
from .soffice import find_soffice

#: LibreOffice's own memory cap (address space on Linux), whatever the cap of the process that
#: starts it: a build worker's may be smaller (tests) or larger (a reader worker's OCR room).
#: LibreOffice 7.4 peaks at about 450 MB of address space converting the corpus's Word files
#: headless; a document that needs more than this is rendered by the built-in renderer.
MEMORY_MB = 1024


def soffice_path() -> str | None:
    """The LibreOffice executable (IMG_DOSSIER_SOFFICE, PATH, install folders), or None."""
    return find_soffice()


def _libreoffice(soffice: str, src: Path, dst: Path, timeout: float) -> bool:
    with tempfile.TemporaryDirectory(prefix="img-dossier-lo-") as tmpdir:
        work = Path(tmpdir)
        profile = (work / "profile").as_uri()
        staged = work / "in" / "document.docx"
        staged.parent.mkdir()
        shutil.copyfile(src, staged)
        command = [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(staged),
        ]
        if not _run_bounded(command, timeout, MEMORY_MB):
            return False
        produced = work / "out" / "document.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            return False
        try:
            _write_atomically(dst, lambda tmp: _mark_pdf(produced, tmp))
        except Exception:  # a broken LibreOffice output: fall back to the built-in renderer
            return False
    return True


def _run_bounded(command: list[str], timeout: float, memory_mb: int | None = None) -> bool:
    """Run LibreOffice under its memory cap; it and every process it starts are killed when
    time is up."""
    run_bounded(command, timeout, memory_mb)
    return True  # the caller judges by the PDF it finds


def _mark_pdf(src: Path, tmp: Path) -> int:
    """Copy a PDF adding OWN_OUTPUT_KEY to its document info."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(src, strict=False)
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({OWN_OUTPUT_KEY: f"img-dossier {__version__}"})
    with open(tmp, "wb") as fh:
        writer.write(fh)
    return len(reader.pages)
