"""Which converter a document gets, by its format (no converter is loaded here: the console
process of ``build`` looks conversions up in the cache with it)."""

from __future__ import annotations

from collections.abc import Callable

#: The converters (``convert.to_pdf`` says which one a document gets).
ENGINE_PDF = "pdf"  # already a PDF: copied
ENGINE_IMAGE = "image"
ENGINE_TEXT = "text"
ENGINE_LIBREOFFICE = "libreoffice"
ENGINE_BUILTIN = "built-in"


def engine_for(fmt: str | None, soffice: Callable[[], str | None] | None = None) -> str:
    """The converter a document of format ``fmt`` gets (``soffice``: where LibreOffice is,
    default ``soffice.find_soffice``)."""
    if fmt == "docx":
        from .soffice import find_soffice

        return ENGINE_LIBREOFFICE if (soffice or find_soffice)() else ENGINE_BUILTIN
    return {
        "pdf": ENGINE_PDF,
        "jpeg": ENGINE_IMAGE,
        "png": ENGINE_IMAGE,
        "tiff": ENGINE_IMAGE,
        "heic": ENGINE_IMAGE,
        "txt": ENGINE_TEXT,
        "md": ENGINE_TEXT,
    }.get(fmt or "", "none")
