"""Right-to-left text for reportlab: Arabic letters joined, every line in visual order.

reportlab draws code points left to right as they come. Arabic-script text is first
shaped into its presentation forms (``arabic-reshaper``: joined letter forms, lam-alef
ligatures) and each laid-out line is then reordered for display by the Unicode
bidirectional algorithm (``python-bidi``), so "Dr. عبد الله Haddad" keeps its Latin parts
in order. Text without right-to-left characters passes through untouched.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any

from bidi import algorithm as _bidi
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

#: Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic Extended, the Hebrew and
#: Arabic presentation forms, and the explicit right-to-left marks.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")

#: Faces without Arabic glyphs and the upright face that has them.
UPRIGHT = {"DejaVuSans-Oblique": "DejaVuSans", "DejaVuSans-BoldOblique": "DejaVuSans-Bold"}
_FONT = "DejaVuSans"


def has_rtl(text: str) -> bool:
    """True when ``text`` holds a right-to-left character (Hebrew, Arabic, Persian, Urdu...)."""
    return _RTL.search(text) is not None


@cache
def _reshaper() -> Any:
    """Joined forms and the lam-alef ligatures (which every Arabic font has); harakat kept.

    Word ligatures such as ﷲ are off: DejaVu Sans has no glyph for most of them.
    Imported here, on the first Arabic text: it loads fontTools and its configuration.
    """
    import arabic_reshaper

    base = arabic_reshaper.ArabicReshaper().configuration
    config: dict[str, Any] = {"delete_harakat": False, "support_ligatures": True}
    for key in base:
        if key.startswith("arabic ligature") or key == "rial sign":
            config[key] = key.startswith("arabic ligature lam with alef")
    return arabic_reshaper.ArabicReshaper(configuration=config)


@cache
def _covered() -> frozenset[int]:
    """Code points the bundled DejaVu Sans draws."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    from .fonts import FONTS_DIR

    try:
        return frozenset(TTFontFile(str(FONTS_DIR / "DejaVuSans.ttf")).charToGlyph)
    except (OSError, TTFError):  # no font file: every form is assumed drawable
        return frozenset()


def _drawable(ch: str) -> str:
    """``ch`` itself, or its base letter when the font lacks that presentation form."""
    covered = _covered()
    if not covered or ord(ch) in covered:
        return ch
    plain = unicodedata.normalize("NFKC", ch)
    return plain if plain and all(ord(c) in covered for c in plain) else ch


def shape(text: str) -> str:
    """Arabic-script letters in their joined presentation forms, still in logical order."""
    if _ARABIC.search(text) is None:
        return text
    shaped = _reshaper().reshape(text)
    return "".join(_drawable(ch) for ch in shaped)


def _base_dir(base: str | None) -> str | None:
    return {"rtl": "R", "ltr": "L", "R": "R", "L": "L"}.get(base or "")


def visual_order(text: str, base: str | None = None) -> list[tuple[str, int]]:
    """One line's characters in display order, each with its index in ``text``.

    ``base`` is "rtl" or "ltr" (None: from the first strong character). Mirrored
    characters (brackets) in right-to-left runs are swapped. A mark stays before its
    letter in a reversed run: DejaVu Sans draws Arabic marks over the glyph that follows.
    """
    if not has_rtl(text):
        return [(ch, i) for i, ch in enumerate(text)]
    storage = _bidi.get_empty_storage()
    direction = _base_dir(base)
    level = _bidi.get_base_level(text) if direction is None else (direction == "R") * 1
    storage["base_level"] = level
    storage["base_dir"] = ("L", "R")[level]
    _bidi.get_embedding_levels(text, storage)
    if len(storage["chars"]) != len(text):  # never expected (no UCS-2 builds any more)
        return [(ch, i) for i, ch in enumerate(text)]
    for i, entry in enumerate(storage["chars"]):
        entry["index"] = i
    _bidi.explicit_embed_and_overrides(storage, False)
    _bidi.resolve_weak_types(storage, False)
    _bidi.resolve_neutral_types(storage, False)
    _bidi.resolve_implicit_levels(storage, False)
    _bidi.reorder_resolved_levels(storage, False)
    _bidi.apply_mirroring(storage, False)
    out = [(str(e["ch"]), int(e["index"])) for e in storage["chars"]]
    return [(ch, i) for ch, i in out if ch not in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"]


def visual(text: str, base: str | None = None) -> str:
    """One line as drawn: shaped and in visual order (unchanged without RTL characters)."""
    if not has_rtl(text):
        return text
    return "".join(ch for ch, _ in visual_order(shape(text), base))


def paragraph_direction(text: str, base: str | None = None) -> str:
    """ "rtl" or "ltr": ``base`` if given, else that of the first strong character."""
    if base in ("rtl", "ltr"):
        return base
    return "rtl" if _bidi.get_base_level(text) == 1 else "ltr"


# -- reportlab paragraphs ------------------------------------------------------------------


def _upright(font_name: str, text: str) -> str:
    """The upright face when ``font_name`` (an oblique) cannot draw ``text``."""
    upright = UPRIGHT.get(font_name)
    if upright is None:
        return font_name
    try:
        face = pdfmetrics.getFont(font_name).face.charToGlyph
    except Exception:  # reportlab raises many kinds for a face it cannot find or load
        return font_name
    return upright if any(ord(ch) not in face for ch in text if not ch.isspace()) else font_name


def with_found_fonts(frags: list[Any]) -> list[Any]:
    """Paragraph fragments cut where their font lacks a character (Chinese, Korean,
    Devanagari ...): those pieces are set in a found font that has them (``glyphs``)."""
    from .glyphs import font_runs

    out: list[Any] = []
    for frag in frags:
        text = getattr(frag, "text", None)
        name = getattr(frag, "fontName", None)
        if not text or not name or hasattr(frag, "cbDefn"):
            out.append(frag)
            continue
        runs = font_runs(text, name)
        if len(runs) == 1 and runs[0][0] == name:
            out.append(frag)
            continue
        for font, piece in runs:
            part = copy.copy(frag)
            part.text = piece
            part.fontName = font
            out.append(part)
    return out


class ShapedParagraph(Paragraph):  # type: ignore[misc]
    """A reportlab Paragraph that lays right-to-left text out right.

    Without right-to-left characters it is a plain Paragraph. With them, its words are
    shaped and broken into lines for the width it is given (logical order), and each line
    is reordered for display, keeping every run's font, colour and underline. ``direction``
    is "rtl", "ltr" or None (from the first strong character); a right-to-left paragraph
    whose style is left-aligned is set flush right.
    """

    frags: list[Any]
    style: Any

    def __init__(
        self, text: str | None, style: Any, *args: Any, direction: str | None = None, **kw: Any
    ) -> None:
        super().__init__(text, style, *args, **kw)
        self.frags = with_found_fonts(self.frags)
        self._rtl_frags: list[Any] | None = None
        self._rtl_width: float | None = None
        if text is not None and has_rtl(text):
            self._rtl_frags = [copy.copy(f) for f in self.frags]
            plain = "".join(getattr(f, "text", "") for f in self._rtl_frags)
            self._direction = paragraph_direction(plain, direction)
            if self._direction == "rtl" and self.style.alignment == TA_LEFT:
                self.style = copy.copy(self.style)
                self.style.alignment = TA_RIGHT

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._rtl_frags is not None and self._rtl_width != availWidth:
            self._relayout(availWidth)
        width, height = super().wrap(availWidth, availHeight)
        return float(width), float(height)

    def _relayout(self, width: float) -> None:
        style = self.style
        inner = width - style.leftIndent - style.rightIndent
        widths = (inner - style.firstLineIndent, inner)
        frags = self._rtl_frags or []
        hard: list[list[tuple[str, int]]] = [[]]
        for n, frag in enumerate(frags):
            if getattr(frag, "lineBreak", False):
                hard.append([])
            elif not hasattr(frag, "cbDefn"):
                text = shape(getattr(frag, "text", ""))
                hard[-1].extend((ch, n) for ch in text)
        lines: list[list[tuple[str, int]]] = []
        for chars in hard:
            lines.extend(self._break(chars, widths, first=not lines))
        out: list[Any] = []
        template = frags[0] if frags else None
        for k, line in enumerate(lines):
            if k and template is not None:
                br = copy.copy(template)
                br.text = ""
                br.lineBreak = True
                br._selfClosingTag = "br"
                out.append(br)
            text = "".join(ch for ch, _ in line)
            order = visual_order(text, self._direction)
            runs: list[tuple[int, str]] = []
            for ch, i in order:
                owner = line[i][1]
                if runs and runs[-1][0] == owner:
                    runs[-1] = (owner, runs[-1][1] + ch)
                else:
                    runs.append((owner, ch))
            for owner, piece in runs:
                frag = copy.copy(frags[owner])
                frag.text = piece
                frag.fontName = _upright(frag.fontName, piece)
                out.append(frag)
        if out:
            self.frags = out
        if self.style.alignment == TA_JUSTIFY:  # reportlab would stretch the visual lines
            self.style = copy.copy(self.style)
            self.style.alignment = TA_RIGHT if self._direction == "rtl" else TA_LEFT
        self._rtl_width = width
        self.__dict__.pop("blPara", None)

    def _break(
        self, chars: Sequence[tuple[str, int]], widths: tuple[float, float], *, first: bool
    ) -> list[list[tuple[str, int]]]:
        """Greedy line breaking at spaces of one hard line (logical order)."""
        frags = self._rtl_frags or []

        def size(piece: Sequence[tuple[str, int]]) -> float:
            total = 0.0
            start = 0
            for k in range(1, len(piece) + 1):  # one measure per run of one fragment
                if k == len(piece) or piece[k][1] != piece[start][1]:
                    f = frags[piece[start][1]]
                    text = "".join(ch for ch, _ in piece[start:k])
                    font = _upright(f.fontName, text) if f.fontName in UPRIGHT else f.fontName
                    total += pdfmetrics.stringWidth(text, font, f.fontSize)
                    start = k
            return total

        words: list[list[tuple[str, int]]] = []
        for item in chars:
            if item[0] == " " or not words or words[-1][-1][0] == " ":
                words.append([item])
            else:
                words[-1].append(item)
        lines: list[list[tuple[str, int]]] = []
        line: list[tuple[str, int]] = []
        used = 0.0
        limit = (widths[0] if first else widths[1]) - 0.5
        for word in words:
            w = size(word)
            if line and word[0][0] != " " and used + w > limit:
                while line and line[-1][0] == " ":
                    line.pop()
                lines.append(line)
                line, used = [], 0.0
                limit = widths[1] - 0.5
            if not line and word[0][0] == " " and lines:
                continue  # no leading space on a continuation line
            line.extend(word)
            used += w
        while line and line[-1][0] == " ":
            line.pop()
        lines.append(line)
        return lines
