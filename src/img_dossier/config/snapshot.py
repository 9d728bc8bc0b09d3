"""The built-in configuration, validated when the tool was made (issue 13: a first run).

The built-in checklists, tracks, exams and statement-of-need elements (``checklists/``) are
data of the installed version: they are the same for every user and every run. A first run
(an empty cache, config/validated.py) used to validate them with their pydantic models all
the same (importing pydantic and ruamel and building the models: about a fifth of a second).
What that validation returns is shipped instead, in ``builtin.snapshot`` next to this
module, and taken only when it is exactly what validation would return now:

- the snapshot names the code it was made by (validated.source_tag: the tool version, the
  configuration code and every built-in data file); any other code ignores it whole. Not
  the versions of Python and the libraries, as the cache's entries (validated.code_tag):
  the snapshot is the tool's own data as the tool's own dataclasses of plain values, valid
  under every supported ruamel.yaml and pydantic, and tied to one Python or library
  version it would serve no user; tests/config/test_snapshot.py compares it with what the
  installed libraries make of the data;
- each entry holds the sha256 of every data file it was read from, checked before use: a
  data file edited in place is validated as before, never taken from the snapshot;
- the YAML files stay the only source of truth: the snapshot is made from them by the very
  code that validates them (``python tools/make_config_snapshot.py`` writes it), and
  tests/config/test_snapshot.py fails while it is stale (it then says to run that).

A user's files (dossier.yaml, a custom checklist, one that extends a built-in one) are never
in it: they are validated as strictly as before (and kept in the cache, validated.py).
The file is read by the same restricted unpickler as the cache's entries (only the tool's
configuration dataclasses and plain values), behind the sha256 of its bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Any

from .sealed import UNPICKLE_ERRORS, seal, unseal

__all__ = ["encode", "entry", "lookup", "shipped"]

#: The first bytes of the file, then the sha256 of the pickle that follows.
_MAGIC = b"img-dossier built-in config 1\n"

#: Where the snapshot ships (package data, in the wheel and in a checkout alike).
PATH = Path(__file__).with_name("builtin.snapshot")

#: The data folder the snapshot covers.
_DATA = "checklists"

#: IMG_DOSSIER_BUILTIN_SNAPSHOT=0: validate the built-in data at run time (as before).
_ENV = "IMG_DOSSIER_BUILTIN_SNAPSHOT"

#: (kind, data file name) -> (files read: (name, sha256), the value pickled, its Path fields:
#: (field, name)). Each value is unpickled only when looked up (the file itself holds plain
#: values only: reading it imports nothing, so a module that looks up its data as it is
#: imported is not imported again on the way).
_Pairs = tuple[tuple[str, str], ...]
_Entry = tuple[_Pairs, bytes, _Pairs]
_Entries = dict[tuple[str, str], _Entry]


def _data() -> Path:
    from .resources import data_dir

    return data_dir(_DATA)


def _off() -> bool:
    return os.environ.get(_ENV, "").strip() in ("0", "no", "off")


#: The shipped entries once read, by the code tag they were read for.
_read: dict[str, _Entries | None] = {}


def _forget() -> None:
    """Read the file again next time (tests, tools/make_config_snapshot.py)."""
    _read.clear()


def _entries(tag: str, unpickler: type[pickle.Unpickler]) -> _Entries | None:
    """The shipped entries (read once), or None (absent, damaged, made by other code)."""
    if tag not in _read:
        _read[tag] = _entries_of_file(tag, unpickler)
    return _read[tag]


def _entries_of_file(tag: str, unpickler: type[pickle.Unpickler]) -> _Entries | None:
    """The file's entries, or None (absent, damaged, made by code other than ``tag``).
    ``unpickler``: validated.py's, which unpickles only the configuration's own classes."""
    try:
        raw = PATH.read_bytes()
    except OSError:
        return None
    body = unseal(_MAGIC, raw)
    if body is None:
        return None
    try:
        made_by, entries = unpickler(io.BytesIO(body)).load()
    except UNPICKLE_ERRORS:  # a damaged or foreign file is no snapshot (validated as before)
        return None
    if made_by != tag or not isinstance(entries, dict):
        return None
    return entries


def _well_formed(entry: Any) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 3
        and isinstance(entry[1], bytes)
        and all(isinstance(f, tuple) and len(f) == 2 for part in (entry[0], entry[2]) for f in part)
    )


def lookup(
    kind: str, key: str, *, tag: str, unpickler: type[pickle.Unpickler]
) -> tuple[Any, tuple[Path, ...]] | None:
    """What validating built-in data file ``key`` (its absolute path) as ``kind`` returns,
    and the files it was read from; None when the snapshot does not hold it unchanged.
    ``tag``: validated.source_tag() (the code that validates now)."""
    if _off():
        return None
    folder = _data()
    where = Path(key)
    if where.parent != folder:  # not a built-in data file (a user's, or a relative key)
        return None
    entries = _entries(tag, unpickler)
    entry = entries.get((kind, where.name)) if entries is not None else None
    if entry is None or not _well_formed(entry):
        return None
    files, pickled, paths = entry
    if not all(_sha256(folder / name) == digest for name, digest in files):
        return None  # a data file differs from the one the snapshot was made from
    try:  # unpickled only now: a value imports the modules of its classes
        value = unpickler(io.BytesIO(pickled)).load()
    except UNPICKLE_ERRORS:  # a damaged entry is no snapshot (validated as before)
        return None
    if paths:
        value = dataclasses.replace(value, **{f: folder / name for f, name in paths})
    return value, tuple(folder / name for name, _ in files)


# -- making it (tools/make_config_snapshot.py; tests/config/test_snapshot.py) -------------


def entry(
    kind: str, key: str, value: Any, files: tuple[Path, ...]
) -> tuple[tuple[str, str], _Entry] | None:
    """The snapshot's entry for what validation built (``validated._capture``), or None
    when it was read from anything but built-in data files."""
    folder = _data()
    where = Path(key)
    if where.parent != folder or any(f.parent != folder for f in files):
        return None
    fields = dataclasses.fields(value) if dataclasses.is_dataclass(value) else ()
    paths = tuple(
        (f.name, getattr(value, f.name).name)
        for f in fields
        if isinstance(getattr(value, f.name), Path) and getattr(value, f.name).parent == folder
    )
    if paths:
        value = dataclasses.replace(value, **{f: None for f, _ in paths})
    digests = tuple((f.name, _sha256(f) or "?") for f in dict.fromkeys(files))
    return (kind, where.name), (digests, pickle.dumps(value, protocol=5), paths)


def _sha256(path: Path) -> str | None:
    """The sha256 of a file's content, None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def encode(entries: _Entries, tag: str) -> bytes:
    """The snapshot file's bytes for ``entries``, made by the code ``tag`` names."""
    body = pickle.dumps((tag, entries), protocol=5)
    return seal(_MAGIC, body)


def shipped(tag: str, unpickler: type[pickle.Unpickler]) -> _Entries | None:
    """The entries of the shipped file, read again (None: absent, damaged, other code)."""
    _forget()
    return _entries(tag, unpickler)
