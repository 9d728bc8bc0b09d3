"""`dossier init`: a commented dossier.yaml that loads, never overwritten without --force."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from reportlab.pdfgen import canvas

from img_dossier.cli import cli
from img_dossier.config.checklist import load
from img_dossier.config.profile import load_profile, parse_profile
from img_dossier.errors import ExitCode
from img_dossier.facts.mrz import check_digit
from img_dossier.starter import Inferred, init_folder, render


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["init", *args])


def mrz_lines(surname: str, given: str, *, expiry: str = "300501", good: bool = True) -> list[str]:
    """A TD3 zone (ICAO 9303) with correct check digits, or a wrong composite digit."""
    line1 = f"P<PER{surname.replace(' ', '<')}<<{given.replace(' ', '<')}".ljust(44, "<")
    number, birth, personal = "A12345678", "950312", "<" * 14
    body = (
        f"{number}{check_digit(number)}PER{birth}{check_digit(birth)}F"
        f"{expiry}{check_digit(expiry)}{personal}{check_digit(personal)}"
    )
    composite = check_digit(body[0:10] + body[13:20] + body[21:43])
    return [line1, body + str(composite if good else (composite + 1) % 10)]


def passport_pdf(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path))
    pdf.setFont("Courier", 10)
    pdf.drawString(50, 700, "REPUBLICA DEL PERU  PASAPORTE / PASSPORT")
    pdf.drawString(50, 680, "Nationality PERUANA  Date of birth 12 MAR 1995")
    pdf.drawString(50, 660, "Date of expiry 01 MAY 2030")
    for n, line in enumerate(lines):
        pdf.drawString(20, 100 - 15 * n, line)
    pdf.save()
    return path


def profile_of(folder: Path, track: str) -> dict[str, object]:
    checklist = load(track)
    profile = load_profile(folder, item_ids=lambda: checklist.item_ids)
    assert profile.path == folder / "dossier.yaml"
    return dict(profile.raw)


@pytest.mark.parametrize("track", ["us", "canada"])
def test_init_writes_a_commented_file_that_loads(tmp_path: Path, track: str) -> None:
    folder = tmp_path / "lucia"
    result = run(str(folder), "--track", track)
    assert result.exit_code == ExitCode.OK, result.output
    path = folder / "dossier.yaml"
    assert result.stdout.strip() == str(path)
    assert "FILL IN" in result.stderr and "dossier check" in result.stderr
    raw = profile_of(folder, track)
    assert raw["schema"] == 1 and raw["track"] == track
    text = path.read_text(encoding="utf-8")
    # every key the file sets is explained by a comment on its line or the line above
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#") and ":" in line:
            assert "#" in line or lines[n - 1].lstrip().startswith("#"), line
    assert text.count("FILL IN") >= 4
    for item in load(track).items:  # the item ids a user may map under files:
        assert item.id in text


def test_us_and_canada_files_ask_their_own_questions(tmp_path: Path) -> None:
    run(str(tmp_path / "us"), "--track", "us")
    run(str(tmp_path / "ca"), "--track", "canada")
    us = yaml.safe_load((tmp_path / "us" / "dossier.yaml").read_text(encoding="utf-8"))
    ca = yaml.safe_load((tmp_path / "ca" / "dossier.yaml").read_text(encoding="utf-8"))
    assert "visa" in us["training"] and "ecfmg_certified" in us
    assert "province" not in us["training"] and "language_exempt" not in us
    assert "province" in ca["training"] and "language_exempt" in ca
    assert "visa" not in ca["training"] and "ecfmg_certified" not in ca
    # unknowns are left empty, so nothing is decided for the applicant
    assert us["training"]["visa"] is None and us["ecfmg_certified"] is None
    assert ca["language_exempt"] is None


def test_filled_in_file_validates(tmp_path: Path) -> None:
    """Filling in the blanks the way the comments say gives a valid profile."""
    folder = tmp_path / "docs"
    init_folder(folder, "us", read_documents=False)
    data = yaml.safe_load((folder / "dossier.yaml").read_text(encoding="utf-8"))
    data["applicant"].update(given_names="Lucia Fernanda", family_name="Quispe Mamani")
    data["medical_school"].update(language="es", graduation_year=2021)
    data["training"].update(visa="J-1", start="2027-07-01", specialty="Internal Medicine")
    data["ecfmg_certified"] = True
    data["dates"] = {"passport_expiry": "2030-05-01"}
    data["files"] = {"Scan_0001.pdf": "medical-diploma"}
    checklist = load("us")
    profile = parse_profile(data, item_ids=lambda: checklist.item_ids)
    assert profile.training.visa == "J-1" and profile.conditions()["ecfmg_certified"] is True


def test_uncommenting_the_examples_keeps_the_file_valid(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    init_folder(folder, "canada", read_documents=False)
    path = folder / "dossier.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  # passport_expiry:", "  passport_expiry:")
    text = text.replace('  # "Scan_0001.pdf":', '  "Scan_0001.pdf":')
    path.write_text(text, encoding="utf-8")
    profile = load_profile(folder, item_ids=lambda: load("canada").item_ids)
    assert str(profile.dates["passport_expiry"]) == "2030-05-01"
    assert profile.files == {"Scan_0001.pdf": "medical-diploma"}


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / "dossier.yaml"
    path.write_text("schema: 1\ntrack: us\n# my notes\n", encoding="utf-8")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = run(str(folder), "--track", "canada")
    assert result.exit_code == ExitCode.OUTPUT  # would overwrite a file of the user's
    assert f"{path} exists; use --force to replace it" in result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    forced = run(str(folder), "--track", "canada", "--force")
    assert forced.exit_code == ExitCode.OK
    assert "replaced" in forced.stderr
    assert profile_of(folder, "canada")["track"] == "canada"
    assert [p.name for p in folder.iterdir()] == ["dossier.yaml"]  # no temp file left


def test_force_replaces_an_invalid_file(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "dossier.yaml").write_text("training: {start: next july}\n", encoding="utf-8")
    assert run(str(folder), "--track", "us", "--force").exit_code == ExitCode.OK
    assert profile_of(folder, "us")["track"] == "us"


def test_creates_missing_folders(tmp_path: Path) -> None:
    folder = tmp_path / "clients" / "new" / "applicant"
    assert run(str(folder), "--track", "us", "-q").exit_code == ExitCode.OK
    assert (folder / "dossier.yaml").is_file()


def test_bad_track_and_file_in_the_way_are_bad_input(tmp_path: Path) -> None:
    result = run(str(tmp_path / "x"), "--track", "mars")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "unknown checklist or track 'mars'" in result.stderr
    assert not (tmp_path / "x").exists()  # nothing created for a command that failed
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(str(blocker), "--track", "us")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "not a folder" in result.stderr


def test_track_is_required() -> None:
    result = run("somewhere")
    assert result.exit_code == ExitCode.USAGE


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores modes")
def test_unwritable_folder_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run(str(folder), "--track", "us", "--no-read")
    finally:
        folder.chmod(0o700)
    assert result.exit_code == ExitCode.OUTPUT
    assert "cannot be written" in result.stderr


def test_unwritable_target_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "dossier.yaml").mkdir(parents=True)  # a folder where the file should go
    result = run(str(folder), "--track", "us", "--force", "--no-read")
    assert result.exit_code == ExitCode.OUTPUT
    assert f"{folder / 'dossier.yaml'}: cannot be written" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["dossier.yaml"]  # no temp file left


def test_custom_checklist_track_is_written_relative_to_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    custom = folder / "our-list.yaml"
    custom.write_text("extends: us-eras\ndrop: [photo]\n", encoding="utf-8")
    result = run(str(folder), "--track", str(custom))
    assert result.exit_code == ExitCode.OK, result.output
    raw = yaml.safe_load((folder / "dossier.yaml").read_text(encoding="utf-8"))
    assert raw["track"] == "our-list.yaml"
    assert "visa" in raw["training"]  # the US questions: it extends the US checklist
    checked = CliRunner().invoke(cli, ["check", str(folder), "--json"])
    assert '"id": "our-list"' in checked.stdout


def test_name_is_read_from_a_passport_mrz(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    passport_pdf(folder / "id" / "scan1.pdf", mrz_lines("QUISPE MAMANI", "LUCIA FERNANDA"))
    result = run(str(folder), "--track", "us")
    assert result.exit_code == ExitCode.OK, result.output
    assert "read from id/scan1.pdf" in result.stderr
    raw = profile_of(folder, "us")
    assert raw["applicant"] == {
        "given_names": "Lucia Fernanda",
        "family_name": "Quispe Mamani",
        "other_names": [],
        "citizenship": [],
        "status": None,
    }
    text = (folder / "dossier.yaml").read_text(encoding="utf-8")
    assert "read from id/scan1.pdf (machine-readable zone); check capitals and accents" in text
    # the expiry is not copied into dates: a renewed passport scan must not be overridden
    assert raw["dates"] is None


def test_a_zone_with_a_wrong_check_digit_infers_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    passport_pdf(folder / "passport.pdf", mrz_lines("QUISPE", "LUCIA", good=False))
    assert run(str(folder), "--track", "us").exit_code == ExitCode.OK
    raw = profile_of(folder, "us")
    assert raw["applicant"]["given_names"] is None  # type: ignore[index]
    assert raw["applicant"]["family_name"] is None  # type: ignore[index]


def test_two_different_passports_infer_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    passport_pdf(folder / "passport.pdf", mrz_lines("QUISPE", "LUCIA"))
    passport_pdf(folder / "passport-husband.pdf", mrz_lines("ROJAS", "PEDRO"))
    assert run(str(folder), "--track", "us").exit_code == ExitCode.OK
    assert profile_of(folder, "us")["applicant"]["family_name"] is None  # type: ignore[index]


def test_damaged_and_encrypted_documents_do_not_stop_init(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "passport.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>>\ntrailer garbage")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    encrypted = corpus / "005-libreoffice-writer-password_libreoffice-writer-password.pdf"
    if encrypted.is_file():
        (folder / "transcript.pdf").write_bytes(encrypted.read_bytes())
    result = run(str(folder), "--track", "canada")
    assert result.exit_code == ExitCode.OK, result.output
    assert profile_of(folder, "canada")["applicant"]["given_names"] is None  # type: ignore[index]


def test_render_quotes_inferred_values_safely() -> None:
    inferred = Inferred(given_names='Ana: "Maria"', family_name="O'Neil #1", source="p.pdf")
    text = render(load("us"), "us", inferred)
    data = yaml.safe_load(text)
    assert data["applicant"]["given_names"] == 'Ana: "Maria"'
    assert data["applicant"]["family_name"] == "O'Neil #1"
