"""The read cache: what a reader learnt about a file, stored by content key, private to the user.

Entries are JSON files ``<dir>/<version>/<k[:2]>/<key>.json``, so an upgrade of the tool
never reads entries an older version wrote; every entry is also filed under the versions
of the libraries that made it and of Python (libversions.py ``library_tag``: in the hashed
name and in the entry), so an upgrade of pypdfium2, pikepdf, Pillow or any other of them
never reads a reading, conversion, repaired copy or kept report they made before. Writes
go to a temp file beside the entry and are renamed into place, so concurrent writers leave
one whole entry. A damaged entry is a miss (and is rewritten by the next ``put``). ``get``
and ``put`` never raise: a cache that cannot be used only makes the tool slower. The cache
holds personal data (names, passport numbers, scores): folders are created 0700 and files
0600.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import itertools
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .. import __version__
from ..cachedir import ENV_DIR as ENV_DIR
from ..cachedir import default_directory as default_directory
from ..cachedir import mkdir_private as _mkdir_private
from ..cachedir import version_folder as version_folder

#: An entry larger than this is not read back (a damaged or foreign file, not ours).
MAX_ENTRY_BYTES = 64 * 1024 * 1024

_SAFE_KEY = re.compile(r"^[0-9a-f]{16,128}$")
_VERSION_NAME = re.compile(r"^v\d[A-Za-z0-9._+-]*$")
_SHARD_NAME = re.compile(r"^[0-9a-f]{2}$")
_ENTRY_NAME = re.compile(r"^[0-9a-f]{16,128}\.(json|pdf|cfg)$")  # cfg: validated.py, ocr_tag


@dataclass(frozen=True)
class CacheInfo:
    """Where the cache is and how much it holds (every tool version's entries)."""

    path: Path
    entries: int
    bytes: int

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "entries": self.entries, "bytes": self.bytes}


class ReadCache:
    """A content-keyed store of JSON objects; ``get``/``put`` never raise.

    ``hits``, ``misses`` and ``writes`` count this object's calls (in this process).
    """

    def __init__(
        self,
        directory: Path | None = None,
        *,
        version: str = __version__,
        libraries: str | None = None,
    ) -> None:
        self.root = Path(directory) if directory is not None else default_directory()
        self.version = version
        self._libraries = libraries  # None: libversions.library_tag(), asked when first needed
        self.path = version_folder(self.root, version)
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._ready: bool | None = None  # None: not tried yet; False: unusable, caching off

    def __repr__(self) -> str:
        return f"ReadCache({str(self.root)!r})"

    def __getstate__(self) -> dict[str, Any]:
        # Sent to worker processes: counters start afresh there.
        state = dict(self.__dict__)
        state.update(hits=0, misses=0, writes=0)
        return state

    @property
    def libraries(self) -> str:
        """The tag of the libraries' and Python's versions every entry is filed under."""
        if self._libraries is None:
            from ..libversions import library_tag

            self._libraries = library_tag()
        return self._libraries

    @property
    def enabled(self) -> bool:
        """False once the cache folder turned out unusable (caching is then skipped)."""
        return self._ready is not False

    # -- entries -------------------------------------------------------------------------

    def entry_path(self, key: str) -> Path:
        """The file of ``key``: hex keys name it directly, any other key is hashed first,
        with the libraries' tag (so that two sets of libraries keep their own entries)."""
        name = key if _SAFE_KEY.match(key) else self._hashed(key)
        return self.path / name[:2] / f"{name}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The value stored for ``key``, or None (absent, damaged, another version's)."""
        if self._ready is False:
            return None
        try:
            target = self.entry_path(key)
            with open(target, "rb") as fh:
                raw = fh.read(MAX_ENTRY_BYTES + 1)
            entry = json.loads(raw) if len(raw) <= MAX_ENTRY_BYTES else None
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            self.misses += 1
            return None
        if (
            not isinstance(entry, dict)
            or entry.get("version") != self.version
            or entry.get("key") != key
            or entry.get("libraries") != self.libraries
            or not isinstance(entry.get("value"), dict)
        ):
            self.misses += 1
            return None
        self.hits += 1
        value: dict[str, Any] = entry["value"]
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store ``value`` (a JSON-able dict) for ``key``, atomically; failures are ignored."""
        if not self._prepare():
            return
        try:
            data = json.dumps(
                {
                    "version": self.version,
                    "libraries": self.libraries,
                    "key": key,
                    "value": value,
                },
                ensure_ascii=False,
                separators=(",", ":"),
                default=_json_default,
            ).encode("utf-8")
        except (TypeError, ValueError, RecursionError):
            return
        try:
            target = self.entry_path(key)
            _mkdir_private(target.parent)
            fd, tmp = _mkstemp(".json", target.parent)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as fh:  # mkstemp: mode 0600
                fh.write(data)
            Path(tmp).replace(target)
            self.writes += 1
        except OSError:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()

    # -- files (converted documents) ----------------------------------------------------

    def file_path(self, key: str, suffix: str = ".pdf") -> Path:
        """Where the file stored for ``key`` lives (the key and the libraries' tag are
        hashed into its name)."""
        name = self._hashed(key)
        return self.path / name[:2] / f"{name}{suffix}"

    def get_file(self, key: str, suffix: str = ".pdf") -> Path | None:
        """The file stored for ``key`` (a regular file, not a link), or None."""
        if self._ready is False:
            return None
        target = self.file_path(key, suffix)
        try:
            if target.is_file() and not target.is_symlink() and target.stat().st_size > 0:
                self.hits += 1
                return target
        except OSError:
            pass
        self.misses += 1
        return None

    def put_file(self, key: str, source: Path, suffix: str = ".pdf") -> None:
        """Store a copy of ``source`` for ``key``, atomically; failures are ignored."""
        if not self._prepare():
            return
        try:
            target = self.file_path(key, suffix)
            _mkdir_private(target.parent)
            fd, tmp = _mkstemp(suffix, target.parent)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as fh, open(source, "rb") as src:  # mkstemp: mode 0600
                while chunk := src.read(1 << 20):
                    fh.write(chunk)
            Path(tmp).replace(target)
            self.writes += 1
        except OSError:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()

    def _hashed(self, key: str) -> str:
        return hashlib.sha256(
            f"{self.libraries}\0{key}".encode("utf-8", "surrogatepass")
        ).hexdigest()

    # -- the whole cache -----------------------------------------------------------------

    def info(self) -> CacheInfo:
        """Entries and bytes on disk, over every version's folder (temp files not counted)."""
        entries = size = 0
        for entry in self._entries():
            with contextlib.suppress(OSError):
                size += entry.stat().st_size
                entries += 1
        return CacheInfo(self.root, entries, size)

    def clear(self) -> int:
        """Remove every entry (of every tool version) and the OCR models optimised on this
        machine (readers/ocr_engine.py saves them here); return how many were removed.

        Only files and folders named the way this cache names them are touched, so a
        cache directory pointed at a folder that holds other things loses nothing else.
        """
        removed = 0
        for entry in self._entries():
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
        for version_dir in self._version_dirs():
            for shard in self._shards(version_dir):
                leftovers = [p for s in ("json", "pdf", "cfg") for p in shard.glob(f".tmp-*.{s}")]
                for leftover in leftovers:  # of writers that died
                    with contextlib.suppress(OSError):
                        leftover.unlink()
                with contextlib.suppress(OSError):
                    shard.rmdir()
            with contextlib.suppress(OSError):
                version_dir.rmdir()
        from .ocr_engine import OPTIMISED_DIR  # the OCR models optimised on this machine

        models = self.root / OPTIMISED_DIR
        if models.is_dir():
            for saved in [*models.glob("*.onnx"), *models.glob(".tmp-*.onnx")]:
                with contextlib.suppress(OSError):
                    saved.unlink()
                    removed += not saved.name.startswith(".tmp-")
            with contextlib.suppress(OSError):
                models.rmdir()
        return removed

    def _version_dirs(self) -> list[Path]:
        try:
            return [
                d
                for d in self.root.iterdir()
                if _VERSION_NAME.match(d.name) and d.is_dir() and not d.is_symlink()
            ]
        except OSError:
            return []

    @staticmethod
    def _shards(version_dir: Path) -> list[Path]:
        try:
            return [
                d
                for d in version_dir.iterdir()
                if _SHARD_NAME.match(d.name) and d.is_dir() and not d.is_symlink()
            ]
        except OSError:
            return []

    def _entries(self) -> list[Path]:
        found: list[Path] = []
        for version_dir in self._version_dirs():
            for shard in self._shards(version_dir):
                with contextlib.suppress(OSError):
                    found.extend(p for p in shard.iterdir() if _ENTRY_NAME.match(p.name))
        return found

    def _prepare(self) -> bool:
        """Create the cache folders (0700) once; False (and caching off) when that fails."""
        if self._ready is None:
            try:
                _mkdir_private(self.path)
                self._ready = os.access(self.path, os.W_OK | os.X_OK)
            except OSError:
                self._ready = False
        return self._ready


def memoized(
    cache: object | None,
    namespace: str,
    code: Sequence[ModuleType],
    payload: str,
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """``compute()`` through a cache (``get``/``put`` of JSON dicts), for pure functions of text.

    The key holds ``namespace``, a fingerprint of the source of the ``code`` modules (so
    that a change to that code never reuses old results, even within one version) and the
    sha256 of ``payload``. Any failure of the cache is a miss.
    """
    if cache is None:
        return compute()
    digest = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()
    key = f"{namespace}:{code_fingerprint(tuple(m.__name__ for m in code))}:{digest}"
    try:
        hit = cache.get(key)  # type: ignore[attr-defined]
    except Exception:  # a broken cache is a miss, never a failure of the run
        hit = None
    if isinstance(hit, dict):
        return hit
    value = compute()
    with contextlib.suppress(Exception):  # a cache that cannot store is ignored, never a failure
        cache.put(key, value)  # type: ignore[attr-defined]
    return value


@functools.lru_cache(maxsize=32)
@functools.cache
def code_fingerprint(module_names: tuple[str, ...]) -> str:
    """A short hash of the source files of these modules, and the tool version, once per
    process (cache keys ask for it per document). A module not imported yet is found by
    its spec, not imported (``build``'s console process keys conversions by the
    converters' code without loading them)."""
    import importlib.util
    import sys

    h = hashlib.sha256(__version__.encode())
    for name in module_names:
        module = sys.modules.get(name)
        source = getattr(module, "__file__", None)
        if module is None:
            with contextlib.suppress(ImportError, ValueError):
                spec = importlib.util.find_spec(name)
                source = spec.origin if spec is not None else None
        h.update(name.encode())
        try:
            h.update(Path(source).read_bytes() if source else b"?")
        except OSError:
            h.update(b"?")
    return h.hexdigest()[:16]


def _mkstemp(suffix: str, folder: Path) -> tuple[int, str]:
    """A new temp file (mode 0600) beside the entries, ``.tmp-<pid>-<n><suffix>`` (what
    ``clear`` finds as a leftover), created exclusively: tempfile's random names cost a
    cold run one import and a few microseconds per entry for nothing a pid does not give."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = folder / f".tmp-{os.getpid()}-{next(_serial)}{suffix}"
        try:
            return os.open(path, flags, 0o600), str(path)
        except FileExistsError:  # left by a process that had this pid: the next number
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


#: Numbers of this process's temp files.
_serial = itertools.count()


def _json_default(value: Any) -> Any:
    """Dates (and anything with isoformat) become ISO strings; the rest is not cacheable."""
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        return iso()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")
