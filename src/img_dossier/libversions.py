"""The versions of the libraries a kept result depends on, and of the Python that ran them,
told without importing any of them.

A reading, a conversion, a repaired copy or a kept report is what PDFium, qpdf, pypdf,
Pillow, python-docx, the OCR engine and the rest made of a document: after ``pip install
-U pypdfium2`` (to fix a misreading, say) the cache must not serve the old answer. The read
cache (readers/cache.py) therefore files every entry under ``library_tag()``: one tag for
every library here, not one per kind of entry, because a reading depends on more than the
library whose name it bears (lxml under python-docx, OpenCV, numpy and pyclipper under the
OCR engine, cryptography under pypdf), a list per kind would be one more thing to get
wrong in silence, and an upgrade is rare (it costs one cold run, as an upgrade of the tool
does).

A warm ``check`` needs the tag but nothing else of these libraries, so neither they nor
``importlib.metadata`` are imported: each library's version is the name of the
``<name>-<version>.dist-info`` (or ``.egg-info``) folder beside its package, in the first
``sys.path`` folder that holds the package (where ``import`` finds it); one listing per
folder, about a tenth of a millisecond. A library that is not installed is ``-``; one whose
version cannot be found so is ``?`` with the identity (inode, modification time) of its
package folder, so the tag stays the same while nothing is reinstalled and changes when
something is.
"""

from __future__ import annotations

import _imp
import functools
import hashlib
import os
import sys

#: (the name a library is imported by, the distributions that install it), for every
#: library whose behaviour decides a reading, a conversion, a repair or a judgement.
LIBRARIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pypdfium2", ("pypdfium2",)),  # PDFium: the text of PDFs, thumbnails
    ("pikepdf", ("pikepdf",)),  # qpdf: repairs, the merge
    ("pypdf", ("pypdf",)),
    ("cryptography", ("cryptography",)),  # pypdf's AES
    ("PIL", ("pillow", "pillow_simd")),
    ("pillow_heif", ("pillow_heif",)),
    ("docx", ("python_docx",)),
    ("lxml", ("lxml",)),  # python-docx's XML
    ("docxtpl", ("docxtpl",)),
    ("jinja2", ("jinja2",)),
    ("reportlab", ("reportlab",)),
    ("fontTools", ("fonttools",)),
    ("arabic_reshaper", ("arabic_reshaper",)),
    ("bidi", ("python_bidi",)),
    ("anyascii", ("anyascii",)),
    ("ruamel", ("ruamel_yaml", "ruamel_yaml_clib")),
    ("pydantic", ("pydantic",)),
    ("pydantic_core", ("pydantic_core",)),
    ("rapidocr", ("rapidocr",)),
    ("onnxruntime", ("onnxruntime", "onnxruntime_gpu", "onnxruntime_openvino")),
    ("cv2", ("opencv_python", "opencv_python_headless", "opencv_contrib_python")),
    ("numpy", ("numpy",)),
    ("pyclipper", ("pyclipper",)),
    ("shapely", ("shapely",)),
)


@functools.cache
def library_tag() -> str:
    """A short hash of the Python build and every library's version (see the module)."""
    h = hashlib.sha256(python_tag().encode("utf-8", "surrogateescape"))
    for name, version in versions():
        h.update(f"\n{name}={version}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:16]


def python_tag() -> str:
    """The Python that runs the tool: its version and build (its ``re``, ``unicodedata``
    and ``json`` decide what the text of a document is found to say)."""
    return f"{sys.implementation.cache_tag} {sys.version}"


def versions() -> list[tuple[str, str]]:
    """(import name, version) of every library of LIBRARIES, as ``library_tag`` sees them."""
    indexes: dict[str, _Index | None] = {}
    folders = [p for p in sys.path if isinstance(p, str)]
    return [(name, _version(name, dists, folders, indexes)) for name, dists in LIBRARIES]


class _Index:
    """What one folder of ``sys.path`` holds: its names, and (worked out when first asked)
    the versions its dist-info and egg-info folders name, by distribution."""

    def __init__(self, folder: str, entries: list[str]) -> None:
        self.folder = folder
        self.entries = frozenset(entries)
        self._dists: dict[str, list[str]] | None = None

    @property
    def dists(self) -> dict[str, list[str]]:
        if self._dists is None:
            self._dists = {}
            for entry in self.entries:
                if entry.endswith(".dist-info"):
                    dist, _, version = entry[: -len(".dist-info")].partition("-")
                elif entry.endswith(".egg-info"):
                    dist, _, rest = entry[: -len(".egg-info")].partition("-")
                    version = rest.split("-")[0]
                else:
                    continue
                self._dists.setdefault(_normal(dist), []).append(version or "?")
        return self._dists

    def holds(self, name: str) -> str | None:
        """The path of the top-level module or package ``name`` when ``import`` would take
        it from here (a package has an ``__init__.py``; a folder without one, or a console
        script of that name, is passed over), else None."""
        if name in self.entries:
            package = os.path.join(self.folder, name)  # noqa: PTH118
            if os.path.isfile(os.path.join(package, "__init__.py")):  # noqa: PTH113, PTH118
                return package
        for suffix in _MODULE_SUFFIXES:
            if name + suffix in self.entries:
                return os.path.join(self.folder, name + suffix)  # noqa: PTH118
        return None

    def versions(self, wanted: tuple[str, ...]) -> str:
        """The versions of the ``wanted`` distributions found here, joined ("": none)."""
        found = [
            f"{dist}-{version}"
            for dist in sorted({_normal(d) for d in wanted})
            for version in sorted(self.dists.get(dist, ()))
        ]
        return ",".join(found)


#: What a module's file name ends with (``.py``, ``.cpython-311-x86_64-linux-gnu.so``...).
_MODULE_SUFFIXES = (".py", *_imp.extension_suffixes())


def _version(
    name: str,
    dists: tuple[str, ...],
    folders: list[str],
    indexes: dict[str, _Index | None],
) -> str:
    """``name``'s version: from the dist-info beside the package that import would find,
    else (a namespace package, or one installed by a finder of its own) from the first
    folder with its dist-info."""
    portion = None  # the first folder of a namespace package (ruamel)
    for folder in folders:
        index = _indexed(folder, indexes)
        if index is None:
            continue
        package = index.holds(name)
        if package is not None:
            found = index.versions(dists)
            if found and "?" not in found:
                return found
            # no version named (a source checkout, an egg-info without one): which copy
            return f"{found}?{_identity(package)}"
        if portion is None and name in index.entries:
            portion = index
    if portion is not None and (found := portion.versions(dists)):
        return found
    for folder in folders:
        index = _indexed(folder, indexes)
        found = index.versions(dists) if index is not None else ""
        if found:
            return found
    return "-"


def _indexed(folder: str, indexes: dict[str, _Index | None]) -> _Index | None:
    if folder not in indexes:
        indexes[folder] = _index(folder)
    return indexes[folder]


def _index(folder: str) -> _Index | None:
    """What ``folder`` holds (None when it is no readable folder: a zip, a missing one)."""
    try:
        # names only: no Path object per entry
        return _Index(folder or ".", os.listdir(folder or "."))  # noqa: PTH208
    except (OSError, ValueError):
        return None


def _normal(dist: str) -> str:
    """A distribution's name as the wheel spec writes it in a dist-info folder's name."""
    return dist.lower().replace("-", "_").replace(".", "_")


def _identity(path: str) -> str:
    try:
        st = os.stat(path)  # noqa: PTH116
    except OSError:
        return "unreadable"
    return f"{st.st_ino}.{st.st_mtime_ns}"
