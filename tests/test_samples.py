"""The sample folders and the document factory in samples/make_samples.py."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from img_dossier.cli import cli
from img_dossier.config.checklist import load
from img_dossier.config.profile import load_profile
from img_dossier.errors import ExitCode
from img_dossier.model import OWN_OUTPUT_KEY

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
sys.path.insert(0, str(SAMPLES))
import make_samples as ms  # noqa: E402

#: Item ids as INTERFACE.md lists them.
INTERFACE_ITEMS = {
    "us": {
        "passport",
        "medical-diploma",
        "translation",
        "transcript",
        "mspe",
        "usmle-step1",
        "usmle-step2-ck",
        "usmle-step3",
        "ecfmg-certificate",
        "oet-medicine",
        "pathway",
        "letter-of-recommendation",
        "personal-statement",
        "cv",
        "photo",
        "statement-of-need",
        "training-contract",
    },
    "canada": {
        "citizenship-or-pr",
        "mccqe1",
        "nac",
        "language-proficiency",
        "medical-diploma",
        "mspr",
        "transcript",
        "reference-letter",
        "cv",
        "personal-letter",
        "photo",
        "translation",
        "mcc-source-verification",
        "fmproc",
    },
}
CHECKLIST_IDS = {"us": "us-eras", "canada": "canada-carms"}
AS_OF = "2026-11-29"


def text_of(path: Path) -> str:
    """What a reader of the file sees, whitespace collapsed."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    elif suffix == ".docx":
        d = docx.Document(str(path))
        parts = [p.text for p in d.paragraphs]
        parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
        text = "\n".join(parts)
    elif suffix in (".jpg", ".jpeg", ".png"):
        with Image.open(path) as img:
            return f"{img.format} {img.size} {hashlib.sha256(img.tobytes()).hexdigest()}"
    else:
        text = path.read_text(encoding="utf-8")
    return " ".join(text.split())


def files_of(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def check(folder: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["check", str(folder), "--as-of", AS_OF, "--jobs", "1", *args])


# --- the factory ---------------------------------------------------------------------


def test_every_item_of_both_tracks_has_a_factory() -> None:
    for track, items in INTERFACE_ITEMS.items():
        assert set(ms.ITEM_DOCUMENTS[track]) == items
        assert set(ms.ITEM_IDS[track]) == items
        checklist = load(CHECKLIST_IDS[track])
        assert {i.id for i in checklist.items} == items, track


def _every_item() -> Iterator[tuple[str, str]]:
    for track, items in sorted(INTERFACE_ITEMS.items()):
        for item in sorted(items):
            yield track, item


@pytest.mark.parametrize(("track", "item"), list(_every_item()))
def test_factory_writes_a_readable_document_naming_the_applicant(
    track: str, item: str, tmp_path: Path
) -> None:
    person = ms.default_person(track)
    if item == "photo":
        path = ms.make_document(track, item, tmp_path / "photo.jpg")
        with Image.open(path) as img:
            assert img.format == "JPEG" and img.size == (375, 525)
        return
    path = ms.make_document(track, item, tmp_path / f"{item}.pdf", variant=1)
    reader = PdfReader(path)
    assert len(reader.pages) >= 1
    assert OWN_OUTPUT_KEY not in (reader.metadata or {})
    text = text_of(path).lower()
    if item != "personal-statement":  # ERAS statements are anonymous prose
        assert person.family_name.lower() in text
    for suffix in (".docx", ".txt"):
        other = text_of(ms.make_document(track, item, tmp_path / f"{item}{suffix}", variant=1))
        other = other.lower()
        assert other.split()[:3] == text.split()[:3]


def test_factory_refuses_unknown_items_and_formats(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no document factory"):
        ms.make_document("us", "mccqe1", tmp_path / "x.pdf")
    with pytest.raises(ValueError, match="unknown track"):
        ms.make_document("mars", "cv", tmp_path / "x.pdf")
    with pytest.raises(ValueError, match=r"\.jpg or \.png"):
        ms.make_document("us", "photo", tmp_path / "photo.pdf")
    with pytest.raises(ValueError, match=r"\.pdf, \.docx or \.txt"):
        ms.make_document("us", "cv", tmp_path / "cv.odt")


def test_documents_carry_the_official_wording() -> None:
    us, ca = ms.US_APPLICANT, ms.CANADA_APPLICANT

    def words(track: str, item: str, variant: int = 0) -> str:
        content = ms.content_for(track, item, variant=variant)
        assert isinstance(content, ms.Doc)
        return " ".join(ms.doc_text(content).split())

    son = words("us", "statement-of-need")
    assert (
        "There currently exists in Peru a need for qualified medical practitioners in the "
        "speciality of Internal Medicine. Lucia Fernanda Quispe Mamani has filed a written "
        "assurance with the government of this country that he/she will return to this "
        "country upon completion of training in the United States and intends to enter the "
        "practice of medicine in the speciality for which training is being sought."
    ) in son
    assert "Educational Commission for Foreign Medical Graduates" in son
    assert "Official, Ministry of Health" in son
    cert = words("us", "ecfmg-certificate")
    for phrase in (
        "This is to certify that",
        "USMLE/ECFMG Identification Number",
        "valid indefinitely",
        us.usmle_id,
    ):
        assert phrase in cert
    assert "Step 2 Clinical Knowledge (CK)" in words("us", "usmle-step2-ck")
    assert "United States Medical Licensing Examination" in words("us", "usmle-step1")
    oet = words("us", "oet-medicine")
    assert all(
        s in oet
        for s in ("Statement of Results", "Listening", "Reading", "Writing", "Speaking", "Medicine")
    )
    translation = words("us", "translation")
    assert (
        "I, Carmen Rosa Villanueva Ríos, certify that the word-for-word translation is correct"
        in translation
    )
    diploma = words("us", "medical-diploma")
    assert all(
        s in diploma for s in ("Título de Médico Cirujano", us.school, "Facultad de Medicina")
    )
    contract = words("us", "training-contract")
    assert all(
        s in contract for s in ("Resident Agreement of Appointment", "PGY-1", "July 1, 2027")
    )
    mspe = words("us", "mspe")
    assert all(
        s in mspe
        for s in (
            "Medical Student Performance Evaluation",
            "Noteworthy Characteristics",
            "Academic History",
        )
    )
    assert "Dear Program Director" in words("us", "letter-of-recommendation", 2)
    assert "I certify this to be a true copy of the original document" in words(
        "canada", "citizenship-or-pr"
    )
    for item in ("mccqe1", "nac"):
        text = words("canada", item)
        assert all(
            s in text
            for s in ("Medical Council of Canada", "Statement of Results", "Pass", ca.full_name)
        )
    ielts = words("canada", "language-proficiency")
    assert all(s in ielts for s in ("Test Report Form", "ACADEMIC", "Overall Band Score"))
    assert "Medical Student Performance Record" in words("canada", "mspr")


def test_letters_come_from_local_and_foreign_referees_with_addresses() -> None:
    us_letters = [ms.doc_text(ms.recommendation_letter(ms.US_APPLICANT, v)) for v in range(3)]
    assert len(set(us_letters)) == 3
    assert any(re.search(r"\b[A-Z]{2} \d{5}\b", t) for t in us_letters)  # state + ZIP
    ca_letters = [ms.doc_text(ms.reference_letter(ms.CANADA_APPLICANT, v)) for v in range(3)]
    assert len(set(ca_letters)) == 3
    assert any(re.search(r"Ontario [A-Z]\d[A-Z] \d[A-Z]\d", t) for t in ca_letters)
    for referee in (*ms.US_REFEREES, *ms.CANADA_REFEREES):
        assert date(2026, 1, 1) <= referee.written <= ms.AS_OF


def test_unicode_names_are_embedded_and_extracted(tmp_path: Path) -> None:
    """The letter from Dr. Nguyễn needs the bundled font; its name survives extraction."""
    path = ms.make_document("us", "letter-of-recommendation", tmp_path / "l.pdf", variant=2)
    assert "Nguyễn Thị Mai" in text_of(path)
    fonts = {
        str(f["/BaseFont"])
        for f in PdfReader(path).pages[0]["/Resources"]["/Font"].values()  # type: ignore[union-attr]
    }
    assert any("DejaVuSans" in f for f in fonts)


# --- MRZ -----------------------------------------------------------------------------

ICAO_LINE1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
ICAO_LINE2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"


def test_mrz_check_digits_match_the_icao_9303_example() -> None:
    assert ms.mrz_check_digit("L898902C3") == "6"
    assert ms.mrz_check_digit("740812") == "2"
    assert ms.mrz_check_digit("120415") == "9"
    anna = dataclasses.replace(
        ms.US_APPLICANT,
        given_names="Anna María",
        family_name="Eriksson",
        sex="F",
        country_code="UTO",
        passport_number="L898902C3",
        birth_date=date(1974, 8, 12),
        passport_expiry=date(2012, 4, 15),
        personal_number="ZE184226B",
    )
    assert ms.td3_mrz(anna) == (ICAO_LINE1, ICAO_LINE2)
    assert ms.td3_valid(ICAO_LINE1, ICAO_LINE2)


def test_a_wrong_digit_fails_the_mrz_check() -> None:
    for position in (9, 19, 27, 43):
        digit = ICAO_LINE2[position]
        broken = ICAO_LINE2[:position] + str((int(digit) + 1) % 10) + ICAO_LINE2[position + 1 :]
        assert not ms.td3_valid(ICAO_LINE1, broken), position
    assert not ms.td3_valid(ICAO_LINE1, ICAO_LINE2[:-1])


@pytest.mark.parametrize("person", [ms.US_APPLICANT, ms.CANADA_APPLICANT])
def test_passport_copy_has_a_valid_machine_readable_zone(person: ms.Person, tmp_path: Path) -> None:
    path = ms.make_document("us", "passport", tmp_path / "passport.pdf", person)
    lines = [w for w in text_of(path).split() if len(w) == 44 and "<" in w]
    assert len(lines) == 2
    assert ms.td3_valid(*lines)
    line1, line2 = lines
    assert line1.startswith(f"P<{person.country_code}{ms.mrz_text(person.family_name)}<<")
    assert line2[:9].rstrip("<") == person.passport_number
    assert line2[21:27] == person.passport_expiry.strftime("%y%m%d")


# --- folders -------------------------------------------------------------------------


def test_generator_is_deterministic(tmp_path: Path) -> None:
    for track in ("us", "canada"):
        a = ms.build_folder(track, tmp_path / "a" / track)
        b = ms.build_folder(track, tmp_path / "b" / track)
        assert files_of(a) == files_of(b)
        for rel in files_of(a):
            assert text_of(a / rel) == text_of(b / rel), rel


def test_committed_samples_are_what_the_generator_makes(tmp_path: Path) -> None:
    ms.build_samples(tmp_path)
    for name in ms.SAMPLE_FOLDERS:
        committed, fresh = SAMPLES / name, tmp_path / name
        assert files_of(committed) == files_of(fresh), (
            f"samples/{name} is stale: run python samples/make_samples.py"
        )
        for rel in files_of(fresh):
            assert text_of(committed / rel) == text_of(fresh / rel), (
                f"samples/{name}/{rel} is stale: run python samples/make_samples.py"
            )


def test_sample_folders_are_small_and_photos_fit_the_eras_rules() -> None:
    total = 0
    for name in ms.SAMPLE_FOLDERS:
        for rel in files_of(SAMPLES / name):
            path = SAMPLES / name / rel
            size = path.stat().st_size
            total += size
            if path.suffix == ".pdf":
                assert size < 60_000, rel
                assert OWN_OUTPUT_KEY not in (PdfReader(path).metadata or {})
        with Image.open(SAMPLES / name / "photo.jpg") as img:
            assert img.format == "JPEG"
            assert img.size == (375, 525)
            assert tuple(round(d) for d in img.info["dpi"]) == (150, 150)
        assert (SAMPLES / name / "photo.jpg").stat().st_size < 150 * 1024
    assert total < 1024 * 1024


def test_sample_profiles_load_and_dates_are_valid() -> None:
    us = load_profile(SAMPLES / "us-j1")
    assert us.track == "us" and us.training.visa == "J-1" and us.ecfmg_certified is True
    assert us.medical_school.language == "es"
    assert us.applicant.full_name == "Lucia Fernanda Quispe Mamani"
    assert us.training.start == date(2027, 7, 1) and us.training.end == date(2030, 6, 30)
    assert us.dates["passport_expiry"] >= us.training.end + timedelta(days=183)
    assert us.dates["passport_expiry"].year >= 2031
    ca = load_profile(SAMPLES / "canada")
    assert ca.track == "canada" and ca.training.province == "ON"
    assert ca.applicant.status == "permanent-resident"
    assert ca.applicant.full_name != us.applicant.full_name


def test_meaningless_names_look_like_scanner_and_phone_files(tmp_path: Path) -> None:
    folder = ms.build_folder("us", tmp_path / "us", names="meaningless")
    names = [n for n in files_of(folder) if n != "dossier.yaml"]
    assert len(names) == len(ms.LAYOUTS["us"])
    pattern = re.compile(
        r"^(Scan_\d{4}|document\(\d\)|download(\(\d\))?|letter(\(\d\))?|"
        r"untitled|Document1|IMG_\d{4})\.(pdf|txt|docx|jpg)$"
    )
    assert all(pattern.match(n) for n in names), names


def test_build_folder_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    ms.build_folder("canada", tmp_path / "c")
    with pytest.raises(FileExistsError):
        ms.build_folder("canada", tmp_path / "c")
    ms.build_folder("canada", tmp_path / "c", overwrite=True)
    assert (tmp_path / "c" / "dossier.yaml").is_file()


# --- the checker on the samples ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ms.SAMPLE_FOLDERS))
def test_committed_samples_pass_dossier_check(name: str) -> None:
    result = check(SAMPLES / name, "--json")
    assert result.exit_code == ExitCode.OK, result.output
    report = json.loads(result.stdout)
    assert report["complete"] is True
    assert all(d["item"] for d in report["documents"] if d["format"] != "jpeg")


@pytest.mark.parametrize("track", ["us", "canada"])
def test_every_factory_document_is_recognised_by_its_content(track: str, tmp_path: Path) -> None:
    """Each document under a name that says nothing (doc_00.pdf) is still classified."""
    folder = tmp_path / track
    folder.mkdir()
    person = ms.default_person(track)
    (folder / "dossier.yaml").write_text(ms.dossier_yaml(track, person), encoding="utf-8")
    expected = {}
    for n, item in enumerate(ms.ITEM_IDS[track]):
        if item != "photo":
            ms.make_document(track, item, folder / f"doc_{n:02d}.pdf", person)
            expected[f"doc_{n:02d}.pdf"] = item
    report = json.loads(check(folder, "--json").stdout)
    got = {d["path"]: (d["item"], d["classified_by"]) for d in report["documents"]}
    assert got == {name: (item, "content") for name, item in expected.items()}


def test_manifest_folder_is_classified_by_manifest(tmp_path: Path) -> None:
    folder = ms.build_folder("canada", tmp_path / "c", names="meaningless", manifest=True)
    result = check(folder, "--json")
    assert result.exit_code == ExitCode.OK, result.output
    report = json.loads(result.stdout)
    assert {d["classified_by"] for d in report["documents"]} == {"manifest"}
