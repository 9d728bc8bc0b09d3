"""Images, DOCX and text -> PDF pages: the one converter that build, letters and pack use.

Every PDF written here carries ``model.OWN_OUTPUT_KEY`` so the scanner ignores it. The
low-level functions raise ``ConversionError`` for a document they cannot convert; the
dispatcher ``to_pdf`` turns any failure into a ``ConversionResult`` with ``error`` set,
so a bad document never stops the pipeline.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape

from PIL import Image, ImageOps, ImageSequence
from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Image as RLImage,
)
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .. import __version__
from ..model import OWN_OUTPUT_KEY, Document
from ..readers.isolation import run_bounded
from ..readers.sniff import EXTENSION_FORMATS
from .fonts import FONT, FONT_BOLD
from .fonts import register_fonts as register_fonts
from .soffice import find_soffice
from .textshape import ShapedParagraph as Paragraph
from .textshape import visual

#: Page sizes by the names the CLI accepts (points, portrait).
PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": LETTER, "a4": A4}
MARGIN = 54.0  # 3/4 inch: leaves the bottom margin free for the dossier's page stamp
IMAGE_MARGIN = 36.0
MAX_PIXELS = 100_000_000
MAX_FRAMES = 1000
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_DOCX_IMAGE_BYTES = 20 * 1024 * 1024

ENGINE_PDF = "pdf"  # already a PDF: copied
ENGINE_IMAGE = "image"
ENGINE_TEXT = "text"
ENGINE_LIBREOFFICE = "libreoffice"
ENGINE_BUILTIN = "built-in"

_IMAGE_FORMATS = frozenset({"jpeg", "png", "tiff", "heic"})


class ConversionError(Exception):
    """A document could not be converted; the message says which and why."""


@dataclass(frozen=True)
class ConversionResult:
    """What ``to_pdf`` did: the engine used and the pages written, or the error."""

    engine: str
    pages: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# -- the own-output marker -------------------------------------------------------------

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


def page_size(name: str | tuple[float, float]) -> tuple[float, float]:
    """``letter`` / ``a4`` (or an explicit size) -> (width, height) in points."""
    if isinstance(name, tuple):
        return name
    try:
        return PAGE_SIZES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown page size {name!r}; use letter or a4") from None


def _atomic_target(dst: Path) -> Path:
    """A temp path beside ``dst`` to write to before os.replace."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    os.close(fd)
    return Path(tmp)


def _write_atomically(dst: Path, write: Callable[[Path], int]) -> int:
    tmp = _atomic_target(dst)
    try:
        pages = write(tmp)
        tmp.replace(dst)
    finally:
        tmp.unlink(missing_ok=True)
    return pages


# -- images --------------------------------------------------------------------------------

#: EXIF orientation -> affine map (a, b, c, d, e, f) of the unit square, from the raw image
#: to its upright display, in PDF coordinates (y up): (u, v) -> (a u + c v + e, b u + d v + f).
_ORIENTATION: dict[int, tuple[float, float, float, float, float, float]] = {
    1: (1, 0, 0, 1, 0, 0),
    2: (-1, 0, 0, 1, 1, 0),
    3: (-1, 0, 0, -1, 1, 1),
    4: (1, 0, 0, -1, 0, 1),
    5: (0, -1, -1, 0, 1, 1),
    6: (0, -1, 1, 0, 0, 1),
    7: (0, 1, 1, 0, 0, 0),
    8: (0, 1, -1, 0, 1, 0),
}


def _fit(
    img_w: float, img_h: float, size: tuple[float, float]
) -> tuple[tuple[float, float], float, float, float, float]:
    """Page (portrait or landscape like the image) and the image's box fitted in its margins."""
    page = landscape(size) if img_w > img_h else size
    box_w, box_h = page[0] - 2 * IMAGE_MARGIN, page[1] - 2 * IMAGE_MARGIN
    scale = min(box_w / img_w, box_h / img_h)
    w, h = img_w * scale, img_h * scale
    return page, (page[0] - w) / 2, (page[1] - h) / 2, w, h


def _flat(frame: Image.Image) -> Image.Image:
    """A frame in a mode reportlab embeds compactly: 1-bit -> gray, alpha -> on white."""
    if frame.mode in ("L", "RGB", "CMYK"):
        return frame
    if frame.mode == "1":
        return frame.convert("L")
    if frame.mode in ("RGBA", "LA", "PA", "P") or "transparency" in frame.info:
        rgba = frame.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return frame.convert("RGB")


def image_to_pdf(src: Path, dst: Path, page_size_name: str | tuple[float, float] = "letter") -> int:
    """JPEG/PNG/TIFF -> PDF, one page per frame, aspect kept, fitted with margins.

    EXIF orientation is honoured; a JPEG is embedded as is (rotated by the page's drawing
    matrix, never re-encoded). Returns the number of pages written.
    """
    from ..readers.image import register_heif

    size = page_size(page_size_name)
    register_heif()  # iPhone photos (HEIC) open like any image
    try:
        with Image.open(src) as im:
            if im.width * im.height > MAX_PIXELS:
                raise ConversionError(
                    f"{src.name}: {im.width}x{im.height} pixels is over the limit of {MAX_PIXELS}"
                )
            if im.format == "JPEG":
                orientation = int(im.getexif().get(0x0112, 1) or 1)
                return _write_atomically(
                    dst, lambda tmp: _jpeg_page(src, tmp, im.width, im.height, orientation, size)
                )
            # frames are converted one at a time while the PDF is written (a 300-page fax
            # must not sit decoded in memory)
            return _write_atomically(dst, lambda tmp: _frames_pages(im, tmp, size, src.name))
    except ConversionError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ConversionError(f"{src.name}: not a readable image ({exc})") from exc


def _jpeg_page(
    src: Path, tmp: Path, w: int, h: int, orientation: int, size: tuple[float, float]
) -> int:
    a, b, c, d, e, f = _ORIENTATION.get(orientation, _ORIENTATION[1])
    shown_w, shown_h = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    page, x, y, bw, bh = _fit(shown_w, shown_h, size)
    jpeg = src
    tmpdir = None
    if src.suffix.lower() not in (".jpg", ".jpeg"):
        # reportlab passes JPEG data through only for files it recognises by extension
        tmpdir = tempfile.mkdtemp(prefix="img-dossier-")
        jpeg = Path(tmpdir) / "image.jpg"
        shutil.copyfile(src, jpeg)
    try:
        canvas = marked_canvas(str(tmp), pagesize=page)
        canvas.setTitle(src.name)
        canvas.saveState()
        canvas.transform(bw, 0, 0, bh, x, y)
        canvas.transform(a, b, c, d, e, f)
        canvas.drawImage(str(jpeg), 0, 0, 1, 1)
        canvas.restoreState()
        canvas.showPage()
        canvas.save()
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return 1


def _frames_pages(im: Image.Image, tmp: Path, size: tuple[float, float], title: str) -> int:
    canvas = marked_canvas(str(tmp), pagesize=size)
    canvas.setTitle(title)
    count = 0
    for frame in ImageSequence.Iterator(im):
        count += 1
        if count > MAX_FRAMES:
            raise ConversionError(f"{title}: more than {MAX_FRAMES} pages in one image")
        if frame.width * frame.height > MAX_PIXELS:
            raise ConversionError(f"{title}: page {count} is over the limit of {MAX_PIXELS} pixels")
        upright = _flat(ImageOps.exif_transpose(frame.copy()) or frame.copy())
        page, x, y, w, h = _fit(upright.width, upright.height, size)
        canvas.setPageSize(page)
        canvas.drawImage(ImageReader(upright), x, y, w, h)
        canvas.showPage()
    if count == 0:
        raise ConversionError(f"{title}: the image has no frames")
    canvas.save()
    return count


# -- text and markdown ---------------------------------------------------------------------


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


def _read_text(src: Path) -> str:
    size = src.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise ConversionError(
            f"{src.name}: {size} bytes of text is over the limit of {MAX_TEXT_BYTES}"
        )
    data = src.read_bytes()
    for encoding in (
        ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",)
    ):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


_LONG_TOKEN = re.compile(r"(\S{100})(?=\S)")


def _markup(text: str) -> str:
    """Paragraph markup for plain text; tokens over 100 characters are broken into lines
    (reportlab's long-word splitting is quadratic: a 200 kB token takes seconds)."""
    return escape(_LONG_TOKEN.sub("\\1\n", text)).replace("\t", "    ")


#: Characters per Paragraph: reportlab re-lays a paragraph out each time it splits it
#: across pages, so one long paragraph costs quadratic time (1 MB in one: minutes).
CHUNK = 2000


def _chunks(text: str, limit: int = CHUNK) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at whitespace where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip(" ")
    pieces.append(text)
    return pieces


def _plain_paragraphs(text: str, style: ParagraphStyle, tight: ParagraphStyle) -> list[Any]:
    """Plain text as small Paragraphs: one per line (or chunk), ``style`` on the last."""
    pieces = [piece for line in text.split("\n") for piece in _chunks(line)]
    return [
        Paragraph(_markup(piece) or "&nbsp;", style if n == len(pieces) - 1 else tight)
        for n, piece in enumerate(pieces)
    ]


def text_to_pdf(src: Path, dst: Path, page_size_name: str | tuple[float, float] = "letter") -> int:
    """TXT/MD -> PDF: wrapped Unicode paragraphs (Markdown headings and bullets kept)."""
    text = _read_text(src).replace("\r\n", "\n").replace("\r", "\n")
    styles = _styles()
    markdown = src.suffix.lower() in (".md", ".markdown")
    story: list[Any] = []
    bullets: list[str] = []

    def flush_bullets() -> None:
        if bullets:
            story.append(
                _bullet_list([Paragraph(b, styles["body"]) for b in bullets], numbered=False)
            )
            bullets.clear()

    for block in text.split("\n\n"):
        lines = block.split("\n")
        if markdown:
            rest: list[str] = []
            for line in lines:
                stripped = line.strip()
                level = len(stripped) - len(stripped.lstrip("#"))
                if 1 <= level <= 6 and stripped[level : level + 1] == " ":
                    flush_bullets()
                    story.append(
                        Paragraph(_markup(stripped[level:].strip()), styles[f"h{min(level, 3)}"])
                    )
                elif stripped[:2] in ("- ", "* ", "+ "):
                    bullets.append(_markup(stripped[2:]))
                else:
                    flush_bullets()
                    rest.append(line)
            flush_bullets()
            lines = rest
        if any(line.strip() for line in lines):
            story.extend(_plain_paragraphs("\n".join(lines), styles["body"], styles["tight"]))
    if not story:
        story.append(Spacer(1, 1))
    return _write_atomically(
        dst, lambda tmp: _build(story, tmp, page_size(page_size_name), src.name)
    )


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


# -- DOCX ----------------------------------------------------------------------------------


def soffice_path() -> str | None:
    """The LibreOffice executable (IMG_DOSSIER_SOFFICE, PATH, install folders), or None."""
    return find_soffice()


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


def _libreoffice(soffice: str, src: Path, dst: Path, timeout: float) -> bool:
    with tempfile.TemporaryDirectory(prefix="img-dossier-lo-") as tmpdir:
        work = Path(tmpdir)
        profile = (work / "profile").as_uri()
        staged = work / "in" / "document.docx"
        staged.parent.mkdir()
        shutil.copyfile(src, staged)
        command = [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(staged),
        ]
        if not _run_bounded(command, timeout):
            return False
        produced = work / "out" / "document.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            return False
        try:
            _write_atomically(dst, lambda tmp: _mark_pdf(produced, tmp))
        except Exception:  # a broken LibreOffice output: fall back to the built-in renderer
            return False
    return True


def _run_bounded(command: list[str], timeout: float) -> bool:
    """Run LibreOffice; it and every process it starts are killed when time is up."""
    run_bounded(command, timeout)
    return True  # the caller judges by the PDF it finds


def _mark_pdf(src: Path, tmp: Path) -> int:
    """Copy a PDF adding OWN_OUTPUT_KEY to its document info."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(src, strict=False)
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({OWN_OUTPUT_KEY: f"img-dossier {__version__}"})
    with open(tmp, "wb") as fh:
        writer.write(fh)
    return len(reader.pages)


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


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


class _DocxRenderer:
    """python-docx Document -> reportlab flowables (headings, runs, lists, tables, images)."""

    def __init__(self, document: Any, size: tuple[float, float]) -> None:
        self.document = document
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
        except Exception:
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
        canvas.setFont(font, 9)
        parts = [visual(p.strip()) for p in text.split("\t")]
        if len(parts) >= 3:  # Word's header tab stops: centre and right
            canvas.drawString(x0, y, parts[0])
            canvas.drawCentredString((x0 + x1) / 2, y, parts[1])
            canvas.drawRightString(x1, y, " ".join(parts[2:]))
            return
        if len(parts) == 2:
            canvas.drawString(x0, y, parts[0])
            canvas.drawRightString(x1, y, parts[1])
            return
        alignment = _alignment(_pf(para, "alignment", self.defaults), _is_bidi(para))
        if alignment == TA_CENTER:
            canvas.drawCentredString((x0 + x1) / 2, y, parts[0])
        elif alignment == TA_RIGHT:
            canvas.drawRightString(x1, y, parts[0])
        else:
            canvas.drawString(x0, y, parts[0])

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


@dataclass(frozen=True)
class _DocxPage:
    """The first section's page: size, (left, right, top, bottom) margins, header, footer."""

    size: tuple[float, float]
    margins: tuple[float, float, float, float]
    header: tuple[Any, ...] = ()
    footer: tuple[Any, ...] = ()
    header_distance: float = 36.0
    footer_distance: float = 36.0


def _points(value: Any, default: float, low: float, high: float) -> float:
    """A python-docx Length in points, within [low, high]; ``default`` when unset or odd."""
    try:
        points = float(value.pt)
    except (AttributeError, TypeError, ValueError):
        return default
    return points if low <= points <= high else default


def _docx_page(document: Any, size: tuple[float, float]) -> _DocxPage:
    """The page the document asks for (Word's page setup), else ``size`` with our margins."""
    try:
        section = document.sections[0]
    except Exception:  # no section properties: our page
        return _DocxPage(size, (MARGIN, MARGIN, MARGIN, MARGIN))
    width = _points(section.page_width, size[0], 144, 14400)
    height = _points(section.page_height, size[1], 144, 14400)
    if section.page_width is None or section.page_height is None:
        width, height = size
    left = _points(section.left_margin, MARGIN, 0, width / 3)
    right = _points(section.right_margin, MARGIN, 0, width / 3)
    top = _points(section.top_margin, MARGIN, 0, height / 3)
    bottom = _points(section.bottom_margin, MARGIN, 0, height / 3)
    header: tuple[Any, ...] = ()
    footer: tuple[Any, ...] = ()
    with contextlib.suppress(Exception):  # a broken header part: no header
        if not section.header.is_linked_to_previous:
            header = tuple(p for p in section.header.paragraphs if p.text.strip())[:3]
        if not section.footer.is_linked_to_previous:
            footer = tuple(p for p in section.footer.paragraphs if p.text.strip())[:3]
    return _DocxPage(
        (width, height),
        (left, right, top, bottom),
        header,
        footer,
        _points(section.header_distance, 36.0, 0, top),
        _points(section.footer_distance, 36.0, 0, bottom),
    )


@dataclass(frozen=True)
class _DocxDefaults:
    """The document defaults (``w:docDefaults``) that styles inherit."""

    size: float | None = None
    space_before: Any = None
    space_after: Any = None
    line: tuple[Any, Any] = (None, None)

    def get(self, name: str) -> Any:
        return {"space_before": self.space_before, "space_after": self.space_after}.get(name)


def _docx_defaults(document: Any) -> _DocxDefaults:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt, Twips

    try:
        defaults = document.styles.element.find(f"{_W}docDefaults")
    except Exception:
        return _DocxDefaults()
    if defaults is None:
        return _DocxDefaults()
    size = None
    sz = defaults.find(f"{_W}rPrDefault/{_W}rPr/{_W}sz")
    with contextlib.suppress(TypeError, ValueError):
        size = int(sz.get(f"{_W}val")) / 2 if sz is not None else None
    spacing = defaults.find(f"{_W}pPrDefault/{_W}pPr/{_W}spacing")
    if spacing is None:
        return _DocxDefaults(size)

    def twips(name: str) -> Any:
        try:
            return Twips(int(spacing.get(f"{_W}{name}")))
        except (TypeError, ValueError):
            return None

    line: tuple[Any, Any] = (None, None)
    with contextlib.suppress(TypeError, ValueError):
        value = int(spacing.get(f"{_W}line"))
        rule = spacing.get(f"{_W}lineRule", "auto")
        if rule == "auto":
            line = (value / 240, WD_LINE_SPACING.MULTIPLE)
        else:
            exact = rule == "exact"
            line = (Pt(value / 20), WD_LINE_SPACING.EXACTLY if exact else WD_LINE_SPACING.AT_LEAST)
    return _DocxDefaults(size, twips("before"), twips("after"), line)


def _style_chain(paragraph: Any) -> Iterator[Any]:
    """The paragraph's style and the styles it is based on."""
    try:
        style = paragraph.style
    except Exception:  # no styles part
        return
    for _ in range(20):
        if style is None:
            return
        yield style
        try:
            style = style.base_style
        except Exception:
            return


def _pf(paragraph: Any, name: str, defaults: _DocxDefaults) -> Any:
    """A paragraph property: direct formatting, else its style chain, else the defaults."""
    with contextlib.suppress(Exception):
        value = getattr(paragraph.paragraph_format, name)
        if value is not None:
            return value
    for style in _style_chain(paragraph):
        with contextlib.suppress(Exception):
            value = getattr(style.paragraph_format, name)
            if value is not None:
                return value
    return defaults.get(name)


def _line_spacing(paragraph: Any, defaults: _DocxDefaults) -> tuple[Any, Any]:
    """(line_spacing, rule) from the first of paragraph, styles, defaults that sets it."""
    sources = [paragraph.paragraph_format]
    sources.extend(style.paragraph_format for style in _style_chain(paragraph))
    for fmt in sources:
        with contextlib.suppress(Exception):
            if fmt.line_spacing is not None:
                return fmt.line_spacing, fmt.line_spacing_rule
    return defaults.line


def _style_size(paragraph: Any) -> float | None:
    for style in _style_chain(paragraph):
        with contextlib.suppress(Exception):
            if style.font.size is not None:
                return float(style.font.size.pt)
    return None


def _run_size(run: Any) -> float | None:
    with contextlib.suppress(Exception):
        if run.font.size is not None:
            return max(1.0, min(float(run.font.size.pt), 200.0))
    return None


def _run_flag(run: Any, paragraph: Any, name: str) -> bool:
    """bold/italic/underline: the run's, else its character style's, else the paragraph's."""
    if run is not None:
        with contextlib.suppress(Exception):
            value = getattr(run, name)
            if value is not None:
                return bool(value)
        with contextlib.suppress(Exception):
            style = run.style
            for _ in range(20):
                if style is None:
                    break
                value = getattr(style.font, name)
                if value is not None:
                    return bool(value)
                style = style.base_style
    for style in _style_chain(paragraph):
        with contextlib.suppress(Exception):
            value = getattr(style.font, name)
            if value is not None:
                return bool(value)
    return False


def _run_pieces(run: Any) -> list[str]:
    """The run's text, split where it has an explicit page break (``w:br w:type="page"``)."""
    pieces = [""]
    try:
        children = run._r.xpath("w:br | w:cr | w:noBreakHyphen | w:ptab | w:t | w:tab")
    except Exception:
        return [str(getattr(run, "text", "") or "")]
    for child in children:
        if child.tag == f"{_W}br" and child.get(f"{_W}type") == "page":
            pieces.append("")
        else:
            pieces[-1] += str(child)
    return pieces


def _is_bidi(paragraph: Any) -> bool:
    """True for a right-to-left paragraph (``w:bidi`` in its properties or its style's)."""
    with contextlib.suppress(Exception):
        ppr = paragraph._p.pPr
        if ppr is not None:
            bidi = ppr.find(f"{_W}bidi")
            if bidi is not None:
                return bidi.get(f"{_W}val", "1") not in ("0", "false", "off")
    return False


def _alignment(value: Any, bidi: bool) -> int:
    """Word's paragraph alignment as reportlab's (start is right in a right-to-left one)."""
    try:
        code = int(value)
    except (TypeError, ValueError):
        return int(TA_RIGHT if bidi else TA_LEFT)
    if code == 1:
        return int(TA_CENTER)
    if code == 2:
        return int(TA_RIGHT)
    if code in (3, 4, 5, 7, 8, 9):
        return int(TA_JUSTIFY)
    return int(TA_RIGHT if bidi else TA_LEFT)


def _iter_paras(table: Any) -> Iterator[Any]:
    for p in table._tbl.iter(f"{_W}t"):
        yield type("T", (), {"text": p.text or ""})()


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
        return ConversionResult(_engine_for(fmt), 0, str(exc))
    except MemoryError:
        return ConversionResult(_engine_for(fmt), 0, f"{src.name}: too large to convert in memory")
    except Exception as exc:  # an untrusted file can make any library fail; report, go on
        return ConversionResult(
            _engine_for(fmt), 0, f"{src.name}: could not be converted ({type(exc).__name__}: {exc})"
        )
    return ConversionResult(
        "none", 0, f"{src.name}: format {fmt or 'unknown'} cannot be converted to PDF"
    )


def _engine_for(fmt: str | None) -> str:
    return {
        "pdf": ENGINE_PDF,
        "jpeg": ENGINE_IMAGE,
        "png": ENGINE_IMAGE,
        "tiff": ENGINE_IMAGE,
        "heic": ENGINE_IMAGE,
        "txt": ENGINE_TEXT,
        "md": ENGINE_TEXT,
        "docx": ENGINE_LIBREOFFICE if soffice_path() else ENGINE_BUILTIN,
    }.get(fmt or "", "none")


def _format_by_suffix(path: Path) -> str | None:
    """The format a file name promises (the readers' own table)."""
    return EXTENSION_FORMATS.get(path.suffix.lower())


def _count_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path, strict=False).pages)
