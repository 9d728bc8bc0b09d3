"""What names the OCR engine in a cache key, worked out without loading it.

A reading made with OCR on is cached under the engine's version, the model set it runs
(the shipped int8 recogniser when intact, else the wheel's float models) and the way
ocr.py uses them (PIPELINE). A warm ``check`` needs that tag to find its readings but
reads nothing by OCR, so this module imports neither ocr.py nor PIL, numpy or
``importlib.metadata`` (together about a quarter of a warm check's CPU): the engine's
version is read from its installed ``.dist-info`` folder's name.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

#: Version of how ocr.py reads a page with the engine (part of the cache key: a reading
#: made the old way is read again).
PIPELINE = 4

#: The recogniser quantized to 8-bit integers (tools/make_ocr_models.py), shipped in this
#: package beside ``models.json`` (its sha256 and where it comes from): about half the float
#: model's cost on a CPU, for the same text (bench/ocr measures both speed and accuracy).
#: The detector stays float: quantized, it found text all over a blank page.
INT8_MODELS = {"rec": "rec-int8.onnx"}
INT8_DIR = Path(__file__).resolve().parent / "models"
#: ``float`` makes the engine use the wheel's float models (bench/ocr compares the two).
MODELS_ENV = "IMG_DOSSIER_OCR_MODELS"

_ENGINE = "rapidocr"


def cache_tag() -> str:
    """The engine, its models and ocr.py's way of using them, for the cache key."""
    return f"{engine_name()} {model_set()} p{PIPELINE}"


@functools.cache
def engine_name() -> str:
    """``rapidocr <version>`` (what the report and the cache key name)."""
    version = _dist_info_version(_ENGINE)
    if version is None:  # not found the quick way: ask the installed metadata
        from importlib import metadata

        try:
            version = metadata.version(_ENGINE)
        except metadata.PackageNotFoundError:
            return f"{_ENGINE} (not installed)"
    return f"{_ENGINE} {version}"


def _dist_info_version(name: str) -> str | None:
    """The version in the name of the one ``<name>-<version>.dist-info`` folder beside the
    importable package ``name`` (where pip puts it), or None when the package is not
    importable or that is not plain (none, several, another layout)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    places = {Path(p).absolute().parent for p in spec.submodule_search_locations}
    if len(places) != 1:
        return None
    prefix, suffix = f"{name}-", ".dist-info"
    try:
        found = [
            entry.name[len(prefix) : -len(suffix)]
            for entry in places.pop().iterdir()
            if entry.name.startswith(prefix) and entry.name.endswith(suffix)
        ]
    except OSError:
        return None
    if len(found) != 1 or not found[0] or "-" in found[0]:
        return None
    return found[0]


@functools.cache
def model_set() -> str:
    """``int8`` when this package's quantized models are here and intact, else ``float``
    (the wheel's models: a damaged or missing int8 file is never used)."""
    if os.environ.get(MODELS_ENV, "").strip().lower() == "float":
        return "float"
    return "int8" if _int8_models_intact() else "float"


def _int8_models_intact() -> bool:
    """Every int8 model file is present with the sha256 models.json records for it.

    Hashing the model (~6 MB) took ~5 ms of every warm check; a file verified once is
    remembered in the cache folder under its identity (device, inode, size, modification
    and change times, of it and of models.json), so it is hashed again only once one of
    them has changed (any write does) or the cache was cleared. Only a success is
    remembered, and never for a file modified in the last _RACY_SECONDS."""
    stamp = _stamp()
    if stamp is not None and _verified_before(stamp):
        return True
    started = time.time()
    intact = _hashes_match()
    if intact and stamp is not None and stamp[1] < started - _RACY_SECONDS:
        _remember_verified(stamp[0])
    return intact


def _hashes_match() -> bool:
    import hashlib
    import json

    try:
        record = json.loads((INT8_DIR / "models.json").read_text(encoding="utf-8"))
        for name in INT8_MODELS.values():
            want = record[name]["sha256"]
            with open(INT8_DIR / name, "rb") as fh:
                if hashlib.file_digest(fh, "sha256").hexdigest() != want:
                    return False
    except (OSError, ValueError, KeyError, TypeError):  # missing, unreadable or malformed
        return False
    return True


#: A file modified this recently (seconds) may still be being written: not remembered.
_RACY_SECONDS = 1.0


def _stamp() -> tuple[str, float] | None:
    """(what identifies models.json and the int8 model files as they are now, their latest
    modification time), or None when one cannot be looked at."""
    parts = []
    latest = 0.0
    for name in ("models.json", *sorted(INT8_MODELS.values())):
        path = INT8_DIR / name
        try:
            st = path.stat()
        except OSError:
            return None
        parts.append(
            f"{path}\0{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
        )
        latest = max(latest, st.st_mtime)
    return "int8 models verified\n" + "\n".join(parts), latest


def _memo_path(stamp: str) -> Path:
    """Where the proof of a verification is kept: an entry of the cache folder (``.cfg``,
    like validated configuration: ``dossier cache clear`` removes it)."""
    import hashlib

    from ..cachedir import default_directory, version_folder

    digest = hashlib.sha256(stamp.encode("utf-8", "surrogatepass")).hexdigest()
    return version_folder(default_directory()) / digest[:2] / f"{digest}.cfg"


def _verified_before(stamp: tuple[str, float]) -> bool:
    try:
        with open(_memo_path(stamp[0]), "rb") as fh:
            return fh.read(len(stamp[0]) * 4 + 1) == stamp[0].encode("utf-8", "surrogatepass")
    except (OSError, ValueError):
        return False


def _remember_verified(stamp: str) -> None:
    """Write the proof (its stamp, read back and compared); failures are ignored."""
    from ..cachedir import mkdir_private

    try:
        target = _memo_path(stamp)
        mkdir_private(target.parent)
        from .. import atomic  # only when storing

        atomic.write_bytes(target, stamp.encode("utf-8", "surrogatepass"))
    except (OSError, ValueError):  # a cache: a write that fails is no error
        return
