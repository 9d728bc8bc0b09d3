"""Validated configuration kept between runs: a checklist, a folder's dossier.yaml.

Validating a checklist and a dossier.yaml with their pydantic models is exact but costs a
fresh process about a fifth of a second (importing pydantic, ruamel and building the
models). What validation returned is stored here, keyed by the content (sha256) of every
file it was read from, the tool version and the source of the code that validates it; a
later run whose files are byte for byte the same takes it back without importing pydantic
or ruamel. Anything else is validated again, exactly as strictly:

- a file that changed, appeared or went away is a miss (so its new error is reported);
- only successes are stored: a file with an error is validated (and refused) every time;
- a file changed while it was being validated (modified within a second of the run) is
  not stored, so a stored value never stands for content it was not read from;
- an entry is a pickle of the tool's own frozen dataclasses, behind the sha256 of its
  bytes; a damaged entry, one of another version, or one naming any other class is
  ignored (never unpickled past the check) and written again.

Entries live in the read cache's folder (``<cache>/v<version>/<k[:2]>/<key>.cfg``, private
to the user), so ``dossier cache clear`` removes them; within one process they are also
kept in memory (``audit`` loads the same checklist for every client).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .. import __version__
from ..cachedir import default_directory, mkdir_private, version_folder
from .sealed import UNPICKLE_ERRORS, seal, unseal

__all__ = ["cached", "cached_with_files", "clear_memory"]

T = TypeVar("T")

#: The first bytes of an entry file, then the sha256 of the pickle that follows.
_MAGIC = b"img-dossier validated config 1\n"

#: Entries larger than this are not ours (a checklist and its base are a few hundred KB).
_MAX_BYTES = 16 * 1024 * 1024

#: A file modified this recently (seconds) may still be being written: not stored.
_RACY_SECONDS = 1.0

#: What an entry may hold: plain values, and the dataclasses of the tool's configuration
#: modules (any dataclass of these modules, no function or other class).
_ALLOWED = {
    "builtins": {"frozenset", "set", "tuple", "list", "dict", "int", "float", "str", "bool"},
    "datetime": {"date", "datetime", "timezone", "timedelta"},
    "pathlib": {"Path", "PosixPath", "WindowsPath", "PurePath", "PurePosixPath", "PureWindowsPath"},
}
_DATACLASS_MODULES = frozenset(
    {
        "img_dossier.config.checklist",
        "img_dossier.config.conditions",
        "img_dossier.config.entries",
        "img_dossier.config.profile",
        "img_dossier.facts.statement_of_need",
    }
)

#: Missing file, in a dependency list.
_ABSENT = "-"

#: While config/snapshot.py makes the snapshot: every value built, with its kind, key, files.
_capture: list[tuple[str, str, Any, tuple[Path, ...]]] | None = None


@dataclass(frozen=True)
class _Entry:
    files: tuple[tuple[str, str], ...]  # (path, sha256 of its content or _ABSENT)
    value: Any


#: Entries kept in this process, most recently used last (an audit of thousands of clients
#: keeps the checklist, not every client's dossier.yaml).
_memory: OrderedDict[str, _Entry] = OrderedDict()
_MEMORY_ENTRIES = 64


def _remember(digest: str, entry: _Entry) -> None:
    _memory[digest] = entry
    _memory.move_to_end(digest)
    while len(_memory) > _MEMORY_ENTRIES:
        _memory.popitem(last=False)


def clear_memory() -> None:
    """Forget the entries kept in this process (the files stay)."""
    _memory.clear()


def cached(
    kind: str,
    key: str,
    build: Callable[[], tuple[T, Sequence[Path]]],
    expect: type[T],
) -> T:
    """``build()`` returns (value, the files it was read from); the value stored for
    ``kind`` and ``key`` is returned instead when those files have the same content and
    the validating code is the same. ``expect``: the type a stored value must have."""
    return cached_with_files(kind, key, build, expect)[0]


def cached_with_files(
    kind: str,
    key: str,
    build: Callable[[], tuple[T, Sequence[Path]]],
    expect: type[T],
) -> tuple[T, tuple[Path, ...]]:
    """``cached``, and the files the value was read from."""
    name = hashlib.sha256(f"{kind}\0{code_tag()}\0{key}".encode("utf-8", "surrogatepass"))
    digest = name.hexdigest()
    entry = _memory.get(digest)
    if entry is None:
        from . import snapshot  # built-in data: validated when the tool was made

        shipped = snapshot.lookup(kind, key, tag=source_tag(), unpickler=_Restricted)
        if shipped is not None and isinstance(shipped[0], expect):
            _remember(digest, _Entry(tuple((str(p), _digest(p)) for p in shipped[1]), shipped[0]))
            return shipped[0], shipped[1]
        entry = _load(digest)
    if entry is not None and isinstance(entry.value, expect) and _unchanged(entry.files):
        _remember(digest, entry)
        value: T = entry.value
        return value, tuple(Path(p) for p, _ in entry.files)
    started = time.time()
    value, files = build()
    if _capture is not None:
        _capture.append((kind, key, value, tuple(files)))
    recorded = _record(files, started)
    if recorded is not None:
        entry = _Entry(recorded, value)
        _remember(digest, entry)
        _store(digest, entry)
    return value, tuple(files)


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return _ABSENT
    except OSError:
        return "?"  # unreadable: never equal to what was stored


def _unchanged(files: tuple[tuple[str, str], ...]) -> bool:
    return all(_digest(Path(path)) == digest for path, digest in files)


def _record(files: Sequence[Path], started: float) -> tuple[tuple[str, str], ...] | None:
    """(path, sha256) of each file; None when one changed around the time it was read."""
    recorded = []
    for path in dict.fromkeys(files):
        try:
            if path.stat().st_mtime >= started - _RACY_SECONDS:
                return None
        except FileNotFoundError:
            pass
        except OSError:
            return None
        digest = _digest(path)
        if digest == "?":
            return None
        recorded.append((str(path), digest))
    return tuple(recorded)


@functools.lru_cache(maxsize=1)
def code_tag() -> str:
    """``source_tag()`` with the versions of Python and the libraries (ruamel.yaml parses,
    pydantic builds, pickle keeps)."""
    from ..libversions import library_tag

    return hashlib.sha256(f"{source_tag()}\0{library_tag()}".encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=1)
def source_tag() -> str:
    """The tool version and a hash of the code that validates and builds configuration
    (this package's sources) and of the built-in data files it reads. The shipped snapshot
    of the built-in data is tagged with it (config/snapshot.py says why not code_tag)."""
    from .resources import data_dir

    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    sources = sorted(here.glob("*.py"))
    with contextlib.suppress(OSError):
        sources += sorted(data_dir("checklists").glob("*.yaml"))
    for path in sources:
        h.update(path.name.encode())
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()[:32]


def _path(digest: str) -> Path:
    return version_folder(default_directory()) / digest[:2] / f"{digest}.cfg"


class _Restricted(pickle.Unpickler):
    """Unpickles only the classes an entry may hold (_ALLOWED)."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module in _DATACLASS_MODULES and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a config entry")


def _load(digest: str) -> _Entry | None:
    """The entry stored under ``digest``, or None (absent, damaged, not ours)."""
    try:
        with open(_path(digest), "rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except OSError:
        return None
    body = unseal(_MAGIC, raw) if len(raw) <= _MAX_BYTES else None
    if body is None:
        return None
    try:
        files, value = _Restricted(io.BytesIO(body)).load()
    except UNPICKLE_ERRORS:  # a damaged entry
        return None
    if not isinstance(files, tuple) or not all(
        isinstance(f, tuple) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in files
    ):
        return None
    return _Entry(files, value)


def _store(digest: str, entry: _Entry) -> None:
    """Write the entry atomically (a temp file renamed into place); failures are ignored."""
    try:
        body = pickle.dumps((entry.files, entry.value), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):  # not kept
        return
    data = seal(_MAGIC, body)
    with contextlib.suppress(OSError):  # a cache: a write that fails is no error
        target = _path(digest)
        mkdir_private(target.parent)
        from .. import atomic  # only when storing (tempfile costs a warm run's start-up)

        atomic.write_bytes(target, data)
