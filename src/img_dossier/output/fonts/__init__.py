"""The bundled fonts (DejaVu Sans, in this folder) and their registration with reportlab."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = [
    "FONT",
    "FONTS_DIR",
    "FONT_BOLD",
    "FONT_BOLD_ITALIC",
    "FONT_ITALIC",
    "register_fonts",
]

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
FONTS_DIR = Path(__file__).parent

_fonts_registered = False


def register_fonts() -> tuple[str, str]:
    """Register the bundled DejaVu Sans (regular, bold, oblique, bold oblique) once; return
    the regular and bold names."""
    global _fonts_registered
    if not _fonts_registered:
        faces = {FONT: FONT, FONT_BOLD: FONT_BOLD, FONT_ITALIC: FONT, FONT_BOLD_ITALIC: FONT_BOLD}
        for name, fallback in faces.items():
            path = FONTS_DIR / f"{name}.ttf"
            # an oblique face missing from a trimmed install: italic runs stay upright
            pdfmetrics.registerFont(
                TTFont(name, str(path if path.is_file() else FONTS_DIR / f"{fallback}.ttf"))
            )
        _fonts_registered = True
    # every time: the mapping is process-wide and other code may map the same family name
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )
    return FONT, FONT_BOLD
