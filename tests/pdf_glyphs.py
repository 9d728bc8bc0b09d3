"""Which characters the fonts embedded in a PDF really draw (tests of every script).

Reads each page's fonts with pikepdf: the /ToUnicode map says which character each code
stands for, and the embedded font program (parsed with fontTools) says whether the glyph
for that code has an outline. Simple fonts with a TrueType program (/FontFile2: reportlab,
LibreOffice for most fonts) or a Type 1 program with its own encoding (/FontFile: LibreOffice
7.4 embeds Noto Sans CJK this way). Extracted text is not enough: a box (.notdef) extracts as
the right character, and a ligature can extract differently from a right rendering.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import pikepdf
from fontTools.pens.boundsPen import BoundsPen
from fontTools.t1Lib import T1Font
from fontTools.ttLib import TTFont


def _to_unicode(stream: pikepdf.Stream) -> dict[int, str]:
    text = stream.read_bytes().decode("latin-1")
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, start in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = ord(bytes.fromhex(start).decode("utf-16-be"))
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                found[code] = chr(first + k)
    return found


def _outlined_codes(font: TTFont) -> set[int]:
    """Codes of a simple TrueType font whose glyph has an outline."""
    codes: set[int] = set()
    glyf = font["glyf"]
    for table in font["cmap"].tables:
        for code, name in table.cmap.items():
            glyph = glyf[name]
            if name != ".notdef" and glyph.numberOfContours != 0:
                codes.add(code & 0xFF if table.platformID == 3 and code >= 0xF000 else code)
    return codes


def _outlined_type1_codes(data: bytes) -> set[int]:
    """Codes of a simple font with a Type 1 program (its built-in encoding) whose glyph has
    an outline."""
    with tempfile.NamedTemporaryFile(suffix=".pfa") as f:
        f.write(data)
        f.flush()
        font = T1Font(f.name, kind="OTHER")
        font.parse()
    glyphs = font.font["CharStrings"]
    encoding = font.font["Encoding"]
    if isinstance(encoding, str):
        from fontTools.encodings.StandardEncoding import StandardEncoding

        encoding = StandardEncoding
    codes: set[int] = set()
    for code, name in enumerate(encoding):
        if not name or name == ".notdef" or name not in glyphs:
            continue
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        if pen.bounds is not None:
            codes.add(code)
    return codes


def drawn_characters(path: Path, pages: range | None = None) -> set[str]:
    """Every character some embedded font on the given pages draws with a real glyph."""
    drawn: set[str] = set()
    with pikepdf.open(path) as pdf:
        chosen = pages if pages is not None else range(len(pdf.pages))
        for n in chosen:
            resources = pdf.pages[n].get("/Resources", {})
            fonts = resources.get("/Font", {})
            for _name, font in fonts.items():
                unicode_map = font.get("/ToUnicode")
                descriptor = font.get("/FontDescriptor")
                if unicode_map is None or descriptor is None:
                    continue
                program = descriptor.get("/FontFile2")
                type1 = descriptor.get("/FontFile")
                if program is not None:
                    outlined = _outlined_codes(TTFont(io.BytesIO(program.read_bytes())))
                elif type1 is not None:
                    outlined = _outlined_type1_codes(type1.read_bytes())
                else:
                    continue
                drawn |= {ch for code, ch in _to_unicode(unicode_map).items() if code in outlined}
    return drawn
