"""The progress callback of the Python API.

Long calls (``run_check``, ``assemble``, ``pack``, letter batches, ``audit``) take an
optional ``progress`` callable: ``progress(stage, done, total)``, called as work finishes,
``stage`` a short phrase such as "reading documents" or "converting documents", ``done``
counting from 1 up to ``total``. The library never prints: the command line turns the
calls into a progress bar on a terminal. A callback that raises stops the run.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[str, int, int], None]

READING = "reading documents"
READING_FURTHER = "reading further pages"
THUMBNAILS = "drawing thumbnails"
ADDING = "adding documents"
PACKING = "packing uploads"
LETTERS = "rendering letters"
CLIENTS = "checking clients"


def report(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    """Call ``progress`` when there is one."""
    if progress is not None:
        progress(stage, done, total)
