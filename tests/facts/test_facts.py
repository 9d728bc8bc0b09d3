"""Facts read from documents' text: dates, names, results, the MRZ, declared dates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from img_dossier.config.profile import parse_profile
from img_dossier.errors import ExitCode
from img_dossier.facts import dates, names
from img_dossier.facts import exams as results
from img_dossier.facts.document import extract, read_text
from img_dossier.facts.mrz import check_digit
from img_dossier.facts.origin import letter_origin
from img_dossier.model import Document


def doc(rel: str, item: str | None, text: str) -> Document:
    return Document(
        rel=rel, path=Path("/nowhere") / rel, format="pdf", bytes=1000, sha256="0", pages=1,
        text=text, item=item,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 14, 2024", date(2024, 3, 14)),
        ("Mar. 14th, 2024", date(2024, 3, 14)),
        ("14 March 2024", date(2024, 3, 14)),
        ("14 MAR 2024", date(2024, 3, 14)),
        ("14 MAR/MARS 2024", date(2024, 3, 14)),
        ("14-Mar-2024", date(2024, 3, 14)),
        ("2024-03-14", date(2024, 3, 14)),
        ("14/03/2024", date(2024, 3, 14)),
        ("14.03.2024", date(2024, 3, 14)),
        ("14 de marzo de 2024", date(2024, 3, 14)),
        ("le 1er mars 2024", date(2024, 3, 1)),
        ("14 de março de 2024", date(2024, 3, 14)),
        ("3 septiembre 2025", date(2025, 9, 3)),
        ("1 décembre 2030", date(2030, 12, 1)),
    ],
)
def test_dates_in_the_formats_documents_use(text: str, expected: date) -> None:
    assert [f.value for f in dates.find_dates(f"Issued: {text}.")] == [expected]


def test_ambiguous_numeric_dates_are_day_first_unless_the_text_is_american() -> None:
    assert dates.parse_date("03/04/2024") == date(2024, 4, 3)
    us = "USMLE Step 1 Score Report\nTest date: 03/04/2024"
    assert dates.labelled_dates(us)["test_date"] == date(2024, 3, 4)
    # The text's own unambiguous date decides the order for the others.
    assert dates.labelled_dates("Issued 25/12/2023\nExpires 03/04/2030")["expiry"] == date(
        2030, 4, 3
    )
    assert dates.labelled_dates("Issued 12/25/2023\nExpires 03/04/2030")["expiry"] == date(
        2030, 3, 4
    )


def test_impossible_dates_are_not_dates() -> None:
    assert dates.find_dates("31/02/2024 and 2024-13-01 and 45 MAR 2024") == []


def test_labelled_dates_in_a_passport_table_layout() -> None:
    text = (
        "Date of birth / Fecha de nacimiento\n14 MAR 1995\n"
        "Date of issue / Fecha de emisión   Date of expiry / Fecha de vencimiento\n"
        "02 MAY 2021                        01 MAY 2031\n"
    )
    found = dates.labelled_dates(text)
    assert found["birth_date"] == date(1995, 3, 14)
    assert found["issue_date"] == date(2021, 5, 2)
    assert found["expiry"] == date(2031, 5, 1)


def test_labelled_dates_on_one_line() -> None:
    text = (
        "Candidate name: Ana Lima  Date of birth: 1990-01-01  Test date: 2025-02-03\n"
        "Valid until: 2027-01-01"
    )
    found = dates.labelled_dates(text)
    assert found == {
        "birth_date": date(1990, 1, 1),
        "test_date": date(2025, 2, 3),
        "expiry": date(2027, 1, 1),
    }


def test_add_months_keeps_the_day_or_the_last_of_the_month() -> None:
    assert dates.add_months(date(2027, 7, 1), 6) == date(2028, 1, 1)
    assert dates.add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "OET Statement of Results\nCandidate name: Lucia Quispe Mamani   Date of birth: 1995",
            "Lucia Quispe Mamani",
        ),
        ("Name: QUISPE MAMANI, Lucia Fernanda\n", "Lucia Fernanda QUISPE MAMANI"),
        (
            "This is to certify that\nLUCÍA FERNANDA QUISPE MAMANI\nhas been admitted",
            "LUCÍA FERNANDA QUISPE MAMANI",
        ),
        ("Name of Applicant for Visa: Dr. Lucia Quispe\n", "Dr. Lucia Quispe"),
        (
            "Surname / Apellidos\nQUISPE MAMANI\nGiven names / Nombres\nLUCIA FERNANDA\n",
            "LUCIA FERNANDA QUISPE MAMANI",
        ),
        ("Dear Dr. Quispe Mamani,\nThank you", "Quispe Mamani"),
        ("I certify that the word-for-word translation is correct.", None),
        ("Dear Program Director,\nI recommend her.", None),
    ],
)
def test_the_name_a_document_states(text: str, name: str | None) -> None:
    assert names.find_name(text) == name


@pytest.mark.parametrize(
    ("stated", "same"),
    [
        ("QUISPE MAMANI, LUCIA", True),  # order and case
        ("Lucía F. Quispe Mamani", True),  # accent and initial
        ("Dr. Lucia Quispe", True),  # title, one family name left out
        ("QUISPE MAMANI LUCIA FERNAN", True),  # MRZ truncation
        ("Lucia Torres", False),  # another family name
        ("Lucia Fernanda Quispe Mamani de Torres", False),  # a married name not declared
        ("Maria Quispe", False),
    ],
)
def test_names_tolerate_accents_case_order_and_middle_names(stated: str, same: bool) -> None:
    assert names.same_person(stated, ["Lucia Fernanda Quispe Mamani"]) is same


def test_other_names_are_honoured() -> None:
    assert names.same_person("Lucia Torres", ["Lucia Fernanda Quispe Mamani", "Lucia Torres"])


def test_oet_scores_and_exam() -> None:
    text = (
        "Occupational English Test\nStatement of Results\nProfession: Medicine\n"
        "Test date: 12 April 2025\nListening 360 B\nReading 350 B\nWriting 290 C+\nSpeaking 380 B\n"
    )
    assert results.exam(text) == "oet"
    assert results.scores(text) == {
        "listening": 360,
        "reading": 350,
        "writing": 290,
        "speaking": 380,
    }


def test_scores_in_a_table_with_a_header_line() -> None:
    text = (
        "IELTS Test Report Form\n"
        "Listening  Reading  Writing  Speaking  Overall Band Score\n"
        "7.5  7.0  6.5  8.0  7.5\n"
    )
    found = results.scores(text)
    assert found == {
        "listening": 7.5,
        "reading": 7.0,
        "writing": 6.5,
        "speaking": 8.0,
        "overall": 7.5,
    }
    assert results.exam(text) == "ielts"


def test_a_three_digit_total_score() -> None:
    text = "USMLE Step 2 CK\nScore Report\nThree-digit score: 245\nResult: Pass"
    assert results.scores(text) == {"total": 245}
    assert results.exam(text) == "usmle-step2-ck"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USMLE Step 1\nResult: Pass", ("pass", "Pass")),
        (
            "NAC Examination\nResult: Pass with superior performance",
            ("pass", "Pass with superior performance"),
        ),
        ("MCCQE Part I Statement of Results\nOutcome: FAIL", ("fail", "FAIL")),
        ("Step 1   2023-01-10   Fail\nStep 1   2023-08-02   Pass", ("pass", "Pass")),
        ("The candidate did not pass the examination.", ("fail", "Did not pass")),
        ("Dear Program Director, she will do well.", None),
    ],
)
def test_exam_outcomes(text: str, expected: tuple[str, str] | None) -> None:
    assert results.outcome(text) == expected


def _mrz_lines(expiry: str) -> str:
    line1 = "P<PERQUISPE<MAMANI<<LUCIA<FERNANDA".ljust(44, "<")
    body = (
        f"P1234567<{check_digit('P1234567<')}PER950314{check_digit('950314')}"
        f"F{expiry}{check_digit(expiry)}{'<' * 14}<"
    )
    return f"{line1}\n{body}{check_digit(body[0:10] + body[13:20] + body[21:43])}"


def test_passport_facts_come_from_the_verified_mrz() -> None:
    text = f"PASSPORT / PASAPORTE\nDate of expiry 01 MAY 2030\n{_mrz_lines('310501')}\n"
    facts = read_text(text)
    assert facts["expiry"] == "2031-05-01" and facts["expiry_source"] == "mrz"
    assert facts["name"] == "LUCIA FERNANDA QUISPE MAMANI" and facts["name_source"] == "mrz"
    assert facts["mrz"]["number"] == "P1234567"
    assert facts["mrz"]["nationality"] == "PER"
    json.dumps(facts)  # JSON-able


def test_a_zone_with_a_wrong_check_digit_is_absent_and_a_note_says_why() -> None:
    lines = _mrz_lines("310501").replace("F310501", "F320501")  # a misread year
    facts = read_text(f"PASSPORT\nDate of expiry: 01 MAY 2030\n{lines}\n")
    assert "mrz" not in facts
    assert "check digit of the expiry date is wrong" in facts["mrz_note"]
    assert facts["expiry"] == "2030-05-01" and facts["expiry_source"] == "text"


def test_declared_dates_fill_in_for_a_scan_and_say_their_source() -> None:
    profile = parse_profile(
        {"dates": {"passport_expiry": "2031-05-01", "son_expiry": "2032-06-30"}}
    )
    scan = doc("passport.jpg", "passport", "")
    facts = extract(scan, profile)
    assert facts["expiry"] == "2031-05-01"
    assert facts["expiry_source"] == "dossier.yaml"
    assert facts["expiry_declared_as"] == "dates.passport_expiry"
    # "son" is the initials of statement-of-need.
    assert extract(doc("son.pdf", "statement-of-need", ""), profile)["expiry"] == "2032-06-30"
    # Not for other items.
    assert "expiry" not in extract(doc("diploma.pdf", "medical-diploma", ""), profile)


def test_a_declared_date_wins_over_a_reading_that_differs_and_keeps_the_reading() -> None:
    profile = parse_profile({"dates": {"language_test_date": "2025-06-01"}})
    facts = extract(
        doc("ielts.pdf", "language-proficiency", "IELTS\nTest date: 01/05/2025"), profile
    )
    assert facts["test_date"] == "2025-06-01" and facts["test_date_source"] == "dossier.yaml"
    assert facts["test_date_read"] == "2025-05-01"


def test_specialty_and_translation_statement() -> None:
    son = (
        "There currently exists in Peru a need for qualified medical practitioners in the "
        "speciality of Internal Medicine."
    )
    assert read_text(son)["specialty"] == "Internal Medicine"
    contract = (
        "Resident Appointment Agreement\nProgram: Family Medicine Residency\n"
        "Start date: July 1, 2027"
    )
    assert read_text(contract)["specialty"] == "Family Medicine"
    translation = "I, Ana Ruiz, certify that the word-for-word translation is correct."
    assert "certify" in read_text(translation)["certified_translation"]


def test_letter_origin_from_letterhead_and_signature() -> None:
    us = letter_origin(
        "Department of Medicine\n55 Fruit Street, Boston, MA 02114\nDear Program Director,"
    )
    assert (us.country, us.evidence) == ("US", "MA 02114")
    ca = letter_origin("University Health Network\n200 Elizabeth St, Toronto, ON M5G 2C4\nTo whom")
    assert ca.country == "CA"
    hospital = letter_origin("Mount Sinai Hospital, New York\nDear Program Director")
    assert hospital.country == "US"
    peru = letter_origin("Hospital Nacional Dos de Mayo\nLima, Perú\nDear Program Director")
    assert peru.country == "Perú"
    assert letter_origin("Dear Program Director,\nI recommend her.").country is None


def test_empty_and_hostile_text_gives_no_facts_and_no_exception() -> None:
    assert read_text("") == {}
    weird = "Name: " + "A" * 50_000 + "\n" + "14/14/14/14/" * 5_000 + "<" * 44 + "\n" + "P" * 44
    assert isinstance(read_text(weird), dict)


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not available")
def test_real_world_documents_give_json_facts_without_an_exception() -> None:
    from img_dossier.readers import read_documents
    from img_dossier.readers.scan import scan

    profile = parse_profile({"dates": {"passport_expiry": "2031-05-01"}})
    for document in read_documents(scan(CORPUS).files, jobs=1):
        facts = extract(document.replace(item="passport"), profile)
        assert facts["expiry"] == "2031-05-01", document.rel  # nobody's passport: declared
        json.dumps(facts)
        letter_origin(document.text)


# ---------------------------------------------------------------- the facts an item carries

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def sample_facts() -> dict[str, dict[str, dict[str, object]]]:
    """Facts of every document of the committed samples, as `check --json` shows them."""
    from click.testing import CliRunner

    from img_dossier.cli import cli

    found: dict[str, dict[str, dict[str, object]]] = {}
    for name in ("us-j1", "canada"):
        result = CliRunner().invoke(cli, ["check", str(SAMPLES / name), "--json"])
        assert result.exit_code == ExitCode.OK, result.output
        report = json.loads(result.stdout)
        found[name] = {d["path"]: d["facts"] for d in report["documents"]}
    return found


def test_a_cv_or_personal_letter_that_mentions_an_exam_is_not_a_score_report(
    sample_facts: dict[str, dict[str, dict[str, object]]],
) -> None:
    cv = sample_facts["us-j1"]["cv-j1.docx"]
    assert "exam" not in cv and "outcome" not in cv and "scores" not in cv
    letter = sample_facts["canada"]["personal-letter-uottawa.docx"]
    assert "exam" not in letter and "outcome" not in letter
    # The score reports themselves still carry what their rules read.
    step1 = sample_facts["us-j1"]["exams/usmle-step1-score-report.pdf"]
    assert (step1["exam"], step1["outcome"], step1["test_date"]) == (
        "usmle-step1", "pass", "2023-03-10",
    )  # fmt: skip
    oet = sample_facts["us-j1"]["exams/oet-statement-of-results.pdf"]
    assert oet["scores"] == {"listening": 390, "reading": 410, "writing": 360, "speaking": 420}
    assert sample_facts["canada"]["exams/mccqe1-statement-of-results.pdf"]["exam"] == "mccqe1"


def test_the_date_of_an_mspe_or_transcript_is_its_issue_date_not_matriculation_or_admission(
    sample_facts: dict[str, dict[str, dict[str, object]]],
) -> None:
    us = sample_facts["us-j1"]
    assert us["mspe.pdf"]["date"] == "2026-06-15"  # its date line, not "matriculation 2015"
    assert us["transcript.pdf"]["date"] == "2026-05-12"  # "Issued in Lima on May 12, 2026"
    canada = sample_facts["canada"]
    assert canada["transcript.pdf"]["date"] == "2026-06-02"  # "Beyrouth, le 2 juin 2026"
    assert canada["mspr.pdf"]["date"] == "2026-07-06"
    assert us["passport.pdf"]["date"] == "2026-03-16"  # its issue date


def test_an_mspr_has_no_specialty_and_expiry_stays_where_a_rule_reads_it(
    sample_facts: dict[str, dict[str, dict[str, object]]],
) -> None:
    canada = sample_facts["canada"]
    assert "specialty" not in canada["mspr.pdf"]  # was "Doctor of Medicine"
    assert "specialty" not in canada["transcript.pdf"]
    us = sample_facts["us-j1"]
    assert "specialty" not in us["transcript.pdf"]  # was "Escuela Profesional de ..."
    assert us["j1/resident-agreement.pdf"]["specialty"] == "Internal Medicine"  # SoN compares it
    assert us["j1/statement-of-need.pdf"]["specialty"] == "Internal Medicine"
    assert us["passport.pdf"]["expiry"] == "2031-03-16"
    assert canada["pr-card-certified-copy.pdf"]["expiry"] == "2030-03-18"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date of initial matriculation  April 1, 2015\nJune 15, 2026\n", date(2026, 6, 15)),
        ("Admission\nSeptember 15, 2014\nBeyrouth, le 2 juin 2026\n", date(2026, 6, 2)),
        ("Date of birth\nMarch 14, 1996\nTest date\nMarch 10, 2023\n", date(2023, 3, 10)),
        ("She entered on April 1, 2015.\nDate: 3 May 2026\n", date(2026, 5, 3)),
        ("Enrolled 2015-04-01\nIssued on 12 May 2026\nSigned 13 May 2026", date(2026, 5, 12)),
        ("Diplôme, 15 juillet 2022\n", date(2022, 7, 15)),  # not a date line, still a date
        ("Date of admission: April 1, 2015\n", None),
    ],
)
def test_the_document_date_prefers_issue_signature_and_date_lines(
    text: str, expected: date | None
) -> None:
    assert dates.document_date(text) == expected


def test_carried_facts_come_from_the_item_rules_of_the_checklist() -> None:
    from img_dossier.config.checklist import load
    from img_dossier.facts.document import GENERIC_FACTS, carried_facts

    us = load("us-eras")
    assert carried_facts(us, "cv") == GENERIC_FACTS
    assert carried_facts(us, None) == GENERIC_FACTS
    assert {"outcome", "exam"} <= carried_facts(us, "usmle-step1")
    assert "expiry" in carried_facts(us, "passport")
    assert "specialty" in carried_facts(us, "training-contract")  # specialty_from of the SoN
    canada = load("canada-carms")
    assert "specialty" not in carried_facts(canada, "mspr")
    assert {"test_date", "date"} <= carried_facts(canada, "language-proficiency")


def test_extract_keeps_only_carried_facts_with_their_sources() -> None:
    text = "Curriculum Vitae\nOET Medicine, result: Pass\nDate: 3 May 2026\nName: Ana Ruiz"
    cv = doc("cv.pdf", "cv", text)
    profile = parse_profile({})
    everything = extract(cv, profile)
    assert everything["exam"] == "oet" and everything["outcome"] == "pass"
    kept = extract(cv, profile, carries={"date", "outcome"})
    assert kept == {
        "date": "2026-05-03", "date_source": "text", "outcome": "pass",
        "outcome_text": everything["outcome_text"],
    }  # fmt: skip
    declared = parse_profile({"dates": {"cv_expiry": "2030-01-01"}})
    assert extract(cv, declared, carries=set())["expiry"] == "2030-01-01"  # dossier.yaml says


def test_an_item_lists_facts_no_rule_reads_under_facts(
    sample_facts: dict[str, dict[str, dict[str, object]]], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from img_dossier.cli import cli
    from img_dossier.config.checklist import load
    from img_dossier.facts.document import carried_facts

    ielts = sample_facts["canada"]["exams/ielts-test-report-form.pdf"]
    assert ielts["exam"] == "ielts" and ielts["scores"]["overall"] == 7.5  # type: ignore[index]
    mccqe1 = sample_facts["canada"]["exams/mccqe1-statement-of-results.pdf"]
    assert mccqe1["scores"] == {"total": 262}
    custom = tmp_path / "mine.yaml"
    custom.write_text("schema: 1\nextends: us-eras\nitems:\n  - id: cv\n    facts: [exam]\n")
    assert "exam" in carried_facts(load(str(custom)), "cv")
    assert "exam" not in carried_facts(load("us-eras"), "cv")
    custom.write_text("schema: 1\nextends: us-eras\nitems:\n  - id: cv\n    facts: exam\n")
    result = CliRunner().invoke(cli, ["checklists", "validate", str(custom)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "items.cv.facts: must be a list" in result.output
