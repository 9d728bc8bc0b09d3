"""Read documents: format by content, pages, first-page text, size, sha256, problems.

Each file is read once, in a worker process with a wall-clock limit and a memory cap, so
that a hostile file costs one ``timeout`` or ``too-large`` problem, never the run.

OWNER: helper "readers" (stub until then).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Document, SourceFile


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0          # wall clock per file
    memory_mb: int = 1024          # address-space cap of a worker process
    text_pages: int = 3            # pages whose text is extracted for classification
    max_pixels: int = 100_000_000  # image pixel bomb limit
    max_bytes: int = 200 * 1024 * 1024
    max_zip_bytes: int = 200 * 1024 * 1024  # uncompressed total of a DOCX
    max_zip_ratio: int = 200


DEFAULT_LIMITS = Limits()


def read_documents(
    files: Sequence[SourceFile],
    *,
    limits: Limits = DEFAULT_LIMITS,
    jobs: int = 1,
    cache: object | None = None,
) -> list[Document]:
    """Read every file (in isolated workers), in the order given; never raises for a bad file."""
    raise NotImplementedError


def read_one(source: SourceFile, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read one file in this process (the worker's job); never raises for a bad file."""
    raise NotImplementedError
