"""Readers: format by content, pages, first-pages text, info, problems, cache, worker pool."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from img_dossier.model import OWN_OUTPUT_KEY, Document, SourceFile
from img_dossier.readers import (
    DEFAULT_LIMITS,
    Limits,
    cache_key,
    document_from_cache,
    document_to_cache,
    read_documents,
    read_one,
)
from img_dossier.readers.result import Reading

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


# -- builders --------------------------------------------------------------------------------


def pdf_bytes(
    pages: list[str], *, size: tuple[float, float] = A4, title: str | None = None
) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size)
    if title:
        c.setTitle(title)
    for text in pages:
        if text:
            c.drawString(72, size[1] - 72, text)
        else:
            c.rect(100, 100, 200, 200, fill=1)  # a page with a drawing and no text
        c.showPage()
    c.save()
    return buf.getvalue()


def write(path: Path, data: bytes) -> SourceFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return SourceFile(path=path, rel=path.name, size=len(data))


def source(path: Path) -> SourceFile:
    return SourceFile(path=path, rel=path.name, size=path.stat().st_size)


def codes(doc: Document) -> dict[str, str]:
    return {p.code: p.severity for p in doc.problems}


def with_writer(data: bytes, change: Any) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (300, 200), **save: Any) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt, **save)
    return buf.getvalue()


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# -- the public corpus -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_documents() -> dict[str, Document]:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not available")
    files = sorted(CORPUS.glob("*.pdf")) + sorted((CORPUS / "docx").glob("*.docx"))
    sources = [SourceFile(path=p, rel=p.name, size=p.stat().st_size) for p in files]
    docs = read_documents(sources, jobs=2)
    return {d.rel: d for d in docs}


def test_every_corpus_file_is_read_without_an_exception(
    corpus_documents: dict[str, Document],
) -> None:
    assert len(corpus_documents) >= 30
    for rel, doc in corpus_documents.items():
        assert doc.format == ("docx" if rel.endswith(".docx") else "pdf"), rel
        assert len(doc.sha256) == 64
        assert not {"timeout", "too-large"} & set(codes(doc)), rel


def test_corpus_encrypted_pdf_is_reported_encrypted(corpus_documents: dict[str, Document]) -> None:
    doc = next(d for r, d in corpus_documents.items() if r.startswith("005-"))
    assert codes(doc)["encrypted"] == "error"
    assert not doc.readable
    assert doc.info["encrypted"] is True
    assert "password" in doc.problems[0].message


def test_corpus_broken_xref_pdf_is_read_or_reported_damaged(
    corpus_documents: dict[str, Document],
) -> None:
    doc = next(d for r, d in corpus_documents.items() if r.startswith("017-"))
    assert doc.readable or codes(doc).get("damaged") == "error"


def test_corpus_pdfs_have_pages_sizes_and_text(corpus_documents: dict[str, Document]) -> None:
    book = next(d for r, d in corpus_documents.items() if r.startswith("009-"))
    assert book.pages == 117
    assert len(book.info["page_sizes"]) == 117
    assert book.has_text
    four = next(d for r, d in corpus_documents.items() if r.startswith("004-"))
    assert four.pages == 4 and four.readable and not four.problems
    assert four.info["producer"].startswith("pdfTeX")


def test_corpus_scanned_pdfs_are_no_text_warnings(corpus_documents: dict[str, Document]) -> None:
    doc = corpus_documents["007-imagemagick-images_imagemagick-lzw.pdf"]
    assert codes(doc) == {"no-text": "warning"}
    assert doc.readable and doc.info["images_only"] is True


def test_corpus_docx_text_and_counts(corpus_documents: dict[str, Document]) -> None:
    doc = corpus_documents["having-images.docx"]
    assert doc.info["images"] >= 1
    tables = corpus_documents["tbl-having-tables.docx"]
    assert tables.info["tables"] == 3
    assert corpus_documents["txt-font-props.docx"].has_text
    assert all(d.readable for r, d in corpus_documents.items() if r.endswith(".docx"))


# -- PDF -------------------------------------------------------------------------------------


def test_pdf_text_of_first_pages_only_and_all_page_sizes(tmp_path: Path) -> None:
    pages = [f"Transcript page {i}" for i in range(1, 6)]
    doc = read_one(write(tmp_path / "t.pdf", pdf_bytes(pages, title="Transcript")))
    assert doc.format == "pdf" and doc.pages == 5 and not doc.problems
    assert "Transcript page 1" in doc.text and "Transcript page 3" in doc.text
    assert "Transcript page 4" not in doc.text
    assert doc.info["page_sizes"] == [[595.28, 841.89]] * 5
    assert doc.info["title"] == "Transcript"
    assert doc.info["producer"].startswith("ReportLab")
    assert doc.info["own_output"] is False and doc.info["signed"] is False
    more = read_one(source(tmp_path / "t.pdf"), Limits(text_pages=5))
    assert "Transcript page 5" in more.text


def test_pdf_page_sizes_honour_rotate(tmp_path: Path) -> None:
    def rotate(writer: PdfWriter) -> None:
        writer.pages[1].rotate(90)

    data = with_writer(pdf_bytes(["portrait", "turned"]), rotate)
    doc = read_one(write(tmp_path / "r.pdf", data))
    assert doc.info["page_sizes"] == [[595.28, 841.89], [841.89, 595.28]]
    wide = read_one(write(tmp_path / "w.pdf", pdf_bytes(["wide"], size=landscape(A4))))
    assert wide.info["page_sizes"] == [[841.89, 595.28]]


def test_pdf_without_text_is_a_no_text_warning(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path / "scan.pdf", pdf_bytes(["", ""])))
    assert codes(doc) == {"no-text": "warning"}
    assert doc.readable and doc.pages == 2 and doc.info["images_only"] is True
    assert "text layer" in doc.problems[0].message


def test_pdf_with_owner_password_only_is_read_but_warned(tmp_path: Path) -> None:
    def encrypt(writer: PdfWriter) -> None:
        writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")

    data = with_writer(pdf_bytes(["Letter of Recommendation"]), encrypt)
    doc = read_one(write(tmp_path / "lor.pdf", data))
    assert codes(doc) == {"encrypted": "warning"}
    assert doc.readable and doc.pages == 1 and "Letter of Recommendation" in doc.text
    assert doc.info["encrypted"] is True


def test_pdf_with_user_password_is_an_encrypted_error(tmp_path: Path) -> None:
    def encrypt(writer: PdfWriter) -> None:
        writer.encrypt(user_password="secret", algorithm="RC4-128")

    doc = read_one(write(tmp_path / "locked.pdf", with_writer(pdf_bytes(["x"]), encrypt)))
    assert codes(doc) == {"encrypted": "error"}
    assert not doc.readable and doc.text == ""
    assert "remove the password" in doc.problems[0].message
    assert "locked.pdf" not in doc.problems[0].message  # the report shows the path


def test_pdf_own_output_marker_is_recognised(tmp_path: Path) -> None:
    def mark(writer: PdfWriter) -> None:
        writer.add_metadata({OWN_OUTPUT_KEY: "dossier"})

    doc = read_one(write(tmp_path / "Quispe-dossier.pdf", with_writer(pdf_bytes(["x"]), mark)))
    assert doc.info["own_output"] is True


def test_pdf_signature_is_recognised(tmp_path: Path) -> None:
    def sign(writer: PdfWriter) -> None:
        value = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Sig"),
                NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
                NameObject("/ByteRange"): ArrayObject([NumberObject(0)] * 4),
            }
        )
        field = DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Sig"),
                NameObject("/T"): TextStringObject("Signature1"),
                NameObject("/V"): writer._add_object(value),
            }
        )
        form = DictionaryObject({NameObject("/Fields"): ArrayObject([writer._add_object(field)])})
        writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)

    doc = read_one(write(tmp_path / "signed.pdf", with_writer(pdf_bytes(["MSPE"]), sign)))
    assert doc.info["signed"] is True and doc.readable


def test_pdf_with_broken_startxref_is_recovered_with_a_warning(tmp_path: Path) -> None:
    data = re.sub(rb"startxref\s+\d+", b"startxref\n99", pdf_bytes(["Good standing"]))
    doc = read_one(write(tmp_path / "bent.pdf", data))
    assert codes(doc) == {"damaged": "warning"}
    assert doc.readable and "Good standing" in doc.text and doc.info["recovered"] is True
    assert doc.problems[0].message.startswith("damaged but recovered")


# -- DOCX ------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_order(tmp_path: Path) -> None:
    data = docx_bytes(
        ["Personal Statement", "I want to train in internal medicine."],
        table=[["Year", "Award"], ["2020", "Dean's list"]],
    )
    doc = read_one(write(tmp_path / "ps.docx", data))
    assert doc.format == "docx" and not doc.problems
    assert doc.text.index("Personal Statement") < doc.text.index("Dean's list")
    assert "2020\tDean's list" in doc.text
    assert doc.info == {"paragraphs": 2, "tables": 1, "images": 0}


def test_docx_page_count_comes_from_app_xml(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes(["CV"]))) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/app.xml":
                data = re.sub(rb"<Pages>\d+</Pages>", b"<Pages>4</Pages>", data)
                if b"<Pages>" not in data:
                    data = data.replace(b"</Properties>", b"<Pages>4</Pages></Properties>")
            dst.writestr(item, data)
    doc = read_one(write(tmp_path / "cv.docx", buf.getvalue()))
    assert doc.pages == 4


def test_docx_zip_without_word_part_is_wrong_format(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    doc = read_one(write(tmp_path / "sheet.docx", buf.getvalue()))
    assert codes(doc) == {"wrong-format": "error"}
    assert "not a Word document" in doc.problems[0].message


def test_old_doc_renamed_docx_is_wrong_format(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    doc = read_one(write(tmp_path / "cv.docx", data))
    assert codes(doc) == {"wrong-format": "error"}
    assert ".doc" in doc.problems[0].message


def test_password_protected_docx_is_encrypted(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    data = ole + "EncryptedPackage".encode("utf-16-le")
    doc = read_one(write(tmp_path / "cv.docx", data))
    assert codes(doc) == {"encrypted": "error"}


# -- images ----------------------------------------------------------------------------------


def test_png_size_dpi_and_no_text(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path / "photo.png", image_bytes("PNG", dpi=(300, 300))))
    assert doc.format == "png" and doc.pages == 1
    assert doc.info["width"] == 300 and doc.info["height"] == 200
    assert doc.info["dpi"] == [300.0, 300.0] and doc.info["mode"] == "RGB"
    assert codes(doc) == {"no-text": "warning"} and doc.readable


def test_jpeg_and_multipage_tiff(tmp_path: Path) -> None:
    jpeg = read_one(write(tmp_path / "passport.jpg", image_bytes("JPEG", dpi=(200, 200))))
    assert jpeg.format == "jpeg" and jpeg.info["dpi"] == [200.0, 200.0] and jpeg.readable
    frames = [Image.new("L", (100, 140), shade) for shade in (0, 120, 250)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    tiff = read_one(write(tmp_path / "diploma.tif", buf.getvalue()))
    assert tiff.format == "tiff" and tiff.pages == 3 and tiff.readable


def test_truncated_jpeg_is_damaged(tmp_path: Path) -> None:
    data = image_bytes("JPEG", size=(800, 600), quality=95)
    doc = read_one(write(tmp_path / "cut.jpg", data[: len(data) // 2]))
    assert codes(doc).get("damaged") == "error"


def test_image_over_pixel_limit_is_too_large(tmp_path: Path) -> None:
    png = write(tmp_path / "big.png", image_bytes("PNG", size=(400, 300)))
    doc = read_one(png, Limits(max_pixels=1000))
    assert codes(doc) == {"too-large": "error"}
    assert doc.info["width"] == 400


# -- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Señora Pérez".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "Señora Pérez".encode(), "utf-8"),
        ("\ufeffSeñora Pérez".encode("utf-16-le"), "utf-16-le"),
        ("Señora Pérez".encode("utf-16-le"), "utf-16-le"),
        ("Señora Pérez".encode("cp1252"), "cp1252"),
    ],
)
def test_text_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    doc = read_one(write(tmp_path / "notes.txt", data))
    assert doc.format == "txt" and doc.pages == 1 and not doc.problems
    assert doc.text == "Señora Pérez"
    assert doc.info["encoding"] == encoding


def test_markdown_and_long_text_is_capped(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path / "cv.md", b"# CV\n" + b"a" * 500_000))
    assert doc.format == "md" and doc.text.startswith("# CV")
    assert len(doc.text) <= 200 * 1024 and doc.info["truncated"] is True
    assert doc.bytes == 500_005


# -- format by content -----------------------------------------------------------------------


def test_jpeg_named_pdf_is_read_as_jpeg_with_a_warning(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path / "passport.pdf", image_bytes("JPEG")))
    assert doc.format == "jpeg" and doc.readable
    assert codes(doc) == {"wrong-format": "warning", "no-text": "warning"}
    assert "rename it to .jpg" in doc.problems[0].message


def test_pdf_named_docx_is_read_as_pdf(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path / "cv.docx", pdf_bytes(["Curriculum Vitae"])))
    assert doc.format == "pdf" and "Curriculum Vitae" in doc.text
    assert codes(doc) == {"wrong-format": "warning"}


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("page.pdf", b"<!DOCTYPE html><html><body>Login</body></html>", "wrong-format", "HTML"),
        ("note.pdf", b"just some plain words\n", "wrong-format", "plain text"),
        ("photo.jpg", b"GIF89a" + b"\x00" * 50, "wrong-format", "GIF"),
        ("blob.pdf", bytes(range(256)) * 4, "unsupported-format", "no format"),
        ("empty.pdf", b"", "empty", "empty"),
    ],
)
def test_unreadable_content_is_an_error(
    tmp_path: Path, name: str, data: bytes, code: str, words: str
) -> None:
    doc = read_one(write(tmp_path / name, data))
    assert codes(doc) == {code: "error"}
    assert not doc.readable and doc.text == ""
    assert words in doc.problems[0].message


def test_file_over_byte_limit_is_not_parsed(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path / "huge.pdf", pdf_bytes(["x"])), Limits(max_bytes=100))
    assert codes(doc) == {"too-large": "error"}
    assert doc.pages is None and doc.format == "pdf"


def test_extension_case_does_not_matter(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path / "SCAN.PDF", pdf_bytes(["Diploma"])))
    assert doc.format == "pdf" and not doc.problems


# -- many files: workers, order, cache -------------------------------------------------------


def mixed_folder(tmp_path: Path) -> list[SourceFile]:
    return [
        write(tmp_path / "a.pdf", pdf_bytes(["Alpha"])),
        write(tmp_path / "b.txt", b"Bravo"),
        write(tmp_path / "c.png", image_bytes("PNG")),
        write(tmp_path / "d.docx", docx_bytes(["Delta"])),
        write(tmp_path / "e.pdf", b"<html></html>"),
        write(tmp_path / "f.pdf", pdf_bytes(["Foxtrot"])),
    ]


@pytest.mark.parametrize("jobs", [1, 3, None])
def test_read_documents_keeps_input_order_and_agrees_with_read_one(
    tmp_path: Path, jobs: int | None
) -> None:
    files = mixed_folder(tmp_path)
    docs = read_documents(list(reversed(files)), jobs=jobs)
    assert [d.rel for d in docs] == [f.rel for f in reversed(files)]
    for doc in docs:
        alone = read_one(next(f for f in files if f.rel == doc.rel))
        assert (doc.format, doc.pages, doc.text, doc.problems, doc.sha256) == (
            alone.format,
            alone.pages,
            alone.text,
            alone.problems,
            alone.sha256,
        )


def test_same_content_twice_keeps_both_paths(tmp_path: Path) -> None:
    data = pdf_bytes(["Same"])
    files = [write(tmp_path / "one.pdf", data), write(tmp_path / "sub" / "two.pdf", data)]
    docs = read_documents(files)
    assert [d.rel for d in docs] == ["one.pdf", "two.pdf"]
    assert docs[1].path == tmp_path / "sub" / "two.pdf"
    assert docs[0].sha256 == docs[1].sha256 and docs[1].text.strip() == "Same"


class DictCache:
    def __init__(self) -> None:
        self.store: dict[str, dict[str, Any]] = {}
        self.gets = 0

    def get(self, key: str) -> dict[str, Any] | None:
        self.gets += 1
        value = self.store.get(key)
        return json.loads(json.dumps(value)) if value is not None else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.store[key] = json.loads(json.dumps(value))


def test_cache_round_trip_and_a_hit_is_not_parsed_again(tmp_path: Path) -> None:
    files = mixed_folder(tmp_path)
    cache = DictCache()
    first = read_documents(files, cache=cache)
    assert len(cache.store) == len(files)
    second = read_documents(files, cache=cache)
    assert [d.to_json() for d in first] == [d.to_json() for d in second]
    assert [dict(d.info) for d in first] == [dict(d.info) for d in second]
    key = cache_key(first[0].sha256, files[0], DEFAULT_LIMITS)
    cache.store[key]["text"] = "FROM THE CACHE"
    third = read_documents(files[:1], cache=cache)
    assert third[0].text == "FROM THE CACHE"


def test_cache_key_depends_on_content_extension_and_limits(tmp_path: Path) -> None:
    f = write(tmp_path / "a.pdf", b"%PDF-1.4")
    renamed = SourceFile(path=f.path, rel="a.jpg", size=f.size)
    key = cache_key("ab" * 32, f, DEFAULT_LIMITS)
    assert key.startswith("ab" * 32)
    assert key != cache_key("ab" * 32, renamed, DEFAULT_LIMITS)
    assert key != cache_key("ab" * 32, f, Limits(text_pages=9))
    assert key == cache_key("ab" * 32, f, Limits(seconds=5))


class BrokenCache:
    def get(self, key: str) -> dict[str, Any] | None:
        raise OSError("disk gone")

    def put(self, key: str, value: dict[str, Any]) -> None:
        raise OSError("disk gone")


class GarbageCache:
    def get(self, key: str) -> Any:
        return {"format": "exe", "pages": "many", "text": 3, "problems": "none", "info": []}

    def put(self, key: str, value: dict[str, Any]) -> None:
        return None


@pytest.mark.parametrize("cache", [BrokenCache(), GarbageCache(), object()])
def test_a_broken_cache_is_a_miss(tmp_path: Path, cache: object) -> None:
    files = mixed_folder(tmp_path)[:2]
    docs = read_documents(files, cache=cache)
    assert docs[0].format == "pdf" and "Alpha" in docs[0].text
    assert docs[1].text == "Bravo"


def test_document_from_cache_rejects_garbage(tmp_path: Path) -> None:
    f = write(tmp_path / "a.pdf", pdf_bytes(["A"]))
    good = document_to_cache(read_one(f))
    assert document_from_cache(good, f, "0" * 64).text.strip() == "A"
    for broken in (
        {**good, "problems": [{"code": "nonsense", "severity": "error", "message": ""}]},
        {**good, "pages": True},
        {**good, "info": None},
        [],
    ):
        with pytest.raises(ValueError):
            document_from_cache(broken, f, "0" * 64)  # type: ignore[arg-type]


def test_unreadable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    gone = SourceFile(path=tmp_path / "gone.pdf", rel="gone.pdf", size=10)
    ok = write(tmp_path / "ok.txt", b"fine")
    docs = read_documents([gone, ok])
    assert codes(docs[0]) == {"damaged": "error"}
    assert "could not be opened" in docs[0].problems[0].message
    assert docs[1].text == "fine"
    assert codes(read_one(gone)) == {"damaged": "error"}


def test_inside_a_daemon_process_files_are_read_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    class Daemon:
        daemon = True

    monkeypatch.setattr(multiprocessing, "current_process", lambda: Daemon())
    docs = read_documents(mixed_folder(tmp_path), jobs=2)
    assert [d.format for d in docs] == ["pdf", "txt", "png", "docx", None, "pdf"]
    assert "Alpha" in docs[0].text


def test_when_no_worker_can_start_files_are_read_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from img_dossier.readers import pool

    def refuse(*args: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(pool._Worker, "__init__", refuse)
    docs = read_documents(mixed_folder(tmp_path), jobs=2)
    assert [d.text.strip() for d in docs[:2]] == ["Alpha", "Bravo"]


# -- the long-lived worker pool ---------------------------------------------------------------


def pid_reader(path: Path, named: str) -> Reading:
    """A text reader that says which process read the file."""
    return Reading(named, None, str(os.getpid()))


def test_workers_are_reused_from_one_read_to_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    from img_dossier.readers import dispatch

    monkeypatch.setattr(dispatch, "read_text", pid_reader)
    files = [write(tmp_path / f"{n}.txt", b"x%d" % n) for n in range(4)]
    first = {d.text for d in read_documents(files, jobs=2)}
    second = {d.text for d in read_documents(files[:1], jobs=1)}
    third = {d.text for d in read_documents(files, jobs=2)}
    assert str(os.getpid()) not in first  # read in workers, not here
    assert len(first) == 2 and second < first and third == first


def test_a_forked_child_starts_its_own_workers_and_leaves_the_parents_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    import multiprocessing

    from img_dossier.readers import dispatch

    monkeypatch.setattr(dispatch, "read_text", pid_reader)
    files = [write(tmp_path / "a.txt", b"x")]
    before = read_documents(files)[0].text
    out = tmp_path / "child.json"
    child = multiprocessing.get_context("fork").Process(target=_read_in_child, args=(files, out))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    child_pid, read_by = json.loads(out.read_text())
    assert read_by not in (before, str(child_pid))  # the child's own worker
    assert read_documents(files)[0].text == before  # the parent's worker still serves it


def _read_in_child(files: list[SourceFile], out: Path) -> None:
    out.write_text(json.dumps([os.getpid(), read_documents(files)[0].text]))


def test_a_read_after_a_crashed_worker_gets_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    from img_dossier.readers import dispatch

    def crash(path: Path, named: str) -> Reading:
        if path.name == "boom.txt":
            os.kill(os.getpid(), signal.SIGKILL)
        return pid_reader(path, named)

    monkeypatch.setattr(dispatch, "read_text", crash)
    boom, fine = write(tmp_path / "boom.txt", b"x"), write(tmp_path / "fine.txt", b"y")
    assert codes(read_documents([boom])[0]) == {"too-large": "error"}
    assert read_documents([fine])[0].text.isdigit()


def test_a_worker_killed_while_idle_is_replaced_without_failing_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    from img_dossier.readers import dispatch

    monkeypatch.setattr(dispatch, "read_text", pid_reader)
    first = read_documents([write(tmp_path / "a.txt", b"a")])[0].text
    os.kill(int(first), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{first}/stat").exists() and "Z" not in _state(first):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    doc = read_documents([write(tmp_path / "b.txt", b"b")])[0]
    assert doc.problems == () and doc.text.isdigit() and doc.text != first


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "gone"


def test_a_read_interrupted_midway_leaves_no_answer_for_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    from img_dossier.readers import dispatch

    def slow(path: Path, named: str) -> Reading:
        if path.name == "slow.txt":
            time.sleep(1.0)
            return Reading(named, None, "late answer")
        return Reading(named, None, path.read_text())

    class Interrupted(Exception):
        pass

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted

    class Cache(dict[str, Any]):
        def put(self, key: str, value: dict[str, Any]) -> None:
            self[key] = value

    monkeypatch.setattr(dispatch, "read_text", slow)
    cache, known = Cache(), write(tmp_path / "known.txt", b"known")
    read_documents([known], cache=cache)
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Interrupted):
            read_documents([write(tmp_path / "slow.txt", b"s")])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    time.sleep(1.0)  # the interrupted worker would have answered by now
    docs = read_documents([known, write(tmp_path / "next.txt", b"next")], cache=cache)
    assert [d.text for d in docs] == ["known", "next"]


def test_workers_are_renewed_after_many_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    from img_dossier.readers import dispatch, pool

    monkeypatch.setattr(dispatch, "read_text", pid_reader)
    monkeypatch.setattr(pool, "TASKS_PER_WORKER", 2)
    readers = [read_documents([write(tmp_path / f"{n}.txt", b"%d" % n)])[0].text for n in range(4)]
    assert readers[0] == readers[1] != readers[2] == readers[3]


def test_two_threads_reading_at_once_each_get_their_own_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    import threading

    from img_dossier.readers import dispatch

    def slow(path: Path, named: str) -> Reading:
        time.sleep(0.5 if path.name == "a.txt" else 0.0)
        return Reading(named, None, path.read_text())

    monkeypatch.setattr(dispatch, "read_text", slow)
    a, b = write(tmp_path / "a.txt", b"from a"), write(tmp_path / "b.txt", b"from b")
    got: dict[str, list[str]] = {}
    first = threading.Thread(target=lambda: got.update(a=[d.text for d in read_documents([a])]))
    first.start()
    time.sleep(0.2)
    got["b"] = [d.text for d in read_documents([b])]
    first.join(30)
    assert got == {"a": ["from a"], "b": ["from b"]}


def test_other_limits_get_workers_that_apply_them(tmp_path: Path, fresh_pool: None) -> None:
    files = [write(tmp_path / "three.pdf", pdf_bytes(["One", "Two", "Three"]))]
    assert "Three" in read_documents(files)[0].text
    assert "Three" not in read_documents(files, limits=Limits(text_pages=1))[0].text
    assert "Three" in read_documents(files)[0].text


def test_a_fifo_given_directly_is_not_waited_on(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.pdf")
    fifo = SourceFile(path=tmp_path / "pipe.pdf", rel="pipe.pdf", size=0)
    for doc in (read_one(fifo), read_documents([fifo])[0]):
        assert codes(doc) == {"damaged": "error"}
        assert "not a regular file" in doc.problems[0].message


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\r\n\r\n%PDF-1.4\n", "pdf"),
        (b"\x00\x01\xfe\xff%PDF-1.4\n", "pdf"),
        (b"My notes: a PDF starts with %PDF-1.4, says the spec", "text"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"II*\x00\x08\x00", "tiff"),
        (b"PK\x03\x04\x14\x00", "zip"),
        (b"<!doctype html><html>", "html"),
        (b"  \n<html lang='en'>", "html"),
        (b"<?xml version='1.0'?><svg/>", "xml"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "ole"),
        (b"GIF89a\x01\x00", "gif"),
        (b"BMW service notes for the car", "text"),
        (b"MZ is my monogram", "text"),
        (b"\x00\x00\x00\x18ftypheic\x00", "heic"),
        ("Café, naïve".encode("utf-16-le"), "text"),
        (bytes(range(256)), "binary"),
        (b"", "empty"),
    ],
)
def test_sniffing_by_content(head: bytes, kind: str) -> None:
    from img_dossier.readers.sniff import sniff_head

    assert sniff_head(head) == kind
