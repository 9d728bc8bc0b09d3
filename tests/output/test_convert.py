"""convert: images, DOCX and text become marked PDF pages; bad documents become error results."""

from __future__ import annotations

import os
import stat
import sys
import time
import unicodedata
from io import BytesIO
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

from img_dossier.model import OWN_OUTPUT_KEY
from img_dossier.output import convert, images
from img_dossier.output.convert import ConversionResult, to_pdf
from img_dossier.output.textshape import visual

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _jpeg(path: Path, size: tuple[int, int], orientation: int = 1) -> Path:
    """Left half red, right half blue; EXIF orientation as given."""
    im = Image.new("RGB", size, (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    im.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def _render(pdf: Path, page: int = 0) -> Image.Image:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return doc[page].render(scale=0.5).to_pil().convert("RGB")
    finally:
        doc.close()


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
        return ["".join(c for _, c in sorted(row)) for _, row in sorted(rows.items())]
    finally:
        doc.close()


def _ink_box(im: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box of the non-white pixels."""
    gray = im.convert("L").point(lambda v: 255 if v < 245 else 0)
    box = gray.getbbox()
    assert box is not None
    return box


def _marked(pdf: Path) -> bool:
    return OWN_OUTPUT_KEY in (PdfReader(pdf).metadata or {})


def test_jpeg_is_embedded_as_is_and_fitted(tmp_path: Path) -> None:
    src = _jpeg(tmp_path / "scan.jpg", (800, 600))
    result = to_pdf(src, tmp_path / "out.pdf", "letter")
    assert result == ConversionResult("image", 1)
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        images = list(pdf.pages[0].get_images().values())
        assert len(images) == 1
        assert list(images[0].Filter) == [pikepdf.Name.DCTDecode]
        assert images[0].read_raw_bytes() == src.read_bytes()
        width, height = float(pdf.pages[0].MediaBox[2]), float(pdf.pages[0].MediaBox[3])
    assert (width, height) == (792, 612)  # a landscape image gets a landscape Letter page
    assert _marked(tmp_path / "out.pdf")


@pytest.mark.parametrize(("orientation", "top"), [(6, "red"), (8, "blue"), (3, None)])
def test_exif_orientation_is_honoured_without_reencoding(
    tmp_path: Path, orientation: int, top: str | None
) -> None:
    src = _jpeg(tmp_path / "phone.jpg", (600, 400), orientation)
    assert to_pdf(src, tmp_path / "out.pdf", "a4").ok
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        image = next(iter(pdf.pages[0].get_images().values()))
        assert image.read_raw_bytes() == src.read_bytes()
    im = _render(tmp_path / "out.pdf")
    x0, y0, x1, y1 = _ink_box(im)
    if top is None:  # 180 degrees: red (raw left) is now on the right
        assert im.getpixel(((x0 + x1) // 2 + 20, (y0 + y1) // 2))[0] > 200
        assert im.getpixel(((x0 + x1) // 2 - 20, (y0 + y1) // 2))[2] > 200
        return
    # 6 and 8 turn the landscape photo upright: taller than wide
    assert (y1 - y0) > (x1 - x0)
    upper = im.getpixel(((x0 + x1) // 2, y0 + (y1 - y0) // 4))
    lower = im.getpixel(((x0 + x1) // 2, y1 - (y1 - y0) // 4))
    red, blue = (upper, lower) if top == "red" else (lower, upper)
    assert red[0] > 200 and red[2] < 60
    assert blue[2] > 200 and blue[0] < 60


def test_png_keeps_its_aspect_inside_the_margins(tmp_path: Path) -> None:
    src = tmp_path / "diploma.png"
    Image.new("RGB", (1000, 1400), (30, 30, 30)).save(src)
    assert to_pdf(src, tmp_path / "out.pdf", "letter").ok
    im = _render(tmp_path / "out.pdf")
    x0, y0, x1, y1 = _ink_box(im)
    assert abs((y1 - y0) / (x1 - x0) - 1.4) < 0.02
    margin = convert.IMAGE_MARGIN * 0.5  # render scale 0.5
    assert x0 >= margin - 2 and y0 >= margin - 2
    assert im.width - x1 >= margin - 2 and im.height - y1 >= margin - 2


def test_png_does_not_balloon(tmp_path: Path) -> None:
    src = tmp_path / "scan.png"
    im = Image.effect_noise((1200, 1600), 40).convert("L")
    im.save(src, optimize=True)
    assert to_pdf(src, tmp_path / "out.pdf").ok
    assert (tmp_path / "out.pdf").stat().st_size < src.stat().st_size * 1.3 + 20_000


def test_multipage_tiff_gives_one_page_per_frame(tmp_path: Path) -> None:
    src = tmp_path / "fax.tiff"
    frames = [Image.new("1", (800, 1000), 1) for _ in range(3)]
    frames[0].save(src, save_all=True, append_images=frames[1:], compression="group4")
    result = to_pdf(src, tmp_path / "out.pdf")
    assert result == ConversionResult("image", 3)
    assert len(PdfReader(tmp_path / "out.pdf").pages) == 3


def test_transparent_png_is_flattened_on_white(tmp_path: Path) -> None:
    src = tmp_path / "logo.png"
    Image.new("RGBA", (400, 300), (255, 0, 0, 0)).save(src)
    assert to_pdf(src, tmp_path / "out.pdf").ok
    im = _render(tmp_path / "out.pdf")
    assert im.getpixel((im.width // 2, im.height // 2)) == (255, 255, 255)


def _docx(path: Path) -> Path:
    import docx
    from docx.shared import Inches

    d = docx.Document()
    d.add_heading("Curriculum Vitae", level=1)
    p = d.add_paragraph("Dr. ")
    p.add_run("Müller").bold = True
    p.add_run(" and ")
    p.add_run("Nguyễn").italic = True
    p.add_run(" worked with عبد الله.")
    d.add_paragraph("First bullet", style="List Bullet")
    d.add_paragraph("Second bullet", style="List Bullet")
    d.add_paragraph("Step one", style="List Number")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Year"
    table.cell(0, 1).text = "Position"
    table.cell(1, 0).text = "2024"
    table.cell(1, 1).text = "Observership, Boston"
    img = BytesIO()
    Image.new("RGB", (120, 80), (0, 128, 0)).save(img, "PNG")
    img.seek(0)
    d.add_picture(img, width=Inches(1.5))
    d.save(str(path))
    return path


def test_builtin_docx_renderer_keeps_text_tables_lists_and_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "soffice_path", lambda: None)
    src = _docx(tmp_path / "cv.docx")
    result = to_pdf(src, tmp_path / "cv.pdf")
    assert result.ok and result.engine == "built-in"
    text = PdfReader(tmp_path / "cv.pdf").pages[0].extract_text()
    # the Arabic name is shaped and drawn right to left inside the English line
    line = "Dr. Müller and Nguyễn worked with عبد الله."
    drawn = unicodedata.normalize("NFKC", visual(line)).replace(" ", "")
    assert drawn.endswith("workedwithهللادبع.")
    assert drawn in _drawn_lines(tmp_path / "cv.pdf")
    for words in (
        "Curriculum Vitae",
        "Müller",
        "Nguyễn",
        "First bullet",
        "Step one",
        "Observership, Boston",
        "Position",
    ):
        assert words in text
    with pikepdf.open(tmp_path / "cv.pdf") as pdf:
        assert len(pdf.pages[0].get_images()) == 1
        fonts = {str(f.BaseFont) for f in pdf.pages[0].Resources.Font.values()}
    assert any("DejaVuSans" in f for f in fonts)
    assert any("DejaVuSans-Bold" in f for f in fonts)
    assert _marked(tmp_path / "cv.pdf")


def _fake_soffice(bindir: Path, body: str) -> None:
    bindir.mkdir()
    script = bindir / "soffice"
    script.write_text(f"#!{sys.executable}\n{body}")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_libreoffice_runs_with_its_own_profile_and_is_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = tmp_path / "made.pdf"
    to_pdf(_docx(tmp_path / "seed.docx"), made)
    log = tmp_path / "args.txt"
    _fake_soffice(
        tmp_path / "bin",
        f"""
import shutil, sys
from pathlib import Path
args = sys.argv[1:]
Path({str(log)!r}).write_text("\\n".join(args))
out = Path(args[args.index("--outdir") + 1]); out.mkdir(parents=True, exist_ok=True)
shutil.copy({str(made)!r}, out / (Path(args[-1]).stem + ".pdf"))
""",
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    src = _docx(tmp_path / "letter.docx")
    result = to_pdf(src, tmp_path / "out.pdf")
    assert result.engine == "libreoffice" and result.ok
    args = log.read_text().splitlines()
    assert "--headless" in args
    profile = [a for a in args if a.startswith("-env:UserInstallation=file://")]
    assert len(profile) == 1
    assert not Path(profile[0].split("file://", 1)[1]).exists()  # thrown away after the run
    assert _marked(tmp_path / "out.pdf")


def test_libreoffice_that_hangs_is_stopped_with_its_children_and_builtin_takes_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pidfile = tmp_path / "child.pid"
    _fake_soffice(
        tmp_path / "bin",
        f"""
import subprocess, time
from pathlib import Path
child = subprocess.Popen(["sleep", "60"])  # like soffice.bin under the soffice launcher
Path({str(pidfile)!r}).write_text(str(child.pid))
time.sleep(60)
""",
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    src = _docx(tmp_path / "cv.docx")
    engine = convert.docx_to_pdf(src, tmp_path / "out.pdf", "letter", timeout=4)
    assert engine == "built-in"
    assert "Curriculum Vitae" in PdfReader(tmp_path / "out.pdf").pages[0].extract_text()
    child = int(pidfile.read_text())
    for _ in range(50):  # reaped by init shortly after the kill
        if not Path(f"/proc/{child}").exists() or "Z" in _proc_state(child):
            break
        time.sleep(0.1)
    assert not Path(f"/proc/{child}").exists() or "Z" in _proc_state(child)


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"


def test_text_and_markdown_wrap_unicode(tmp_path: Path) -> None:
    src = tmp_path / "statement.md"
    long_line = "word " * 400
    src.write_text(
        "# Personal statement\n\nI am Nguyễn, from Lima; عبد الله helped.\n\n"
        f"- one\n- two\n\n{long_line}\n",
        encoding="utf-8",
    )
    result = to_pdf(src, tmp_path / "out.pdf")
    assert result.ok and result.engine == "text" and result.pages >= 1
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "out.pdf").pages)
    assert "Personal statement" in text and "Nguyễn" in text and "one" in text
    assert "#" not in text
    legacy = tmp_path / "old.txt"
    legacy.write_bytes("Café in Bogotá".encode("cp1252"))
    assert to_pdf(legacy, tmp_path / "old.pdf").ok
    assert "Café in Bogotá" in PdfReader(tmp_path / "old.pdf").pages[0].extract_text()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
        ("empty.png", b""),
        ("junk.docx", b"PK\x03\x04 this is no zip archive"),
        ("huge.txt", None),
    ],
)
def test_bad_documents_give_error_results_not_exceptions(
    tmp_path: Path, name: str, data: bytes | None
) -> None:
    src = tmp_path / name
    if data is None:
        with open(src, "wb") as fh:
            fh.truncate(convert.MAX_TEXT_BYTES + 1)
    else:
        src.write_bytes(data)
    result = to_pdf(src, tmp_path / "out.pdf")
    assert not result.ok
    assert name in (result.error or "")
    assert not (tmp_path / "out.pdf").exists()
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temp file left behind


def test_image_over_the_pixel_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    src = tmp_path / "big.png"
    Image.new("L", (100, 100)).save(src)
    result = to_pdf(src, tmp_path / "out.pdf")
    assert not result.ok and "over the limit" in (result.error or "")


@pytest.mark.skipif(not (CORPUS / "docx").is_dir(), reason="shared corpus not present")
def test_every_corpus_docx_converts_with_the_builtin_renderer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "soffice_path", lambda: None)
    files = sorted((CORPUS / "docx").glob("*.docx"))
    assert files
    for src in files:
        result = to_pdf(src, tmp_path / f"{src.stem}.pdf")
        assert result.ok, result.error
        assert result.engine == "built-in"
        with pikepdf.open(tmp_path / f"{src.stem}.pdf") as pdf:
            assert len(pdf.pages) == result.pages >= 1
    text = PdfReader(tmp_path / "par-hyperlinks.pdf").pages[0].extract_text()
    assert "One awesome hyperlink." in text
    with pikepdf.open(tmp_path / "having-images.pdf") as pdf:
        assert len(pdf.pages[0].get_images()) >= 1


def test_huge_lines_and_paragraphs_keep_every_character(tmp_path: Path) -> None:
    src = tmp_path / "dump.txt"
    src.write_text("x" * 100_000 + "\n\n" + "word " * 20_000, encoding="utf-8")
    result = to_pdf(src, tmp_path / "out.pdf")
    assert result.ok and result.pages > 20
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "out.pdf").pages)
    assert text.count("x") == 100_000
    assert text.count("word") == 20_000
    assert max(len(p) for p in convert._chunks("y " * 50_000)) <= convert.CHUNK


# -- letter layout in the built-in DOCX renderer --------------------------------------------


def _chars(
    pdf: Path, index: int = 0
) -> tuple[list[tuple[str, float, float, float, float]], float, float]:
    """(char, left, bottom, right, top) in points from the page's bottom-left, and its size."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[index]
        text = page.get_textpage()
        out = []
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if ch.strip():
                out.append((ch, *text.get_charbox(i, loose=True)))
        return out, page.get_width(), page.get_height()
    finally:
        doc.close()


def _line_box(pdf: Path, words: str, index: int = 0) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of the line whose glyphs start with ``words`` (no spaces)."""
    chars, _, _ = _chars(pdf, index)
    rows: dict[int, list[tuple[str, float, float, float, float]]] = {}
    for c in chars:
        rows.setdefault(round(c[2]), []).append(c)
    target = words.replace(" ", "")
    for row in rows.values():
        row.sort(key=lambda c: c[1])
        if "".join(c[0] for c in row).startswith(target):
            return row[0][1], min(c[2] for c in row), row[-1][3], max(c[4] for c in row)
    raise AssertionError(f"no line starting with {words!r}")


def _letter_docx(path: Path) -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Inches, Pt

    d = docx.Document()
    section = d.sections[0]
    section.page_width, section.page_height = Inches(8.27), Inches(11.69)  # A4
    section.top_margin = Inches(2)
    section.left_margin = Inches(1.25)
    section.right_margin = Inches(1)
    section.footer.is_linked_to_previous = False
    section.footer.paragraphs[0].text = "Ministry of Health footer line"
    d.add_paragraph("First line of the letter")
    d.add_paragraph("CENTRED TITLE").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("Right side").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    spaced = d.add_paragraph("After a gap")
    spaced.paragraph_format.space_before = Pt(72)
    indented = d.add_paragraph("Indented by an inch")
    indented.paragraph_format.left_indent = Inches(1)
    p = d.add_paragraph()
    p.add_run("Plain ")
    p.add_run("slanted").italic = True
    p.add_run(" and ")
    p.add_run("strong").bold = True
    brk = d.add_paragraph("Last on page one")
    brk.add_run().add_break(WD_BREAK.PAGE)
    brk.add_run("Top of page two")
    arabic = d.add_paragraph("عبد الله أحمد")
    arabic.paragraph_format.element.get_or_add_pPr().append(
        arabic.paragraph_format.element.makeelement(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi", {}
        )
    )
    d.save(str(path))
    return path


@pytest.fixture
def letter_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(convert, "soffice_path", lambda: None)
    src = _letter_docx(tmp_path / "letter.docx")
    result = to_pdf(src, tmp_path / "letter.pdf", "letter")
    assert result == ConversionResult("built-in", 2)
    return tmp_path / "letter.pdf"


def test_docx_page_size_and_margins_are_the_documents(letter_pdf: Path) -> None:
    _, width, height = _chars(letter_pdf)
    assert (round(width), round(height)) == (595, 842)  # the section's A4, not "letter"
    left, _, _, top = _line_box(letter_pdf, "First line of the letter")
    assert left == pytest.approx(90, abs=2)  # 1.25 inch
    assert 144 - 4 <= height - top <= 144 + 8  # the 2-inch letterhead space is kept


def test_docx_alignment_spacing_and_indent(letter_pdf: Path) -> None:
    _, width, _ = _chars(letter_pdf)
    left, _, right, _ = _line_box(letter_pdf, "CENTRED TITLE")
    text_mid = (90 + width - 72) / 2
    assert (left + right) / 2 == pytest.approx(text_mid, abs=3)
    _, _, right, _ = _line_box(letter_pdf, "Right side")
    assert right == pytest.approx(width - 72, abs=2)
    _, bottom_before, _, _ = _line_box(letter_pdf, "Right side")
    _, _, _, top_gap = _line_box(letter_pdf, "After a gap")
    assert bottom_before - top_gap >= 70  # 72 pt before the paragraph
    left, _, _, _ = _line_box(letter_pdf, "Indented by an inch")
    assert left == pytest.approx(90 + 72, abs=2)


def test_docx_page_break_italic_and_footer(letter_pdf: Path) -> None:
    page_one = "".join(c[0] for c in _chars(letter_pdf, 0)[0])
    page_two = "".join(c[0] for c in _chars(letter_pdf, 1)[0])
    assert "Lastonpageone" in page_one and "Topofpagetwo" not in page_one
    assert "Topofpagetwo" in page_two
    assert "MinistryofHealthfooterline" in page_one and "MinistryofHealthfooterline" in page_two
    _, bottom, _, _ = _line_box(letter_pdf, "Ministry of Health footer line")
    assert bottom < 72  # in the bottom margin
    with pikepdf.open(letter_pdf) as pdf:
        fonts = {str(f.BaseFont) for f in pdf.pages[0].Resources.Font.values()}
    assert any(f.endswith("DejaVuSans-Oblique") for f in fonts), fonts
    assert any(f.endswith("DejaVuSans-Bold") for f in fonts)


def test_docx_right_to_left_paragraph_is_flush_right_and_shaped(letter_pdf: Path) -> None:
    _, width, _ = _chars(letter_pdf, 1)
    drawn = unicodedata.normalize("NFKC", visual("عبد الله أحمد")).replace(" ", "")
    assert drawn in _drawn_lines(letter_pdf, 1)
    chars, _, _ = _chars(letter_pdf, 1)
    arabic = [c for c in chars if "\u0600" <= c[0] <= "\u06ff"]
    assert max(c[3] for c in arabic) == pytest.approx(width - 72, abs=2)


def test_statement_of_need_leaves_the_ministrys_letterhead_space(tmp_path: Path) -> None:
    from img_dossier.letters import render as letters

    samples = Path(__file__).resolve().parents[2] / "samples" / "us-j1"
    if not (samples / "dossier.yaml").is_file():
        pytest.skip("samples/us-j1 not built")
    sets = {
        "usmle_id": "0-123-456-7",
        "home_country": "Peru",
        "official_name": "Dr. Ana María Torres Vega",
        "official_title": "Director General",
        "ministry_name": "Ministry of Health of Peru",
    }
    (written,) = letters.render(
        "statement-of-need", samples, sets=sets, out_dir=tmp_path, fmt="pdf"
    )
    chars, width, height = _chars(written.path)
    assert height - max(c[4] for c in chars) >= 144 - 4  # nothing in the top two inches
    left, _, right, _ = _line_box(written.path, "STATEMENT OF NEED")
    assert (left + right) / 2 == pytest.approx(width / 2, abs=3)


def test_docx_line_spacing_and_justification(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    monkeypatch.setattr(convert, "soffice_path", lambda: None)
    words = " ".join(["residency"] * 40)
    d = docx.Document()
    single = d.add_paragraph(f"single {words}")
    single.paragraph_format.line_spacing = 1.0
    double = d.add_paragraph(f"double {words}")
    double.paragraph_format.line_spacing = 2.0
    exact = d.add_paragraph(f"exact {words}")
    exact.paragraph_format.line_spacing = Pt(30)
    exact.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    d.save(str(tmp_path / "s.docx"))
    assert to_pdf(tmp_path / "s.docx", tmp_path / "s.pdf").ok
    chars, width, _ = _chars(tmp_path / "s.pdf")
    rows: dict[int, list[tuple[str, float, float, float, float]]] = {}
    for c in chars:
        rows.setdefault(round(c[2]), []).append(c)
    ordered = sorted(rows.items(), reverse=True)

    def gap(word: str) -> float:
        starts = [
            k for k, (_, row) in enumerate(ordered) if "".join(sorted_text(row)).startswith(word)
        ]
        k = starts[0]
        return ordered[k][0] - ordered[k + 1][0]

    def sorted_text(row: list[tuple[str, float, float, float, float]]) -> list[str]:
        return [c[0] for c in sorted(row, key=lambda c: c[1])]

    size = 11  # python-docx's default template: Calibri 11 pt, drawn in DejaVu Sans
    assert gap("single") == pytest.approx(size * 1.17, abs=1.5)
    assert gap("double") == pytest.approx(2 * size * 1.17, abs=1.5)
    assert gap("exact") == pytest.approx(30, abs=1.5)
    # justified: the first line of the exact paragraph reaches the right margin (1.25 inch
    # in python-docx's default template); a left-aligned one stops short of it
    first = next(row for _, row in ordered if "".join(sorted_text(row)).startswith("exact"))
    assert max(c[3] for c in first) == pytest.approx(width - 90, abs=1)
    plain = next(row for _, row in ordered if "".join(sorted_text(row)).startswith("double"))
    assert max(c[3] for c in plain) < width - 90 - 3
