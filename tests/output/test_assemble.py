"""assemble: the dossier's structure (pages, links, outline, labels, stamps), merges, safety."""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from img_dossier.errors import OutputError
from img_dossier.model import OWN_OUTPUT_KEY, ChecklistRef, Document, ItemResult, Problem, Report
from img_dossier.output.assemble import (
    IncompleteError,
    assemble,
    completeness_line,
    default_output_name,
)
from img_dossier.output.textshape import visual

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
NAME = "Lucia Fernanda Quispe Mamani"


@dataclass(frozen=True)
class Run:
    report: Report
    folder: Path


def make_pdf(
    path: Path, title: str, pages: int = 1, *, dests: bool = False, outline: bool = False
) -> Path:
    """A PDF whose page k says "<title> page k"; with ``dests`` it has LaTeX-style named
    destinations: ``page.N`` on every page and ``section.1`` on the first; page 1 links
    (``/Dest`` by name) to the last page, every other page links (``/A /GoTo`` by name) back
    to ``section.1``."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    c = Canvas(str(path))
    for i in range(pages):
        if outline:
            c.bookmarkPage(f"o{i}")
            c.addOutlineEntry(f"{title} chapter {i + 1}", f"o{i}", level=0)
        c.drawString(72, 720, f"{title} page {i + 1}")
        c.showPage()
    c.save()
    if not dests:
        return path
    writer = PdfWriter(clone_from=PdfReader(path))
    for i in range(pages):
        writer.add_named_destination(f"page.{i + 1}", i)
    writer.add_named_destination("section.1", 0)
    for i in range(pages):
        rect = ArrayObject([FloatObject(v) for v in (72, 600, 300, 620)])
        link = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): rect,
            }
        )
        if i == 0:
            link[NameObject("/Dest")] = TextStringObject(f"page.{pages}")
        else:
            link[NameObject("/A")] = DictionaryObject(
                {
                    NameObject("/S"): NameObject("/GoTo"),
                    NameObject("/D"): TextStringObject("section.1"),
                }
            )
        writer.pages[i][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def document(
    folder: Path, rel: str, fmt: str, item: str | None, problems: Sequence[Problem] = ()
) -> Document:
    path = folder / rel
    data = path.read_bytes()
    return Document(
        rel=rel,
        path=path,
        format=fmt,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        item=item,
        problems=tuple(problems),
    )


def report(
    folder: Path,
    items: Sequence[ItemResult],
    docs: Sequence[Document],
    applicant: str | None = NAME,
) -> Report:
    return Report(
        folder=str(folder),
        checklist=ChecklistRef("us-eras", "United States residency", "2026.1"),
        as_of=date(2026, 11, 29),
        applicant=applicant,
        items=tuple(items),
        documents=tuple(docs),
    )


def sample_run(folder: Path) -> Run:
    """Passport (PDF), diploma (JPEG), transcript (two LaTeX-like PDFs), notes (TXT, unclassified),
    an encrypted PDF (left out), and a missing Statement of Need."""
    folder.mkdir(parents=True, exist_ok=True)
    make_pdf(folder / "passport.pdf", "Passport", 1)
    make_pdf(folder / "transcript-a.pdf", "Transcript A", 3, dests=True)
    make_pdf(folder / "transcript-b.pdf", "Transcript B", 4, dests=True)
    Image.new("RGB", (1200, 800), (200, 30, 30)).save(folder / "diploma.jpg")
    (folder / "notes.txt").write_text("Observership notes from Lima.\n", encoding="utf-8")
    (folder / "locked.pdf").write_bytes(b"%PDF-1.4 encrypted")
    docs = [
        document(folder, "passport.pdf", "pdf", "passport"),
        document(folder, "transcript-a.pdf", "pdf", "transcript"),
        document(folder, "transcript-b.pdf", "pdf", "transcript"),
        document(folder, "diploma.jpg", "jpeg", "medical-diploma"),
        document(folder, "notes.txt", "txt", None),
        document(
            folder,
            "locked.pdf",
            "pdf",
            None,
            [Problem("encrypted", "error", "locked.pdf: needs a password")],
        ),
    ]
    items = [
        ItemResult("passport", "Passport", True, "ok", ("passport.pdf",)),
        ItemResult("medical-diploma", "Medical diploma", True, "ok", ("diploma.jpg",)),
        ItemResult(
            "transcript", "Transcript", True, "ok", ("transcript-a.pdf", "transcript-b.pdf")
        ),
        ItemResult("statement-of-need", "Statement of Need", True, "missing"),
        ItemResult("photo", "Photo", False, "optional-missing"),
    ]
    return Run(report(folder, items, docs), folder)


def link_targets(reader: PdfReader, page_index: int) -> list[int]:
    """0-based target pages of the internal links on a page (named or explicit)."""
    names = reader.named_destinations
    out = []
    for ref in reader.pages[page_index].get("/Annots", []) or []:
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        dest = annot.get("/Dest")
        if dest is None and "/A" in annot:
            dest = annot["/A"].get("/D")
        if isinstance(dest, str):
            out.append(reader.get_destination_page_number(names[str(dest)]))
        else:
            out.append(reader.get_page_number(dest[0].get_object()))
    return out


def outline_tree(reader: PdfReader, nodes: Any = None) -> list[Any]:
    nodes = reader.outline if nodes is None else nodes
    tree: list[Any] = []
    for node in nodes:
        if isinstance(node, list):
            tree.append(outline_tree(reader, node))
        else:
            tree.append((str(node.title), reader.get_destination_page_number(node)))
    return tree


def opens_cleanly(path: Path) -> None:
    """qpdf (pikepdf) and PDFium both open the file without errors or warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pikepdf.open(path) as pdf:
            assert pdf.check_pdf_syntax() == []
            count = len(pdf.pages)
    doc = pdfium.PdfDocument(str(path))
    try:
        assert len(doc) == count
        for i in range(count):
            doc[i].render(scale=0.2)
    finally:
        doc.close()


@pytest.fixture
def built(tmp_path: Path) -> tuple[Run, Any, Path]:
    run = sample_run(tmp_path / "docs")
    out = tmp_path / "out" / "dossier.pdf"
    out.parent.mkdir()
    return run, assemble(run, out, include_unclassified=True), out


def test_dossier_pages_are_cover_index_then_documents(built: tuple[Run, Any, Path]) -> None:
    _, result, out = built
    reader = PdfReader(out)
    front = result.front_pages
    assert front == 2
    assert len(reader.pages) == result.pages == front + 1 + 1 + 3 + 4 + 1
    assert [s.item for s in result.sections] == ["passport", "medical-diploma", "transcript", None]
    transcript = result.sections[2]
    assert transcript.documents == ("transcript-a.pdf", "transcript-b.pdf")
    assert (transcript.first_page, transcript.last_page) == (front + 3, front + 9)
    assert transcript.ranges == ((front + 3, front + 5), (front + 6, front + 9))
    assert "Transcript B page 1" in reader.pages[front + 5].extract_text()
    assert "Observership notes from Lima." in reader.pages[-1].extract_text()
    assert result.left_out == [("locked.pdf", "encrypted: locked.pdf: needs a password")]
    assert result.conversions == {"diploma.jpg": "image", "notes.txt": "text"}
    opens_cleanly(out)


def test_cover_and_index_say_who_what_and_where(built: tuple[Run, Any, Path]) -> None:
    _, _, out = built
    reader = PdfReader(out)
    cover = reader.pages[0].extract_text()
    assert NAME in cover
    assert "us-eras" in cover and "2026.1" in cover and "2026-11-29" in cover
    assert "3 of 4 required items complete; missing: Statement of Need" in cover
    index = reader.pages[1].extract_text()
    for words in (
        "Passport",
        "Statement of Need",
        "missing",
        "transcript-b.pdf",
        "6–9",
        "Other documents",
        "notes.txt",
        "locked.pdf",
        "needs a password",
    ):
        assert words in index


def test_every_index_row_links_to_the_first_page_of_its_documents(
    built: tuple[Run, Any, Path],
) -> None:
    _, result, out = built
    reader = PdfReader(out)
    targets = sorted(t for p in range(result.front_pages) for t in link_targets(reader, p))
    assert targets == sorted(first - 1 for s in result.sections for first, _ in s.ranges)


def test_index_runs_over_as_many_pages_as_it_needs(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    rels = [f"letters/letter-of-recommendation-from-referee-{n:03d}.pdf" for n in range(120)]
    (folder / "letters").mkdir()
    for n, rel in enumerate(rels):
        make_pdf(folder / rel, f"Letter {n}", 1 + n % 2)
    docs = [document(folder, rel, "pdf", "letter-of-recommendation") for rel in rels]
    items = [ItemResult("letter-of-recommendation", "Letters", True, "ok", tuple(rels))]
    result = assemble(Run(report(folder, items, docs), folder), tmp_path / "d.pdf")
    reader = PdfReader(tmp_path / "d.pdf")
    assert result.front_pages >= 4
    roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
    assert reader.page_labels[: result.front_pages] == roman[: result.front_pages]
    assert reader.page_labels[result.front_pages] == "1"
    targets = sorted(t for p in range(result.front_pages) for t in link_targets(reader, p))
    assert targets == [first - 1 for first, _ in result.sections[0].ranges]
    assert len(reader.pages) == result.front_pages + sum(1 + n % 2 for n in range(120))
    for first, _ in result.sections[0].ranges[::17]:
        n = result.sections[0].ranges.index((first, _))
        assert f"Letter {n} page 1" in reader.pages[first - 1].extract_text()


def test_outline_has_items_documents_and_labels_are_roman_then_arabic(
    built: tuple[Run, Any, Path],
) -> None:
    _, _, out = built
    reader = PdfReader(out)
    assert outline_tree(reader) == [
        ("Cover and index", 0),
        ("Passport", 2),
        [("passport.pdf", 2)],
        ("Medical diploma", 3),
        [("diploma.jpg", 3)],
        ("Transcript", 4),
        [("transcript-a.pdf", 4), ("transcript-b.pdf", 7)],
        ("Other documents", 11),
        [("notes.txt", 11)],
    ]
    assert reader.page_labels == ["i", "ii", *[str(n) for n in range(1, 11)]]


def test_metadata_names_applicant_checklist_and_marks_own_output(
    built: tuple[Run, Any, Path],
) -> None:
    _, _, out = built
    meta = PdfReader(out).metadata
    assert meta is not None
    assert meta["/Author"] == NAME
    assert NAME in meta["/Title"]
    assert "us-eras" in meta["/Subject"]
    assert OWN_OUTPUT_KEY in meta


def test_stamp_is_on_document_pages_only(built: tuple[Run, Any, Path]) -> None:
    _, _, out = built
    reader = PdfReader(out)
    assert f"{NAME} · page 1 of 10" in reader.pages[2].extract_text()
    assert f"{NAME} · page 10 of 10" in reader.pages[11].extract_text()
    assert "page 1 of 10" not in reader.pages[0].extract_text()


def test_no_stamp_leaves_pages_unmarked(tmp_path: Path) -> None:
    run = sample_run(tmp_path / "docs")
    assemble(run, tmp_path / "d.pdf", stamp=False)
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "d.pdf").pages[2:])
    assert "page 1 of" not in text


def _blank_pdf(path: Path, mediabox: tuple[float, float, float, float], rotate: int) -> Path:
    writer = PdfWriter()
    page = writer.add_blank_page(width=mediabox[2] - mediabox[0], height=mediabox[3] - mediabox[1])
    page.mediabox.lower_left = mediabox[:2]
    page.mediabox.upper_right = mediabox[2:]
    page.rotation = rotate
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_stamp_sits_in_the_bottom_margin_of_rotated_and_offset_pages(
    tmp_path: Path, rotate: int
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    _blank_pdf(folder / "scan.pdf", (100, 50, 712, 842), rotate)
    run = Run(
        report(
            folder,
            [ItemResult("passport", "Passport", True, "ok", ("scan.pdf",))],
            [document(folder, "scan.pdf", "pdf", "passport")],
        ),
        folder,
    )
    result = assemble(run, tmp_path / "d.pdf")
    doc = pdfium.PdfDocument(str(tmp_path / "d.pdf"))
    try:
        im = doc[result.front_pages].render(scale=1).to_pil().convert("L")
    finally:
        doc.close()
    box = im.point(lambda v: 255 if v < 200 else 0).getbbox()
    assert box is not None
    x0, y0, x1, _ = box
    assert y0 > im.height - 25  # within the bottom 25 points of the page as seen
    assert abs((x0 + x1) / 2 - im.width / 2) < 3  # centred


def test_links_to_clashing_named_destinations_stay_in_their_own_document(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(folder / "a.pdf", "A", 3, dests=True)
    make_pdf(folder / "b.pdf", "B", 5, dests=True)
    assert set(PdfReader(folder / "a.pdf").named_destinations) >= {"page.1", "section.1"}
    run = Run(
        report(
            folder,
            [ItemResult("transcript", "Transcript", True, "ok", ("a.pdf", "b.pdf"))],
            [
                document(folder, "a.pdf", "pdf", "transcript"),
                document(folder, "b.pdf", "pdf", "transcript"),
            ],
        ),
        folder,
    )
    result = assemble(run, tmp_path / "d.pdf")
    reader = PdfReader(tmp_path / "d.pdf")
    (a_first, a_last), (b_first, b_last) = result.sections[0].ranges
    a0, b0 = a_first - 1, b_first - 1
    assert link_targets(reader, a0) == [a_last - 1]  # A page 1 -> A's last page
    assert link_targets(reader, a0 + 1) == [a0]  # A page 2 -> A's section.1
    assert link_targets(reader, b0) == [b_last - 1]  # B page 1 -> B's last page
    for page in range(b0 + 1, b_last):
        assert link_targets(reader, page) == [b0]  # B's section.1, not A's
    opens_cleanly(tmp_path / "d.pdf")


def test_source_outlines_are_kept_under_their_document(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(folder / "mspe.pdf", "MSPE", 2, outline=True)
    run = Run(
        report(
            folder,
            [ItemResult("mspe", "MSPE", True, "ok", ("mspe.pdf",))],
            [document(folder, "mspe.pdf", "pdf", "mspe")],
        ),
        folder,
    )
    result = assemble(run, tmp_path / "d.pdf")
    f = result.front_pages
    assert outline_tree(PdfReader(tmp_path / "d.pdf")) == [
        ("Cover and index", 0),
        ("MSPE", f),
        [("mspe.pdf", f), [("MSPE chapter 1", f), ("MSPE chapter 2", f + 1)]],
    ]


def test_documents_that_cannot_be_merged_are_left_out_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(folder / "ok.pdf", "Fine", 1)
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\nnot a pdf at all")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    writer = PdfWriter(clone_from=PdfReader(folder / "ok.pdf"))
    writer.encrypt("secret")
    with open(folder / "locked.pdf", "wb") as fh:
        writer.write(fh)
    docs = [
        document(folder, r, f, None)
        for r, f in (
            ("ok.pdf", "pdf"),
            ("garbage.pdf", "pdf"),
            ("photo.jpg", "jpeg"),
            ("locked.pdf", "pdf"),
        )
    ]
    run = Run(report(folder, [], docs), folder)
    result = assemble(run, tmp_path / "d.pdf", include_unclassified=True)
    reasons = dict(result.left_out)
    assert set(reasons) == {"garbage.pdf", "photo.jpg", "locked.pdf"}
    assert reasons["locked.pdf"].startswith("encrypted")
    assert reasons["photo.jpg"].startswith("damaged: not converted")
    assert result.sections[0].documents == ("ok.pdf",)
    assert "garbage.pdf" in PdfReader(tmp_path / "d.pdf").pages[1].extract_text()


def test_crash_mid_write_leaves_no_partial_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    run = sample_run(tmp_path / "docs")
    out = tmp_path / "out" / "dossier.pdf"
    out.parent.mkdir()

    def crash(writer: PdfWriter, stream: Any) -> None:
        stream.write(b"%PDF-1.7\n" + b"x" * 10_000)
        raise RuntimeError("disk pulled out")

    with pytest.raises(RuntimeError):
        assemble(run, out, write=crash)
    assert list(out.parent.iterdir()) == []
    out.write_bytes(b"previous dossier")
    with pytest.raises(RuntimeError):
        assemble(run, out, write=crash)
    assert out.read_bytes() == b"previous dossier"
    assert [p.name for p in out.parent.iterdir()] == ["dossier.pdf"]


def test_disk_error_is_an_output_error(tmp_path: Path) -> None:
    run = sample_run(tmp_path / "docs")

    def full(writer: PdfWriter, stream: Any) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        assemble(run, tmp_path / "d.pdf", write=full)
    assert not (tmp_path / "d.pdf").exists()
    with pytest.raises(OutputError, match="cannot write"):
        assemble(run, tmp_path / "no" / "such" / "d.pdf")


def test_never_overwrites_a_source_document(tmp_path: Path) -> None:
    run = sample_run(tmp_path / "docs")
    before = {p.name: p.read_bytes() for p in run.folder.iterdir()}
    with pytest.raises(OutputError, match=r"passport\.pdf.*refusing to overwrite"):
        assemble(run, run.folder / "passport.pdf")
    assemble(run, tmp_path / "d.pdf")
    assert {p.name: p.read_bytes() for p in run.folder.iterdir()} == before


def test_strict_writes_nothing_for_an_incomplete_folder(tmp_path: Path) -> None:
    run = sample_run(tmp_path / "docs")
    with pytest.raises(IncompleteError):
        assemble(run, tmp_path / "d.pdf", strict=True)
    assert not (tmp_path / "d.pdf").exists()


def test_a4_front_matter_and_converted_pages(tmp_path: Path) -> None:
    run = sample_run(tmp_path / "docs")
    result = assemble(run, tmp_path / "d.pdf", page_size="a4")
    reader = PdfReader(tmp_path / "d.pdf")
    for index in (0, 1, result.pages - 1):
        box = reader.pages[index].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_completeness_line_and_default_name() -> None:
    items = [
        ItemResult("a", "Passport", True, "ok"),
        ItemResult("b", "Statement of Need", True, "missing"),
        ItemResult("c", "MSPE", True, "expired"),
        ItemResult("d", "Photo", False, "optional-missing"),
        ItemResult("e", "Pathway", True, "not-required"),
    ]
    rep = report(Path("x"), items, [])
    assert completeness_line(rep) == (
        "1 of 3 required items complete; missing: Statement of Need; "
        "not acceptable yet: MSPE (expired)"
    )
    assert default_output_name("Quispe Mamani") == "quispe-mamani-dossier.pdf"
    assert default_output_name("Nguyễn") == "nguyen-dossier.pdf"
    assert default_output_name(None) == "dossier.pdf"
    assert default_output_name("عبد") == "bd-dossier.pdf"  # transliterated (anyascii)
    assert default_output_name("王") == "wang-dossier.pdf"
    assert default_output_name("···") == "dossier.pdf"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_whole_corpus_merges_keeping_every_page(tmp_path: Path) -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    docs = []
    expected_pages = 0
    inputs = 0
    damaged = "017-unreadable-meta-data_unreadablemetadata.pdf"  # no reader recovers a page
    for path in sorted(CORPUS.glob("*.pdf")):
        problems: list[Problem] = []
        if path.name.startswith("005-"):
            problems.append(Problem("encrypted", "error", f"{path.name}: needs a password"))
        elif path.name != damaged:
            with pikepdf.open(path) as pdf:
                expected_pages += len(pdf.pages)
            inputs += path.stat().st_size
        docs.append(
            Document(
                rel=path.name,
                path=path,
                format="pdf",
                bytes=path.stat().st_size,
                sha256="",
                item=None,
                problems=tuple(problems),
            )
        )
    run = Run(report(CORPUS, [], docs), CORPUS)
    result = assemble(run, tmp_path / "corpus.pdf", include_unclassified=True)
    reasons = dict(result.left_out)
    assert set(reasons) == {
        "005-libreoffice-writer-password_libreoffice-writer-password.pdf",
        damaged,
    }
    assert reasons["005-libreoffice-writer-password_libreoffice-writer-password.pdf"].startswith(
        "encrypted"
    )
    assert reasons[damaged].startswith("damaged")
    assert result.pages == result.front_pages + expected_pages
    assert len(result.sections[0].documents) == len(docs) - 2
    # no duplicated fonts or images: within 10% of the inputs plus the generated front pages
    front = tmp_path / "front.pdf"
    assemble(Run(report(CORPUS, [], []), CORPUS), front)
    assert result.bytes <= 1.10 * (inputs + front.stat().st_size)
    opens_cleanly(tmp_path / "corpus.pdf")


def _named_outline(path: Path, entries: Sequence[tuple[str, str]]) -> None:
    """Add outline entries that jump by name (``/A /GoTo /D (name)``), as hyperref writes."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(path))
    for title, name in entries:
        entry = writer.add_outline_item(title=title, page_number=0).get_object()
        entry.pop("/Dest", None)
        entry[NameObject("/A")] = DictionaryObject(
            {NameObject("/S"): NameObject("/GoTo"), NameObject("/D"): TextStringObject(name)}
        )
    with open(path, "wb") as fh:
        writer.write(fh)


def test_source_outlines_by_clashing_names_point_into_their_own_document(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, pages in (("a.pdf", 2), ("b.pdf", 3)):
        make_pdf(folder / name, name, pages, dests=True)
        _named_outline(folder / name, [("Start", "section.1"), ("End", f"page.{pages}")])
    run = Run(
        report(
            folder,
            [ItemResult("transcript", "Transcript", True, "ok", ("a.pdf", "b.pdf"))],
            [
                document(folder, "a.pdf", "pdf", "transcript"),
                document(folder, "b.pdf", "pdf", "transcript"),
            ],
        ),
        folder,
    )
    result = assemble(run, tmp_path / "d.pdf")
    (a_first, a_last), (b_first, b_last) = result.sections[0].ranges
    assert outline_tree(PdfReader(tmp_path / "d.pdf"))[2] == [
        ("a.pdf", a_first - 1),
        [("Start", a_first - 1), ("End", a_last - 1)],
        ("b.pdf", b_first - 1),
        [("Start", b_first - 1), ("End", b_last - 1)],
    ]


def test_old_style_dests_dictionaries_are_renamed_too(tmp_path: Path) -> None:
    """PDF 1.1 style: names in the catalog's /Dests dictionary, links by /Dest name."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, n in (("a.pdf", 2), ("b.pdf", 3)):
        make_pdf(folder / name, name, n)
        with pikepdf.open(folder / name, allow_overwriting_input=True) as pdf:
            dests = pikepdf.Dictionary()
            for i, page in enumerate(pdf.pages):
                dests[f"/page.{i + 1}"] = pikepdf.Array([page.obj, pikepdf.Name.Fit])
            pdf.Root.Dests = pdf.make_indirect(dests)
            for i, page in enumerate(pdf.pages):
                link = pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[72, 600, 300, 620],
                    Dest=pikepdf.Name(f"/page.{n if i == 0 else 1}"),
                )
                page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
            pdf.save(folder / name)
    run = Run(
        report(
            folder,
            [ItemResult("transcript", "Transcript", True, "ok", ("a.pdf", "b.pdf"))],
            [
                document(folder, "a.pdf", "pdf", "transcript"),
                document(folder, "b.pdf", "pdf", "transcript"),
            ],
        ),
        folder,
    )
    result = assemble(run, tmp_path / "d.pdf")
    reader = PdfReader(tmp_path / "d.pdf")
    (a_first, a_last), (b_first, b_last) = result.sections[0].ranges
    assert link_targets(reader, a_first - 1) == [a_last - 1]
    assert link_targets(reader, a_last - 1) == [a_first - 1]
    assert link_targets(reader, b_first - 1) == [b_last - 1]
    assert link_targets(reader, b_last - 1) == [b_first - 1]


def test_an_image_shared_by_two_documents_is_stored_once(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    logo = tmp_path / "letterhead.jpg"
    Image.effect_noise((600, 400), 60).convert("RGB").save(logo, quality=90)
    for name in ("lor-1.pdf", "lor-2.pdf"):
        c = Canvas(str(folder / name))
        c.drawImage(str(logo), 72, 600, 300, 200)
        c.drawString(72, 500, f"Letter {name}")
        c.showPage()
        c.save()
    rels = ("lor-1.pdf", "lor-2.pdf")
    run = Run(
        report(
            folder,
            [ItemResult("letter-of-recommendation", "Letters", True, "ok", rels)],
            [document(folder, r, "pdf", "letter-of-recommendation") for r in rels],
        ),
        folder,
    )
    result = assemble(run, tmp_path / "d.pdf", stamp=False)
    with pikepdf.open(tmp_path / "d.pdf") as pdf:
        images = {
            obj.objgen for page in pdf.pages for obj in page.Resources.get("/XObject", {}).values()
        }
    assert len(images) == 1
    assert result.bytes < logo.stat().st_size * 1.5 + 60_000


def _page_fonts(path: Path, index: int) -> set[str]:
    with pikepdf.open(path) as pdf:
        fonts = pdf.pages[index].Resources.get("/Font", {})
        return {str(f.BaseFont) for f in fonts.values()}


@pytest.mark.parametrize("name", ["Nguyễn Văn An", "Łukasz Wróbel", "عبد الله"])
def test_names_outside_latin_1_get_the_bundled_unicode_font(tmp_path: Path, name: str) -> None:
    run = sample_run(tmp_path / "docs")
    run = Run(
        report(run.folder, run.report.items, run.report.documents, applicant=name), run.folder
    )
    result = assemble(run, tmp_path / "d.pdf", include_unclassified=True)
    reader = PdfReader(tmp_path / "d.pdf")
    assert any("DejaVuSans" in f for f in _page_fonts(tmp_path / "d.pdf", 0))
    assert any("DejaVuSans" in f for f in _page_fonts(tmp_path / "d.pdf", result.front_pages))
    cover = reader.pages[0].extract_text()
    stamp = reader.pages[result.front_pages].extract_text()
    if name.isascii() or "ễ" in name or "Ł" in name:
        assert name in cover
        assert f"{name} · page 1 of 10" in stamp
    else:  # Arabic: shaped and drawn right to left, in the cover's and the stamp's lines
        drawn = unicodedata.normalize("NFKC", visual(name)).replace(" ", "")
        assert drawn == "هللادبع"
        assert drawn in _drawn_lines(tmp_path / "d.pdf", 0)
        stamp_line = visual(f"{name} · page 1 of 10", "ltr")
        assert unicodedata.normalize("NFKC", stamp_line).replace(" ", "") in _drawn_lines(
            tmp_path / "d.pdf", result.front_pages
        )


def _drawn_lines(pdf: Path, index: int) -> list[str]:
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


def test_latin_1_names_use_standard_fonts_with_nothing_to_embed(
    built: tuple[Run, Any, Path],
) -> None:
    _, result, out = built
    assert _page_fonts(out, 0) <= {"/Helvetica", "/Helvetica-Bold"}
    assert _page_fonts(out, result.front_pages) >= {"/Helvetica"}
    with pikepdf.open(out) as pdf:
        for index in range(result.front_pages):
            for font in pdf.pages[index].Resources.Font.values():
                assert "/FontDescriptor" not in font


def test_past_the_open_file_budget_sources_are_read_into_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of thousands of PDFs must not run out of file handles while merging."""
    from img_dossier.output import dossier_pdf

    monkeypatch.setattr(dossier_pdf, "file_budget", lambda: 1)
    run = sample_run(tmp_path / "docs")
    result = assemble(run, tmp_path / "d.pdf")
    assert [s.documents for s in result.sections][2] == ("transcript-a.pdf", "transcript-b.pdf")
    assert result.pages == result.front_pages + 1 + 1 + 3 + 4
    reader = PdfReader(tmp_path / "d.pdf")
    assert "Transcript B page 4" in reader.pages[result.sections[2].last_page - 1].extract_text()
    opens_cleanly(tmp_path / "d.pdf")


def _internal_targets(reader: PdfReader, page_index: int) -> list[int]:
    """0-based pages the internal links of a page lead to (named or explicit; web links
    and links into nowhere are not counted)."""
    try:
        names = reader.named_destinations
    except Exception:
        names = {}
    found = []
    for ref in reader.pages[page_index].get("/Annots", []) or []:
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        dest = annot.get("/Dest")
        if dest is None and "/A" in annot and annot["/A"].get("/S") == "/GoTo":
            dest = annot["/A"].get("/D")
        if dest is None:
            continue
        try:
            if isinstance(dest, str):
                found.append(reader.get_destination_page_number(names[str(dest)]))
            else:
                found.append(reader.get_page_number(dest[0].get_object()))
        except Exception:
            continue
    return found


def _shifted(nodes: list[Any], base: int) -> list[Any]:
    return [_shifted(n, base) if isinstance(n, list) else (n[0], base + n[1]) for n in nodes]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_links_and_bookmarks_of_every_corpus_pdf_land_on_their_pages(tmp_path: Path) -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    paths = [p for p in sorted(CORPUS.glob("*.pdf")) if not p.name.startswith(("005-", "017-"))]
    docs = [document(CORPUS, p.name, "pdf", "transcript") for p in paths]
    rels = tuple(p.name for p in paths)
    run = Run(report(CORPUS, [ItemResult("transcript", "T", True, "ok", rels)], docs), CORPUS)
    result = assemble(run, tmp_path / "d.pdf", stamp=False)
    out = PdfReader(tmp_path / "d.pdf")
    tree = outline_tree(out)
    entries: dict[Any, list[Any]] = {}  # document entry -> its children (the source outline)
    last: Any = None
    for node in tree[2]:
        if isinstance(node, list):
            entries[last] = node
        else:
            last = node
            entries[last] = []
    checked_links = checked_marks = 0
    for path, (first, _last) in zip(paths, result.sections[0].ranges, strict=True):
        src = PdfReader(path)
        base = first - 1
        for i in range(len(src.pages)):
            expected = [base + t for t in _internal_targets(src, i)]
            assert _internal_targets(out, base + i) == expected, (path.name, i)
            checked_links += len(expected)
        try:
            source_marks = outline_tree(src)
        except Exception:
            continue

        if source_marks:
            assert entries[(path.name, base)] == _shifted(source_marks, base), path.name
            checked_marks += 1
    assert checked_links >= 3 and checked_marks >= 2
