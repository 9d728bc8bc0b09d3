"""Keep native libraries' noise (libtiff, libpng, qpdf, LibreOffice) off the user's stderr.

C libraries write warnings straight to file descriptor 2, past Python's ``sys.stderr``. A
worker points descriptor 2 at a scratch file while it handles one document; what was
written there is returned, so that it can explain the document's damage in its problem
message. With ``IMG_DOSSIER_NATIVE_STDERR=1`` (``dossier -v`` sets it) nothing is captured.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator

#: Environment variable: "1" lets native libraries write to stderr (verbose runs).
SHOW_ENV = "IMG_DOSSIER_NATIVE_STDERR"

#: Most characters of captured noise kept for a problem message.
NOTE_CHARS = 160


class Captured:
    """What native code wrote to descriptor 2 while captured (read after the block)."""

    def __init__(self) -> None:
        self.text = ""

    def note(self) -> str:
        """The last meaningful line, shortened (libtiff ends with the error that stopped it)."""
        lines = [line.strip() for line in self.text.splitlines() if line.strip()]
        return lines[-1][:NOTE_CHARS] if lines else ""


def showing() -> bool:
    return os.environ.get(SHOW_ENV) == "1"


@contextlib.contextmanager
def native_stderr_captured() -> Iterator[Captured]:
    """Point descriptor 2 at a scratch file for the block; restore it after (even on error)."""
    captured = Captured()
    if showing():
        yield captured
        return
    try:
        scratch = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below)
        saved = os.dup(2)
    except OSError:  # no descriptors left: noise is the lesser harm
        yield captured
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):  # closed or no stream
        sys.stderr.flush()
    try:
        os.dup2(scratch.fileno(), 2)
        yield captured
    finally:
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed or no stream
            sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        with contextlib.suppress(OSError):
            scratch.seek(0)
            captured.text = scratch.read(64 * 1024).decode("utf-8", "replace")
        scratch.close()


def silence_for_good() -> None:
    """Point descriptors 1 and 2 at the null device and ignore warnings, for the rest of
    this process: a helper child (early.py, front_child.py) whose failure is its parent's
    to deal with says nothing on the user's terminal."""
    import warnings

    warnings.simplefilter("ignore")
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
