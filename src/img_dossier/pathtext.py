"""File names are bytes the user owns: show the ones that are not UTF-8 without crashing.

On POSIX a name may hold any bytes. Python hands the bytes that are not UTF-8 over as lone
surrogates ("surrogateescape"), which no UTF-8 output (a terminal, JSON, a PDF) can
encode. The scanner keeps the real path for opening the file and gives every other stage
an escaped name (``\\xff`` for the byte ff); JSON adds the exact bytes as ``path_bytes``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any


def has_raw_bytes(text: str) -> bool:
    """True when ``text`` holds bytes that were not UTF-8 (lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def escaped(text: str) -> str:
    """``text`` with every byte that is not UTF-8 written as ``\\xNN`` (valid Unicode)."""
    if not has_raw_bytes(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8", "backslashreplace")
    except UnicodeDecodeError:  # not from surrogateescape: any lone surrogate as \\udcNN
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def raw_bytes_hex(path: Path, rel: str) -> str | None:
    """The hex of the bytes of ``rel``'s name on disk when they are not UTF-8, else None.

    ``path`` is the file as opened; its last components are ``rel``'s (escaped) ones.
    """
    full = str(path)
    if not has_raw_bytes(full):
        return None
    depth = len(PurePosixPath(rel).parts) or 1
    tail = Path(*Path(full).parts[-depth:])
    return os.fsencode(tail).hex()


def clean(value: Any) -> Any:
    """``value`` (JSON-able) with every string escaped: always encodable as UTF-8."""
    if isinstance(value, str):
        return escaped(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def resolved(path: Path) -> Path:
    """``path.resolve()``, or the path as given when it cannot be (a link loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: "Symlink loop" before Python 3.13
        return Path.cwd() / path


@contextlib.contextmanager
def openable(path: Path) -> Iterator[Path]:
    """``path``, or when its name holds bytes that are not UTF-8 (which C libraries taking
    UTF-8 file names cannot open: qpdf, reportlab), a copy under a plain temporary name."""
    if not has_raw_bytes(str(path)):
        yield path
        return
    import shutil  # imported here: rarely needed (tempfile and shutil cost a start-up)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="img-dossier-") as tmp:
        copy = Path(tmp) / ("document" + escaped(path.suffix))
        shutil.copyfile(path, copy)
        yield copy
