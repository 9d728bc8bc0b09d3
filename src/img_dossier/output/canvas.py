"""What every converter shares (the fonts are ``fonts``'s): the marker of the tool's own PDFs, page
sizes, atomic writes, paragraph styles and laying a story out on pages.

Every PDF written through ``marked_canvas`` carries ``model.OWN_OUTPUT_KEY`` so that the
scanner ignores it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    SimpleDocTemplate,
)

from .. import __version__
from ..leftovers import file_beside
from ..model import OWN_OUTPUT_KEY
from .fonts import FONT, FONT_BOLD, register_fonts
from .pagesize import PAGE_SIZES as PAGE_SIZES  # the names the CLI accepts (points, portrait)
from .pagesize import page_size as page_size

MARGIN = 54.0  # 3/4 inch: leaves the bottom margin free for the dossier's page stamp
IMAGE_MARGIN = 36.0


class ConversionError(Exception):
    """A document could not be converted; the message says which and why, ``code`` the
    problem code (``too-large`` for a document over a limit)."""

    def __init__(self, message: str, code: str = "damaged") -> None:
        super().__init__(message)
        self.code = code


# -- fonts and the own-output marker -------------------------------------------------------


class _MarkedInfo(PDFInfo):  # type: ignore[misc]
    """reportlab's document info plus the key by which the scanner knows our own outputs."""

    def format(self, document: Any) -> Any:
        d: dict[str, Any] = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Producer": PDFString(self.producer),
            "Creator": PDFString(self.creator),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Trapped": PDFName(self.trapped),
            OWN_OUTPUT_KEY.lstrip("/"): PDFString(f"img-dossier {__version__}"),
        }
        d["ModDate"] = d["CreationDate"] = PDFDate(
            ts=document._timeStamp, dateFormatter=self._dateFormatter
        )
        return PDFDictionary(d).format(document)


def marked_canvas(*args: Any, **kwargs: Any) -> Canvas:
    """A reportlab Canvas whose document info carries ``OWN_OUTPUT_KEY``."""
    # binary streams: JPEG data stays byte-for-byte, nothing grows by a quarter in ASCII85
    rl_config.useA85 = 0
    canvas = Canvas(*args, **kwargs)
    info = _MarkedInfo()
    info.creator = f"img-dossier {__version__}"
    canvas._doc.info = info
    return canvas


def _atomic_target(dst: Path) -> Path:
    """A temp path beside ``dst`` to write to before os.replace."""
    fd, tmp = file_beside(dst)  # named for this process: a killed run's is removed later
    os.close(fd)
    return tmp


def _write_atomically(dst: Path, write: Callable[[Path], int]) -> int:
    tmp = _atomic_target(dst)
    try:
        pages = write(tmp)
        tmp.replace(dst)
    finally:
        tmp.unlink(missing_ok=True)
    return pages


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14, spaceAfter=6)
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=10
        ),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=FONT_BOLD, fontSize=15, leading=19, spaceBefore=8
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17, spaceBefore=6
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=4
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5, spaceAfter=0),
        "tight": ParagraphStyle("tight", parent=body, spaceAfter=0),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    }


def _bullet_list(paragraphs: list[Any], *, numbered: bool) -> ListFlowable:
    return ListFlowable(
        [ListItem(p) for p in paragraphs],
        bulletType="1" if numbered else "bullet",
        start=None if numbered else "•",
        bulletFontName=FONT,
        leftIndent=16,
    )


def _build(
    story: list[Any],
    tmp: Path,
    size: tuple[float, float],
    title: str,
    margins: tuple[float, float, float, float] = (MARGIN, MARGIN, MARGIN, MARGIN),
    on_page: Callable[[Any, Any], None] | None = None,
) -> int:
    """Lay ``story`` out on pages of ``size`` with (left, right, top, bottom) ``margins``;
    ``on_page(canvas, doc)`` draws what repeats on every page (a header, a footer)."""
    left, right, top, bottom = margins
    doc = SimpleDocTemplate(
        str(tmp),
        pagesize=size,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        creator=f"img-dossier {__version__}",
    )
    if on_page is None:
        doc.build(story, canvasmaker=marked_canvas)
    else:
        doc.build(story, canvasmaker=marked_canvas, onFirstPage=on_page, onLaterPages=on_page)
    return int(doc.page)
