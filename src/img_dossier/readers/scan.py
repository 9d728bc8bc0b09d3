"""Walk a folder safely -> SourceFile list, plus what was ignored and links that leave it.

Sorted and deterministic. Junk (dot-files, Thumbs.db, desktop.ini, Office lock files,
``__pycache__``, the root's dossier.yaml) is skipped silently. A link whose target is outside
the folder is never followed; links inside it are followed once, and a file reached twice
(through a link and directly) is listed once, under its own path.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInputError
from ..model import SourceFile
from ..pathtext import escaped
from .sniff import BINARY_FORMATS, EXTENSION_FORMATS, sniff_file

_JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", "__pycache__"})

#: Most entries walked (a folder of documents has hundreds; this stops a runaway tree).
MAX_ENTRIES = 200_000


@dataclass(frozen=True)
class ScanResult:
    """Candidates (sorted by rel path), files the tool does not read, links out of the folder.

    ``ignored`` holds rel paths (an unreadable subfolder ends in "/"); ``outside`` holds
    (rel path of the link, where it points), each a problem ``outside-folder`` in the report.
    """

    files: tuple[SourceFile, ...]
    ignored: tuple[str, ...]
    outside: tuple[tuple[str, str], ...]


def scan(folder: Path) -> ScanResult:
    """Recursively list the folder; junk skipped silently, never follows a link out of it."""
    root = _root(folder)
    walk = _Walk(root)
    walk.directory(root, "", via_link=False)
    while walk.deferred:  # linked folders last, so that a folder's own path wins
        path, rel, real = walk.deferred.pop(0)
        if real not in walk.visited:
            walk.visited.add(real)
            walk.directory(path, rel, via_link=True)
    return walk.result()


@dataclass(frozen=True)
class _Found:
    rel: str
    path: Path
    size: int
    real: str
    via_link: bool


class _Walk:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.found: list[_Found] = []
        self.ignored: list[str] = []
        self.outside: list[tuple[str, str]] = []
        self.visited: set[str] = {self.real_root}
        self.deferred: list[tuple[Path, str, str]] = []
        self.entries = 0

    def directory(self, path: Path, rel: str, *, via_link: bool) -> None:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except (OSError, ValueError):
            if rel:
                self.ignored.append(rel + "/")
                return
            raise
        for entry in entries:
            self.entries += 1
            if self.entries > MAX_ENTRIES:
                return
            if _is_junk(entry.name, at_root=not rel):
                continue
            name = escaped(entry.name)  # bytes that are not UTF-8 as \xNN; path stays exact
            self.entry(entry, f"{rel}/{name}" if rel else name, via_link=via_link)

    def entry(self, entry: os.DirEntry[str], rel: str, *, via_link: bool) -> None:
        path = Path(entry.path)
        link = entry.is_symlink()
        try:
            real = os.path.realpath(path) if link else None
        except (OSError, RuntimeError, ValueError):  # a link loop on some Pythons
            real = None
        if real is not None and not _inside(real, self.real_root):
            self.outside.append((rel, escaped(real)))
            return
        try:
            info = entry.stat(follow_symlinks=True)
        except OSError as exc:
            if link and exc.errno == errno.ELOOP:  # a link to itself: read, so it is `damaged`
                self.found.append(_Found(rel, path, 0, f"loop:{path}", via_link=True))
            else:
                self.ignored.append(rel)  # a dangling link, or a file that vanished
            return
        except ValueError:
            self.ignored.append(rel)
            return
        if stat.S_ISDIR(info.st_mode):
            key = real or _realpath(path)
            if link:
                self.deferred.append((path, rel, key))
            elif key not in self.visited:  # no loops, no folder walked twice
                self.visited.add(key)
                self.directory(path, rel, via_link=via_link)
        elif stat.S_ISREG(info.st_mode):
            target = Path(real) if real is not None else path
            if _is_candidate(target, entry.name, info.st_size):
                resolved = real or _realpath(path)
                self.found.append(_Found(rel, target, info.st_size, resolved, via_link or link))
            else:
                self.ignored.append(rel)
        else:
            self.ignored.append(rel)  # a FIFO, socket or device: never opened

    def result(self) -> ScanResult:
        best: dict[str, _Found] = {}
        for found in self.found:
            kept = best.get(found.real)
            if kept is None or (kept.via_link and not found.via_link):
                best[found.real] = found
        files = sorted(
            (SourceFile(path=f.path, rel=f.rel, size=f.size) for f in best.values()),
            key=lambda s: s.rel,
        )
        return ScanResult(
            files=tuple(files),
            ignored=tuple(sorted(self.ignored)),
            outside=tuple(sorted(self.outside)),
        )


def _root(folder: Path) -> Path:
    path = Path(folder).expanduser()
    if not path.exists():
        raise BadInputError(
            f"{folder}: no such folder; give the folder that holds the applicant's documents"
        )
    if not path.is_dir():
        raise BadInputError(
            f"{folder}: is a file, not a folder; give the folder that holds the documents"
        )
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        raise BadInputError(
            f"{folder}: cannot be listed ({exc.strerror or exc}); check its permissions"
        ) from exc
    return path.absolute()


def _is_junk(name: str, *, at_root: bool) -> bool:
    return (
        name.startswith((".", "~$"))
        or name.lower() in _JUNK_NAMES
        or (at_root and name == "dossier.yaml")
    )


def _is_candidate(path: Path, name: str, size: int) -> bool:
    """A file the readers take: a known extension, or content that says a readable format."""
    if Path(name).suffix.lower() in EXTENSION_FORMATS:
        return True
    if size == 0:
        return False
    try:
        return sniff_file(path) in BINARY_FORMATS
    except OSError:
        return False


def _realpath(path: Path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, RuntimeError, ValueError):
        return str(path)


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
