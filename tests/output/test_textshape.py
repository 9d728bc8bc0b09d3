"""textshape: right-to-left names and text are shaped and drawn in visual order."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import SimpleDocTemplate

from img_dossier.output.convert import FONT, marked_canvas, register_fonts, to_pdf
from img_dossier.output.textshape import ShapedParagraph, has_rtl, shape, visual, visual_order


def _drawn_lines(pdf: Path, index: int = 0) -> list[str]:
    """The page's lines as the reader sees them: glyphs sorted left to right, no spaces."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[index].get_textpage()
        rows: dict[int, list[tuple[float, str]]] = {}
        for i in range(page.count_chars()):
            ch = page.get_text_range(i, 1)
            if ch.strip():
                left, bottom, _, _ = page.get_charbox(i, loose=True)
                rows.setdefault(round(bottom), []).append((left, ch))
        return ["".join(c for _, c in sorted(row)) for _, row in sorted(rows.items(), reverse=True)]
    finally:
        doc.close()


def _flat(text: str) -> str:
    """Drawn text as pdfium reports it: letters for forms, a lam-alef ligature as drawn."""
    return "".join(
        unicodedata.normalize("NFKC", ch)[:: -1 if 0xFEF5 <= ord(ch) <= 0xFEFC else 1]
        for ch in text
        if ch != " "
    )


def _pdf(tmp_path: Path, paragraphs: list[str], width: float | None = None) -> Path:
    register_fonts()
    style = ParagraphStyle("b", fontName=FONT, fontSize=12, leading=16)
    out = tmp_path / "t.pdf"
    doc = SimpleDocTemplate(str(out))
    if width is not None:
        doc.leftMargin = doc.rightMargin = (doc.pagesize[0] - width) / 2
    doc.build([ShapedParagraph(p, style) for p in paragraphs], canvasmaker=marked_canvas)
    return out


def test_arabic_letters_take_their_joined_forms() -> None:
    # ع initial, ب medial, د final; ا isolated, ل initial, ل medial, ه final (no ﷲ ligature)
    assert shape("عبد الله") == "\ufecb\ufe92\ufeaa \ufe8d\ufedf\ufee0\ufeea"
    assert shape("لا") == "\ufefb"  # lam-alef ligature
    assert shape("مُحَمَّد").count("\u064e") == 2  # harakat kept
    assert shape("Müller") == "Müller"


def test_lines_are_reordered_and_latin_parts_keep_their_order() -> None:
    assert (
        visual("Dr. عبد الله Haddad, MD")
        == "Dr. \ufeea\ufee0\ufedf\ufe8d \ufeaa\ufe92\ufecb Haddad, MD"
    )
    assert visual("שלום דוד") == "דוד םולש"
    assert visual("(תל אביב)") == "(ביבא לת)"  # brackets mirrored in a right-to-left line
    for latin in ("Nguyễn Thị Minh Khai", "Jürgen Müller", "Łukasz Wróbel", "O'Brien (MD)"):
        assert visual(latin) == latin
        assert not has_rtl(latin)
    assert [i for _, i in visual_order("ab")] == [0, 1]


@pytest.mark.parametrize(
    "line",
    [
        "Dr. عبد الله Haddad, MD",
        "محمد رضا پورحسینی، تهران",
        "שלום, דוד כהן 2024",
        "Nguyễn Văn An, Müller",
    ],
)
def test_pdf_lines_are_drawn_as_shaped(tmp_path: Path, line: str) -> None:
    assert _drawn_lines(_pdf(tmp_path, [line])) == [_flat(visual(line))]


def test_a_long_right_to_left_paragraph_wraps_in_logical_order(tmp_path: Path) -> None:
    words = [f"كلمة{n}" for n in range(1, 41)]
    text = " ".join(words)
    lines = _drawn_lines(_pdf(tmp_path, [text], width=200))
    assert len(lines) > 3
    # the first line holds the first words, each line reads right to left
    first = lines[0]
    assert first.endswith(_flat(visual(words[0])))
    assert _flat(visual(words[1])) in first
    assert _flat(visual(words[-1])) in lines[-1]
    seen = "".join(lines)
    assert all(_flat(visual(w)) in seen for w in words)


def test_bold_runs_and_breaks_survive_reordering(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path, ["اسم <b>عبد الله</b> طبيب<br/>second line עברית"])
    assert _drawn_lines(pdf) == [
        _flat(visual("اسم عبد الله طبيب")),
        _flat(visual("second line עברית", "rtl")),
    ]
    with pikepdf.open(pdf) as doc:
        fonts = {str(f.BaseFont) for f in doc.pages[0].Resources.Font.values()}
    assert any("DejaVuSans-Bold" in f for f in fonts)


def test_text_file_in_arabic_is_right_aligned_and_shaped(tmp_path: Path) -> None:
    src = tmp_path / "translation.txt"
    src.write_text("شهادة تخرج\nالاسم: عبد الله\n\nName: Jürgen Müller\n", encoding="utf-8")
    result = to_pdf(src, tmp_path / "t.pdf")
    assert result.ok
    lines = _drawn_lines(tmp_path / "t.pdf")
    assert lines[:2] == [_flat(visual("شهادة تخرج")), _flat(visual("الاسم: عبد الله"))]
    assert "Name:JürgenMüller" in lines
    doc = pdfium.PdfDocument(str(tmp_path / "t.pdf"))
    try:
        page = doc[0]
        text = page.get_textpage()
        right_edges = [text.get_charbox(i)[2] for i in range(text.count_chars())][:4]
        width = page.get_width()
    finally:
        doc.close()
    assert max(right_edges) > width * 0.8  # Arabic lines end at the right margin


def test_rendered_name_is_joined_and_right_to_left(tmp_path: Path) -> None:
    """Pixels: the joined name is narrower than its letters drawn apart, and ink is one run."""
    pdf = _pdf(tmp_path, ["عبد", "ع ب د"])
    doc = pdfium.PdfDocument(str(pdf))
    try:
        im = doc[0].render(scale=3).to_pil().convert("L")
    finally:
        doc.close()
    rows = [
        y for y in range(im.height) if min(im.getpixel((x, y)) for x in range(0, im.width, 2)) < 128
    ]
    assert rows
    bands: list[list[int]] = []
    for y in rows:
        if bands and y - bands[-1][-1] <= 3:
            bands[-1].append(y)
        else:
            bands.append([y])
    assert len(bands) >= 2

    def ink_width(band: list[int]) -> int:
        cols = [
            x
            for x in range(im.width)
            if any(im.getpixel((x, y)) < 128 for y in range(band[0], band[-1] + 1))
        ]
        return max(cols) - min(cols)

    assert ink_width(bands[0]) < ink_width(bands[1]) * 0.8
