"""Images, DOCX and text -> PDF pages: the one converter that build, letters and pack use.

Every PDF written here carries ``model.OWN_OUTPUT_KEY`` so the scanner ignores it. The
low-level functions raise ``ConversionError`` for a document they cannot convert; the
dispatcher ``to_pdf`` turns any failure into a ``ConversionResult`` with ``error`` set,
so a bad document never stops the pipeline.

The converters live beside it: ``images``, ``text``, ``libreoffice`` and ``docx_render``
(with ``docx_styles``); ``canvas`` holds what they share. Their public names are
re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..model import Document
from ..pathtext import openable
from ..readers.sniff import EXTENSION_FORMATS
from .canvas import (  # re-exported: the converters' shared names
    IMAGE_MARGIN,
    MARGIN,
    PAGE_SIZES,
    ConversionError,
    _write_atomically,
    marked_canvas,
    page_size,
)
from .docx_render import MAX_DOCX_IMAGE_BYTES, _builtin_docx
from .engines import (  # re-exported: the engines' names
    ENGINE_BUILTIN,
    ENGINE_IMAGE,
    ENGINE_LIBREOFFICE,
    ENGINE_PDF,
    ENGINE_TEXT,
    engine_for,
)
from .fonts import FONT, FONT_BOLD, FONT_BOLD_ITALIC, FONT_ITALIC, FONTS_DIR, register_fonts
from .images import MAX_FRAMES, MAX_PIXELS, image_to_pdf
from .libreoffice import _libreoffice, _mark_pdf, soffice_path
from .text import CHUNK, MAX_TEXT_BYTES, _chunks, text_to_pdf

__all__ = [
    "CHUNK",
    "FONT",
    "FONTS_DIR",
    "FONT_BOLD",
    "FONT_BOLD_ITALIC",
    "FONT_ITALIC",
    "IMAGE_MARGIN",
    "MARGIN",
    "MAX_DOCX_IMAGE_BYTES",
    "MAX_FRAMES",
    "MAX_PIXELS",
    "MAX_TEXT_BYTES",
    "PAGE_SIZES",
    "ConversionError",
    "ConversionResult",
    "_chunks",
    "docx_to_pdf",
    "image_to_pdf",
    "marked_canvas",
    "page_size",
    "register_fonts",
    "soffice_path",
    "text_to_pdf",
    "to_pdf",
]


_IMAGE_FORMATS = frozenset({"jpeg", "png", "tiff", "heic"})


@dataclass(frozen=True)
class ConversionResult:
    """What ``to_pdf`` did: the engine used and the pages written, or the error."""

    engine: str
    pages: int
    error: str | None = None
    code: str = "damaged"  # the problem code of an error: damaged, or too-large over a limit

    @property
    def ok(self) -> bool:
        return self.error is None


def docx_to_pdf(
    src: Path,
    dst: Path,
    page_size_name: str | tuple[float, float] = "letter",
    *,
    timeout: float = 120,
) -> str:
    """DOCX -> PDF. Returns the engine used: ``libreoffice`` when on PATH, else ``built-in``.

    LibreOffice runs headless with a throw-away profile and a time limit; if it fails or
    times out, the built-in renderer takes over.
    """
    soffice = soffice_path()
    if soffice is not None and _libreoffice(soffice, src, dst, timeout):
        return ENGINE_LIBREOFFICE
    _builtin_docx(src, dst, page_size(page_size_name))
    return ENGINE_BUILTIN


# -- dispatcher ----------------------------------------------------------------------------


def to_pdf(
    doc_or_path: Document | Path,
    dst: Path,
    page_size_name: str | tuple[float, float] = "letter",
    *,
    timeout: float = 120,
) -> ConversionResult:
    """Convert one document (by its reader's format, else by extension) to a PDF at ``dst``.

    Never raises for a bad document: the result's ``error`` says what went wrong.
    """
    if isinstance(doc_or_path, Document):
        src, fmt = doc_or_path.path, doc_or_path.format
    else:
        src, fmt = Path(doc_or_path), None
    fmt = fmt or _format_by_suffix(src)
    with openable(src) as plain:
        return _convert(plain, fmt, dst, page_size_name, timeout)


def _convert(
    src: Path, fmt: str | None, dst: Path, page_size_name: str | tuple[float, float], timeout: float
) -> ConversionResult:
    try:
        if fmt == "pdf":
            pages = _write_atomically(dst, lambda tmp: _mark_pdf(src, tmp))
            return ConversionResult(ENGINE_PDF, pages)
        if fmt in _IMAGE_FORMATS:
            return ConversionResult(ENGINE_IMAGE, image_to_pdf(src, dst, page_size_name))
        if fmt in ("txt", "md"):
            return ConversionResult(ENGINE_TEXT, text_to_pdf(src, dst, page_size_name))
        if fmt == "docx":
            engine = docx_to_pdf(src, dst, page_size_name, timeout=timeout)
            return ConversionResult(engine, _count_pages(dst))
    except ConversionError as exc:
        return ConversionResult(_engine_for(fmt), 0, str(exc), exc.code)
    except (MemoryError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return ConversionResult(
            _engine_for(fmt), 0, f"{src.name}: too large to convert in memory", "too-large"
        )
    except Exception as exc:  # an untrusted file can make any library fail; report, go on
        return ConversionResult(
            _engine_for(fmt), 0, f"{src.name}: could not be converted ({type(exc).__name__}: {exc})"
        )
    return ConversionResult(
        "none", 0, f"{src.name}: format {fmt or 'unknown'} cannot be converted to PDF"
    )


def _engine_for(fmt: str | None) -> str:
    return engine_for(fmt, lambda: soffice_path())


def _format_by_suffix(path: Path) -> str | None:
    """The format a file name promises (the readers' own table)."""
    return EXTENSION_FORMATS.get(path.suffix.lower())


def _count_pages(path: Path) -> int:
    """Pages of a converter's output: by qpdf (pikepdf, loaded in every worker already);
    pypdf, whose import alone cost a worker ~0.4 s, only for what qpdf cannot open."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, ValueError, RuntimeError):
        from pypdf import PdfReader

        return len(PdfReader(path, strict=False).pages)
