"""Compiled regular expressions kept between runs, so that a fresh process does not compile
the fact patterns again (issue 13: the fixed costs of a cold ``check``).

Python compiles a pattern with Python code (``re``'s parser and compiler): the fact
patterns (dates with month names in twenty languages, labels, places) cost a cold
``check`` ~25 ms of CPU, every run. What the compiler makes of a pattern, the program
the C matcher runs, depends only on the pattern, its flags and the Python build, so it is
kept in the cache folder and a later process gives it to the matcher at once. The Pattern
is then equal (``==``: same text, flags and program) to what ``re.compile`` returns
(tests/test_patternstore.py compares every fact pattern).

- One file, an entry of the cache folder (``.cfg``: ``dossier cache clear`` removes it),
  keyed by the tool version and the Python build and regex engine; written at the end of a
  run that compiled a pattern the file lacked.
- marshal data behind its sha256: a damaged file is ignored, then written again.
- Anything unexpected from ``re``'s internals (another Python) turns the store off: the
  pattern is compiled by ``re.compile``, as without it.
"""

from __future__ import annotations

import array
import atexit
import contextlib
import hashlib
import marshal
import re
import sys
import threading
from pathlib import Path
from typing import Any

__all__ = ["compile_kept"]

#: The first bytes of the file, then the sha256 of the marshal data that follows.
_MAGIC = b"img-dossier compiled patterns 2\n"

#: Bounds on the file: patterns come from the tool's own code (a few hundred at most).
_MAX_ENTRIES = 2048
_MAX_BYTES = 16 * 1024 * 1024

#: (pattern text, flags) -> (flags, program, groups, group index, group names by number);
#: the program is kept as the bytes of an array of unsigned code words (read at C speed).
_Entry = tuple[int, bytes, int, dict[str, int], tuple[Any, ...]]

#: The array type of a code word (_sre.CODESIZE bytes; the store is off where they differ).
_CODE = "I"

_lock = threading.Lock()
_entries: dict[tuple[str, int], _Entry] | None = None
_path: Path | None = None
_new: dict[tuple[str, int], _Entry] = {}
_writing = False


def compile_kept(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, from the program an earlier run kept when there is one."""
    flags = int(flags)
    entries = _load()
    if entries is None or flags & re.DEBUG:
        return re.compile(source, flags)
    key = (source, flags)
    entry = entries.get(key)
    if entry is not None:
        with contextlib.suppress(Exception):  # not a program this matcher takes: compiled anew
            return _matcher(source, entry)
    try:
        entry = _program(source, flags)
        pattern = _matcher(source, entry)
    except Exception:  # a bad pattern (re.compile raises its error) or other internals
        return re.compile(source, flags)
    with _lock:
        entries[key] = entry
        _new[key] = entry
        _write_at_exit()
    return pattern


def _matcher(source: str, entry: _Entry) -> re.Pattern[str]:
    import _sre  # type: ignore[import-not-found]  # re's own matcher (no stubs)

    flags, program, groups, groupindex, indexgroup = entry
    code = array.array(_CODE, program).tolist()
    pattern: re.Pattern[str] = _sre.compile(source, flags, code, groups, groupindex, indexgroup)
    return pattern


def _program(source: str, flags: int) -> _Entry:
    """What ``re._compiler.compile`` hands to the matcher for ``source``."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(source, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, number in groupindex.items():
        indexgroup[number] = name
    return (
        int(flags | parsed.state.flags),
        array.array(_CODE, [int(c) for c in code]).tobytes(),
        int(parsed.state.groups - 1),
        {str(k): int(v) for k, v in groupindex.items()},
        tuple(indexgroup),
    )


def _tag() -> str | None:
    """What the kept programs are valid for: this tool, this Python build and matcher."""
    if sys.implementation.name != "cpython":
        return None
    try:
        import _sre

        engine = (_sre.MAGIC, _sre.CODESIZE, _sre.MAXREPEAT, _sre.MAXGROUPS)
    except (ImportError, AttributeError):
        return None
    if array.array(_CODE).itemsize != _sre.CODESIZE:
        return None
    from . import __version__

    python = f"{sys.version}\0{sys.implementation.cache_tag}"
    return f"compiled patterns\0{__version__}\0{python}\0{engine}"


def _load() -> dict[tuple[str, int], _Entry] | None:
    """The kept entries (read once per process), or None when the store is off."""
    global _entries, _path
    with _lock:
        if _path is not None:  # looked for already (None: the store is off)
            return _entries
        tag = _tag()
        if tag is None:
            _path = Path()
            return None
        from .cachedir import default_directory, version_folder

        digest = hashlib.sha256(tag.encode("utf-8", "surrogateescape")).hexdigest()
        _path = version_folder(default_directory()) / digest[:2] / f"{digest}.cfg"
        _entries = _read(_path)
        return _entries


def _read(path: Path) -> dict[tuple[str, int], _Entry]:
    """The entries of the file, or none (absent, damaged, not ours)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except OSError:
        return {}
    head = len(_MAGIC) + 64
    if len(raw) > _MAX_BYTES or not raw.startswith(_MAGIC) or len(raw) <= head:
        return {}
    body = raw[head:]
    if hashlib.sha256(body).hexdigest().encode() != raw[len(_MAGIC) : head]:
        return {}
    try:
        loaded = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {key: value for key, value in loaded.items() if _well_formed(key, value)}


def _well_formed(key: object, value: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 2
        and isinstance(key[0], str)
        and isinstance(key[1], int)
        and isinstance(value, tuple)
        and len(value) == 5
        and isinstance(value[0], int)
        and isinstance(value[1], bytes)
        and isinstance(value[2], int)
        and isinstance(value[3], dict)
        and isinstance(value[4], tuple)
    )


def _write_at_exit() -> None:
    global _writing
    if not _writing:
        _writing = True
        atexit.register(_write)


def _write() -> None:
    """Add what this process compiled to the file (read again: another run may have added
    to it); failures are ignored (a cache)."""
    path = _path
    if not _new or path is None or not path.name:
        return
    with contextlib.suppress(OSError, ValueError):
        root = path.parent.parent.parent
        if not root.is_dir():  # the cache folder went away (a test's): nothing to keep
            return
        merged = {**_read(path), **_new}
        if len(merged) > _MAX_ENTRIES:
            merged = dict(_new)
        body = marshal.dumps(merged)
        from .cachedir import mkdir_private

        mkdir_private(path.parent)
        from . import atomic  # tempfile: only when writing

        atomic.write_bytes(path, _MAGIC + hashlib.sha256(body).hexdigest().encode() + body)
        _new.clear()
