"""DOCX -> PDF with LibreOffice: headless, a throw-away profile, a time limit on its whole
process group, and the tool's marker added to what it writes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .. import __version__
from ..model import OWN_OUTPUT_KEY
from .canvas import _write_atomically


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


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
        if not _run_bounded(command, timeout):
            return False
        produced = work / "out" / "document.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            return False
        try:
            _write_atomically(dst, lambda tmp: _mark_pdf(produced, tmp))
        except Exception:  # a broken LibreOffice output: fall back to the built-in renderer
            return False
    return True


#: Address space LibreOffice gets when it runs inside a reader worker (whose own cap it
#: would inherit: soffice.bin maps more than a worker's 1 GB before it reads a byte). It
#: stays bounded by this, and by its time limit on the whole process group.
OFFICE_MEMORY = 4 * 1024 * 1024 * 1024


def _office_memory() -> None:
    """In the child before exec: raise an inherited address-space cap to OFFICE_MEMORY."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY and soft < OFFICE_MEMORY:
            cap = OFFICE_MEMORY if hard == resource.RLIM_INFINITY else min(OFFICE_MEMORY, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):
        return


def _run_bounded(command: list[str], timeout: float) -> bool:
    """Run ``command`` in its own process group; kill the whole group when time is up.

    soffice is a launcher that starts soffice.bin: killing only the launcher would leave a
    converter running on an untrusted document.
    """
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_office_memory if os.name == "posix" else None,
        )
    except OSError:
        return False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return False
    finally:
        # nothing of the group may outlive the conversion
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
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
