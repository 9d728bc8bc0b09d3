"""Checked folder -> one PDF dossier: cover, linked index, documents in checklist order.

The cover and the index are drawn with reportlab; documents are merged with pypdf, their
named destinations renamed per document first (LaTeX writes ``page.1`` in every file, and
a plain merge would send the second file's links into the first). Outlines: one entry per
item, one per document under it, the document's own outline under that. Page labels make
the front matter roman and the documents 1..N. The file is written atomically.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol, cast

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.constants import PageLabelStyle
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    Destination,
    DictionaryObject,
    Fit,
    IndirectObject,
    NameObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .. import __version__
from ..errors import DossierError, ExitCode, OutputError
from ..model import BLOCKING_STATUSES, OWN_OUTPUT_KEY, Document, ItemResult, Report
from .convert import MARGIN, marked_canvas, page_size, register_fonts, to_pdf
from .textshape import ShapedParagraph, visual

OTHER_TITLE = "Other documents"
STAMP_FONT_SIZE = 7.0
STAMP_BASELINE = 12.0  # points above the page's visible bottom edge
_STAMP_NAME = NameObject("/ImgDossierStamp")


class CheckRunLike(Protocol):
    """What assemble needs of ``check.CheckRun``."""

    @property
    def report(self) -> Report: ...

    @property
    def folder(self) -> Path: ...


class IncompleteError(DossierError):
    """``--strict`` and the folder is incomplete: nothing is written (exit 1)."""

    exit_code = ExitCode.INCOMPLETE


@dataclass(frozen=True)
class Section:
    """One checklist item (``item`` None: other documents) and where it is in the dossier.

    ``first_page``/``last_page`` are 1-based pages of the PDF file; ``ranges`` gives each
    document's (first, last) in the same numbering.
    """

    item: str | None
    title: str
    documents: tuple[str, ...]
    first_page: int
    last_page: int
    ranges: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "documents": list(self.documents),
            "first_page": self.first_page,
            "last_page": self.last_page,
        }


@dataclass(frozen=True)
class DossierResult:
    """What was written: path, pages, size, sections, what was left out and conversions."""

    path: Path
    pages: int
    bytes: int
    sections: list[Section]
    left_out: list[tuple[str, str]]
    conversions: dict[str, str]
    front_pages: int = 2

    def to_json(self) -> dict[str, Any]:
        """The ``dossier`` block of INTERFACE.md (plus ``left_out``)."""
        return {
            "path": str(self.path),
            "pages": self.pages,
            "bytes": self.bytes,
            "sections": [s.to_json() for s in self.sections],
            "left_out": [{"path": rel, "reason": why} for rel, why in self.left_out],
        }


@dataclass
class _Part:
    """A document placed in the dossier: its reader and pages."""

    doc: Document
    reader: PdfReader
    pages: int
    first: int = 0  # 0-based index of its first page among the documents' pages
    outline: Any = None  # the source's outline, read before its destinations are renamed


@dataclass
class _Group:
    item: ItemResult | None
    title: str
    parts: list[_Part] = field(default_factory=list)


# -- planning ------------------------------------------------------------------------------


def _reason(doc: Document) -> str:
    errors = [p for p in doc.problems if p.severity == "error"]
    if not errors:
        return "not readable"
    return f"{errors[0].code}: {errors[0].message}"


#: Why an unclassified document is not in the dossier (private by default).
UNCLASSIFIED_REASON = (
    "unclassified: not recognised as a document of the checklist, so it stays private; "
    "if it belongs in the dossier, map it in dossier.yaml under files: or pass "
    "--include-unclassified"
)


def _plan(
    report: Report, out: Path, include_unclassified: bool = False
) -> tuple[list[tuple[ItemResult | None, str, list[Document]]], list[tuple[str, str]]]:
    """Documents by item in checklist order (whatever the item's status), then, with
    ``include_unclassified``, the other documents; and what is left out, with why:
    unreadable, content-mismatch, duplicate, and (by default) unclassified documents."""
    by_rel = {d.rel: d for d in report.documents}
    placed: set[str] = set()
    left_out: list[tuple[str, str]] = []
    groups: list[tuple[ItemResult | None, str, list[Document]]] = []

    def take(rel: str) -> Document | None:
        doc = by_rel.get(rel)
        if doc is None or rel in placed:
            return None
        placed.add(rel)
        if doc.info.get("own_output") or _same_file(doc.path, out):
            return None
        if not doc.readable:
            left_out.append((rel, _reason(doc)))
            return None
        duplicate = next((p for p in doc.problems if p.code == "duplicate"), None)
        if duplicate is not None:  # the same bytes as another document: in the dossier once
            left_out.append((rel, f"{duplicate.code}: {duplicate.message}"))
            return None
        mismatch = next(
            (p for p in doc.problems if p.code == "content-mismatch" and p.severity == "error"),
            None,
        )
        if mismatch is not None:  # its text is not what its name says: never shipped
            left_out.append((rel, f"{mismatch.code}: {mismatch.message}"))
            return None
        return doc

    for item in report.items:
        rels = list(item.documents) + sorted(
            d.rel for d in report.documents if d.item == item.id and d.rel not in item.documents
        )
        docs = [d for d in (take(r) for r in rels) if d is not None]
        groups.append((item, item.title, docs))
    others = [d for d in (take(d.rel) for d in report.documents) if d is not None]
    if include_unclassified:
        groups.append((None, OTHER_TITLE, others))
    else:
        left_out.extend((d.rel, UNCLASSIFIED_REASON) for d in others)
        groups.append((None, OTHER_TITLE, []))
    return groups, left_out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _open(doc: Document, path: Path) -> tuple[PdfReader | None, str]:
    """A reader on a PDF, or None and why it cannot be merged."""
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return None, "encrypted: needs a password; save an unprotected copy"
        count = len(reader.pages)
    except MemoryError:
        return None, f"too-large: {doc.rel} does not fit in memory"
    except Exception as exc:  # damaged beyond what pypdf recovers: left out, listed
        return None, f"damaged: {doc.rel}: {type(exc).__name__}: {exc}"
    if count == 0:
        return None, "empty: the PDF has no pages"
    return reader, ""


# -- named destinations --------------------------------------------------------------------


def _rename_destinations(reader: PdfReader, prefix: str) -> None:
    """Prefix every named destination of ``reader`` and the links that use them, in place.

    Two sources that both define ``page.1`` then keep their links inside themselves.
    """
    try:
        names = reader.named_destinations
    except Exception:  # an unreadable name tree: links to names are dropped by the merge
        return
    if not names:
        return
    tree = ArrayObject()
    for name in sorted(names):
        dest = names[name]
        try:
            array = dest.dest_array
        except Exception:  # a destination pypdf cannot express: dropped
            continue
        tree.append(TextStringObject(prefix + str(name)))
        tree.append(array)
    root = reader.root_object
    old_names = root.get("/Names")
    new_names = _dict_copy(old_names)
    new_names[NameObject("/Dests")] = DictionaryObject({NameObject("/Names"): tree})
    root[NameObject("/Names")] = new_names
    if "/Dests" in root:
        del root["/Dests"]
    if hasattr(reader, "_named_destinations_cache"):
        reader._named_destinations_cache = None  # the reader caches the names it has read
    known = {str(n) for n in names}
    for page in reader.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        annots = annots.get_object()
        if not isinstance(annots, list):
            continue
        for ref in annots:
            annot = ref.get_object()
            if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Link":
                continue
            _rename_in(annot, "/Dest", known, prefix)
            action = annot.get("/A")
            if action is not None:
                action = action.get_object()
                if isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo":
                    _rename_in(action, "/D", known, prefix)


def _rename_in(holder: DictionaryObject, key: str, known: set[str], prefix: str) -> None:
    value = holder.get(key)
    if isinstance(value, str):  # TextStringObject, ByteStringObject-as-str and NameObject
        name = str(value)
        if name.startswith("/") and name not in known:
            name = name[1:]
        if name in known:
            holder[NameObject(key)] = TextStringObject(prefix + name)


# -- front matter --------------------------------------------------------------------------


class _LinkRow(Flowable):  # type: ignore[misc]
    """A table row that records where it was drawn, so the merge can make it a link."""

    def __init__(
        self,
        table: Table,
        target: int | None,
        sink: list[tuple[int, tuple[float, float, float, float], int]],
    ) -> None:
        super().__init__()
        self.table = table
        self.target = target
        self.sink = sink

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width, self.height = self.table.wrap(avail_w, avail_h)
        return self.width, self.height

    def draw(self) -> None:
        self.table.drawOn(self.canv, 0, 0)
        if self.target is not None:
            x, y = self.canv.absolutePosition(0, 0)
            page = self.canv.getPageNumber() - 1
            self.sink.append((page, (x, y, x + self.width, y + self.height), self.target))


def fonts_for(texts: Iterable[str]) -> tuple[str, str]:
    """(regular, bold) font names able to show every text.

    Helvetica (a standard font: nothing to parse or embed) when every text is in the
    Windows Latin-1 set, as most Latin-script names are; else the bundled DejaVu Sans.
    """
    try:
        for text in texts:
            text.encode("cp1252")
    except UnicodeEncodeError:
        return register_fonts()
    return "Helvetica", "Helvetica-Bold"


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    return {
        "base": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444")
        ),
        "head": ParagraphStyle("head", parent=base, fontName=bold),
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=24, leading=30, spaceAfter=18
        ),
        "name": ParagraphStyle(
            "name", parent=base, fontName=bold, fontSize=18, leading=24, spaceAfter=12
        ),
        "cover": ParagraphStyle("cover", parent=base, fontSize=12, leading=17, spaceAfter=8),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=14,
            leading=18,
            spaceBefore=6,
            spaceAfter=8,
        ),
    }


def _para(text: str, style: ParagraphStyle) -> ShapedParagraph:
    """A paragraph of the cover or index: English lines, so a name in Arabic or Hebrew is
    shown right to left inside a left-to-right line."""
    return ShapedParagraph(text, style, direction="ltr")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def completeness_line(report: Report) -> str:
    """``14 of 15 required items complete; missing: Statement of Need``."""
    required = [i for i in report.items if i.required and i.status != "not-required"]
    done = [i for i in required if i.status not in BLOCKING_STATUSES]
    line = f"{len(done)} of {len(required)} required items complete"
    missing = [i.title for i in required if i.status == "missing"]
    other = [
        f"{i.title} ({i.status})" for i in required if i.status in BLOCKING_STATUSES - {"missing"}
    ]
    if missing:
        line += "; missing: " + ", ".join(missing)
    if other:
        line += "; not acceptable yet: " + ", ".join(other)
    return line


_STATUS_COLOURS = {
    "ok": "#1b7f3b",
    "expiring": "#b06f00",
    "unverified": "#b06f00",
    "missing": "#b00020",
    "insufficient": "#b00020",
    "invalid": "#b00020",
    "expired": "#b00020",
    "not-required": "#666666",
    "optional-missing": "#666666",
}


def _shorten(text: str, limit: int = 300) -> str:
    """A reason short enough for one index row (a library's message can be long)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _pages_label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _front_texts(
    report: Report, track: str, groups: list[_Group], left_out: list[tuple[str, str]]
) -> list[str]:
    """Every text of the user's that the cover and index show (to pick their font)."""
    texts = [report.applicant or "", track, report.checklist.title, report.checklist.id]
    texts.append(report.checklist.version)
    texts.append(completeness_line(report))
    for group in groups:
        texts.append(group.title)
        texts.extend(p.doc.rel for p in group.parts)
    for rel, why in left_out:
        texts.extend((rel, why))
    return texts


def _front_matter(
    report: Report,
    track: str,
    groups: list[_Group],
    left_out: list[tuple[str, str]],
    size: tuple[float, float],
    doc_pages: int,
    fonts: tuple[str, str],
) -> tuple[bytes, list[tuple[int, tuple[float, float, float, float], int]]]:
    """Cover and index as PDF bytes, plus (page, rect, target document page) for each link.

    Targets are 0-based offsets into the documents part, so the index's own length never
    changes a page number printed on it (the documents are labelled 1..N).
    """
    regular, bold = fonts
    st = _styles(regular, bold)
    links: list[tuple[int, tuple[float, float, float, float], int]] = []
    name = report.applicant or "Applicant not named (add applicant: to dossier.yaml)"
    files = sum(len(g.parts) for g in groups)
    story: list[Any] = [
        _para("Application dossier", st["title"]),
        _para(_esc(name), st["name"]),
        _para(f"Track: {_esc(track)} — {_esc(report.checklist.title)}", st["cover"]),
        _para(
            f"Checklist: {_esc(report.checklist.id)}, version {_esc(report.checklist.version)}",
            st["cover"],
        ),
        _para(f"As of: {report.as_of.isoformat()}", st["cover"]),
        Spacer(1, 8),
        _para(
            f"<b>{'Complete' if report.complete else 'Incomplete'}</b>: "
            + _esc(completeness_line(report)),
            st["cover"],
        ),
        _para(
            f"Documents: {_plural(doc_pages, 'page')} from {_plural(files, 'file')}"
            + (f"; {len(left_out)} left out (listed in the index)" if left_out else ""),
            st["cover"],
        ),
        Spacer(1, 24),
        _para(
            f"Made with img-dossier {__version__}. "
            "The index follows; each row links to its first page.",
            st["small"],
        ),
        PageBreak(),
        _para("Index", st["h2"]),
        _para(
            "Pages are numbered from the first document (page 1) on, as your PDF reader shows "
            "them; click a row to open its document.",
            st["small"],
        ),
        Spacer(1, 6),
    ]
    width = size[0] - 2 * MARGIN
    cols = [0.15 * width, 0.3 * width, 0.43 * width, 0.12 * width]
    grid = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    plain = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    header = Table(
        [[_para(h, st["head"]) for h in ("Status", "Item", "Documents", "Pages")]],
        colWidths=cols,
        style=grid,
        hAlign="LEFT",
    )
    story.append(header)
    for group in groups:
        if group.item is None and not group.parts:
            continue
        if group.item is not None:
            status = group.item.status
            colour = _STATUS_COLOURS.get(status, "#000000")
            status_cell = _para(f'<font color="{colour}">{_esc(status)}</font>', st["base"])
            optional = (
                not group.item.required
                and status != "not-required"  # its condition is false: not optional
                and "optional" not in group.title.lower()  # "Photograph (optional)"
            )
            tag = ' <font size="7">(optional)</font>' if optional else ""
            item_text = _esc(group.title) + tag
        else:
            status_cell = _para("", st["base"])
            item_text = _esc(group.title)
        # one row per document (so that no row outgrows a page), each a link to its document;
        # the item's status and title on the first
        parts: list[_Part | None] = list(group.parts) or [None]
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            cells = [
                status_cell if n == 0 else "",
                _para(item_text, st["base"]) if n == 0 else "",
                _para(_esc(part.doc.rel) if part else "—", st["base"]),
                _para(
                    _pages_label(part.first + 1, part.first + part.pages) if part else "",
                    st["base"],
                ),
            ]
            row = Table([cells], colWidths=cols, style=grid if last else plain, hAlign="LEFT")
            story.append(_LinkRow(row, part.first if part else None, links))
    if left_out:
        story.append(Spacer(1, 14))
        story.append(_para("Left out of the dossier", st["h2"]))
        rows = [
            [_para(_esc(rel), st["base"]), _para(_esc(_shorten(why)), st["base"])]
            for rel, why in left_out
        ]
        story.append(Table(rows, colWidths=[0.35 * width, 0.65 * width], style=grid, hAlign="LEFT"))
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title="Application dossier",
        author=report.applicant or "",
    )
    doc.build(story, canvasmaker=marked_canvas)
    return buf.getvalue(), links


# -- stamps --------------------------------------------------------------------------------


def _visual_box(page: Any) -> tuple[float, float, float, float, int]:
    """(x0, y0, x1, y1) of the visible box and the page's /Rotate, normalised."""
    box = page.cropbox
    x0, x1 = sorted((float(box.left), float(box.right)))
    y0, y1 = sorted((float(box.bottom), float(box.top)))
    try:
        rotate = int(page.get("/Rotate", 0) or 0) % 360
    except (TypeError, ValueError):
        rotate = 0
    if rotate not in (0, 90, 180, 270):
        rotate = 0
    return x0, y0, x1, y1, rotate


def _stamp_matrix(x0: float, y0: float, x1: float, y1: float, rotate: int) -> tuple[float, ...]:
    """Matrix from the page as seen (origin at its visible bottom-left) to user space."""
    if rotate == 90:
        return (0, 1, -1, 0, x1, y0)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, -1, 1, 0, x0, y1)
    return (1, 0, 0, 1, x0, y0)


def _stamp_font(
    texts: Sequence[str], font_name: str
) -> tuple[bytes, dict[str, list[tuple[str, bytes]]]]:
    """A tiny PDF whose page uses every glyph of ``texts``, and each text encoded for it as
    (font resource name, bytes) runs.

    The stamps are then written as a few bytes of content per page (reportlab's documented
    font API: ``splitString`` / ``getSubsetInternalName`` for embedded subsets,
    ``getInternalFontName`` for standard fonts), which is much faster than drawing one
    reportlab page per stamp and parsing it back.
    """
    buf = BytesIO()
    canvas = marked_canvas(buf)
    canvas.setFont(font_name, STAMP_FONT_SIZE)
    canvas.drawString(0, 0, "".join(sorted(set("".join(texts)))))
    font = pdfmetrics.getFont(font_name)
    doc = canvas._doc
    if hasattr(font, "splitString"):  # a TrueType font, embedded as subsets
        runs = {
            text: [
                (font.getSubsetInternalName(subset, doc), data)
                for subset, data in font.splitString(text, doc)
            ]
            for text in set(texts)
        }
    else:  # a standard font in WinAnsiEncoding
        name = doc.getInternalFontName(font_name)
        runs = {text: [(name, text.encode("cp1252"))] for text in set(texts)}
    canvas.showPage()
    canvas.save()
    return buf.getvalue(), runs


def _apply_stamps(writer: PdfWriter, first: int, texts: Sequence[str], font_name: str) -> None:
    """Draw ``texts[k]`` at the foot of page ``first + k`` without parsing its content.

    The page's content is wrapped in q/Q and followed by a small stream that draws the
    stamp in the page's visible coordinates (rotation and odd boxes taken into account).
    """
    pages = writer.pages
    texts = [visual(text, "ltr") for text in texts]  # a name in Arabic shaped, right to left
    font_pdf, runs = _stamp_font(texts, font_name)
    font_resources = cast(DictionaryObject, PdfReader(BytesIO(font_pdf)).pages[0]["/Resources"])
    fonts = cast(DictionaryObject, font_resources["/Font"]).clone(writer)
    alias = {str(name): NameObject(f"/ImgDossierStamp{n}") for n, name in enumerate(fonts)}
    push = DecodedStreamObject()
    push.set_data(b"q\n")
    push_ref = writer._add_object(push)
    grey = "0.333 0.333 0.333 rg"
    for k, text in enumerate(texts):
        page = pages[first + k]
        x0, y0, x1, y1, rotate = _visual_box(page)
        width = (x1 - x0) if rotate in (0, 180) else (y1 - y0)
        x = (width - pdfmetrics.stringWidth(text, font_name, STAMP_FONT_SIZE)) / 2
        ops = [
            f"Q\nq {' '.join(_num(v) for v in _stamp_matrix(x0, y0, x1, y1, rotate))} cm",
            f"BT {grey} {_num(x)} {_num(STAMP_BASELINE)} Td",
        ]
        for name, data in runs[text]:
            ops.append(f"{alias[name]} {_num(STAMP_FONT_SIZE)} Tf <{data.hex()}> Tj")
        ops.append("ET Q\n")
        resources = _dict_copy(page.get("/Resources"))
        page_fonts = _dict_copy(resources.get("/Font"))
        for name, ref in fonts.items():
            page_fonts[alias[str(name)]] = ref
        resources[NameObject("/Font")] = page_fonts
        page[NameObject("/Resources")] = resources
        pop = DecodedStreamObject()
        pop.set_data("\n".join(ops).encode("ascii"))
        contents = page.raw_get("/Contents") if "/Contents" in page else None
        parts: list[Any] = [push_ref]
        if isinstance(contents, IndirectObject):
            target = contents.get_object()
            parts.extend(target if isinstance(target, ArrayObject) else [contents])
        elif isinstance(contents, ArrayObject):
            parts.extend(contents)
        elif contents is not None:  # a direct stream (not allowed, but seen)
            parts.append(writer._add_object(contents))
        parts.append(writer._add_object(pop))
        page[NameObject("/Contents")] = ArrayObject(parts)


def _dict_copy(value: Any) -> DictionaryObject:
    """A shallow copy of a (possibly indirect) dictionary, or an empty one."""
    value = value.get_object() if value is not None else None
    copy = DictionaryObject()
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            copy[NameObject(key)] = item
    return copy


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


# -- outlines ------------------------------------------------------------------------------


def _copy_outline(
    writer: PdfWriter, reader: PdfReader, nodes: Any, parent: Any, first: int, depth: int = 0
) -> None:
    """Re-create a source's outline under ``parent``, pages shifted by ``first``."""
    if depth > 32:
        return
    last = None
    for node in nodes:
        if isinstance(node, list):
            if last is not None:
                _copy_outline(writer, reader, node, last, first, depth + 1)
            continue
        if not isinstance(node, Destination):
            continue
        try:
            index = reader.get_destination_page_number(node)
        except Exception:  # a destination into nowhere: the entry is dropped
            index = -1
        if index is None or index < 0:
            last = None
            continue
        fit = Fit.fit()
        if node.typ == "/XYZ":
            fit = Fit.xyz(_float(node.left), _float(node.top), _float(node.zoom))
        last = writer.add_outline_item(
            title=str(node.title or "(untitled)"), page_number=first + index, parent=parent, fit=fit
        )


def _source_outline(reader: PdfReader) -> Any:
    try:
        return reader.outline
    except Exception:  # a broken outline is dropped; the pages still merge
        return []


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


# -- assemble ------------------------------------------------------------------------------


def default_output_name(family_name: str | None) -> str:
    """``quispe-mamani-dossier.pdf`` from the family name; ``dossier.pdf`` without one."""
    import re
    import unicodedata

    if not family_name:
        return "dossier.pdf"
    ascii_name = unicodedata.normalize("NFKD", family_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return f"{slug}-dossier.pdf" if slug else "dossier.pdf"


def check_target(out: Path, report: Report, folder: Path) -> None:
    """OutputError when ``out`` would overwrite a source document, or is a folder."""
    target = out.resolve()
    sources = {d.path for d in report.documents} | {folder / rel for rel in report.ignored}
    for src in sources:
        if _same_file(src, target):
            raise OutputError(
                f"{out}: is a document of {folder}; refusing to overwrite it. "
                "Choose another output with -o."
            )
    if target.is_dir():
        raise OutputError(f"{out}: is a folder; give a file name with -o")
    if target.is_file() and target.is_relative_to(folder.resolve()) and not _own_output(target):
        # dossier.yaml, dot-files and other files the check passes over are the user's too
        raise OutputError(
            f"{out}: is a file of {folder} that this tool did not write; refusing to overwrite "
            "it. Choose another output with -o."
        )


def _own_output(path: Path) -> bool:
    """True for a PDF this tool wrote (its document info carries OWN_OUTPUT_KEY)."""
    try:
        with path.open("rb") as fh:
            if not fh.read(1024).lstrip().startswith(b"%PDF-"):
                return False
        return OWN_OUTPUT_KEY in (PdfReader(path, strict=False).metadata or {})
    except Exception:  # unreadable: not ours to overwrite
        return False


def assemble(
    run: CheckRunLike,
    out: Path,
    *,
    page_size: str | tuple[float, float] = "letter",
    stamp: bool = True,
    strict: bool = False,
    track: str | None = None,
    write: Callable[[PdfWriter, Any], None] | None = None,
    include_unclassified: bool = False,
) -> DossierResult:
    """Build the dossier of a checked folder at ``out`` (atomically) and say what is in it.

    Only documents classified to an item go in; ``include_unclassified`` adds the others
    in an "Other documents" section (left out and listed otherwise: private by default).
    ``strict``: an incomplete folder raises IncompleteError and writes nothing. ``track``
    is the name shown on the cover (default: the checklist id). ``write`` replaces
    ``PdfWriter.write`` (tests inject failures with it).
    """
    report = run.report
    if strict and not report.complete:
        raise IncompleteError(f"{run.folder}: incomplete; nothing written (--strict)")
    check_target(out, report, Path(run.folder))
    size = _page_size(page_size)
    planned, left_out = _plan(report, out, include_unclassified)
    conversions: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="img-dossier-build-") as tmpdir:
        groups: list[_Group] = []
        offset = 0
        for n, (item, title, docs) in enumerate(planned):
            group = _Group(item, title)
            for k, doc in enumerate(docs):
                path = doc.path
                if doc.format != "pdf":
                    path = Path(tmpdir) / f"{n}-{k}.pdf"
                    result = to_pdf(doc, path, size)
                    conversions[doc.rel] = result.engine
                    if not result.ok:
                        left_out.append((doc.rel, f"not converted: {result.error}"))
                        continue
                reader, why = _open(doc, path)
                if reader is None:
                    left_out.append((doc.rel, why))
                    continue
                part = _Part(doc, reader, len(reader.pages), offset)
                offset += part.pages
                group.parts.append(part)
            groups.append(group)
        merged = _merge(run, groups, left_out, size, stamp, track, out, write)
        return DossierResult(
            path=out,
            pages=merged[0],
            bytes=merged[1],
            sections=merged[2],
            left_out=left_out,
            conversions=conversions,
            front_pages=merged[3],
        )


def _page_size(name: str | tuple[float, float]) -> tuple[float, float]:
    try:
        return page_size(name)
    except ValueError as exc:
        raise DossierError(str(exc)) from exc


def _merge(
    run: CheckRunLike,
    groups: list[_Group],
    left_out: list[tuple[str, str]],
    size: tuple[float, float],
    stamp: bool,
    track: str | None,
    out: Path,
    write: Callable[[PdfWriter, Any], None] | None,
) -> tuple[int, int, list[Section], int]:
    report = run.report
    writer = PdfWriter()
    doc_pages = 0
    dropped = False  # pages removed after a failed copy leave unreferenced objects behind
    for number, group in enumerate(groups):
        kept: list[_Part] = []
        for k, part in enumerate(group.parts):
            before = len(writer.pages)
            try:
                part.outline = _source_outline(part.reader)
                _rename_destinations(part.reader, f"d{number}.{k}-")
                writer.append(part.reader, import_outline=False)
            except Exception as exc:  # damaged beyond what pypdf recovers while copying
                del writer.pages[before:]  # type: ignore[attr-defined]
                dropped = True
                left_out.append((part.doc.rel, f"damaged: {type(exc).__name__}: {exc}"))
                continue
            part.first = before
            part.pages = len(writer.pages) - before
            kept.append(part)
        group.parts = kept
    doc_pages = len(writer.pages)
    _strip_active_content(writer)
    track_name = track or report.checklist.id
    who = f"{report.applicant} · " if report.applicant else ""
    stamps = [f"{who}page {k} of {doc_pages}" for k in range(1, doc_pages + 1)] if stamp else []
    # the names of private (unclassified) files are not printed in the dossier either
    shown = [(rel, why) for rel, why in left_out if why != UNCLASSIFIED_REASON]
    fonts = fonts_for(_front_texts(report, track_name, groups, shown) + stamps[-1:])
    front, links = _front_matter(report, track_name, groups, shown, size, doc_pages, fonts)
    front_reader = PdfReader(BytesIO(front))
    n_front = len(front_reader.pages)
    writer.merge(0, front_reader, import_outline=False)
    writer.add_outline_item(title="Cover and index", page_number=0)
    sections: list[Section] = []
    for group in groups:
        if not group.parts:
            continue
        entry = writer.add_outline_item(
            title=group.title, page_number=n_front + group.parts[0].first
        )
        for part in group.parts:
            doc_entry = writer.add_outline_item(
                title=part.doc.rel, page_number=n_front + part.first, parent=entry
            )
            # a broken source outline: the document keeps its own entry
            with contextlib.suppress(Exception):
                _copy_outline(
                    writer, part.reader, part.outline or [], doc_entry, n_front + part.first
                )
        sections.append(
            Section(
                item=group.item.id if group.item is not None else None,
                title=group.title,
                documents=tuple(p.doc.rel for p in group.parts),
                first_page=n_front + group.parts[0].first + 1,
                last_page=n_front + group.parts[-1].first + group.parts[-1].pages,
                ranges=tuple(
                    (n_front + p.first + 1, n_front + p.first + p.pages) for p in group.parts
                ),
            )
        )
    total = len(writer.pages)
    for page, rect, target in links:
        writer.add_annotation(
            page, Link(rect=rect, target_page_index=n_front + target, border=[0, 0, 0])
        )
    writer.set_page_label(0, n_front - 1, style=PageLabelStyle.LOWERCASE_ROMAN)
    if total > n_front:
        writer.set_page_label(n_front, total - 1, style=PageLabelStyle.DECIMAL, start=1)
        if stamps:
            _apply_stamps(writer, n_front, stamps, fonts[0])
    writer.page_mode = "/UseOutlines"
    name = report.applicant or ""
    writer.add_metadata(
        {
            "/Title": f"Application dossier{' — ' + name if name else ''}",
            "/Author": name,
            "/Subject": f"{report.checklist.title} "
            f"({report.checklist.id} {report.checklist.version})",
            "/Creator": f"img-dossier {__version__}",
            "/Producer": f"img-dossier {__version__} (pypdf, reportlab)",
            OWN_OUTPUT_KEY: f"img-dossier {__version__}",
        }
    )
    if dropped:  # pages removed after a failed copy left objects behind: sweep them too
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    else:  # the same letterhead, logo or font in several documents is kept once
        _share_identical_streams(writer)
    size_bytes = _write_atomically(writer, out, write)
    return total, size_bytes, sections, n_front


#: Actions a dossier for a program coordinator must not carry: scripts, programs, forms sent.
_ACTIVE = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm"})


def _strip_active_content(writer: PdfWriter) -> None:
    """Drop scripts and launch actions from the copied pages; links (URI, GoTo) stay."""
    for page in writer.pages:
        with contextlib.suppress(Exception):  # a malformed page keeps what it has
            if "/AA" in page:
                del page[NameObject("/AA")]
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                if not isinstance(annot, DictionaryObject):
                    continue
                if "/AA" in annot:
                    del annot[NameObject("/AA")]
                action = annot.get("/A")
                action = action.get_object() if action is not None else None
                if isinstance(action, DictionaryObject) and (
                    action.get("/S") in _ACTIVE or "/Next" in action
                ):
                    del annot[NameObject("/A")]
    with contextlib.suppress(Exception):  # form fields' own scripts (keystroke, calculate)
        form = writer.root_object.get("/AcroForm")
        stack = list((form.get_object().get("/Fields") or []) if form is not None else [])
        seen: set[int] = set()
        while stack and len(seen) < 100_000:
            field = stack.pop().get_object()
            if not isinstance(field, DictionaryObject) or id(field) in seen:
                continue
            seen.add(id(field))
            if "/AA" in field:
                del field[NameObject("/AA")]
            stack.extend(field.get("/Kids") or [])


def _share_identical_streams(writer: PdfWriter) -> None:
    """Keep one copy of streams (fonts, images, letterheads) that several documents carry.

    pypdf's ``compress_identical_objects`` hashes every object of the dossier; only large
    streams are worth sharing, so only they are compared, and references to the copies are
    pointed at the first one.
    """
    objects: list[Any] = writer._objects
    first: dict[tuple[bytes, str], IndirectObject] = {}
    copies: dict[int, IndirectObject] = {}
    for index, obj in enumerate(objects):
        if not isinstance(obj, StreamObject) or len(obj._data) < 512:
            continue
        key = (obj._data, repr(sorted((k, v) for k, v in obj.items() if k != "/Length")))
        kept = first.setdefault(key, IndirectObject(index + 1, 0, writer))
        if kept.idnum != index + 1:
            copies[index + 1] = kept
    if not copies:
        return
    for obj in objects:
        if isinstance(obj, DictionaryObject | ArrayObject):
            _repoint(obj, copies)
    for idnum in copies:
        objects[idnum - 1] = None


def _repoint(obj: DictionaryObject | ArrayObject, copies: dict[int, IndirectObject]) -> None:
    """Point references to shared copies at the kept stream, through direct containers."""
    pairs = obj.items() if isinstance(obj, DictionaryObject) else enumerate(obj)
    for key, value in list(pairs):
        if isinstance(value, IndirectObject):
            kept = copies.get(value.idnum)
            if kept is not None:
                obj[key] = kept
        elif isinstance(value, DictionaryObject | ArrayObject):
            _repoint(value, copies)


def _write_atomically(
    writer: PdfWriter, out: Path, write: Callable[[PdfWriter, Any], None] | None
) -> int:
    """Temp file beside ``out``, fsync, rename; on any failure the temp goes and ``out`` stays."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise OutputError(
            f"{out}: cannot write here ({exc.strerror or exc}); choose another path with -o"
        ) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            (write or PdfWriter.write)(writer, fh)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(0o644 & ~_umask())
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot write the dossier ({exc.strerror or exc})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out.stat().st_size


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
