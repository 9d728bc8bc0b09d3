"""Which characters the fonts embedded in a PDF really draw (tests of every script).

Reads each page's fonts with pikepdf: the /ToUnicode map says which character each code
stands for, and the embedded font program (parsed with fontTools) says whether the glyph
for that code has an outline. Extracted text is not enough: a box (.notdef) extracts as
the right character, and a ligature can extract differently from a right rendering.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
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
                program = descriptor.get("/FontFile2") if descriptor is not None else None
                if unicode_map is None or program is None:
                    continue
                tt = TTFont(io.BytesIO(program.read_bytes()))
                outlined = _outlined_codes(tt)
                drawn |= {ch for code, ch in _to_unicode(unicode_map).items() if code in outlined}
    return drawn
