"""Issue 11: nothing private is shipped, and every non-ok item says why by code."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from img_dossier.checking.pipeline import run_check
from img_dossier.cli import cli
from img_dossier.errors import ExitCode

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
AS_OF = "2026-11-30"


def text_pdf(path: Path, lines: list[str]) -> None:
    c = Canvas(str(path), pagesize=letter)
    y = 720
    for line in lines:
        c.drawString(72, y, line)
        y -= 16
    c.showPage()
    c.save()


def dossier_text(path: Path) -> str:
    """The dossier's text by two engines (pypdf and PDFium), joined."""
    first = "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)
    doc = pdfium.PdfDocument(str(path))
    try:
        second = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    with pikepdf.open(path) as pdf:  # and it opens cleanly in qpdf
        assert pdf.check_pdf_syntax() == []
    return first + "\n" + second


def build(folder: Path, out: Path, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(
        cli, ["build", str(folder), "-o", str(out), "--as-of", AS_OF, "--json", *extra]
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """The us-j1 sample plus private files under the names people give them."""
    folder = tmp_path / "client"
    shutil.copytree(SAMPLES / "us-j1", folder)
    text_pdf(
        folder / "tax-2025.pdf",
        [
            "Form 1040-NR U.S. Nonresident Alien Income Tax Return 2025",
            "Department of the Treasury Internal Revenue Service",
            "Your identifying number 123-45-6789 TAXSECRET",
        ],
    )
    text_pdf(
        folder / "DS-160 confirmation.pdf",
        ["Nonimmigrant Visa Application DS-160", "Confirmation number AA00VISASECRET"],
    )
    bank = folder / "bank-statement.pdf"
    text_pdf(bank, ["Account statement BANKSECRET balance 1,234.56"])
    writer = PdfWriter(clone_from=PdfReader(bank))
    writer.encrypt("secret")
    with bank.open("wb") as fh:
        writer.write(fh)
    Image.new("RGB", (640, 480), (10, 120, 200)).save(folder / "IMG-20250101-WA0001.jpg")
    return folder


def test_private_files_stay_out_of_the_dossier_and_are_listed(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    _, data = build(mixed, out)
    text = dossier_text(out)
    for secret in ("TAXSECRET", "VISASECRET", "BANKSECRET", "1040-NR", "DS-160"):
        assert secret not in text
    left = {x["path"]: x["reason"] for x in data["dossier"]["left_out"]}
    for rel in ("tax-2025.pdf", "DS-160 confirmation.pdf", "IMG-20250101-WA0001.jpg"):
        assert left[rel].startswith("unclassified")
        assert "--include-unclassified" in left[rel]
        assert rel not in text  # not even its name is printed in the dossier
    assert left["bank-statement.pdf"].startswith("encrypted")
    assert all(s["item"] is not None for s in data["dossier"]["sections"])
    # the classified documents are all there
    placed = {d for s in data["dossier"]["sections"] for d in s["documents"]}
    assert "passport.pdf" in placed and "mspe.pdf" in placed


def test_the_text_report_lists_what_was_left_out(mixed: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["build", str(mixed), "-o", str(tmp_path / "d.pdf"), "--as-of", AS_OF]
    )
    assert "Left out of the dossier (4):" in result.stdout
    assert "  tax-2025.pdf: unclassified" in result.stdout


def test_include_unclassified_adds_an_other_documents_section(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    _, data = build(mixed, out, "--include-unclassified")
    text = dossier_text(out)
    assert "TAXSECRET" in text and "VISASECRET" in text
    assert "BANKSECRET" not in text  # encrypted: still left out
    others = [s for s in data["dossier"]["sections"] if s["item"] is None]
    assert len(others) == 1
    assert set(others[0]["documents"]) == {
        "DS-160 confirmation.pdf",
        "IMG-20250101-WA0001.jpg",
        "tax-2025.pdf",
    }
    assert [x["path"] for x in data["dossier"]["left_out"]] == ["bank-statement.pdf"]


def test_problems_sample_passport_is_too_short_not_expired_and_in_the_dossier(
    tmp_path: Path,
) -> None:
    out = tmp_path / "d.pdf"
    code, data = build(SAMPLES / "problems", out)
    assert code == ExitCode.INCOMPLETE
    items = {i["id"]: i for i in data["items"]}
    passport = items["passport"]
    assert passport["status"] == "invalid"
    assert [p["code"] for p in passport["problems"]] == ["validity-too-short"]
    docs = {d["path"]: d for d in data["documents"]}
    assert [p["code"] for p in docs["passport.pdf"]["problems"]] == ["validity-too-short"]
    placed = {d for s in data["dossier"]["sections"] for d in s["documents"]}
    # every readable classified document goes in, whatever its item's status
    assert {"passport.pdf", "exams/oet-statement-of-results.pdf", "j1/statement-of-need.pdf"} <= (
        placed
    )
    assert data["dossier"]["left_out"] == []
    assert [p["code"] for p in items["oet-medicine"]["problems"]] == ["below-minimum"]
    assert items["statement-of-need"]["problems"][0]["code"] in (
        "wrong-specialty",
        "missing-element",
    )
    assert "invalid" in dossier_text(out)  # the index shows the status


@pytest.mark.parametrize("sample", ["us-j1", "canada", "problems"])
def test_every_item_that_is_not_ok_carries_a_coded_problem(sample: str) -> None:
    report = run_check(SAMPLES / sample, as_of=date(2026, 11, 30)).report
    for item in report.items:
        if item.status in ("ok", "not-required", "optional-missing"):
            continue
        assert item.problems, (item.id, item.status)


def test_a_missing_item_has_the_code_missing(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    shutil.copytree(SAMPLES / "us-j1", folder)
    (folder / "mspe.pdf").unlink()
    report = run_check(folder).report
    mspe = report.item("mspe")
    assert mspe is not None and mspe.status == "missing"
    assert [p.code for p in mspe.problems] == ["missing"]
    assert mspe.problems[0].severity == "error"
    full = run_check(SAMPLES / "us-j1").report.item("mspe")
    assert full is not None and full.status == "ok" and full.problems == ()
