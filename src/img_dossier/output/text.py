"""Plain text and Markdown -> PDF pages: wrapped Unicode paragraphs, headings and bullets."""

from __future__ import annotations

import re
from html import escape as _html_escape
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Spacer,
)

from .canvas import ConversionError, _build, _bullet_list, _styles, _write_atomically, page_size
from .textshape import ShapedParagraph as Paragraph


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities, as ``xml.sax.saxutils.escape`` does (which
    imports urllib, http and ssl: 25 ms of every build's start-up)."""
    return _html_escape(text, quote=False)


MAX_TEXT_BYTES = 5 * 1024 * 1024


def _read_text(src: Path) -> str:
    size = src.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise ConversionError(
            f"{src.name}: {size} bytes of text is over the limit of {MAX_TEXT_BYTES}", "too-large"
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
