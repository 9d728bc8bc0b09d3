"""Every script on every output: cover, index, footer stamps and letters draw Chinese,
Korean, Arabic, Hebrew, Cyrillic and Devanagari names with real glyphs (checked in the
embedded fonts, not in extracted text); what no font can draw is a warning naming the
character and the file; default output names are transliterated."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.letters import render as letters
from img_dossier.output import glyphs
from img_dossier.output.assemble import default_output_name
from pdf_glyphs import drawn_characters

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "us-j1"
KEEP = ("dossier.yaml", "passport.pdf", "cv-j1.docx", "personal-statement.txt")

needs_cjk = pytest.mark.skipif(
    glyphs.fallback_face("王") is None or glyphs.fallback_face("김") is None,
    reason="no font with Chinese and Korean glyphs on this machine "
    "(Debian: apt install fonts-noto-cjk; .ci/run installs it)",
)


def client(tmp_path: Path, given: str, family: str) -> Path:
    folder = tmp_path / "client"
    folder.mkdir()
    for name in KEEP:
        shutil.copy(SAMPLE / name, folder / name)
    profile = yaml.safe_load((SAMPLE / "dossier.yaml").read_text(encoding="utf-8"))
    profile["applicant"].update(given_names=given, family_name=family, other_names=[])
    (folder / "dossier.yaml").write_text(
        yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8"
    )
    return folder


def build(folder: Path, cwd: Path, *extra: str) -> tuple[int, str, Path]:
    where = cwd / "out"
    where.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(where)
        result = CliRunner().invoke(cli, ["build", str(folder), "--as-of", "2026-11-29", *extra])
    written = sorted(where.glob("*.pdf"))
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    assert len(written) == 1
    return result.exit_code, result.stderr, written[0]


def visible(text: str) -> set[str]:
    return {ch for ch in text if not ch.isspace()}


def decomposed(chars: set[str]) -> set[str]:
    """Drawn characters plus what their presentation forms stand for (ﺍ -> ا, ﻻ -> ل ا)."""
    return chars | {c for ch in chars for c in unicodedata.normalize("NFKC", ch)}


@needs_cjk
@pytest.mark.parametrize(
    ("given", "family", "slug"), [("小明", "王", "wang"), ("민준", "김", "gim")]
)
def test_cover_index_and_stamps_draw_cjk_names(
    tmp_path: Path, given: str, family: str, slug: str
) -> None:
    _, stderr, pdf = build(client(tmp_path, given, family), tmp_path)
    assert pdf.name == f"{slug}-dossier.pdf"  # transliterated default name
    assert "no font draws" not in stderr
    cover = drawn_characters(pdf, range(1))
    assert visible(given + family) <= cover
    last = drawn_characters(pdf, range(3, 4))  # a document page: the footer stamp
    assert visible(given + family) <= last


@needs_cjk
@pytest.mark.parametrize("name", ["王小明", "김민준"])
def test_letter_draws_cjk_names(tmp_path: Path, name: str) -> None:
    template = letters.load_template("interview-thank-you")
    sets = {
        f.name: (f.example.isoformat() if hasattr(f.example, "isoformat") else str(f.example))
        for f in template.fields
        if f.name != "today"
    }
    sets["interviewer_name"] = name
    sets["applicant.full_name"] = name
    (written,) = letters.render("interview-thank-you", None, sets=sets, out_dir=tmp_path, fmt="pdf")
    assert not written.missing_glyphs
    assert visible(name) <= drawn_characters(written.path)


def test_cover_draws_arabic_hebrew_cyrillic_and_devanagari(tmp_path: Path) -> None:
    given, family = "राम דוד", "Иванов عبد الله"
    _, stderr, pdf = build(client(tmp_path, given, family), tmp_path)
    assert "no font draws" not in stderr
    drawn = decomposed(drawn_characters(pdf, range(1)))
    letters_of_name = {ch for ch in visible(given + family) if unicodedata.category(ch) != "Mn"}
    assert letters_of_name <= drawn


def test_a_character_no_font_has_is_a_warning_naming_it_and_the_file(tmp_path: Path) -> None:
    _, stderr, pdf = build(
        client(tmp_path, "Ana", "Quispe \U00013000"), tmp_path, "-o", "named.pdf"
    )
    assert "U+13000" in stderr and "named.pdf" in stderr and "fonts-noto" in stderr
    assert pdf.name == "named.pdf"


def test_default_names_never_collapse_to_the_bare_name() -> None:
    names = ["王", "김", "Иванов", "عبد الله", "כהן", "शर्मा", "Quispe Mamani"]
    out = [default_output_name(n) for n in names]
    assert len(set(out)) == len(out) and "dossier.pdf" not in out
    assert out[0] == "wang-dossier.pdf" and out[-1] == "quispe-mamani-dossier.pdf"
    assert all(n.isascii() for n in out)


def test_fonts_searched_include_bundled_and_system_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(glyphs.ENV_FONTS, str(tmp_path))
    dirs = glyphs.font_dirs()
    assert dirs[0] == tmp_path and glyphs.BUNDLED in dirs
    assert (glyphs.BUNDLED / "NotoSansDevanagari-Regular.ttf").is_file()
    assert (glyphs.BUNDLED / "NotoSansDevanagari-LICENSE.txt").is_file()


@needs_cjk
def test_a_word_header_and_footer_draw_cjk_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The built-in Word renderer draws header and footer text in a font that has it."""
    import docx

    from img_dossier.output import convert

    monkeypatch.setenv("IMG_DOSSIER_SOFFICE", "")  # the built-in renderer, not LibreOffice
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "王小明\tCurriculum vitae\t김민준"
    section.footer.paragraphs[0].text = "王小明 page 1"
    document.add_paragraph("Curriculum vitae")
    src = tmp_path / "cv.docx"
    document.save(str(src))
    out = tmp_path / "cv.pdf"
    assert convert.docx_to_pdf(src, out, "letter") == "built-in"
    assert visible("王小明김민준") <= drawn_characters(out)
