"""OCR of scans and photos: the engine in the readers, the zone read as OCR misreads it,
facts marked as OCR's, photos told from pages, --no-ocr, the cache, hostile images.

Images are small (a few lines of text) so that the engine's work stays well under a
second each; the committed samples/scans folder is checked once (module fixture).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont

from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.facts.document import extract
from img_dossier.facts.mrz import check_digit, find_mrz_ocr
from img_dossier.model import SourceFile
from img_dossier.readers import DEFAULT_LIMITS, Limits, read_documents, read_one, reader_limits
from img_dossier.readers import ocr as ocr_engine

pytest.importorskip("rapidocr")

ROOT = Path(__file__).resolve().parents[2]
SCANS = ROOT / "samples" / "scans"
FONT = ROOT / "src" / "img_dossier" / "output" / "fonts" / "DejaVuSans-Bold.ttf"
TODAY = date(2026, 11, 29)

LINE1 = "P<PERQUISPE<MAMANI<<LUCIA<FERNANDA<<<<<<<<<<"
LINE2 = "1194837265PER9603149F310316445871236<<<<<<48"


def text_image(lines: list[str], size: int = 26, width: int = 900) -> Image.Image:
    """White image with black lines of text (what a clean scan of them looks like)."""
    font = ImageFont.truetype(str(FONT), size)
    height = 40 + len(lines) * int(size * 1.8)
    im = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(im)
    for n, line in enumerate(lines):
        draw.text((30, 20 + n * int(size * 1.8)), line, fill=0, font=font)
    return im


PAGE = ["PASSPORT", "Surname QUISPE MAMANI", "Date of expiry 16 MAR 2031", LINE1, LINE2]


def source(path: Path) -> SourceFile:
    return SourceFile(path=path, rel=path.name, size=path.stat().st_size)


# -- the zone as OCR reads it (no engine) ---------------------------------------------------


@pytest.mark.parametrize(
    "line2",
    [
        LINE2,
        LINE2.replace("9603149", "96O3149").replace("310316", "31O316"),  # O for 0 in dates
        LINE2.replace("<<<<<<48", "<<K<<<48"),  # K for a filler
        LINE2.replace("<<<<<<48", "<<<<48"),  # fillers dropped
        " ".join([LINE2[:20], LINE2[20:]]),  # split in two boxes
    ],
)
def test_a_zone_read_with_ocr_confusions_is_mended_and_verified(line2: str) -> None:
    mrz, note = find_mrz_ocr(
        f"PASSPORT\n{LINE1.replace('<<<<<<<<<<', '<<<<«<<<')}\n{line2}\n", today=TODAY
    )
    assert note is None
    assert mrz is not None
    assert mrz.expiry == date(2031, 3, 16)
    assert mrz.birth_date == date(1996, 3, 14)
    assert mrz.surname == "QUISPE MAMANI"


@pytest.mark.parametrize(
    "line2",
    [
        LINE2.replace("3103164", "3108164"),  # a digit of the expiry misread as another digit
        LINE2.replace("3103164", "3103165"),  # its check digit misread
        LINE2[:-1] + "7",  # the composite
        LINE2.replace("PER", "P3R").replace("310316", "3I0316")[:40],  # garbled
    ],
)
def test_a_misread_zone_is_never_used(line2: str) -> None:
    mrz, note = find_mrz_ocr(f"{LINE1}\n{line2}\n", today=TODAY)
    assert mrz is None
    assert note is not None and "ignored" in note


def test_no_wrong_date_passes_the_check_digits_under_single_digit_misreads() -> None:
    """Every one-digit misread of the expiry (60 of them) is refused: none gives a date."""
    accepted = []
    for pos in range(21, 27):
        for digit in "0123456789":
            if LINE2[pos] == digit:
                continue
            line2 = LINE2[:pos] + digit + LINE2[pos + 1 :]
            mrz, _note = find_mrz_ocr(f"{LINE1}\n{line2}\n", today=TODAY)
            if mrz is not None:
                accepted.append((line2, mrz.expiry))
    assert accepted == []
    assert check_digit("310316") == 4


# -- the engine in the readers --------------------------------------------------------------


# -- content matching on OCR's text (no engine) ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase", "found"),
    [
        ("ECFMGCertificate No 0-123-456-7", "ECFMG Certificate", True),  # run together
        ("Academic Transcr ipt of the School", "Academic Transcript", True),  # split
        ("Medical StudentPerformance Evaluation", "Medical Student Performance Evaluation", True),
        ("a biomedical schooling", "medical school", False),  # inside longer words
        ("the passportnumber field", "Passport No", False),  # ends inside a word
        ("Dateof 2031", "Date of", False),  # too short to know run together
        ("Passport", "Passport", True),
        ("Passports", "Passport", False),
    ],
)
def test_phrases_are_found_in_ocr_text_with_words_run_together_only_at_word_edges(
    text: str, phrase: str, found: bool
) -> None:
    from img_dossier.checking.content import Folded

    assert Folded(text).has(phrase) is found


def test_a_scan_whose_ocr_ran_words_together_is_classified_and_nothing_else_is() -> None:
    from img_dossier.checking.classify import _Names, by_content, by_title
    from img_dossier.config.checklist import load

    items = load("us").items
    found = by_content("StandardECFMGCertificate\nThis is to certify that", items)
    assert found is not None and found[0] == "ecfmg-certificate"
    titled = by_title("MedicalStudentPerformanceEvaluation\nDean", _Names.of(items))
    assert titled is not None and titled[0] == "mspe"
    # the same letters inside longer words classify nothing
    assert by_content("biomedical schooling; nonstandardecfmgcertificates", items) is None


def test_the_engine_runs_from_the_wheel_without_downloading() -> None:
    assert ocr_engine.unavailable() is None
    for which in ("int8", "float"):
        paths = ocr_engine.model_paths(which)
        assert isinstance(paths, dict) and set(paths) == {"det", "rec", "cls"}
        assert all(path.is_file() for path in paths.values())
    assert ocr_engine.engine_name().startswith("rapidocr 3.")


@pytest.fixture(scope="module")
def page_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same small page as a PNG, a JPEG stored sideways with an EXIF turn, a JPEG lying
    upside down (no EXIF), a TIFF slanted 3 degrees and an image-only PDF."""
    folder = tmp_path_factory.mktemp("pages")
    page = text_image(PAGE)
    files = {}
    files["png"] = folder / "page.png"
    page.save(files["png"])
    files["exif"] = folder / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise
    page.rotate(90, expand=True).save(files["exif"], quality=90, exif=exif.tobytes())
    files["upside"] = folder / "upside-down.jpg"
    page.rotate(180).save(files["upside"], quality=90)
    files["skew"] = folder / "slanted.tif"
    page.rotate(3, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC).save(
        files["skew"]
    )
    files["pdf"] = folder / "scan.pdf"
    page.save(files["pdf"], "PDF", resolution=150.0)
    return files


@pytest.mark.parametrize("kind", ["png", "exif", "upside", "skew", "pdf"])
def test_a_scan_is_read_by_ocr_whichever_way_it_lies(
    kind: str, page_files: dict[str, Path]
) -> None:
    doc = read_one(source(page_files[kind]))
    assert doc.readable
    assert "no-text" not in {p.code for p in doc.problems}
    found = doc.info["ocr"]
    assert found["pages"] == 1 and found["confidence"] > 0.8
    lines = doc.text.splitlines()
    assert LINE1 in [ln.replace(" ", "") for ln in lines]
    assert LINE2 in [ln.replace(" ", "") for ln in lines]
    assert lines.index(next(ln for ln in lines if "PASSPORT" in ln)) == 0  # in reading order


PROSE = [
    "This letter is written in strong support of the application of the candidate to the",
    "residency program in internal medicine, where she completed a clinical rotation with",
    "our team for twelve weeks and showed the knowledge and judgement of a senior resident",
    "in the care of patients with complex chronic disease on the general medicine wards.",
]


@pytest.mark.parametrize("slant", [3.0, -3.0])
def test_a_slanted_page_of_long_lines_is_read_upright(slant: float, tmp_path: Path) -> None:
    """Which way a page lies is voted on its longest lines cut out straightened: cut out
    square, a slanted long line is mostly background and was taken for upside down."""
    page = text_image(PROSE, size=24, width=1250).rotate(
        slant, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC
    )
    path = tmp_path / "letter.png"
    page.save(path)
    doc = read_one(source(path))
    assert doc.info["ocr"]["rotated"] == [0]
    assert "internal medicine" in doc.text


def test_a_page_without_text_costs_no_recognition(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detector runs once; where it finds no line (a blank page, a portrait photo)
    the recogniser is not run at all."""
    engine = ocr_engine._load()

    def no_recognition(crops: object) -> None:
        raise AssertionError("the recogniser ran on a page without text")

    monkeypatch.setattr(engine, "recognize", no_recognition)
    blank = Image.new("RGB", (850, 1100), "white")
    assert ocr_engine.read_page(blank) == ocr_engine.PageText("", 0.0)


def test_facts_from_a_scan_are_marked_as_ocr_with_the_zone_verified(
    page_files: dict[str, Path],
) -> None:
    from img_dossier.config.profile import Profile

    doc = read_one(source(page_files["upside"])).replace(item="passport")
    facts = extract(doc, Profile())
    assert facts["source"] == "ocr"
    assert 0.8 < facts["confidence"] <= 1.0
    assert facts["expiry"] == "2031-03-16"
    assert facts["expiry_source"] == "mrz"


def test_no_ocr_leaves_a_scan_unread(page_files: dict[str, Path]) -> None:
    doc = read_one(source(page_files["png"]), reader_limits(ocr=False))
    assert doc.text == ""
    assert "ocr" not in doc.info
    assert [p.code for p in doc.problems] == ["no-text"]


def test_the_reading_of_a_scan_is_cached_with_its_ocr(page_files: dict[str, Path]) -> None:
    store: dict[str, dict[str, Any]] = {}
    puts: list[str] = []

    class Cache:
        def get(self, key: str) -> dict[str, Any] | None:
            return store.get(key)

        def put(self, key: str, value: dict[str, Any]) -> None:
            puts.append(key)
            store[key] = value

    files = [source(page_files["png"])]
    first = read_documents(files, cache=Cache())[0]
    assert len(store) == 1
    (key,) = store
    assert ".ocr2.rapidocr-" in key  # another engine or page count is another reading
    second = read_documents(files, cache=Cache())[0]
    assert len(puts) == 1  # warm: nothing read (no OCR) the second time
    assert second.text == first.text and second.info["ocr"] == first.info["ocr"]
    off = read_documents(files, cache=Cache(), limits=reader_limits(ocr=False))[0]
    assert off.text == "" and len(store) == 2  # --no-ocr is a reading of its own


# -- facts read by OCR outside a zone are not trusted to expire anything ---------------------


def test_an_ocr_date_outside_the_zone_never_makes_a_document_expired(tmp_path: Path) -> None:
    from img_dossier.checking.pipeline import run_check

    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "dossier.yaml").write_text("schema: 1\ntrack: us\n", encoding="utf-8")
    # a passport scan without a zone whose expiry OCR reads as past
    text_image(["PASSPORT", "Surname QUISPE MAMANI", "Date of expiry 16 MAR 2021"]).save(
        folder / "passport.png"
    )
    report = run_check(folder, as_of=TODAY, jobs=1).report
    passport = report.item("passport")
    assert passport is not None
    assert passport.status == "unverified"
    assert any("OCR read its expiry" in m for m in passport.messages)
    doc = next(d for d in report.documents if d.rel == "passport.png")
    assert doc.facts["source"] == "ocr" and doc.facts["expiry_source"] == "text"


# -- photos and pages -----------------------------------------------------------------------


def test_a_portrait_photo_without_text_is_the_photo_a_photo_of_a_page_its_document(
    tmp_path: Path,
) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "samples"))
    import make_samples as ms

    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "dossier.yaml").write_text("schema: 1\ntrack: us\n", encoding="utf-8")
    ms.render(ms.photo(ms.default_person("us")), folder / "IMG_2231.jpg")
    text_image(
        [
            "ECFMG",
            "Certificate",
            "Educational Commission for Foreign Medical Graduates",
            "This is to certify that",
            "LUCIA FERNANDA QUISPE MAMANI",
        ]
    ).save(folder / "IMG_2232.jpg")
    report = run_json(str(folder), "--as-of", TODAY.isoformat())
    docs = {d["path"]: d for d in report["documents"]}
    assert docs["IMG_2231.jpg"]["item"] == "photo"
    assert docs["IMG_2231.jpg"]["classified_by"] == "content"
    assert docs["IMG_2232.jpg"]["item"] == "ecfmg-certificate"
    assert report["summary"]["ocr_pages"] == 2


# -- hostile images stay bounded -------------------------------------------------------------


def test_hostile_scans_finish_within_the_limits_with_a_problem_code(tmp_path: Path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    bomb = tmp_path / "bomb.png"  # 40000 x 40000 pixels declared, a few rows of data
    ihdr = struct.pack(">IIBBBBB", 40_000, 40_000, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (5001 * 4))
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
    strip = tmp_path / "strip.png"
    Image.new("L", (1, 100_000), 0).save(strip)
    many = tmp_path / "scan-200-pages.pdf"
    small = text_image(["Page of a long scan"], size=20, width=400)
    small.save(many, "PDF", save_all=True, append_images=[small] * 199, resolution=100.0)
    files = [source(bomb), source(strip), source(many)]
    limits = Limits(seconds=60.0)
    started = time.monotonic()
    docs = {d.rel: d for d in read_documents(files, limits=limits, jobs=2)}
    assert time.monotonic() - started < 3 * limits.seconds
    assert [p.code for p in docs["bomb.png"].problems] == ["too-large"]
    assert "ocr" not in docs["strip.png"].info  # no page can be that shape: not OCR'd
    assert [p.code for p in docs["strip.png"].problems] == ["no-text"]
    scan = docs["scan-200-pages.pdf"]
    assert scan.pages == 200
    assert scan.info["ocr"]["pages"] == DEFAULT_LIMITS.ocr_pages
    (problem,) = scan.problems
    assert problem.code == "no-text" and "pages 3-200" in problem.message


# -- the committed scans sample --------------------------------------------------------------


def run_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["check", *args, "--json", "--jobs", "2"])
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def scans_run() -> Iterator[Any]:
    from img_dossier.checking.pipeline import run_check

    # a generous time limit: this checks what OCR reads, not how loaded the machine is
    yield run_check(SCANS, as_of=TODAY, jobs=2, limits=Limits(seconds=300))


@pytest.mark.slow
def test_the_scans_sample_is_read_by_ocr_with_the_passport_expiry(scans_run: Any) -> None:
    from img_dossier.output.report import render_json, render_text

    data = json.loads(render_json(scans_run.report))
    docs = {d["path"]: d for d in data["documents"]}
    passport = docs["IMG_4107.jpg"]
    assert passport["item"] == "passport" and passport["classified_by"] == "content"
    facts = passport["facts"]
    assert facts["expiry"] == "2031-03-16" and facts["expiry_source"] == "mrz"
    assert facts["source"] == "ocr" and facts["confidence"] > 0.8
    assert docs["Scan_0002.pdf"]["item"] == "medical-diploma"
    assert docs["Scan_0003.tif"]["item"] == "transcript"
    assert docs["IMG_2231.jpg"]["item"] == "photo"
    assert docs["pr-card-scan.jpg"]["facts"]["source"] == "ocr"  # read, not a US item
    for rel in ("Scan_0002.pdf", "Scan_0003.tif", "pr-card-scan.jpg"):
        assert docs[rel]["facts"].get("source") == "ocr", rel
    assert data["summary"]["ocr_pages"] == 5
    items = {i["id"]: i for i in data["items"]}
    assert items["passport"]["status"] == "ok"
    text = render_text(scans_run.report)
    assert "Read by OCR, 5 pages" in text
    assert "IMG_4107.jpg: 1 page, confidence" in text
    assert "expiry 2031-03-16 (machine-readable zone, check digits verified)" in text


def test_no_ocr_on_the_scans_sample_reads_nothing_and_says_so() -> None:
    data = run_json(str(SCANS), "--as-of", TODAY.isoformat(), "--no-ocr")
    assert data["summary"]["ocr_pages"] == 0
    docs = {d["path"]: d for d in data["documents"]}
    assert docs["IMG_4107.jpg"]["item"] is None
    assert "no-text" in {p["code"] for p in docs["Scan_0003.tif"]["problems"]}
    assert all(d["facts"].get("source") != "ocr" for d in data["documents"])


@pytest.mark.parametrize("command", ["check", "build", "pack", "audit"])
def test_every_reading_command_takes_no_ocr(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == ExitCode.OK
    assert "--no-ocr" in result.output


def test_audit_says_how_many_pages_were_read_by_ocr() -> None:
    from img_dossier.audit.run import AuditRow, summarize
    from img_dossier.cli.audit_cmd import _summary_line

    rows = [
        AuditRow(folder="a", applicant=None, track="us", checklist="us-eras", complete=True,
                 ocr_pages=3),
        AuditRow(folder="b", applicant=None, track="us", checklist="us-eras", complete=False,
                 ocr_pages=2),
    ]  # fmt: skip
    summary = summarize(rows, 90)
    assert summary["ocr_pages"] == 5
    assert rows[0].to_json()["ocr_pages"] == 3
    assert "5 pages of scans read by OCR" in _summary_line(summary, 90)


def test_an_iphone_heic_photo_of_a_page_is_read(tmp_path: Path) -> None:
    from img_dossier.readers.image import register_heif

    if not register_heif():
        pytest.skip("pillow-heif is not installed")
    path = tmp_path / "IMG_0001.HEIC"
    text_image(PAGE).convert("RGB").save(path, quality=90)
    doc = read_one(source(path))
    assert doc.format == "heic" and doc.readable
    assert LINE2 in doc.text.replace(" ", "")


def test_a_scan_goes_into_a_pdf_as_an_image_without_a_text_layer(
    page_files: dict[str, Path], tmp_path: Path
) -> None:
    import pypdfium2 as pdfium

    from img_dossier.output.convert import image_to_pdf

    out = tmp_path / "scan.pdf"
    assert image_to_pdf(page_files["exif"], out) == 1
    pdf = pdfium.PdfDocument(str(out))
    try:
        page = pdf[0]
        assert page.get_textpage().get_text_range().strip() == ""  # no invisible OCR text
        assert any(obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())
    finally:
        pdf.close()
