"""Converting a document to PDF once: images, Word files and text, cached by content.

``convert_cached`` is ``convert.to_pdf`` through the cache: the key holds the document's
sha256, its format, the page size, the engine that would run (LibreOffice, with which
installation of it, or the built-in renderer) and a fingerprint of the converter's code,
so a warm ``build`` converts nothing and any change to the converter, LibreOffice
appearing or being upgraded, converts again.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from ..model import Document
from .engines import ENGINE_LIBREOFFICE, engine_for

#: Bump when what a conversion produces changes in a way the code fingerprint misses.
CONVERSION_VERSION = 1

#: The modules whose code makes a conversion (their fingerprint is in every key).
CONVERTER_MODULES = tuple(
    f"img_dossier.output.{name}"
    for name in (
        "convert",
        "canvas",
        "images",
        "text",
        "libreoffice",
        "docx_render",
        "docx_styles",
        "textshape",
    )
)


@dataclass(frozen=True)
class Converted:
    """The PDF to use (``path``) and the engine that made it; ``error`` when it failed."""

    path: Path
    engine: str
    error: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def conversion_key(doc: Document, size: tuple[float, float], engine: str) -> str:
    """The cache key of a conversion (content, format, page size, engine, converter code)."""
    from ..readers.cache import code_fingerprint  # reads the converters' files, loads none

    code = code_fingerprint(CONVERTER_MODULES)
    if engine == ENGINE_LIBREOFFICE:
        from .soffice import find_soffice

        engine = f"{engine}@{_installed(find_soffice())}"
    return (
        f"convert:{CONVERSION_VERSION}:{code}:{doc.sha256}:{doc.format}:"
        f"{size[0]:.2f}x{size[1]:.2f}:{engine}"
    )


@functools.cache
def _installed(soffice: str | None) -> str:
    """Which LibreOffice ``soffice`` is: the identity (inode, size, modification time) of
    the program and of the version file beside it (``versionrc``, ``version.ini``), which
    an upgrade replaces; stat only, LibreOffice is not run. The libraries' versions are in
    every key already (readers/cache.py)."""
    if soffice is None:
        return "-"
    program = Path(os.path.realpath(soffice))
    folder = program.parent  # program/ (Linux, Windows), Contents/MacOS (macOS)
    places = [program, folder / "versionrc", folder / "version.ini"]
    places.append(folder.parent / "Resources" / "versionrc")  # macOS
    found = []
    for path in places:
        try:
            st = path.stat()
        except OSError:
            continue
        found.append(f"{path.name}.{st.st_ino}.{st.st_size}.{st.st_mtime_ns}")
    return ",".join(found) or "?"


def convert_cached(
    doc: Document, dst: Path, size: tuple[float, float], cache: object | None = None
) -> Converted:
    """``doc`` as a PDF: the cached conversion when there is one, else converted to ``dst``
    (and stored). Never raises for a bad document; a failed conversion is not stored."""
    from .convert import to_pdf

    hit = cached_conversion(doc, size, cache)
    if hit is not None:
        return hit
    result = to_pdf(doc, dst, size)
    if not result.ok:
        return Converted(dst, result.engine, result.error)
    store_conversion(doc, size, cache, dst, result.engine, result.pages)
    return Converted(dst, result.engine)


def cached_conversion(
    doc: Document, size: tuple[float, float], cache: object | None
) -> Converted | None:
    """The cached conversion of ``doc`` at ``size``, or None (no cache, a miss, or broken)."""
    if cache is None or not doc.sha256 or not hasattr(cache, "get_file"):
        return None
    key = conversion_key(doc, size, engine_for(doc.format))
    try:
        hit = cache.get_file(key)
        meta = cache.get(key) if hit is not None else None  # type: ignore[attr-defined]
    except Exception:  # a broken cache is a miss
        return None
    if hit is not None and isinstance(meta, dict) and isinstance(meta.get("engine"), str):
        return Converted(hit, meta["engine"], cached=True)
    return None


def store_conversion(
    doc: Document,
    size: tuple[float, float],
    cache: object | None,
    pdf: Path,
    engine: str,
    pages: int,
) -> None:
    """Keep ``pdf`` as the conversion of ``doc`` at ``size`` made by ``engine``; a cache
    that cannot store is ignored."""
    if cache is None or not doc.sha256 or not hasattr(cache, "put_file"):
        return
    try:
        key = conversion_key(doc, size, engine)
        cache.put_file(key, pdf)
        cache.put(key, {"engine": engine, "pages": pages})  # type: ignore[attr-defined]
    except Exception:  # a cache that cannot store is ignored
        return
