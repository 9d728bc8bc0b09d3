"""Footer stamps (``Lucia Quispe · page 3 of 120``) drawn on the dossier's document pages.

The page's own content is not parsed: it is wrapped in q/Q and followed by a small stream
that draws the stamp in the page's visible coordinates (rotation and odd boxes taken into
account), with one font resource shared by every page.

Two steps: ``stamp_set`` encodes the texts for a tiny font PDF with reportlab (in the
child that draws the cover, see ``front_child``, or here), ``apply_stamp_set`` writes them
with pikepdf alone, so the console process of a build need not load reportlab.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pikepdf
from pikepdf import Dictionary, Name, Pdf

STAMP_FONT_SIZE = 7.0
STAMP_BASELINE = 12.0  # points above the page's visible bottom edge
_GREY = "0.333 0.333 0.333 rg"


def visual_box(page: pikepdf.Page) -> tuple[float, float, float, float, int]:
    """(x0, y0, x1, y1) of the visible box and the page's /Rotate, normalised."""
    box = page.obj.get("/CropBox") or page.obj.get("/MediaBox")
    try:
        values = [float(v) for v in box][:4] if box is not None else []
    except (TypeError, ValueError):
        values = []
    if len(values) != 4:
        values = [0.0, 0.0, 612.0, 792.0]
    x0, x1 = sorted((values[0], values[2]))
    y0, y1 = sorted((values[1], values[3]))
    try:
        rotate = int(page.obj.get("/Rotate", 0) or 0) % 360
    except (TypeError, ValueError):
        rotate = 0
    if rotate not in (0, 90, 180, 270):
        rotate = 0
    return x0, y0, x1, y1, rotate


def stamp_matrix(x0: float, y0: float, x1: float, y1: float, rotate: int) -> tuple[float, ...]:
    """Matrix from the page as seen (origin at its visible bottom-left) to user space."""
    if rotate == 90:
        return (0, 1, -1, 0, x1, y0)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, -1, 1, 0, x0, y1)
    return (1, 0, 0, 1, x0, y0)


def stamp_pieces(texts: Sequence[str], font_name: str) -> dict[str, list[tuple[str, str]]]:
    """Each distinct text as (font name, piece) runs: a character ``font_name`` lacks (a
    Chinese or Korean name) is drawn in a found font. Each character is looked up once."""
    from .glyphs import can_draw, font_runs

    unique = set(texts)
    if all(can_draw(font_name, ch) for ch in set().union(*unique)):
        return {text: [(font_name, text)] if text else [] for text in unique}
    return {text: font_runs(text, font_name) for text in unique}


def stamp_font(
    texts: Sequence[str],
    font_name: str,
    pieces: dict[str, list[tuple[str, str]]] | None = None,
) -> tuple[bytes, dict[str, list[tuple[str, bytes]]]]:
    """A tiny PDF whose page uses every glyph of ``texts``, and each text encoded for it as
    (font resource name, bytes) runs.

    The stamps are then written as a few bytes of content per page (reportlab's documented
    font API: ``splitString`` / ``getSubsetInternalName`` for embedded subsets,
    ``getInternalFontName`` for standard fonts), which is much faster than drawing one
    reportlab page per stamp and parsing it back.
    """
    from reportlab.pdfbase import pdfmetrics

    from .canvas import marked_canvas

    buf = BytesIO()
    canvas = marked_canvas(buf)
    if pieces is None:
        pieces = stamp_pieces(texts, font_name)
    by_font: dict[str, set[str]] = {}
    for text_runs in pieces.values():
        for fname, piece in text_runs:
            by_font.setdefault(fname, set()).update(piece)
    for fname, chars in by_font.items():
        canvas.setFont(fname, STAMP_FONT_SIZE)
        canvas.drawString(0, 0, "".join(sorted(chars)))
    doc = canvas._doc
    runs: dict[str, list[tuple[str, bytes]]] = {}
    for text, text_runs in pieces.items():
        encoded: list[tuple[str, bytes]] = []
        for fname, piece in text_runs:
            font = pdfmetrics.getFont(fname)
            if hasattr(font, "splitString"):  # a TrueType font, embedded as subsets
                encoded += [
                    (font.getSubsetInternalName(subset, doc), data)
                    for subset, data in font.splitString(piece, doc)
                ]
            else:  # a standard font in WinAnsiEncoding
                encoded.append((doc.getInternalFontName(fname), piece.encode("cp1252", "replace")))
        runs[text] = encoded
    canvas.showPage()
    canvas.save()
    return buf.getvalue(), runs


@dataclass(frozen=True)
class StampSet:
    """Stamps ready to write: a tiny PDF whose first page's font resources they use, and
    for each stamp its width and its (font resource name, bytes) runs."""

    font_pdf: bytes
    stamps: list[tuple[float, list[tuple[str, bytes]]]]


def stamp_set(texts: Sequence[str], font_name: str) -> StampSet:
    """``texts`` shaped, encoded and measured for ``apply_stamp_set`` (reportlab)."""
    from reportlab.pdfbase import pdfmetrics

    from .textshape import visual

    texts = [visual(text, "ltr") for text in texts]  # a name in Arabic shaped, right to left
    pieces = stamp_pieces(texts, font_name)
    font_pdf, runs = stamp_font(texts, font_name, pieces)
    widths: dict[str, float] = {}
    for text in pieces:  # as string_width measures it, from the runs found once
        widths[text] = float(
            sum(pdfmetrics.stringWidth(p, f, STAMP_FONT_SIZE) for f, p in pieces[text])
        )
    return StampSet(font_pdf, [(widths[text], runs[text]) for text in texts])


def apply_stamps(out: Pdf, first: int, texts: Sequence[str], font_name: str) -> None:
    """Draw ``texts[k]`` at the foot of page ``first + k`` of ``out``."""
    apply_stamp_set(out, first, stamp_set(texts, font_name))


def apply_stamp_set(out: Pdf, first: int, stamps: StampSet) -> None:
    """Draw ``stamps.stamps[k]`` at the foot of page ``first + k`` of ``out`` (pikepdf only)."""
    with Pdf.open(BytesIO(stamps.font_pdf)) as source:
        fonts = out.copy_foreign(source.pages[0].obj.Resources.Font)
    alias = {str(name): Name(f"/ImgDossierStamp{n}") for n, name in enumerate(fonts.keys())}
    push = out.make_stream(b"q\n")
    pages = list(out.pages)  # out.pages[i] copies the whole page list on every call
    for k, (text_width, text_runs) in enumerate(stamps.stamps):
        page = pages[first + k]
        x0, y0, x1, y1, rotate = visual_box(page)
        width = (x1 - x0) if rotate in (0, 180) else (y1 - y0)
        x = (width - text_width) / 2
        ops = [
            f"Q\nq {' '.join(_num(v) for v in stamp_matrix(x0, y0, x1, y1, rotate))} cm",
            f"BT {_GREY} {_num(x)} {_num(STAMP_BASELINE)} Td",
        ]
        for name, data in text_runs:
            ops.append(f"{alias[name]} {_num(STAMP_FONT_SIZE)} Tf <{data.hex()}> Tj")
        ops.append("ET Q\n")
        _add_fonts(page, fonts, alias)
        _wrap_contents(out, page, push, "\n".join(ops).encode("ascii"))


def _add_fonts(page: pikepdf.Page, fonts: Any, alias: dict[str, Name]) -> None:
    """The stamp's font resources on the page (its own resources, copied when shared)."""
    obj = page.obj
    resources = obj.get("/Resources")
    if not isinstance(resources, Dictionary):
        resources = Dictionary()
        obj.Resources = resources
    page_fonts = resources.get("/Font")
    if not isinstance(page_fonts, Dictionary):
        page_fonts = Dictionary()
        resources.Font = page_fonts
    for name, ref in fonts.items():
        key = str(alias[str(name)])
        if key not in page_fonts:
            page_fonts[key] = ref


def _wrap_contents(out: Pdf, page: pikepdf.Page, push: Any, stamp: bytes) -> None:
    obj = page.obj
    contents = obj.get("/Contents")
    parts: list[Any] = [push]
    if isinstance(contents, pikepdf.Array):
        parts.extend(contents)
    elif isinstance(contents, pikepdf.Stream):
        parts.append(contents if contents.is_indirect else out.make_indirect(contents))
    parts.append(out.make_stream(stamp))
    obj.Contents = pikepdf.Array(parts)


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"
