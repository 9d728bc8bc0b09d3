"""Issue 11: Statement of Need wording with the country's name, "this country" or an
exceptional need; the training contract from a GME agreement and names like training-offer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.facts.statement_of_need import load_elements, missing_elements, present

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NAME = "Lucia Fernanda Quispe Mamani"


def son_text(need: str, assurance: str) -> str:
    return (
        "Ministry of Health of the Republic of Peru\n"
        "To: Educational Commission for Foreign Medical Graduates (ECFMG)\n"
        "Name of Applicant for Visa: Lucia Fernanda Quispe Mamani\n"
        "USMLE/ECFMG ID Number: 1-234-567-8\n"
        f"{need}\n"
        f"{assurance}\n"
        "The applicant intends to enter the practice of medicine in the speciality for which "
        "training is being sought.\n"
        "Signed: Dr. Ana Torres, Director General, Lima, March 3, 2026\n"
    )


NEED_PLAIN = (
    "There currently exists in Peru a need for qualified medical practitioners in the "
    "speciality of Internal Medicine."
)
ASSURANCE_PLAIN = (
    "Lucia Fernanda Quispe Mamani has filed a written assurance with the government of this "
    "country that she will return to this country upon completion of training."
)


def _element(eid: str):  # type: ignore[no-untyped-def]
    return next(e for e in load_elements() if e.id == eid)


@pytest.mark.parametrize(
    "need",
    [
        NEED_PLAIN,
        "There currently exists in this country a need for qualified medical practitioners "
        "in the speciality of Internal Medicine.",
        "There currently exists in Peru an exceptional need for qualified medical "
        "practitioners in the specialty of Internal Medicine.",
        "Peru has an exceptional need for qualified medical practitioners in the specialty "
        "of Internal Medicine.",
    ],
)
def test_the_need_is_recognised_with_the_country_or_an_exceptional_need(need: str) -> None:
    text = son_text(need, ASSURANCE_PLAIN)
    assert present(
        _element("need-in-country"),
        text,
        specialty="Internal Medicine",
        applicant_name=NAME,
        countries=("Peru",),
    )
    assert (
        missing_elements(
            text, specialty="Internal Medicine", applicant_name=NAME, countries=("Peru",)
        )
        == []
    )


@pytest.mark.parametrize(
    "assurance",
    [
        ASSURANCE_PLAIN,
        "She has filed a written assurance with the government of Peru that she will return "
        "to Peru upon completion of training in the United States.",
        "The applicant will return to Peru upon completion of training.",
        "She has given a written assurance that she will return to her home country.",
    ],
)
def test_the_return_assurance_is_recognised_with_the_country(assurance: str) -> None:
    text = son_text(NEED_PLAIN, assurance)
    assert present(
        _element("assurance-to-return"),
        text,
        specialty="Internal Medicine",
        applicant_name=NAME,
        countries=("Peru",),
    )


@pytest.mark.parametrize(
    ("need", "assurance"),
    [
        ("Peru needs more doctors.", ASSURANCE_PLAIN),
        (NEED_PLAIN, "She plans to return to school after training."),
        (NEED_PLAIN, "She will stay in the United States after training."),
    ],
)
def test_wording_without_the_need_or_the_return_is_still_missing(need: str, assurance: str) -> None:
    missing = {
        e.id
        for e in missing_elements(
            son_text(need, assurance),
            specialty="Internal Medicine",
            applicant_name=NAME,
            countries=("Peru",),
        )
    }
    assert missing & {"need-in-country", "assurance-to-return"}


def _pdf(path: Path, lines: list[str]) -> None:
    c = Canvas(str(path), pagesize=letter)
    y = 720
    for line in lines:
        c.drawString(60, y, line)
        y -= 16
    c.showPage()
    c.save()


def test_a_training_offer_titled_gme_agreement_is_the_training_contract(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    shutil.copytree(SAMPLES / "us-j1", folder)
    (folder / "j1" / "resident-agreement.pdf").unlink()
    _pdf(
        folder / "j1" / "training-offer.pdf",
        [
            "Graduate Medical Education Agreement",
            "Riverside University Hospital, Department of Medicine",
            "Resident: Lucia Fernanda Quispe Mamani",
            "Position: PGY-1, Internal Medicine",
            "Term: July 1, 2027 to June 30, 2028",
            "This agreement sets out the terms of the appointment of the resident named above",
            "to the residency program, including stipend, benefits and duty hours.",
        ],
    )
    result = CliRunner().invoke(cli, ["check", str(folder), "--json", "--as-of", "2026-11-30"])
    data = json.loads(result.stdout)
    doc = {d["path"]: d for d in data["documents"]}["j1/training-offer.pdf"]
    assert doc["item"] == "training-contract"
    assert doc["facts"].get("specialty") == "Internal Medicine"
    assert not [p for p in doc["problems"] if p["code"] == "content-mismatch"]
    contract = {i["id"]: i for i in data["items"]}["training-contract"]
    assert contract["status"] == "ok"
    assert result.exit_code == ExitCode.OK


def test_a_gme_agreement_under_any_name_is_found_by_its_content(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    shutil.copytree(SAMPLES / "us-j1", folder)
    (folder / "j1" / "resident-agreement.pdf").unlink()
    _pdf(
        folder / "j1" / "scan-0007.pdf",
        [
            "Graduate Medical Education Agreement",
            "Position: PGY-1, Internal Medicine",
            "Resident: Lucia Fernanda Quispe Mamani",
        ],
    )
    result = CliRunner().invoke(cli, ["check", str(folder), "--json", "--as-of", "2026-11-30"])
    doc = {d["path"]: d for d in json.loads(result.stdout)["documents"]}["j1/scan-0007.pdf"]
    assert doc["item"] == "training-contract" and doc["classified_by"] == "content"
