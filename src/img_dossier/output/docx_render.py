"""DOCX -> PDF without LibreOffice: python-docx's document drawn with reportlab (headings,
runs, lists, tables, images, headers and footers, Word's page size and margins).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any, cast

from PIL import Image, ImageOps
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Image as RLImage,
)
from reportlab.platypus import (
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from .canvas import (
    ConversionError,
    _build,
    _bullet_list,
    _styles,
    _write_atomically,
)
from .docx_styles import (
    _alignment,
    _docx_defaults,
    _docx_page,
    _is_bidi,
    _iter_paras,
    _line_spacing,
    _pf,
    _run_flag,
    _run_pieces,
    _run_size,
    _style_size,
)
from .fonts import FONT, FONT_BOLD
from .glyphs import font_runs, string_width
from .images import MAX_PIXELS, _flat
from .text import CHUNK, _markup, _plain_paragraphs
from .textshape import ShapedParagraph as Paragraph
from .textshape import visual

MAX_DOCX_IMAGE_BYTES = 20 * 1024 * 1024


def _builtin_docx(src: Path, dst: Path, size: tuple[float, float]) -> int:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(src))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ConversionError(f"{src.name}: not a readable Word document ({exc})") from exc
    except Exception as exc:  # lxml and zipfile raise many kinds for hostile files
        raise ConversionError(
            f"{src.name}: not a readable Word document ({type(exc).__name__}: {exc})"
        ) from exc
    renderer = _DocxRenderer(document, size)
    story = renderer.story()
    page = renderer.page

    # reportlab's frame pads its content by 6 pt on every side; Word's margins are exact
    margins = cast(tuple[float, float, float, float], tuple(max(0.0, m - 6) for m in page.margins))

    def build(flowables: list[Any]) -> Callable[[Path], int]:
        return lambda tmp: _build(
            flowables, tmp, page.size, src.name, margins, renderer.draw_header_footer
        )

    try:
        return _write_atomically(dst, build(story))
    except Exception:
        # a layout the renderer cannot place (e.g. a table row taller than a page): keep
        # the words, drop the layout
        return _write_atomically(dst, build(renderer.plain_story()))


def _remember_styles(document: Any) -> None:
    """Look each style up once: python-docx searches every style of the document for the
    default one each time a run or paragraph without a style of its own is asked for its
    style (a CV took 0.3 s of such searches). The lookup is read-only, so its answers keep."""
    part = document.part
    lookup = part.get_style
    known: dict[tuple[Any, Any], Any] = {}

    def get_style(style_id: Any, style_type: Any) -> Any:
        key = (style_id, style_type)
        if key not in known:
            known[key] = lookup(style_id, style_type)
        return known[key]

    with contextlib.suppress(AttributeError, TypeError):  # another python-docx: unmemoized
        part.get_style = get_style


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


class _DocxRenderer:
    """python-docx Document -> reportlab flowables (headings, runs, lists, tables, images)."""

    def __init__(self, document: Any, size: tuple[float, float]) -> None:
        self.document = document
        _remember_styles(document)
        self.styles = _styles()
        self.page = _docx_page(document, size)
        left, right, top, bottom = self.page.margins
        self.width = self.page.size[0] - left - right
        self.height = self.page.size[1] - top - bottom
        self.formats = self._numbering_formats()
        self.defaults = _docx_defaults(document)

    # numbering: (numId, ilvl) -> numFmt ("decimal", "bullet", ...)
    def _numbering_formats(self) -> dict[tuple[str, str], str]:
        formats: dict[tuple[str, str], str] = {}
        try:
            numbering = self.document.part.numbering_part.element
        except Exception:  # no numbering part: lists fall back to their style names
            return formats
        abstract: dict[str, dict[str, str]] = {}
        for an in numbering.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in an.iter(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                levels[lvl.get(f"{_W}ilvl", "0")] = (
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal"
                )
            abstract[an.get(f"{_W}abstractNumId", "")] = levels
        for num in numbering.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            for ilvl, fmt in abstract.get(ref.get(f"{_W}val", ""), {}).items():
                formats[(num.get(f"{_W}numId", ""), ilvl)] = fmt
        return formats

    def story(self) -> list[Any]:
        story: list[Any] = []
        pending: list[Any] = []
        pending_numbered = False
        for block in self._blocks(self.document):
            kind = self._list_kind(block) if self._is_paragraph(block) else None
            if (kind is None or (pending and kind != pending_numbered)) and pending:
                story.append(_bullet_list(pending, numbered=pending_numbered))
                pending = []
            if kind is not None:
                pending_numbered = kind
                pending.extend(self._paragraph(block, in_list=True))
                continue
            story.extend(
                self._paragraph(block) if self._is_paragraph(block) else self._table(block)
            )
        if pending:
            story.append(_bullet_list(pending, numbered=pending_numbered))
        return story or [Spacer(1, 1)]

    def plain_story(self) -> list[Any]:
        story: list[Any] = []
        for block in self._blocks(self.document):
            if self._is_paragraph(block):
                if block.text.strip():
                    story.extend(
                        _plain_paragraphs(block.text, self.styles["body"], self.styles["tight"])
                    )
            else:
                for row in block.rows:
                    cells = " | ".join(c.text for c in row.cells)
                    story.extend(_plain_paragraphs(cells, self.styles["cell"], self.styles["cell"]))
        return story or [Spacer(1, 1)]

    @staticmethod
    def _blocks(container: Any) -> Iterator[Any]:
        try:
            yield from container.iter_inner_content()
        except Exception:  # malformed body: paragraphs only
            yield from container.paragraphs

    @staticmethod
    def _is_paragraph(block: Any) -> bool:
        return hasattr(block, "runs")

    def _style_name(self, paragraph: Any) -> str:
        try:
            return str(paragraph.style.name or "")
        except Exception:  # a document without a styles part
            return ""

    def _list_kind(self, paragraph: Any) -> bool | None:
        """True for a numbered list item, False for a bullet, None for a plain paragraph."""
        name = self._style_name(paragraph).lower()
        ppr = paragraph._p.pPr
        numpr = ppr.numPr if ppr is not None else None
        if numpr is not None and numpr.numId is not None:
            num_id = str(numpr.numId.val)
            if num_id == "0":
                return None
            ilvl = str(numpr.ilvl.val) if numpr.ilvl is not None else "0"
            fmt = self.formats.get((num_id, ilvl))
            if fmt is not None:
                return fmt not in ("bullet", "none")
            return "bullet" not in name
        if name.startswith("list number"):
            return True
        if name.startswith("list bullet"):
            return False
        return None

    def _heading_style(self, paragraph: Any) -> ParagraphStyle:
        name = self._style_name(paragraph).lower()
        if name == "title":
            return self.styles["title"]
        if name.startswith("heading"):
            level = "".join(ch for ch in name if ch.isdigit()) or "1"
            return self.styles[f"h{min(int(level), 3)}"]
        return self.styles["body"]

    def _runs_markup(self, paragraph: Any) -> tuple[str, list[Any]]:
        segments, images = self._runs_segments(paragraph)
        return "".join(segments), images

    def _runs_segments(
        self, paragraph: Any, size: float | None = None
    ) -> tuple[list[str], list[Any]]:
        """The paragraph's runs as markup, split at explicit page breaks, and its images.

        Bold, italic and underline come from the run, else its character style, else the
        paragraph's style; a run whose size differs from the paragraph's (``size``) keeps it.
        """
        segments: list[list[str]] = [[]]
        images: list[Any] = []
        try:
            content = list(paragraph.iter_inner_content())
        except Exception:  # untrusted file: a hyperlink python-docx cannot resolve: the runs
            content = list(paragraph.runs)
        for item in content:
            runs = getattr(item, "runs", None)
            for run in runs if runs is not None else [item]:
                for k, piece in enumerate(_run_pieces(run)):
                    if k:
                        segments.append([])
                    text = _markup(piece).replace("\n", "<br/>")
                    if not text:
                        continue
                    if _run_flag(run, paragraph, "bold"):
                        text = f"<b>{text}</b>"
                    if _run_flag(run, paragraph, "italic"):
                        text = f"<i>{text}</i>"
                    if _run_flag(run, paragraph, "underline"):
                        text = f"<u>{text}</u>"
                    run_size = _run_size(run)
                    if size is not None and run_size is not None and abs(run_size - size) > 0.1:
                        text = f'<font size="{run_size:g}">{text}</font>'
                    segments[-1].append(text)
                images.extend(self._run_images(run))
        return ["".join(parts) for parts in segments], images

    def _run_images(self, run: Any) -> list[Any]:
        images: list[Any] = []
        for blip in run._r.iter(_A_BLIP):
            rid = blip.get(_R_EMBED)
            try:
                blob = run.part.related_parts[rid].blob
            except Exception:  # a dangling relationship: the image is skipped
                continue
            flowable = self._image(blob)
            if flowable is not None:
                images.append(flowable)
        return images

    def _image(self, blob: bytes) -> Any | None:
        if len(blob) > MAX_DOCX_IMAGE_BYTES:
            return None
        try:
            with Image.open(BytesIO(blob)) as im:
                if im.width * im.height > MAX_PIXELS:
                    return None
                passthrough = im.format == "JPEG" and int(im.getexif().get(0x0112, 1) or 1) == 1
                im.load()
                frame = _flat(ImageOps.exif_transpose(im) or im)
        except Exception:  # not an image Pillow reads (EMF, WMF, damaged): skipped
            return None
        # 96 dpi is Word's nominal resolution for pixel sizes
        w = frame.width * 0.75
        h = frame.height * 0.75
        scale = min(1.0, self.width / w, (self.height * 0.9) / h)
        if passthrough:  # JPEG data embedded as is, never re-encoded
            return RLImage(BytesIO(blob), width=w * scale, height=h * scale)
        buf = BytesIO()
        frame.save(buf, format="PNG" if frame.mode != "CMYK" else "TIFF")
        buf.seek(0)
        return RLImage(buf, width=w * scale, height=h * scale)

    def _paragraph(self, paragraph: Any, *, in_list: bool = False) -> list[Any]:
        style, direction = self._paragraph_style(paragraph, in_list=in_list)
        segments, images = self._runs_segments(paragraph, style.fontSize)
        out: list[Any] = []
        if _pf(paragraph, "page_break_before", self.defaults) and not in_list:
            out.append(PageBreak())
        if sum(map(len, segments)) > CHUNK and not in_list:
            # a huge paragraph: its words, unformatted
            text = "".join(r.text for r in paragraph.runs)
            out.extend(_plain_paragraphs(text, self.styles["body"], self.styles["tight"]))
            out.extend(images)
            return out
        for k, markup in enumerate(segments):
            if k:
                out.append(PageBreak())
            if markup.strip() or (in_list and k == 0):
                out.append(Paragraph(markup or "&nbsp;", style, direction=direction))
        if len(segments) == 1 and not segments[0].strip() and not in_list and not images:
            # an empty paragraph keeps its line and spacing (letters leave room this way)
            out.append(Paragraph("&nbsp;", style, direction=direction))
        out.extend(images)
        return out

    def _paragraph_style(self, paragraph: Any, *, in_list: bool) -> tuple[ParagraphStyle, str]:
        """The paragraph's own layout: alignment, spacing, line height, indents, size."""
        base = self._heading_style(paragraph)
        d = self.defaults
        size = _style_size(paragraph) or d.size or base.fontSize
        if base is not self.styles["body"] and _style_size(paragraph) is None:
            size = base.fontSize
        natural = size * 1.17  # Word's single line for a font of this size
        spacing, rule = _line_spacing(paragraph, d)
        leading = natural
        if isinstance(spacing, float):  # a multiple of single
            leading = natural * max(0.5, min(spacing, 5.0))
        elif spacing is not None:
            points = float(spacing.pt)
            exact = rule is not None and int(rule) == 4  # EXACTLY
            leading = points if exact else max(natural, points)
        leading = max(1.0, min(leading, 400.0))

        def pt(name: str) -> float:
            value = _pf(paragraph, name, d)
            try:
                return max(-self.width / 2, min(float(value.pt), self.width / 2))
            except (AttributeError, TypeError, ValueError):
                return 0.0

        before, after = max(0.0, pt("space_before")), max(0.0, pt("space_after"))
        left, right, first = pt("left_indent"), pt("right_indent"), pt("first_line_indent")
        if in_list:  # the list draws its own indent and bullet
            left = first = 0.0
        bidi = _is_bidi(paragraph)
        style = ParagraphStyle(
            f"docx{id(paragraph)}",
            parent=base,
            fontSize=size,
            leading=leading,
            autoLeading="max",
            spaceBefore=before,
            spaceAfter=after,
            leftIndent=max(0.0, left),
            firstLineIndent=first,
            rightIndent=max(0.0, right),
            alignment=_alignment(_pf(paragraph, "alignment", d), bidi),
        )
        if first < 0:  # a hanging indent: the first line starts left of the others
            style.leftIndent = max(0.0, left)
            style.firstLineIndent = max(first, -style.leftIndent)
        return style, "rtl" if bidi else "ltr"

    def draw_header_footer(self, canvas: Any, doc: Any) -> None:
        """The section's header and footer text on every page (fields such as PAGE are
        not computed: their last shown value is drawn)."""
        width, height = self.page.size
        left, right, _, _ = self.page.margins
        canvas.saveState()
        try:
            y = height - self.page.header_distance
            for para in self.page.header:
                y -= 10
                self._draw_line(canvas, para, left, width - right, y)
                y -= 2
            y = self.page.footer_distance
            for para in reversed(self.page.footer):
                self._draw_line(canvas, para, left, width - right, y)
                y += 12
        except Exception:  # a header python-docx cannot read is left out, never fatal
            pass
        finally:
            canvas.restoreState()

    def _draw_line(self, canvas: Any, para: Any, x0: float, x1: float, y: float) -> None:
        text = str(para.text or "")
        if not text.strip():
            return
        font = FONT_BOLD if _run_flag(None, para, "bold") else FONT
        parts = [visual(p.strip()) for p in text.split("\t")]
        if len(parts) >= 3:  # Word's header tab stops: centre and right
            _draw_runs(canvas, x0, y, parts[0], font, "left")
            _draw_runs(canvas, (x0 + x1) / 2, y, parts[1], font, "centre")
            _draw_runs(canvas, x1, y, " ".join(parts[2:]), font, "right")
            return
        if len(parts) == 2:
            _draw_runs(canvas, x0, y, parts[0], font, "left")
            _draw_runs(canvas, x1, y, parts[1], font, "right")
            return
        alignment = _alignment(_pf(para, "alignment", self.defaults), _is_bidi(para))
        if alignment == TA_CENTER:
            _draw_runs(canvas, (x0 + x1) / 2, y, parts[0], font, "centre")
        elif alignment == TA_RIGHT:
            _draw_runs(canvas, x1, y, parts[0], font, "right")
        else:
            _draw_runs(canvas, x0, y, parts[0], font, "left")

    def _table(self, table: Any) -> list[Any]:
        rows: list[list[Any]] = []
        try:
            width = max((len(r.cells) for r in table.rows), default=0)
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    flow: list[Any] = []
                    for block in self._blocks(cell):
                        if self._is_paragraph(block):
                            markup, images = self._runs_markup(block)
                            if markup.strip():
                                flow.append(Paragraph(markup, self.styles["cell"]))
                            flow.extend(images)
                        else:  # nested table: its text
                            for nested in block.rows:
                                flow.append(
                                    Paragraph(
                                        _markup(" | ".join(c.text for c in nested.cells)),
                                        self.styles["cell"],
                                    )
                                )
                    cells.append(flow or "")
                cells.extend([""] * (width - len(cells)))
                rows.append(cells)
        except Exception:  # a grid python-docx cannot resolve: the cells' text
            return [
                Paragraph(
                    _markup(" ".join(p.text for p in _iter_paras(table))), self.styles["body"]
                )
            ]
        if not rows or width == 0:
            return []
        col = self.width / width
        for r in rows:
            for c in r:
                if isinstance(c, list):
                    for f in c:
                        if isinstance(f, RLImage) and f.drawWidth > col - 6:
                            ratio = (col - 6) / f.drawWidth
                            f.drawWidth *= ratio
                            f.drawHeight *= ratio
        t = Table(rows, colWidths=[col] * width, repeatRows=0, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, "#888888"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return [t, Spacer(1, 6)]


#: Size of header and footer text, in points.
_HEADER_SIZE = 9


def _draw_runs(canvas: Any, x: float, y: float, text: str, font: str, align: str) -> None:
    """Header or footer text at ``x`` (its left, centre or right end), each character in a
    font that has it (a Chinese or Korean name in a found font, never a box if one exists)."""
    width = string_width(text, font, _HEADER_SIZE)
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    for fname, piece in font_runs(text, font):
        canvas.setFont(fname, _HEADER_SIZE)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, fname, _HEADER_SIZE)
