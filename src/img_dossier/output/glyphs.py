"""Fonts for every script: which font draws each character, and what cannot be drawn.

The cover, index, footer stamps and letters are set in the bundled DejaVu Sans (Latin,
Greek, Cyrillic, Arabic, Hebrew ...) or Helvetica. A character neither has (Chinese,
Japanese, Korean, Devanagari ...) is drawn in a font found on the machine:

- ``$IMG_DOSSIER_FONTS`` (folders or font files, separated by ``os.pathsep``), then
- Linux: /usr/share/fonts, /usr/local/share/fonts, ~/.local/share/fonts, ~/.fonts
  (Debian/Ubuntu: ``apt install fonts-noto-cjk fonts-noto-core``),
- Windows: %WINDIR%\\Fonts and the user's fonts folder (Microsoft YaHei, Malgun Gothic,
  Yu Gothic, Nirmala UI ...), macOS: /System/Library/Fonts, /Library/Fonts, ~/Library/Fonts.

Fonts with TrueType outlines are embedded as they are (reportlab subsets them). Fonts with
PostScript (CFF) outlines, which reportlab cannot embed (Noto Sans CJK), are converted with
fontTools to a small TrueType font holding only the characters drawn. A character no font
has is recorded (``collect_missing``) so that the command can warn with the character and
the file instead of drawing a box silently.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import io
import os
import sys
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

#: Fonts that come with the package (DejaVu Sans; Noto Sans Devanagari).
BUNDLED = Path(__file__).parent / "fonts"

#: Environment variable naming extra font folders or files (searched first).
ENV_FONTS = "IMG_DOSSIER_FONTS"

#: Font files worth trying, best first. Names are matched case-insensitively anywhere
#: under the font folders; each is read only when a character needs it.
PREFERRED = (
    # Linux (Debian fonts-noto-cjk, fonts-noto-core, fonts-droid-fallback, fonts-wqy-*)
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansCJKjp-Regular.otf",
    "NotoSansCJKkr-Regular.otf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansBengali-Regular.ttf",
    "NotoSansTamil-Regular.ttf",
    "NotoSansThai-Regular.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansArmenian-Regular.ttf",
    "NotoSansGeorgian-Regular.ttf",
    "NotoSansEthiopic-Regular.ttf",
    "DroidSansFallbackFull.ttf",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    # Windows
    "msyh.ttc",
    "malgun.ttf",
    "YuGothR.ttc",
    "meiryo.ttc",
    "simsun.ttc",
    "Nirmala.ttf",
    "mangal.ttf",
    "arialuni.ttf",
    "seguisym.ttf",
    # macOS
    "PingFang.ttc",
    "AppleSDGothicNeo.ttc",
    "Hiragino Sans GB.ttc",
    "Kohinoor.ttc",
    "DevanagariMT.ttc",
    "Arial Unicode.ttf",
    # anything with broad coverage
    "NotoSans-Regular.ttf",
    "FreeSans.ttf",
    "unifont.otf",
)

#: Characters that need no glyph (spaces, joiners, direction marks, variation selectors).
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn"})


@dataclass(frozen=True)
class _Face:
    path: Path
    index: int
    cff: bool
    chars: frozenset[int]


_lock = threading.RLock()
_missing: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "img_dossier_missing_glyphs", default=None
)


def font_dirs() -> list[Path]:
    """Folders (and files) searched for fonts, in order."""
    found: list[Path] = []
    for part in os.environ.get(ENV_FONTS, "").split(os.pathsep):
        if part.strip():
            found.append(Path(part.strip()).expanduser())
    found.append(BUNDLED)
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT") or r"C:\Windows"
        found.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            found.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        found += [
            Path("/System/Library/Fonts"),
            Path("/System/Library/Fonts/Supplemental"),
            Path("/Library/Fonts"),
            home / "Library" / "Fonts",
        ]
    else:
        data = os.environ.get("XDG_DATA_HOME")
        found += [
            Path(data) / "fonts" if data else home / ".local" / "share" / "fonts",
            home / ".fonts",
            Path("/usr/local/share/fonts"),
            Path("/usr/share/fonts"),
        ]
    return found


@cache
def _candidates() -> tuple[Path, ...]:
    """Font files found, in the order of PREFERRED (files named in $IMG_DOSSIER_FONTS and
    fonts in its folders first)."""
    wanted = {name.lower(): rank for rank, name in enumerate(PREFERRED)}
    explicit: list[Path] = []
    ranked: dict[int, Path] = {}
    extra = {
        Path(p.strip()).expanduser()
        for p in os.environ.get(ENV_FONTS, "").split(os.pathsep)
        if p.strip()
    }
    for root in font_dirs():
        if root.is_file():
            explicit.append(root)
            continue
        if not root.is_dir():
            continue
        for folder, _dirs, files in os.walk(root):
            for name in sorted(files):
                path = Path(folder) / name
                rank = wanted.get(name.lower())
                if root in extra and name.lower().endswith((".ttf", ".otf", ".ttc")):
                    explicit.append(path)
                elif rank is not None and rank not in ranked:
                    ranked[rank] = path
    return (*explicit, *(ranked[k] for k in sorted(ranked)))


def _faces_of(path: Path) -> list[_Face]:
    """The first face of a font file (of a collection, e.g. the JP or SC face: one is enough);
    the parsed font is kept for drawing, so its tables are read once."""
    try:
        return [_face(path, 0, _source_font(path, 0))]
    except Exception:  # a damaged or unusual font file is skipped
        return []


def _face(path: Path, index: int, font: Any) -> _Face:
    cmap = font.getBestCmap() or {}
    return _Face(path, index, "CFF " in font or "CFF2" in font, frozenset(cmap))


@cache
def _faces() -> tuple[_Face, ...]:
    with _lock:
        return tuple(face for path in _candidates() for face in _faces_of(path))


def _needs_glyph(ch: str) -> bool:
    return unicodedata.category(ch) not in _INVISIBLE_CATEGORIES


@cache
def _covered(font_name: str) -> frozenset[int] | None:
    """Code points ``font_name`` draws (None: a standard font, drawn in WinAnsi)."""
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    chars = getattr(face, "charToGlyph", None)
    if chars is None:
        return None
    return frozenset(chars)


def can_draw(font_name: str, ch: str) -> bool:
    """True when ``font_name`` has a glyph for ``ch`` (or ``ch`` needs none)."""
    if not _needs_glyph(ch):
        return True
    covered = _covered(font_name)
    if covered is None:
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return True
    return ord(ch) in covered


def fallback_face(ch: str) -> _Face | None:
    """The first found font that draws ``ch``, or None."""
    code = ord(ch)
    return next((f for f in _faces() if code in f.chars), None)


def font_runs(text: str, font_name: str) -> list[tuple[str, str]]:
    """``text`` cut into ``(font name, piece)`` runs: what ``font_name`` draws stays in it,
    the rest goes to a found font that has it. A character no font has stays in
    ``font_name`` (it would be a box) and is recorded for ``collect_missing``."""
    if all(can_draw(font_name, ch) for ch in text):
        return [(font_name, text)] if text else []
    owners: list[_Face | None] = []
    for ch in text:
        if can_draw(font_name, ch):
            owners.append(None)
            continue
        face = fallback_face(ch)
        if face is None:
            _record(ch)
        owners.append(face)
    by_face: dict[_Face, set[int]] = {}
    for ch, face in zip(text, owners, strict=True):
        if face is not None:
            by_face.setdefault(face, set()).add(ord(ch))
    names: dict[_Face, str] = {}
    for face, codes in by_face.items():
        try:
            names[face] = _register(face, frozenset(codes))
        except Exception:  # a font that will not embed (licence flags, odd tables): a box
            names[face] = font_name
            for code in codes:
                _record(chr(code))
    runs: list[tuple[str, str]] = []
    for ch, face in zip(text, owners, strict=True):
        name = font_name if face is None else names[face]
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + ch)
        else:
            runs.append((name, ch))
    return runs


def string_width(text: str, font_name: str, size: float) -> float:
    """Width of ``text`` as ``font_runs`` draws it."""
    from reportlab.pdfbase import pdfmetrics

    return float(sum(pdfmetrics.stringWidth(p, f, size) for f, p in font_runs(text, font_name)))


def missing_glyphs(text: str, font_name: str) -> list[str]:
    """The characters of ``text`` that neither ``font_name`` nor any found font draws."""
    return sorted({ch for ch in text if not can_draw(font_name, ch) and fallback_face(ch) is None})


def record_missing(chars: set[str] | frozenset[str]) -> None:
    """Record ``chars`` as drawn without a glyph (found by a child process that drew)."""
    for ch in chars:
        _record(ch)


def _record(ch: str) -> None:
    missing = _missing.get()
    if missing is not None:
        missing.add(ch)


@contextlib.contextmanager
def collect_missing() -> Iterator[set[str]]:
    """Collect, while the block runs, every character drawn without a glyph."""
    found: set[str] = set()
    token = _missing.set(found)
    try:
        yield found
    finally:
        _missing.reset(token)


def describe_missing(chars: set[str] | list[str]) -> str:
    """``'王' (U+738B, CJK UNIFIED IDEOGRAPH-738B), ...`` for a warning."""
    shown = []
    for ch in sorted(chars)[:12]:
        shown.append(f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})")
    more = len(chars) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


INSTALL_HINT = (
    "install a font that has them (Debian/Ubuntu: apt install fonts-noto-cjk fonts-noto-core; "
    f"or name a font folder in ${ENV_FONTS})"
)


# -- registering a found font with reportlab ---------------------------------------------


def _register(face: _Face, codes: frozenset[int]) -> str:
    """The reportlab font name drawing ``codes`` from ``face`` (registered once)."""
    from reportlab.pdfbase import pdfmetrics

    with _lock:
        if not face.cff:
            name = f"ImgFallback-{_slug(face)}"
            if name not in pdfmetrics.getRegisteredFontNames():
                from reportlab.pdfbase.ttfonts import TTFont

                pdfmetrics.registerFont(TTFont(name, str(face.path), subfontIndex=face.index))
            return name
        digest = hashlib.sha1(",".join(map(str, sorted(codes))).encode()).hexdigest()[:10]
        name = f"ImgFallback-{_slug(face)}-{digest}"
        if name not in pdfmetrics.getRegisteredFontNames():
            from reportlab.pdfbase.ttfonts import TTFont

            data = _truetype_subset(face, codes, name)
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        return name


def _slug(face: _Face) -> str:
    stem = "".join(c for c in face.path.stem if c.isalnum())[:24]
    return f"{stem}{face.index}"


@cache
def _source_font(path: Path, index: int) -> Any:
    from fontTools.ttLib import TTFont

    return TTFont(str(path), fontNumber=index, lazy=True)


def _truetype_subset(face: _Face, codes: frozenset[int], ps_name: str) -> bytes:
    """A TrueType font with only ``codes`` of a CFF-outlined face (curves made quadratic)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    source = _source_font(face.path, face.index)
    cmap = source.getBestCmap()
    glyphs = source.getGlyphSet()
    upm = source["head"].unitsPerEm
    hmtx = source["hmtx"]
    order = [".notdef"]
    mapping: dict[int, str] = {}
    for code in sorted(codes):
        glyph = cmap.get(code)
        if glyph is None:
            continue
        if glyph not in order:
            order.append(glyph)
        mapping[code] = glyph
    outlines = {}
    metrics = {}
    for glyph in order:
        pen = TTGlyphPen(None)
        glyphs[glyph].draw(Cu2QuPen(pen, max_err=upm / 1000, reverse_direction=True))
        outlines[glyph] = pen.glyph()
        width, _lsb = hmtx[glyph]
        metrics[glyph] = (width, 0)
    fb = FontBuilder(upm, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(mapping)
    fb.setupGlyf(outlines)
    for glyph in order:  # left side bearings from the drawn outlines
        g = fb.font["glyf"][glyph]
        metrics[glyph] = (metrics[glyph][0], getattr(g, "xMin", 0) or 0)
    fb.setupHorizontalMetrics(metrics)
    hhea = source["hhea"]
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    family = str(source["name"].getDebugName(1) or "Fallback")
    # a PostScript name of its own: reportlab keeps one font per face name
    fb.setupNameTable({"familyName": family, "styleName": "Regular", "psName": ps_name})
    os2 = source["OS/2"]
    fb.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        fsType=0,
    )
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()
