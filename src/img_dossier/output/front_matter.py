"""The dossier's cover and index, drawn with reportlab (platypus), and the links they carry.

``front_matter`` returns the pages as PDF bytes plus, for each index row, where it was
drawn and which document page it opens, so the assembler can make each row a link.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .. import __version__
from ..model import BLOCKING_STATUSES, Report
from .canvas import MARGIN, marked_canvas
from .fonts import register_fonts
from .textshape import ShapedParagraph

if TYPE_CHECKING:
    from .parts import Group, Part

#: (page of the front matter, rectangle, 0-based target page among the documents' pages)
Link = tuple[int, tuple[float, float, float, float], int]


class _LinkRow(Flowable):  # type: ignore[misc]
    """A table row that records where it was drawn, so the merge can make it a link."""

    def __init__(
        self,
        table: Table,
        target: int | None,
        sink: list[Link],
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


def front_texts(
    report: Report, track: str, groups: Sequence[Group], left_out: list[tuple[str, str]]
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


def front_matter(
    report: Report,
    track: str,
    groups: Sequence[Group],
    left_out: list[tuple[str, str]],
    size: tuple[float, float],
    doc_pages: int,
    fonts: tuple[str, str],
) -> tuple[bytes, list[Link]]:
    """Cover and index as PDF bytes, plus (page, rect, target document page) for each link.

    Targets are 0-based offsets into the documents part, so the index's own length never
    changes a page number printed on it (the documents are labelled 1..N).
    """
    regular, bold = fonts
    st = _styles(regular, bold)
    links: list[Link] = []
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
        parts: list[Part | None] = list(group.parts) or [None]
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
