"""Read a DOCX: ZIP bounds first (size, ratio, members), then python-docx for the text.

The ZIP directory is checked before anything is decompressed, so a zip bomb costs a
``too-large`` problem and no memory. Python's zipfile never inflates a member past the
size its directory entry declares, so the declared sizes are a safe bound.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from ..model import Problem
from .result import TEXT_CAP, Reading, cap_text, error, warning

if TYPE_CHECKING:
    from .limits import Limits

_MIB = 1024 * 1024
_PAGES = re.compile(rb"<(?:\w+:)?Pages>\s*(\d{1,6})\s*</(?:\w+:)?Pages>")

RESAVE = "open it in Word (or LibreOffice) and save it again as .docx or PDF, then replace the file"


def read_docx(path: Path, limits: Limits) -> Reading:
    """Read one DOCX; never raises for a bad file (MemoryError excepted: the caller's job)."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            bomb = _zip_bomb(members, limits)
            if bomb:
                return Reading("docx", problems=(error("too-large", bomb),))
            names = {m.filename for m in members}
            if "word/document.xml" not in names and not _declares_main_part(zf, names):
                return Reading(
                    "docx",
                    problems=(
                        error(
                            "wrong-format",
                            "a ZIP archive but not a Word document (no word/document.xml): "
                            f"{RESAVE}",
                        ),
                    ),
                )
            pages = _app_pages(zf, names)
            images = sum(1 for n in names if n.startswith("word/media/"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        return _damaged(f"its ZIP structure is broken: {exc}")
    try:
        document = docx.Document(str(path))
        text, paragraphs, tables = _text(document)
    except RecursionError:
        return _damaged("its content is nested too deeply")
    except Exception as exc:  # untrusted input: any python-docx/lxml failure is damage
        return _damaged(str(exc) or type(exc).__name__)
    info: dict[str, Any] = {"paragraphs": paragraphs, "tables": tables, "images": images}
    problems: tuple[Problem, ...] = ()
    if not text.strip():
        problems = (
            warning(
                "no-text",
                "the Word document has no text (only images or an empty page): its content "
                "could not be checked; check it yourself",
            ),
        )
    return Reading("docx", pages, text, problems, info)


def _zip_bomb(members: list[zipfile.ZipInfo], limits: Limits) -> str | None:
    """Why the ZIP is over the limits, or None."""
    if len(members) > limits.max_zip_members:
        return (
            f"its ZIP holds {len(members)} parts (limit {limits.max_zip_members}): it may be "
            f"crafted; {RESAVE}"
        )
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > limits.max_zip_bytes:
        return (
            f"it expands to {total // _MIB} MB (limit {limits.max_zip_bytes // _MIB} MB): it "
            f"may be a zip bomb; {RESAVE}"
        )
    worst = max(
        (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > _MIB),
        default=0.0,
    )
    overall = total / max(packed, 1) if total > 10 * _MIB else 0.0
    if max(worst, overall) > limits.max_zip_ratio:
        return (
            f"a part expands {int(max(worst, overall))} times (limit {limits.max_zip_ratio}): "
            f"it may be a zip bomb; {RESAVE}"
        )
    return None


def _declares_main_part(zf: zipfile.ZipFile, names: set[str]) -> bool:
    if "[Content_Types].xml" not in names:
        return False
    info = zf.getinfo("[Content_Types].xml")
    return info.file_size <= _MIB and b"wordprocessingml.document.main" in zf.read(info)


def _app_pages(zf: zipfile.ZipFile, names: set[str]) -> int | None:
    """Page count Word saved in docProps/app.xml, or None (unknown)."""
    if "docProps/app.xml" not in names:
        return None
    info = zf.getinfo("docProps/app.xml")
    if info.file_size > _MIB:
        return None
    try:
        match = _PAGES.search(zf.read(info))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return None
    pages = int(match.group(1)) if match else 0
    return pages if pages > 0 else None


def _text(document: Any) -> tuple[str, int, int]:
    """Header, body paragraphs and table cells in document order; paragraph and table counts."""
    lines: list[str] = []
    size = 0
    for paragraph in _first_header(document):
        lines.append(paragraph.text)
    paragraphs = tables = 0
    for block in document.iter_inner_content():
        new: list[str] = []
        if isinstance(block, Paragraph):
            paragraphs += 1
            if size <= TEXT_CAP:
                new = [block.text]
        else:
            tables += 1
            if size <= TEXT_CAP:
                new = _table_lines(block)
        lines.extend(new)
        size += sum(len(line) + 1 for line in new)
    return cap_text("\n".join(lines)), paragraphs, tables


def _table_lines(table: Any) -> list[str]:
    """One line per row, cells separated by tabs (nested tables flattened into their cell)."""
    lines: list[str] = []
    size = 0
    for row in table._tbl.iterchildren(qn("w:tr")):
        cells = []
        for cell in row.iterchildren(qn("w:tc")):
            parts = [Paragraph(p, table).text for p in cell.iter(qn("w:p"))]
            cells.append(" ".join(part for part in parts if part))
        line = "\t".join(cells)
        lines.append(line)
        size += len(line) + 1
        if size > TEXT_CAP:
            break
    return lines


def _first_header(document: Any) -> list[Paragraph]:
    """Paragraphs of the first section's own header (a letterhead says who wrote a letter)."""
    try:
        sections = document.sections
        if len(sections) == 0:
            return []
        header = sections[0].header
        if header.is_linked_to_previous:
            return []
        return list(header.paragraphs)
    except Exception:  # a broken header part must not lose the body text
        return []


def _damaged(why: str) -> Reading:
    why = " ".join(why.split())[:160]
    return Reading(
        "docx",
        problems=(error("damaged", f"damaged and could not be read ({why}): {RESAVE}"),),
    )
