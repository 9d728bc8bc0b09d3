"""What ``dossier check`` printed, kept in the read cache while nothing it depends on changed.

A warm ``check`` found every reading in the read cache, but still imported the whole
pipeline, loaded the checklist, classified, extracted and judged every document again:
about two thirds of its time (issue 13). Like ``audit``'s client results
(audit/client_cache.py), the report a ``check`` printed is stored under a key made of:

- every file of the folder as ``scan`` lists it, and every file it ignores, with its
  device, inode, size, modification and change times (``st_ctime_ns`` changes on any
  write, even one that restores the modification time; a file changed around the time of
  the run (``_RACY_SECONDS``) is not trusted: the report is then not stored); the links
  that leave the folder and where they lead;
- the content of dossier.yaml, the folder as given and resolved, the working directory;
- the options (track, as-of date, which is today's date unless given, strict, window,
  output form) and the reader's limits, with the OCR engine's tag when OCR is on; every
  ``IMG_DOSSIER_*`` environment variable;
- the tool version and a fingerprint of its code and built-in checklists; like every
  entry of the read cache, it is filed under the versions of Python and the libraries
  (libversions.py), so an upgraded library never serves the report its old self made.

The stored entry also names every configuration file the run read (dossier.yaml, the
checklist and its bases) with the sha256 of its content, checked again on every hit, so
an edited checklist is loaded freshly. A report is stored only when the run's readings
were all complete (no timeout, crash or memory limit, which may not recur); a hit prints
the same bytes and exits with the same code. Any failure of the cache is a miss.
``--no-cache``, ``--html`` and ``-v`` never use it, nor does Windows (whose ``st_ctime``
is a file's creation time, not its last change).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__

#: Bump when what an entry holds changes.
FORMAT = 1

_NAMESPACE = "check-report"

#: A file changed this recently (seconds) before the run may change again within the
#: resolution of its change time: the report is not stored.
_RACY_SECONDS = 1.0


class Lookup:
    """The key of one ``check`` run and what the cache holds for it (``hit``)."""

    def __init__(self, key: str, started: float, newest: float, hit: dict[str, Any] | None):
        self.key = key
        self.started = started
        self.newest = newest  # the latest change time of a file in the key (seconds)
        self.hit = hit


def lookup(
    cache: Any,
    folder: Path,
    *,
    track: str | None,
    as_of: date,
    strict: bool,
    expiring_within: int,
    limits: Any,
    mode: Sequence[object],
) -> Lookup | None:
    """The key of this run and the stored output, if any; None when it cannot be cached."""
    if sys.platform == "win32":  # st_ctime is the creation time there, not the change time
        return None
    started = time.time()
    try:
        key, newest = _key(folder, track, as_of, strict, expiring_within, limits, mode)
    except Exception:  # an unreadable folder: checked (and its error reported) every time
        return None
    try:
        value = cache.get(key)
        hit = value if isinstance(value, dict) and _valid(value) else None
    except Exception:  # a broken cache or entry is a miss, never a failure of the run
        hit = None
    return Lookup(key, started, newest, hit)


def store(cache: Any, found: Lookup, output: str, code: int, config_files: Sequence[Path]) -> None:
    """Keep ``output`` and the exit ``code`` under the run's key (see the module's docstring)."""
    if found.newest >= found.started - _RACY_SECONDS:
        return
    files = []
    for path in dict.fromkeys(config_files):
        try:
            if path.stat().st_mtime >= found.started - _RACY_SECONDS:
                return
        except FileNotFoundError:
            pass
        except OSError:
            return
        digest = _digest(path)
        if digest == "?":
            return
        files.append([str(path), digest])
    with contextlib.suppress(Exception):  # a cache that cannot store is ignored
        cache.put(found.key, {"format": FORMAT, "config": files, "output": output, "code": code})


def _valid(value: dict[str, Any]) -> bool:
    """A well-formed entry whose configuration files are byte for byte the same."""
    config = value.get("config")
    if (
        value.get("format") != FORMAT
        or not isinstance(value.get("output"), str)
        or not isinstance(value.get("code"), int)
        or not isinstance(config, list)
    ):
        return False
    for item in config:
        well_formed = isinstance(item, list) and len(item) == 2
        if not (well_formed and all(isinstance(v, str) for v in item)):
            return False
        if _digest(Path(item[0])) != item[1]:
            return False
    return True


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "-"
    except OSError:
        return "?"  # unreadable: never equal to what was stored


def _key(
    folder: Path,
    track: str | None,
    as_of: date,
    strict: bool,
    expiring_within: int,
    limits: Any,
    mode: Sequence[object],
) -> tuple[str, float]:
    from ..codeprint import code_fingerprint

    listed, newest = folder_state(folder)
    engine = "-"
    if getattr(limits, "ocr", False):
        from ..readers.ocr_tag import cache_tag

        engine = cache_tag()
    state = {
        "format": FORMAT,
        "version": __version__,
        "code": code_fingerprint(),
        "folder": [str(folder), str(folder.resolve()), str(Path.cwd())],
        "options": [track, as_of.isoformat(), strict, expiring_within, repr(limits), engine],
        "mode": [repr(m) for m in mode],
        "env": sorted(
            (k, v)
            for k, v in os.environ.items()
            if k.startswith("IMG_DOSSIER_") and k != "IMG_DOSSIER_CACHE_DIR"
        ),
        "listed": listed,
    }
    digest = hashlib.sha256(
        json.dumps(state, separators=(",", ":")).encode("utf-8", "surrogatepass")
    ).hexdigest()
    return f"{_NAMESPACE}:{digest}", newest


def folder_state(folder: Path) -> tuple[dict[str, Any], float]:
    """What a kept result of ``folder`` depends on in the folder itself (also
    audit/client_cache.py's key), and the latest change time among its files (seconds):
    every file ``scan`` lists or ignores with its device, inode, size, modification and
    change times; the links that leave the folder and where they lead; dossier.yaml's
    content. Raises on an unreadable folder."""
    from ..readers.scan import scan

    found = scan(folder)
    files: list[list[object]] = []
    newest = 0
    for rel, path in [
        *((f.rel, Path(f.path)) for f in found.files),
        *((rel, folder / rel) for rel in found.ignored),
    ]:
        try:
            st = path.stat()
        except FileNotFoundError:
            files.append([rel, "-"])
            continue
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        files.append([rel, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns])
    state = {
        "files": files,
        "outside": [[rel, target, Path(target).is_dir()] for rel, target in found.outside],
        "profile": _digest(folder / "dossier.yaml"),  # config.profile.PROFILE_NAME, not loaded
    }
    return state, newest / 1e9
