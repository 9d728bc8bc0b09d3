"""Walk a folder safely -> SourceFile list, plus what was ignored and links that leave it.

OWNER: helper "readers" (stub until then).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import SourceFile


@dataclass(frozen=True)
class ScanResult:
    files: tuple[SourceFile, ...]       # candidate documents, sorted by rel path
    ignored: tuple[str, ...]            # rel paths of files the tool does not read (listed in the report)
    outside: tuple[tuple[str, str], ...]  # (rel path of the link, where it points): problem outside-folder


def scan(folder: Path) -> ScanResult:
    """Recursively list the folder; junk skipped silently, never follows a link out of it."""
    raise NotImplementedError
