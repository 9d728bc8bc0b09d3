"""What a DOCX says about its layout, read with Word's inheritance: page size and margins,
document defaults, paragraph and run properties through the style chain.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT

from .canvas import MARGIN

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


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
    except Exception:  # untrusted file: python-docx and lxml raise many kinds for broken styles
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
        except Exception:  # untrusted file: a base style python-docx cannot resolve ends it
            return


def _pf(paragraph: Any, name: str, defaults: _DocxDefaults) -> Any:
    """A paragraph property: direct formatting, else its style chain, else the defaults."""
    with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
        value = getattr(paragraph.paragraph_format, name)
        if value is not None:
            return value
    for style in _style_chain(paragraph):
        with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
            value = getattr(style.paragraph_format, name)
            if value is not None:
                return value
    return defaults.get(name)


def _line_spacing(paragraph: Any, defaults: _DocxDefaults) -> tuple[Any, Any]:
    """(line_spacing, rule) from the first of paragraph, styles, defaults that sets it."""
    sources = [paragraph.paragraph_format]
    sources.extend(style.paragraph_format for style in _style_chain(paragraph))
    for fmt in sources:
        with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
            if fmt.line_spacing is not None:
                return fmt.line_spacing, fmt.line_spacing_rule
    return defaults.line


def _style_size(paragraph: Any) -> float | None:
    for style in _style_chain(paragraph):
        with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
            if style.font.size is not None:
                return float(style.font.size.pt)
    return None


def _run_size(run: Any) -> float | None:
    with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
        if run.font.size is not None:
            return max(1.0, min(float(run.font.size.pt), 200.0))
    return None


def _run_flag(run: Any, paragraph: Any, name: str) -> bool:
    """bold/italic/underline: the run's, else its character style's, else the paragraph's."""
    if run is not None:
        with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
            value = getattr(run, name)
            if value is not None:
                return bool(value)
        with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
            style = run.style
            for _ in range(20):
                if style is None:
                    break
                value = getattr(style.font, name)
                if value is not None:
                    return bool(value)
                style = style.base_style
    for style in _style_chain(paragraph):
        with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
            value = getattr(style.font, name)
            if value is not None:
                return bool(value)
    return False


def _run_pieces(run: Any) -> list[str]:
    """The run's text, split where it has an explicit page break (``w:br w:type="page"``)."""
    pieces = [""]
    try:
        children = run._r.xpath("w:br | w:cr | w:noBreakHyphen | w:ptab | w:t | w:tab")
    except Exception:  # untrusted file: a run lxml cannot walk keeps its plain text
        return [str(getattr(run, "text", "") or "")]
    for child in children:
        if child.tag == f"{_W}br" and child.get(f"{_W}type") == "page":
            pieces.append("")
        else:
            pieces[-1] += str(child)
    return pieces


def _is_bidi(paragraph: Any) -> bool:
    """True for a right-to-left paragraph (``w:bidi`` in its properties or its style's)."""
    with contextlib.suppress(Exception):  # untrusted file: python-docx raises on bad values
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
