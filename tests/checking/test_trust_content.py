"""Issue 11: a file is not taken for what its name says when its text says otherwise."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as Docx
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from img_dossier.checking.pipeline import run_check
from img_dossier.cli import cli
from img_dossier.errors import ExitCode

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

STATISTICS = (
    "Problem set 4. Let X be a random variable with mean mu and variance sigma squared. "
    "Compute the expected value of the sample mean and show that the estimator is unbiased. "
    "A regression of y on x with 40 observations gives a slope of 0.37 with standard error "
    "0.11; test the null hypothesis that the slope is zero at the five percent level. "
)
FORM_1040NR = [
    "Form 1040-NR U.S. Nonresident Alien Income Tax Return 2025",
    "Department of the Treasury - Internal Revenue Service",
    "For the year Jan. 1-Dec. 31, 2025, or other tax year beginning 2025",
    "Your first name and middle initial Last name Identifying number",
    "Filing Status. Check only one box. Single Married filing separately",
    "Wages, salaries, tips, etc. Attach Form(s) W-2 Taxable interest Ordinary dividends",
    "Total income effectively connected with a U.S. trade or business",
]
FEDERAL_REGISTER = [
    "Federal Register / Vol. 89, No. 112 / Monday, June 10, 2024 / Rules and Regulations",
    "DEPARTMENT OF TRANSPORTATION Federal Aviation Administration 14 CFR Part 39",
    "Airworthiness Directives; The Boeing Company Airplanes AGENCY: Federal Aviation",
    "Administration (FAA), DOT. ACTION: Final rule. SUMMARY: The FAA is adopting a new",
    "airworthiness directive (AD) for certain The Boeing Company Model 737 airplanes.",
]
RESEARCH_PAPER = [
    "Effect of early mobilisation on length of stay after hip fracture surgery:",
    "a randomised controlled trial. Authors: J. Andersen, K. Olsen, M. Berg.",
    "Abstract. Background: Hip fracture is common among older patients admitted to hospital.",
    "Methods: We randomised 240 patients to mobilisation within 24 hours or usual care.",
    "Results: Median length of stay was 8 days versus 10 days. Conclusions: Early",
    "mobilisation shortened the hospital stay without more complications. Keywords: clinical",
]
LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. "
) * 6


def text_pdf(path: Path, lines: list[str]) -> None:
    c = Canvas(str(path), pagesize=letter)
    y = 720
    for line in lines:
        c.drawString(50, y, line)
        y -= 16
    c.showPage()
    c.save()


def homework_docx(path: Path, pages: int = 14) -> None:
    doc = Docx()
    for n in range(pages):
        doc.add_heading(f"Question {n + 1}", level=2)
        doc.add_paragraph(STATISTICS * 3)
        doc.add_page_break()
    doc.save(str(path))


def client(tmp_path: Path) -> Path:
    folder = tmp_path / "client"
    shutil.copytree(SAMPLES / "us-j1", folder)
    return folder


def check_json(folder: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["check", str(folder), "--json", "--as-of", "2026-11-30"])
    return result.exit_code, json.loads(result.stdout)


def _swap(folder: Path, case: str) -> tuple[str, str]:
    """Replace one sample document by a stranger's file under the same kind of name;
    return (its path, the item its name claims)."""
    if case == "homework-as-lor":
        for old in (folder / "letters").iterdir():
            old.unlink()
        homework_docx(folder / "letters" / "LOR - Dr Smith.docx")
        return "letters/LOR - Dr Smith.docx", "letter-of-recommendation"
    if case == "tax-form-as-ecfmg-certificate":
        text_pdf(folder / "ecfmg-certificate.pdf", FORM_1040NR)
        return "ecfmg-certificate.pdf", "ecfmg-certificate"
    if case == "federal-register-as-transcript":
        text_pdf(folder / "transcript.pdf", FEDERAL_REGISTER)
        return "transcript.pdf", "transcript"
    if case == "research-paper-as-mspe":
        text_pdf(folder / "mspe.pdf", RESEARCH_PAPER)
        return "mspe.pdf", "mspe"
    assert case == "lorem-ipsum-as-personal-statement"
    (folder / "personal-statement.txt").write_text(LOREM, encoding="utf-8")
    return "personal-statement.txt", "personal-statement"


CASES = [
    "homework-as-lor",
    "tax-form-as-ecfmg-certificate",
    "federal-register-as-transcript",
    "research-paper-as-mspe",
    "lorem-ipsum-as-personal-statement",
]


@pytest.mark.parametrize("case", CASES)
def test_a_mislabelled_file_is_content_mismatch_and_the_folder_is_not_complete(
    tmp_path: Path, case: str
) -> None:
    folder = client(tmp_path)
    rel, item_id = _swap(folder, case)
    code, data = check_json(folder)
    assert code == ExitCode.INCOMPLETE
    assert data["complete"] is False
    doc = {d["path"]: d for d in data["documents"]}[rel]
    mismatch = [p for p in doc["problems"] if p["code"] == "content-mismatch"]
    assert mismatch and mismatch[0]["severity"] == "error"
    assert "files:" in mismatch[0]["message"]  # says how to vouch for it
    item = {i["id"]: i for i in data["items"]}[item_id]
    assert item["status"] != "ok"
    assert rel not in item["documents"]
    assert "content-mismatch" in {p["code"] for p in item["problems"]}


def test_the_same_file_under_its_true_name_is_fine_both_ways(tmp_path: Path) -> None:
    """The real sample documents keep their item: no content-mismatch, complete."""
    code, data = check_json(client(tmp_path))
    assert code == ExitCode.OK and data["complete"] is True
    codes = {p["code"] for d in data["documents"] for p in d["problems"]}
    assert "content-mismatch" not in codes and "name-absent" not in codes


def test_a_mislabelled_file_stays_out_of_the_dossier_and_the_uploads(tmp_path: Path) -> None:
    folder = client(tmp_path)
    rel, _ = _swap(folder, "research-paper-as-mspe")
    out = tmp_path / "d.pdf"
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "--json"])
    data = json.loads(result.stdout)
    left = {x["path"]: x["reason"] for x in data["dossier"]["left_out"]}
    assert left[rel].startswith("content-mismatch")
    packed = CliRunner().invoke(
        cli, ["pack", str(folder), "--portal", "ecfmg", "-o", str(tmp_path / "up"), "--json"]
    )
    assert packed.exit_code == ExitCode.INCOMPLETE, packed.output  # the MSPE slot cannot be filled
    sources = {s for slot in json.loads(packed.stdout)["slots"] for s in slot["sources"]}
    assert rel not in sources and "transcript.pdf" in sources


def test_a_file_vouched_for_in_dossier_yaml_counts_with_a_warning(tmp_path: Path) -> None:
    folder = client(tmp_path)
    rel, _ = _swap(folder, "research-paper-as-mspe")
    profile = folder / "dossier.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8") + f'files:\n  "{rel}": mspe\n', encoding="utf-8"
    )
    _, data = check_json(folder)
    doc = {d["path"]: d for d in data["documents"]}[rel]
    assert doc["classified_by"] == "manifest"
    found = [(p["code"], p["severity"]) for p in doc["problems"]]
    assert ("content-mismatch", "warning") in found
    assert ("content-mismatch", "error") not in found
    mspe = {i["id"]: i for i in data["items"]}["mspe"]
    assert rel in mspe["documents"] and mspe["status"] == "ok"


def test_a_file_whose_text_is_another_item_goes_to_that_item(tmp_path: Path) -> None:
    folder = client(tmp_path)
    shutil.move(folder / "mspe.pdf", folder / "scan-0003.pdf")
    # an MSPE named as a transcript (without the applicant's name)
    text_pdf(
        folder / "transcript-2.pdf",
        [
            "Medical Student Performance Evaluation",
            "Noteworthy Characteristics: leadership in the student council and volunteering.",
            "Academic History: entered medical school in 2015 and graduated in 2021 without",
            "interruption. Academic Progress: the student passed every course at the first",
            "attempt and completed the clinical rotations with high marks from supervisors.",
        ],
    )
    _, data = check_json(folder)
    doc = {d["path"]: d for d in data["documents"]}["transcript-2.pdf"]
    assert doc["item"] == "mspe" and doc["classified_by"] == "content"
    (warning,) = [p for p in doc["problems"] if p["code"] == "content-mismatch"]
    assert warning["severity"] == "warning" and "MSPE" in warning["message"]


def test_name_absent_warns_when_a_document_lacks_the_applicants_name(tmp_path: Path) -> None:
    folder = client(tmp_path)
    text_pdf(
        folder / "transcript.pdf",
        [
            "Universidad Nacional Mayor de San Marcos - Academic Transcript",
            "Official Transcript issued by the Registrar of the Faculty of Medicine",
            "Course Grade Credits: Anatomy 17 8; Physiology 16 6; Biochemistry 15 6;",
            "Pathology 16 6; Pharmacology 15 5; Internal Medicine 17 12; Surgery 16 12",
            "Student: (name withheld in this copy) - graduated 2021",
        ],
    )
    _, data = check_json(folder)
    doc = {d["path"]: d for d in data["documents"]}["transcript.pdf"]
    codes = [(p["code"], p["severity"]) for p in doc["problems"]]
    assert ("name-absent", "warning") in codes
    assert ("content-mismatch", "error") not in codes  # its own evidence is there
    # the sample's own transcript carries the name: no warning
    _, plain = check_json(client(tmp_path / "again"))
    doc = {d["path"]: d for d in plain["documents"]}["transcript.pdf"]
    assert "name-absent" not in {p["code"] for p in doc["problems"]}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_no_content_mismatch_on_the_real_corpus_files(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("LICENSE", "*.md"))
    (folder / "dossier.yaml").write_text(
        "schema: 1\ntrack: us\napplicant: {given_names: Lucia, family_name: Quispe}\n",
        encoding="utf-8",
    )
    report = run_check(folder).report
    assert not [
        (d.rel, p.message)
        for d in report.documents
        for p in d.problems
        if p.code == "content-mismatch"
    ]


@pytest.mark.parametrize("sample", ["us-j1", "canada", "problems"])
def test_no_content_mismatch_on_any_sample(sample: str) -> None:
    report = run_check(SAMPLES / sample).report
    assert [d.item for d in report.documents if d.item] and not [
        d.rel for d in report.documents for p in d.problems if p.code == "content-mismatch"
    ]
