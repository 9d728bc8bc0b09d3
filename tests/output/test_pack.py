"""pack: upload-ready files per portal slot, fitted to the limit above the floors, manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageDraw
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from img_dossier.config.checklist import load
from img_dossier.errors import BadInputError, OutputError
from img_dossier.model import OWN_OUTPUT_KEY
from img_dossier.output.pack import (
    PackResult,
    UnknownPortalError,
    default_output,
    pack,
    portal_rules,
    safe_name,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
AS_OF = date(2026, 11, 29)
FORBIDDEN = set('|*?:/\\<>"')

CANADA_YAML = """schema: 1
track: canada
applicant:
  given_names: "Ana María"
  family_name: {family}
  status: permanent-resident
medical_school:
  name: "Universidad de Chile"
  country: "Chile"
  language: {language}
training:
  specialty: "Family Medicine"
  start: 2027-07-01
  province: "ON"
"""

US_YAML = """schema: 1
track: us
applicant:
  given_names: "Lucia"
  family_name: "Quispe Mamani"
  status: none
medical_school:
  name: "Universidad Nacional Mayor de San Marcos"
  country: "Peru"
  language: en
training:
  specialty: "Internal Medicine"
  start: 2027-07-01
  visa: J-1
ecfmg_certified: true
"""


# -- building inputs -----------------------------------------------------------------------


def text_pdf(path: Path, *lines: str, pages: int = 1) -> Path:
    """A small text PDF (what a school or an exam body would issue)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = Canvas(str(path), pagesize=LETTER)
    for n in range(pages):
        y = 720
        for line in lines:
            c.drawString(72, y, line)
            y -= 18
        c.drawString(72, 72, f"page {n + 1}")
        c.showPage()
    c.save()
    return path


def scan_pdf(path: Path, pages: list[bytes], size: tuple[float, float] = LETTER) -> Path:
    """A scanner's PDF: one JPEG per page, drawn over the whole page (written by hand)."""
    w, h = size
    n = len(pages)
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{3 + 2 * i} 0 R' for i in range(n))}] "
        f"/Count {n} >>".encode(),
    ]
    for i, data in enumerate(pages):
        with Image.open(io.BytesIO(data)) as im:
            pw, ph = im.size
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Resources << /XObject "
            f"<< /Im0 {4 + 2 * i} 0 R >> >> /Contents {3 + 2 * n + i} 0 R >>".encode()
        )
        objs.append(
            f"<< /Type /XObject /Subtype /Image /Width {pw} /Height {ph} /ColorSpace /DeviceRGB "
            f"/BitsPerComponent 8 /Filter /DCTDecode /Length {len(data)} >>\nstream\n".encode()
            + data
            + b"\nendstream"
        )
    content = f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode()
    for _ in range(n):
        objs.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, obj in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{k} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def noisy_pages(count: int, size: tuple[int, int], amplitude: int, quality: int) -> list[bytes]:
    """Distinct noisy RGB pages as JPEG (noise keeps JPEG from compressing them small)."""
    w, h = size
    base = [
        Image.frombytes("L", size, os.urandom(w * h)).point(lambda v: 150 + v * amplitude // 256)
        for _ in range(3)
    ]
    pages = []
    for i in range(count):
        im = Image.merge("RGB", [ImageChops.offset(c, 37 * i, 53 * i) for c in base])
        ImageDraw.Draw(im).text((200, 200), f"ACADEMIC TRANSCRIPT page {i + 1}", fill=(0, 0, 0))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=quality)
        pages.append(buf.getvalue())
    return pages


def canada_folder(root: Path, family: str = "Pérez Soto", language: str = "en") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    family_yaml = json.dumps(family, ensure_ascii=False)  # JSON strings are YAML strings
    (root / "dossier.yaml").write_text(
        CANADA_YAML.format(family=family_yaml, language=language), encoding="utf-8"
    )
    return root


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def slot(result: PackResult, name: str) -> dict[str, object]:
    rows = [s.to_json() for s in result.slots if s.slot == name]
    assert rows, f"no slot {name}: {[s.slot for s in result.slots]}"
    return rows[0]


def assert_manifest_matches_files(out: Path) -> dict[str, object]:
    """manifest.json and manifest.csv agree with each other and with the files written."""
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8"))))
    assert [r["slot"] for r in rows] == [s["slot"] for s in data["slots"]]
    written = {p.name for p in out.iterdir()} - {"manifest.json", "manifest.csv"}
    assert written == {s["file"] for s in data["slots"] if s["status"] == "packed"}
    for s, row in zip(data["slots"], rows, strict=True):
        if s["status"] != "packed":
            assert s["file"] is None and row["file"] == ""
            continue
        path = out / s["file"]
        assert s["bytes"] == path.stat().st_size == int(row["bytes"])
        if s["format"] == "pdf":
            assert s["pages"] == len(PdfReader(path).pages) == int(row["pages"])
            assert OWN_OUTPUT_KEY in (PdfReader(path).metadata or {})
        else:
            with Image.open(path) as im:
                assert im.format == "JPEG"
        assert s["bytes"] <= s["limit_bytes"]
        assert row["sources"] == "; ".join(s["sources"])
    return data


# -- the acceptance case: a 12 MB scanned transcript for CaRMS -----------------------------


@pytest.fixture(scope="module")
def big_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PackResult, str]]:
    """A 10-page 300 dpi noisy scan of about 12 MB, packed once for CaRMS."""
    root = canada_folder(tmp_path_factory.mktemp("big") / "Pérez")
    src = scan_pdf(root / "transcript.pdf", noisy_pages(10, (2550, 3300), 40, 75))
    before = sha(src)
    result = pack(root, "carms", out=root.parent / "out", as_of=AS_OF, jobs=1)
    yield src, result, before


@pytest.mark.slow
def test_a_12_mb_scanned_transcript_packs_for_carms_under_5_mb(
    big_scan: tuple[Path, PackResult, str],
) -> None:
    src, result, _ = big_scan
    assert src.stat().st_size > 12_000_000  # the input is what the issue describes
    row = slot(result, "transcript")
    assert row["status"] == "packed"
    out = result.output / str(row["file"])
    assert out.name == "transcript_Perez-Soto.pdf"
    assert out.stat().st_size < 5_000_000
    assert row["sources"] == ["transcript.pdf"] and row["pages"] == 10
    actions = " ".join(row["actions"])  # type: ignore[arg-type]
    assert "downsampled page images to" in actions and "JPEG at quality" in actions


@pytest.mark.slow
def test_packed_scan_keeps_at_least_150_dpi_on_every_page(
    big_scan: tuple[Path, PackResult, str],
) -> None:
    _, result, _ = big_scan
    reader = PdfReader(result.output / "transcript_Perez-Soto.pdf")
    assert len(reader.pages) == 10
    for page in reader.pages:
        width_in = float(page.mediabox.width) / 72
        height_in = float(page.mediabox.height) / 72
        xobjects = page["/Resources"]["/XObject"]
        images = [xobjects[k].get_object() for k in xobjects]
        assert images
        for im in images:
            assert int(im["/Width"]) / width_in >= 150
            assert int(im["/Height"]) / height_in >= 150


@pytest.mark.slow
def test_the_scan_source_is_untouched_and_the_manifest_matches(
    big_scan: tuple[Path, PackResult, str],
) -> None:
    src, result, before = big_scan
    assert sha(src) == before
    data = assert_manifest_matches_files(result.output)
    assert data["portal"] == "carms" and data["complete"] is False  # other items are missing
    missing = {s["slot"] for s in data["slots"] if s["status"] == "missing"}
    assert {"citizenship-or-pr", "mccqe1", "medical-diploma"} <= missing


@pytest.mark.slow
def test_the_packed_pdf_opens_in_pdfium(big_scan: tuple[Path, PackResult, str]) -> None:
    _, result, _ = big_scan
    pdf = pdfium.PdfDocument(result.output / "transcript_Perez-Soto.pdf")
    try:
        assert len(pdf) == 10
    finally:
        pdf.close()


# -- what cannot fit is reported, not degraded ---------------------------------------------


def test_a_file_that_cannot_fit_above_the_floors_is_reported_and_not_written(
    tmp_path: Path,
) -> None:
    root = canada_folder(tmp_path / "f")
    scan_pdf(root / "transcript.pdf", noisy_pages(2, (1275, 1650), 90, 90))
    custom = tmp_path / "tiny.yaml"
    custom.write_text(
        "extends: canada-carms\nportals:\n  carms:\n    max_bytes: 20000\n    source: test\n",
        encoding="utf-8",
    )
    result = pack(root, "carms", out=tmp_path / "out", track=str(custom), as_of=AS_OF, jobs=1)
    row = slot(result, "transcript")
    assert row["status"] == "too-large" and row["file"] is None
    assert "reached" in str(row["message"]) and "150 dpi" in str(row["message"])
    assert int(row["bytes"]) > 20000  # type: ignore[call-overload]
    assert not list(result.output.glob("transcript_*"))
    assert not result.complete


def test_a_file_already_under_the_limit_is_not_recompressed(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    src = scan_pdf(root / "transcript.pdf", noisy_pages(1, (1275, 1650), 20, 80))
    result = pack(root, "carms", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    row = slot(result, "transcript")
    assert row["status"] == "packed" and row["actions"] == ["copied unchanged"]
    # the source's own bytes, then an update that adds the marker (a signature stays valid)
    assert (result.output / str(row["file"])).read_bytes().startswith(src.read_bytes())
    reader = PdfReader(result.output / str(row["file"]))
    image = reader.pages[0]["/Resources"]["/XObject"]["/Im0"].get_object()
    assert (int(image["/Width"]), int(image["/Height"])) == (1275, 1650)


def drawn_ppi(pdf: Path) -> list[float]:
    """Each image's resolution as drawn on its page (pypdf's own CTM at every Do)."""
    reader = PdfReader(pdf)
    found: list[float] = []
    for page in reader.pages:
        xobjects = page["/Resources"]["/XObject"]
        sizes: dict[str, tuple[float, float]] = {}
        page.extract_text(visitor_operand_before=_remember_draws(sizes))
        for name, (w, h) in sizes.items():
            image = xobjects[name].get_object()
            found.append(min(int(image["/Width"]) / (w / 72), int(image["/Height"]) / (h / 72)))
    return found


def _remember_draws(sizes: dict[str, tuple[float, float]]) -> Any:
    def visit(op: bytes, args: list[object], cm: list[float], tm: list[float]) -> None:
        if op == b"Do":
            sizes[str(args[0])] = (abs(cm[0]) + abs(cm[2]), abs(cm[1]) + abs(cm[3]))

    return visit


def test_a_phone_scan_is_converted_and_fitted_keeping_150_dpi_as_drawn(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    (root / "transcript.jpg").write_bytes(noisy_pages(1, (2400, 3200), 60, 92)[0])
    custom = tmp_path / "tight.yaml"
    custom.write_text(
        "extends: canada-carms\nportals:\n  carms:\n    max_bytes: 400000\n    source: test\n",
        encoding="utf-8",
    )
    result = pack(root, "carms", out=tmp_path / "out", track=str(custom), as_of=AS_OF, jobs=1)
    row = slot(result, "transcript")
    assert row["status"] == "packed", row["message"]
    actions = row["actions"]
    assert "converted transcript.jpg (JPEG) to PDF" in actions  # type: ignore[operator]
    assert any(str(a).startswith("downsampled page images to") for a in actions)  # type: ignore[attr-defined]
    out = result.output / str(row["file"])
    assert out.stat().st_size <= 400000
    ppi = drawn_ppi(out)
    assert ppi and 149.5 <= min(ppi) < 250  # resampled, yet not below the floor


# -- photos, DOCX, encrypted ---------------------------------------------------------------


@pytest.mark.slow
def test_a_png_photo_becomes_a_jpeg_of_at_most_2_mb(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    size = (2400, 3000)
    noise = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    noise = noise.point(lambda v: 90 + v // 3)
    noise.save(root / "photo.png")
    assert (root / "photo.png").stat().st_size > 2_000_000
    result = pack(root, "carms", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    row = slot(result, "photo")
    assert row["status"] == "packed" and row["portal"] == "carms-photo"
    out = result.output / str(row["file"])
    assert out.name == "photo_Perez-Soto.jpg"
    assert out.stat().st_size <= 2_000_000
    with Image.open(out) as im:
        assert im.format == "JPEG"
        assert im.width >= 375 and im.height >= 525
    assert "converted from PNG to JPEG" in row["actions"]  # type: ignore[operator]


def test_a_docx_becomes_a_pdf_that_pdfium_opens(tmp_path: Path) -> None:
    import docx

    root = tmp_path / "f"
    root.mkdir()
    (root / "dossier.yaml").write_text(US_YAML, encoding="utf-8")
    document = docx.Document()
    document.add_heading("Curriculum Vitae", 0)
    document.add_heading("Education", 1)
    document.add_paragraph("Universidad Nacional Mayor de San Marcos, MD 2021")
    document.add_heading("Experience", 1)
    document.add_paragraph("Internal medicine rotations, Hospital Dos de Mayo")
    document.save(str(root / "cv.docx"))
    result = pack(root, "evsp", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    row = slot(result, "cv")
    assert row["status"] == "packed" and row["sources"] == ["cv.docx"]
    assert any("converted cv.docx" in a for a in row["actions"])  # type: ignore[attr-defined]
    pdf = pdfium.PdfDocument(result.output / "cv_Quispe-Mamani.pdf")
    try:
        assert len(pdf) >= 1
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "Curriculum Vitae" in text and "Dos de Mayo" in text


@pytest.mark.parametrize("user_password", ["", "secret"], ids=["owner-only", "user-password"])
def test_an_encrypted_pdf_is_reported_and_not_packed(tmp_path: Path, user_password: str) -> None:
    root = canada_folder(tmp_path / "f")
    plain = text_pdf(tmp_path / "plain.pdf", "MSPR", "Medical Student Performance Record")
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    with open(root / "mspr.pdf", "wb") as fh:
        writer.write(fh)
    text_pdf(root / "cv.pdf", "Curriculum Vitae", "Education", "Experience")
    result = pack(root, "carms", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    refused = {r.path: r.reason for r in result.refused}
    assert "mspr.pdf" in refused
    assert "password" in refused["mspr.pdf"]
    assert all("mspr.pdf" not in s.sources for s in result.slots if s.status == "packed")
    assert not list(result.output.glob("mspr_*"))
    assert slot(result, "cv")["status"] == "packed"
    assert not result.complete


def test_a_damaged_pdf_is_reported_with_what_to_do(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    (root / "transcript.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    result = pack(root, "carms", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    assert [r.path for r in result.refused] == ["transcript.pdf"]
    assert "damaged" in result.refused[0].reason and "replace the file" in result.refused[0].reason
    row = slot(result, "transcript")
    assert row["status"] == "not-packed" and row["sources"] == ["transcript.pdf"]
    assert not list(result.output.glob("transcript_*"))


# -- joining -------------------------------------------------------------------------------


def test_transcripts_of_two_schools_and_a_translation_join_into_one_pdf_for_carms(
    tmp_path: Path,
) -> None:
    root = canada_folder(tmp_path / "f", language="es")
    text_pdf(root / "transcript-1.pdf", "Certificado de Notas", "Universidad de Chile", pages=2)
    text_pdf(root / "transcript-2.pdf", "Academic Transcript", "Transfer school", pages=1)
    text_pdf(
        root / "transcript-translation.pdf",
        "Certified Translation",
        "I certify that this is a true and accurate translation of the Certificado de Notas.",
    )
    result = pack(root, "carms", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    row = slot(result, "transcript")
    assert row["status"] == "packed"
    assert row["sources"] == ["transcript-1.pdf", "transcript-2.pdf", "transcript-translation.pdf"]
    assert row["pages"] == 4 and "joined 3 documents" in row["actions"]  # type: ignore[operator]
    assert not [s for s in result.slots if s.item == "translation"]
    assert_manifest_matches_files(result.output)


def test_both_sides_of_a_pr_card_become_one_pdf(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    for side in ("front", "back"):
        card = Image.new("RGB", (1000, 630), (230, 230, 240))
        ImageDraw.Draw(card).text((60, 60), f"PERMANENT RESIDENT CARD {side}", fill=(0, 0, 0))
        card.save(root / f"pr-card-{side}.jpg")
    result = pack(root, "carms", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    row = slot(result, "citizenship-or-pr")
    assert row["status"] == "packed" and row["pages"] == 2
    assert row["sources"] == ["pr-card-back.jpg", "pr-card-front.jpg"]  # folder order
    assert row["file"] == "citizenship-or-pr_Perez-Soto.pdf"
    assert "joined 2 documents" in row["actions"]  # type: ignore[operator]


def test_mcc_takes_the_translation_unaltered_as_a_file_of_its_own(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f", language="es")
    text_pdf(root / "diploma" / "titulo-medico-cirujano.pdf", "Título de Médico Cirujano")
    translation = text_pdf(
        root / "diploma" / "certified-translation.pdf",
        "Certified Translation",
        "I certify that this is a true and accurate translation of the Título de Médico Cirujano",
    )
    result = pack(root, "mcc", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    diploma = slot(result, "medical-diploma")
    assert diploma["sources"] == ["diploma/titulo-medico-cirujano.pdf"]
    tr = slot(result, "medical-diploma-translation")
    assert tr["status"] == "packed" and tr["sources"] == ["diploma/certified-translation.pdf"]
    out = (result.output / str(tr["file"])).read_bytes()
    assert out.startswith(translation.read_bytes())  # the translator's bytes, then our marker
    assert OWN_OUTPUT_KEY in (PdfReader(result.output / str(tr["file"])).metadata or {})


def test_separate_translations_are_files_of_their_own_named_after_the_original(
    tmp_path: Path,
) -> None:
    root = canada_folder(tmp_path / "f", language="es")
    text_pdf(root / "transcript.pdf", "Certificado de Notas", "Universidad de Chile")
    text_pdf(root / "transcript-translation.pdf", "Certified Translation", "true and accurate")
    custom = tmp_path / "mine.yaml"
    custom.write_text(
        "extends: canada-carms\nportals:\n  carms:\n    translations: separate\n    source: test\n",
        encoding="utf-8",
    )
    result = pack(root, "carms", out=tmp_path / "out", track=str(custom), as_of=AS_OF, jobs=1)
    assert slot(result, "transcript")["sources"] == ["transcript.pdf"]
    tr = slot(result, "transcript-translation")
    assert tr["status"] == "packed" and tr["file"] == "transcript-translation_Perez-Soto.pdf"


def test_a_translation_without_its_original_is_said_to_stay_behind(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f", language="es")
    text_pdf(root / "transcript-translation.pdf", "Certified Translation", "true and accurate")
    result = pack(root, "carms", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    row = slot(result, "transcript")
    assert row["status"] == "missing"
    assert "transcript-translation.pdf is not packed either" in str(row["message"])


def test_a_bad_document_of_an_item_the_portal_does_not_take_is_not_its_concern(
    tmp_path: Path,
) -> None:
    canada = shutil.copytree(SAMPLES / "canada", tmp_path / "canada")
    (canada / "personal-letter-uottawa.docx").write_bytes(b"PK\x03\x04 not really a zip")
    result = pack(canada, "mcc", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    assert result.refused == () and result.complete


def test_reference_letters_are_one_file_each_and_say_who_uploads_them(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    for n in (1, 2):
        text_pdf(root / "letters" / f"reference-{n}.pdf", "Letter of Reference", "Dear Program")
    result = pack(root, "carms", out=tmp_path / "out", as_of=AS_OF, jobs=1)
    rows = [s for s in result.slots if s.item == "reference-letter"]
    assert [(s.slot, s.status) for s in rows] == [
        ("reference-letter-1", "packed"),
        ("reference-letter-2", "packed"),
        ("reference-letter-3", "missing"),
    ]
    assert "referee" in rows[0].message


def test_a_custom_slot_joins_the_documents_of_several_items(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    text_pdf(root / "mccqe1.pdf", "MCCQE Part I", "Statement of Results", pages=2)
    text_pdf(root / "nac.pdf", "NAC Examination", "Statement of Results")
    custom = tmp_path / "mine.yaml"
    custom.write_text(
        "extends: canada-carms\nportals:\n  carms:\n    source: test\n    slots:\n"
        "      - {id: exam-results, items: [mccqe1, nac]}\n",
        encoding="utf-8",
    )
    result = pack(root, "carms", out=tmp_path / "out", track=str(custom), as_of=AS_OF, jobs=1)
    row = slot(result, "exam-results")
    assert row["status"] == "packed" and row["item"] == "mccqe1+nac"
    assert row["sources"] == ["mccqe1.pdf", "nac.pdf"] and row["pages"] == 3
    assert [s.slot for s in result.slots] == ["exam-results"]  # the slots given replace the items


# -- names and the output folder -----------------------------------------------------------


def test_output_names_use_only_characters_every_portal_accepts(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f", family='Ñúñez "Jr" <O|Brien>*?:/\\\\')
    text_pdf(root / "cv.pdf", "Curriculum Vitae", "Education", "Experience")
    result = pack(root, "carms", as_of=AS_OF, jobs=1, out=tmp_path / "out")
    names = [p.name for p in result.output.iterdir()]
    assert "cv_Nunez-Jr-O-Brien.pdf" in names
    for name in names:
        assert not FORBIDDEN & set(name)
        assert name.isascii()


def test_safe_name_folds_accents_and_replaces_the_rest() -> None:
    assert safe_name("Quispe Mamani") == "Quispe-Mamani"
    assert safe_name("Müller-Lüdenscheidt") == "Muller-Ludenscheidt"
    assert safe_name("|*?:") == "applicant"
    assert default_output("Núñez García", "carms", Path("/x")) == Path("/x/nunez-garcia-carms")


def test_pack_refuses_a_non_empty_output_without_force(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    text_pdf(root / "cv.pdf", "Curriculum Vitae", "Education", "Experience")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match="--force"):
        pack(root, "carms", out=out, as_of=AS_OF, jobs=1)
    assert (out / "keep.txt").is_file()
    result = pack(root, "carms", out=out, force=True, as_of=AS_OF, jobs=1)
    assert not (out / "keep.txt").exists() and (out / "cv_Perez-Soto.pdf").is_file()
    assert result.output == out.resolve()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no leftovers


def test_pack_never_replaces_the_applicant_folder_even_with_force(tmp_path: Path) -> None:
    root = canada_folder(tmp_path / "f")
    cv = text_pdf(root / "cv.pdf", "Curriculum Vitae", "Education", "Experience")
    for out in (root, tmp_path, root / "sub"):
        if out == root / "sub":
            text_pdf(out / "transcript.pdf", "Academic Transcript")
        with pytest.raises(OutputError, match="refusing"):
            pack(root, "carms", out=out, force=True, as_of=AS_OF, jobs=1)
    assert cv.is_file()


@pytest.mark.slow
def test_pack_output_inside_the_folder_is_left_out_of_the_next_check(tmp_path: Path) -> None:
    from img_dossier.checking.pipeline import run_check

    root = canada_folder(tmp_path / "f")
    text_pdf(root / "cv.pdf", "Curriculum Vitae", "Education", "Experience")
    result = pack(root, "carms", out=root / "carms-upload", as_of=AS_OF, jobs=1)
    assert any('"carms-upload/*": ignore' in n for n in result.notes)
    report = run_check(root, as_of=AS_OF, jobs=1).report
    assert [d.rel for d in report.documents] == ["cv.pdf"]
    # packing again over its own earlier output (manifests, photo) is allowed with --force
    Image.new("RGB", (600, 800), (200, 180, 160)).save(root / "photo.png")
    pack(root, "carms", out=root / "carms-upload", force=True, as_of=AS_OF, jobs=1)
    assert (root / "carms-upload" / "photo_Perez-Soto.jpg").is_file()
    again = pack(root, "carms", out=root / "carms-upload", force=True, as_of=AS_OF, jobs=1)
    assert slot(again, "photo")["sources"] == ["photo.png"]  # not the packed copy
    assert any("written by an earlier pack" in n for n in again.notes)
    (root / "carms-upload" / "mine.pdf").write_bytes((root / "cv.pdf").read_bytes())
    with pytest.raises(OutputError, match=r"mine\.pdf"):
        pack(root, "carms", out=root / "carms-upload", force=True, as_of=AS_OF, jobs=1)


def test_samples_pack_completely_for_carms_and_ecfmg(tmp_path: Path) -> None:
    canada = shutil.copytree(SAMPLES / "canada", tmp_path / "canada")
    result = pack(canada, "carms", out=tmp_path / "carms", as_of=AS_OF, jobs=1)
    assert result.complete, [s.to_json() for s in result.slots if s.status != "packed"]
    assert_manifest_matches_files(result.output)
    us = shutil.copytree(SAMPLES / "us-j1", tmp_path / "us")
    result = pack(us, "ecfmg", out=tmp_path / "ecfmg", as_of=AS_OF, jobs=1)
    assert result.complete
    diploma = slot(result, "medical-diploma")
    assert diploma["sources"] == [
        "diploma/titulo-medico-cirujano.pdf",
        "diploma/certified-translation-en.pdf",
    ]
    assert slot(result, "photo")["portal"] == "eras-photo"


# -- portal data ---------------------------------------------------------------------------


def test_built_in_portals_carry_what_pack_needs() -> None:
    for track, portals in (("us", ("ecfmg", "evsp")), ("canada", ("carms", "mcc"))):
        checklist = load(track)
        for pid in portals:
            rules = portal_rules(checklist, pid)
            assert rules[0].max_bytes > 0 and rules[0].slots and rules[0].source
            assert rules[0].floors.min_dpi >= 150 and rules[0].floors.min_quality >= 60
            # a stand-in value says so in the data
            assert checklist.portals[pid].get("confirmed") is False or pid == "carms"
    assert [r.id for r in portal_rules(load("canada"), "carms")] == ["carms", "carms-photo"]
    assert [r.id for r in portal_rules(load("us"), "ecfmg")] == [
        "ecfmg",
        "eras-photo",
        "eras-documents",
    ]


def test_an_unknown_portal_names_the_ones_there_are() -> None:
    with pytest.raises(UnknownPortalError, match="carms, carms-photo, mcc"):
        portal_rules(load("canada"), "ecfmg")


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ("min_dpi: high", "portals.carms.min_dpi"),
        ("max_bytes: -1", "portals.carms.max_bytes"),
        ("translations: sometimes", "portals.carms.translations"),
        ("slots: [{id: 'a b', items: [cv]}]", "portals.carms.slots[1].id"),
        ("slots: [{id: cv, items: cv}]", "portals.carms.slots[1].items"),
        ("one_file_each: cv", "portals.carms.one_file_each"),
    ],
)
def test_bad_portal_data_names_the_file_and_the_field(
    tmp_path: Path, patch: str, field: str
) -> None:
    custom = tmp_path / "mine.yaml"
    custom.write_text(
        f"extends: canada-carms\nportals:\n  carms:\n    {patch}\n    source: test\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInputError) as err:
        portal_rules(load(str(custom)), "carms")
    assert str(custom) in str(err.value) and field in str(err.value)


# -- real-world producers ------------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
@pytest.mark.slow
def test_corpus_pdfs_pack_one_each_under_a_tight_limit_or_are_reported(tmp_path: Path) -> None:
    """Every real-world PDF is packed (pages kept, sound in qpdf and PDFium), reported too
    large with the size reached, or refused (005 encrypted, 017 damaged): never a crash."""
    import pikepdf

    root = tmp_path / "corpus"
    root.mkdir()
    for pdf in sorted(CORPUS.glob("*.pdf")):
        shutil.copyfile(pdf, root / pdf.name)
    (root / "dossier.yaml").write_text(
        'schema: 1\ntrack: canada\nfiles:\n  "*.pdf": reference-letter\n', encoding="utf-8"
    )
    tight = tmp_path / "tight.yaml"
    tight.write_text(
        "extends: canada-carms\nportals:\n  carms:\n    max_bytes: 40000\n    source: test\n",
        encoding="utf-8",
    )
    before = {p.name: sha(p) for p in root.glob("*.pdf")}
    result = pack(root, "carms", out=tmp_path / "out", track=str(tight), as_of=AS_OF, jobs=1)
    rows = [s for s in result.slots if s.item == "reference-letter"]
    refused = {r.path: r.reason for r in result.refused}
    encrypted = "005-libreoffice-writer-password_libreoffice-writer-password.pdf"
    assert "password" in refused.pop(encrypted)
    untranslated = {p for p, why in refused.items() if "translation of it was found" in why}
    assert set(refused) - untranslated <= {"017-unreadable-meta-data_unreadablemetadata.pdf"}
    assert len(rows) + len(result.refused) == len(before)
    statuses = {s.status for s in rows}
    assert statuses <= {"packed", "too-large"} and "packed" in statuses
    for s in rows:
        if s.status == "too-large":
            assert s.file is None and s.bytes is not None and s.bytes > 40000
            assert "reached" in s.message
            continue
        out = result.output / str(s.file)
        assert out.stat().st_size <= 40000
        source_pages = len(PdfReader(root / s.sources[0]).pages)
        with pikepdf.open(out) as pdf:
            assert len(pdf.pages) == source_pages == s.pages
        doc = pdfium.PdfDocument(out)
        try:
            assert len(doc) == source_pages
            doc[0].render(scale=0.2)
        finally:
            doc.close()
    assert {p.name: sha(p) for p in root.glob("*.pdf")} == before
    assert_manifest_matches_files(result.output)


@pytest.mark.parametrize("claimed", [b"20000", b"9000"], ids=["pixel-bomb", "mismatch"])
def test_a_lying_image_in_a_pdf_is_left_alone_not_a_crash(tmp_path: Path, claimed: bytes) -> None:
    """An image whose dictionary claims far more pixels than its JPEG data holds."""
    from img_dossier.output.shrink import Floors, fit_pdf

    pdf = scan_pdf(tmp_path / "lying.pdf", noisy_pages(1, (400, 500), 200, 95))
    data = pdf.read_bytes().replace(
        b"/Width 400 /Height 500", b"/Width " + claimed + b" /Height " + claimed
    )
    fitted = fit_pdf(data, 1000, Floors())
    assert not fitted.fits and fitted.pages == 1
    assert not any("downsampled" in a for a in fitted.actions)


def test_manifest_csv_cells_from_file_names_cannot_run_as_spreadsheet_formulas(
    tmp_path: Path,
) -> None:
    root = canada_folder(tmp_path / "f")
    text_pdf(root / "=HYPERLINK(cv).pdf", "Curriculum Vitae", "Education", "Experience")
    result = pack(root, "carms", as_of=AS_OF, jobs=1, out=tmp_path / "out")
    text = (result.output / "manifest.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    cv = next(r for r in rows if r["item"] == "cv")
    assert cv["sources"] == "'=HYPERLINK(cv).pdf"


def test_replacing_an_output_that_is_a_link_to_a_folder_leaves_no_link_aside(
    tmp_path: Path,
) -> None:
    """--force on an output that is a link: the new folder takes the link's place, the
    folder it pointed to is untouched, and the link moved aside is removed (not left)."""
    from img_dossier.output.pack import _publish

    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "manifest.json").write_text("earlier", encoding="utf-8")
    out = tmp_path / "out"
    out.symlink_to(linked)
    staging = tmp_path / ".out.staging"
    staging.mkdir()
    (staging / "manifest.json").write_text("new", encoding="utf-8")
    _publish(staging, out)
    assert not out.is_symlink() and (out / "manifest.json").read_text() == "new"
    assert (linked / "manifest.json").read_text() == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linked", "out"]
