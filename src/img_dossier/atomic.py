"""Writing an output file: atomically, and private to the user (one policy for every output).

Every file the tool writes holds personal data (a dossier, letters, dossier.yaml, portal
uploads, a program screen), so each is created with mode 0600 (read and write for the
user only, whatever the umask; on Windows the file inherits its folder's access list).
It is written to a temporary file beside the target, flushed to disk, then renamed into
place: a reader sees the old file or the new one, never half of one, and a failure leaves
no temporary file behind (a killed run's is removed by the next write there: leftovers.py).
Errors are OSError; callers say which output and what to do.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .leftovers import file_beside

__all__ = ["PRIVATE_MODE", "atomic_file", "write_bytes", "write_text"]

#: The mode of every file the tool writes: the user's only.
PRIVATE_MODE = 0o600


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """A binary file to write; on a clean exit it replaces ``target`` (mode 0600)."""
    fd, tmp = file_beside(target)  # named for this process: a killed run's is removed later
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(PRIVATE_MODE)  # mkstemp made it 0600; said again, for the record
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically, mode 0600."""
    with atomic_file(target) as fh:
        fh.write(data)


def write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``target`` atomically, mode 0600."""
    write_bytes(target, text.encode("utf-8"))
