"""Pick the reader by content, compare it with the extension, and build the Document.

Runs inside a worker process (or in-process through ``read_one``). Content decides the
format: a JPEG named .pdf is read as JPEG with a ``wrong-format`` warning; a web page named
.pdf is a ``wrong-format`` error and is not read.
"""

from __future__ import annotations

import errno
import hashlib
import mmap
import os
import stat
import warnings
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..model import Document, Problem, SourceFile
from .result import Reading, error, warning
from .sniff import BINARY_FORMATS, KIND_NAMES, extension_format, sniff_file
from .text import read_text

if TYPE_CHECKING:
    from .limits import Limits

#: Bytes hashed of a file over Limits.max_bytes (it is never read further).
PARTIAL_HASH_BYTES = 1024 * 1024

_CHUNK = 1024 * 1024
_MIB = 1024 * 1024
_TEXT_KINDS = frozenset({"text", "html", "xml"})
_SUGGESTED_EXT = {
    "pdf": ".pdf",
    "docx": ".docx",
    "jpeg": ".jpg",
    "png": ".png",
    "tiff": ".tif",
    "heic": ".heic",
}
_FIX = "open it and save or export it as PDF, then replace the file"
_FIXES = {
    "html": "download the document itself rather than the web page (or print the page to "
    "PDF), then replace the file",
    "heic": "export the photo as JPEG (or PDF), then replace the file",
    "zip": "unpack it and put the documents it holds in the folder instead",
}


def file_digest(path: Path, max_bytes: int) -> tuple[str, int, bool]:
    """sha256 (streamed), size, and whether only the start was hashed (file over max_bytes).

    Raises OSError for anything but a regular file (a FIFO is never waited on).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as fh:
        status = os.fstat(fh.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        size = status.st_size
        digest = hashlib.sha256()
        partial = size > max_bytes
        remaining = PARTIAL_HASH_BYTES if partial else None
        while True:
            chunk = fh.read(_CHUNK if remaining is None else min(_CHUNK, remaining))
            if not chunk:
                break
            digest.update(chunk)
            if remaining is not None:
                remaining -= len(chunk)
                if remaining <= 0:
                    break
    return digest.hexdigest(), size, partial


def read_source(
    source: SourceFile, sha256: str, size: int, limits: Limits, *, partial: bool = False
) -> Document:
    """The Document for one file whose hash and size are known (MemoryError propagates)."""
    reading = read_content(source.path, source.rel, size, limits)
    info = dict(reading.info)
    if partial:
        info["sha256_partial"] = True
    return Document(
        rel=source.rel,
        path=source.path,
        format=reading.format,
        bytes=size,
        sha256=sha256,
        pages=reading.pages,
        text=reading.text,
        problems=reading.problems,
        info=info,
    )


def read_content(path: Path, rel: str, size: int, limits: Limits) -> Reading:
    """Sniff, compare with the extension, dispatch to a format reader."""
    named = extension_format(rel)
    ext = PurePosixPath(rel).suffix.lower() or "(no extension)"
    if size == 0:
        return Reading(
            None,
            problems=(error("empty", "the file is empty (0 bytes): replace it with the document"),),
        )
    try:
        kind = sniff_file(path)
    except OSError as exc:
        return Reading(named, problems=(unopenable_problem(exc),))
    if size > limits.max_bytes:
        return Reading(
            kind if kind in BINARY_FORMATS else named,
            problems=(
                error(
                    "too-large",
                    f"{size / _MIB:.0f} MB is over the limit of {limits.max_bytes / _MIB:.0f} "
                    "MB, so it was not read: reduce it (scan at 300 dpi, compress or split it) "
                    "and replace the file",
                ),
            ),
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # libraries' notes about a file are not ours to print
            return _dispatch(path, named, ext, kind, limits)
    except OSError as exc:
        return Reading(named, problems=(unopenable_problem(exc),))


def _dispatch(path: Path, named: str | None, ext: str, kind: str, limits: Limits) -> Reading:
    if kind in BINARY_FORMATS:
        reading = _read_as(path, kind, limits)
        if named is None or named == kind:
            return reading
        mismatch = warning(
            "wrong-format",
            f"named {ext} but it is {KIND_NAMES[kind]}: it was read as {kind.upper()}; rename "
            f"it to {_SUGGESTED_EXT[kind]}",
        )
        return _prepend(reading, mismatch)
    if named == "docx" and kind == "zip":
        return read_docx(path, limits)  # says whether the ZIP is broken or not a Word file
    if named in ("txt", "md") and kind in _TEXT_KINDS:
        return read_text(path, named)
    if named == "docx" and kind == "ole":
        return Reading(None, problems=(_ole_problem(path),))
    if kind in KIND_NAMES and kind != "binary":
        found = (
            f"named {ext} but it is {KIND_NAMES[kind]}, not {KIND_NAMES[named]}"
            if named
            else f"it is {KIND_NAMES[kind]}, a format this tool does not read"
        )
        code = "wrong-format" if named else "unsupported-format"
        return Reading(None, problems=(error(code, f"{found}: {_FIXES.get(kind, _FIX)}"),))
    expected = KIND_NAMES.get(named or "", "a document")
    return Reading(
        None,
        problems=(
            error(
                "unsupported-format",
                f"not {expected}: its content is in no format this tool reads (PDF, DOCX, "
                f"JPEG, PNG, TIFF, text); {_FIX}",
            ),
        ),
    )


def _read_as(path: Path, fmt: str, limits: Limits) -> Reading:
    if fmt == "pdf":
        return read_pdf(path, limits)
    if fmt == "docx":
        return read_docx(path, limits)
    return read_image(path, fmt, limits)


# Each reader (and its library) is imported when a file needs it: a warm run or a folder
# without Word files never loads python-docx.


def read_pdf(path: Path, limits: Limits) -> Reading:
    from .pdf import read_pdf as read

    return read(path, limits)


def read_docx(path: Path, limits: Limits) -> Reading:
    from .docx import read_docx as read

    return read(path, limits)


def read_image(path: Path, fmt: str, limits: Limits) -> Reading:
    from .image import read_image as read

    return read(path, fmt, limits)


def preload(formats: set[str | None], *, ocr: bool = True) -> None:
    """Import the readers of these formats now (before worker processes fork, so that they
    share the imported libraries instead of each importing them), the OCR modules with
    images unless ``ocr`` is False (--no-ocr); start-up is then over (``collector.settle``:
    what was imported is frozen before the fork)."""
    from .. import collector

    if "pdf" in formats:
        from . import pdf

        pdf.preload()
    if "docx" in formats:
        from . import docx  # noqa: F401
    if formats & {"jpeg", "png", "tiff"}:
        from . import image  # noqa: F401

        if ocr:
            from . import ocr as ocr_modules  # noqa: F401
            from . import scans  # noqa: F401
    collector.settle()


def _prepend(reading: Reading, problem: Problem) -> Reading:
    return Reading(
        reading.format, reading.pages, reading.text, (problem, *reading.problems), reading.info
    )


def _ole_problem(path: Path) -> Problem:
    """A .docx in an OLE container: a password-protected Word file or an old .doc renamed."""
    if _contains(path, "EncryptedPackage".encode("utf-16-le")):
        return error(
            "encrypted",
            "password-protected Word document: portals and this tool cannot open it; remove "
            "the password (File > Info > Protect Document) and save it again, or save it as "
            "PDF without a password",
        )
    return error(
        "wrong-format",
        "named .docx but it is an old Word .doc file: open it in Word (or LibreOffice) and "
        "save it as .docx or PDF, then replace the file",
    )


def _contains(path: Path, needle: bytes) -> bool:
    try:
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(needle) != -1
    except (OSError, ValueError):
        return False


def unopenable_problem(exc: OSError) -> Problem:
    """The problem of a file that cannot be opened (permissions, vanished, offline)."""
    if exc.errno == errno.ELOOP:
        return error(
            "damaged",
            "a link that leads back to itself (a loop), so there is no document behind it: "
            "delete the link and put the document itself in the folder",
        )
    why = exc.strerror or type(exc).__name__
    return error(
        "damaged",
        f"could not be opened ({why}): check that it is readable (permissions, a cloud "
        "placeholder not downloaded yet) and check again",
    )


def memory_problem(limits: Limits) -> Problem:
    """The problem of a file whose reader ran out of memory or was killed."""
    return error(
        "too-large",
        f"reading it needed more than {limits.worker_memory_mb} MB of memory or crashed the "
        "reader: it may be crafted or far too large; open it and re-save or re-scan it",
    )


def reader_failed(exc: Exception) -> Problem:
    """The problem of a file on which a reader's library gave up: the file is damaged.

    A well-formed file does not make the libraries raise; what they raise on (bad LZW data
    in a TIFF, a broken part of a DOCX) is damage, said as such, with the library's words.
    """
    return error(
        "damaged",
        f"could not be read: it is damaged or malformed ({type(exc).__name__}: "
        f"{str(exc)[:120]}); open it and save it again (or print it to PDF), then replace "
        "the file",
    )


def timeout_problem(limits: Limits) -> Problem:
    """The problem of a file whose reader ran past the wall-clock limit."""
    return error(
        "timeout",
        f"reading took longer than {limits.seconds:g} s; the file may be crafted or corrupt: "
        "open it and re-save or re-scan it",
    )


def failed_document(
    source: SourceFile, sha256: str, size: int, problem: Problem, **info: Any
) -> Document:
    """A Document that could not be read at all, carrying one problem."""
    return Document(
        rel=source.rel,
        path=source.path,
        format=extension_format(source.rel),
        bytes=size,
        sha256=sha256,
        problems=(problem,),
        info=dict(info),
    )
