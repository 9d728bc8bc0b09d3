"""The rule engine, rule by rule: a document that passes and one that fails, judged through
verify (what the report shows): the item's status, the problem code, and a message that
names the file, the value found and the limit."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from img_dossier.checking import rules
from img_dossier.checking.verify import verify
from img_dossier.config import checklist as checklist_mod
from img_dossier.config.checklist import Checklist
from img_dossier.config.profile import parse_profile
from img_dossier.errors import BadInputError
from img_dossier.facts.document import extract
from img_dossier.facts.mrz import check_digit
from img_dossier.model import ChecklistRef, Document, ItemResult, Report

AS_OF = date(2026, 11, 29)

CHECKLIST = """
schema: 1
id: mini-rules
title: Rules test checklist
version: "1"
track: us
languages: [en]
portals:
  eras-lorp:
    title: ERAS LoR Portal
    formats: [pdf]
    max_bytes: 1048576
    encryption: false
    digital_signatures: false
    page_size_pt: [612, 792]
    forbidden_filename_chars: "|*?:"
    source: test
  eras-ps:
    title: MyERAS personal statement
    max_chars: 28000
    source: test
  eras-photo:
    title: ERAS photo
    formats: [jpeg, png]
    max_bytes: 150000
    aspect: [5, 7]
    min_pixels: [375, 525]
    source: test
items:
  - id: passport
    title: Passport
    required: true
    source: test
    rules:
      - {type: valid-until, reference: training.start, months: 6, declared: passport_expiry,
         why: J-1 rule, source: test}
      - {type: name-match, source: test}
  - id: ecfmg-certificate
    title: ECFMG certificate
    required: true
    source: test
    rules:
      - {type: valid-until, required: false, source: test}
  - id: language-proficiency
    title: Language test
    required: true
    source: test
    rules:
      - {type: max-age, years: 2, declared: language_test_date, source: test}
  - id: oet-medicine
    title: OET Medicine
    required: true
    source: test
    rules:
      - {type: min-scores, exam: oet, scores: {listening: 350, reading: 350, writing: 300,
         speaking: 350}, why: ECFMG OET minimums, source: test}
  - id: usmle-step1
    title: USMLE Step 1
    required: true
    source: test
    rules:
      - {type: outcome, expect: pass, source: test}
  - id: statement-of-need
    title: Statement of Need
    required: true
    source: test
    rules:
      - {type: required-elements, specialty_from: [training-contract], source: test}
      - {type: valid-until, reference: training.end, required: false, declared: son_expiry,
         source: test}
  - id: training-contract
    title: Training contract
    required: true
    source: test
  - id: medical-diploma
    title: Medical diploma
    required: true
    source: test
    names: [diploma, titulo]
    rules:
      - {type: translation, source: test}
      - {type: name-match, source: test}
  - id: transcript
    title: Transcript
    required: true
    source: test
    names: [transcript]
    rules:
      - {type: translation, source: test}
  - id: translation
    title: Certified translation
    required: false
    roles: [certified-translations]   # what makes it the translations' item (not its id)
    source: test
  - id: letter-of-recommendation
    title: Letters of recommendation
    required: true
    min: 1
    source: test
    portal: eras-lorp
    rules:
      - {type: portal-file, source: test}
      - {type: local-referee, source: test}
  - id: personal-statement
    title: Personal statement
    required: true
    source: test
    rules:
      - {type: portal-file, portal: eras-ps, source: test}
  - id: photo
    title: Photo
    required: false
    source: test
    rules:
      - {type: portal-file, portal: eras-photo, source: test}
"""

PROFILE: dict[str, Any] = {
    "applicant": {"given_names": "Lucia Fernanda", "family_name": "Quispe Mamani"},
    "medical_school": {"language": "es"},
    "training": {
        "specialty": "Internal Medicine",
        "start": "2027-07-01",
        "end": "2030-06-30",
        "visa": "J-1",
    },
}

SON = """Ministry of Health of Peru
To: Educational Commission for Foreign Medical Graduates (ECFMG)
Statement of Need
USMLE/ECFMG ID Number: 1234-5678
Name of Applicant for Visa: Lucia Fernanda Quispe Mamani
There currently exists in Peru a need for qualified medical practitioners in the speciality of
{specialty}. Lucia Fernanda Quispe Mamani has filed a written assurance with the government of
this country that she will return to this country upon completion of training in the United
States and intends to enter the practice of medicine in the speciality for which training is
being sought.
Dr. Carlos Ramos, Director General, Ministry of Health. Lima, 14 March 2026
"""


@pytest.fixture
def checklist(tmp_path: Path) -> Checklist:
    path = tmp_path / "rules-checklist.yaml"
    path.write_text(CHECKLIST, encoding="utf-8")
    return checklist_mod.load(str(path))


def doc(rel: str, item: str | None, text: str = "", **changes: Any) -> Document:
    fields: dict[str, Any] = {
        "rel": rel,
        "path": Path("/nowhere") / rel,
        "format": "pdf",
        "bytes": 20_000,
        "sha256": hashlib.sha256(rel.encode()).hexdigest(),
        "pages": 1,
        "text": text,
        "item": item,
        "classified_by": "filename",
        "info": {"page_sizes": [[612, 792]]},
    }
    fields.update(changes)
    return Document(**fields)


def judge(
    checklist: Checklist,
    docs: Sequence[Document],
    profile: Mapping[str, Any] | None = None,
    as_of: date = AS_OF,
) -> tuple[dict[str, ItemResult], dict[str, Document]]:
    result = verify(
        checklist,
        parse_profile(dict(profile if profile is not None else PROFILE)),
        docs,
        as_of=as_of,
        expiring_within=90,
    )
    return {i.id: i for i in result.items}, {d.rel: d for d in result.documents}


def mrz_lines(expiry: str) -> str:
    """A valid passport zone for Lucia Fernanda Quispe Mamani expiring on ``expiry`` (YYMMDD)."""
    line1 = "P<PERQUISPE<MAMANI<<LUCIA<FERNANDA".ljust(44, "<")
    body = (
        f"P1234567<{check_digit('P1234567<')}PER950314{check_digit('950314')}"
        f"F{expiry}{check_digit(expiry)}{'<' * 14}<"
    )
    return f"{line1}\n{body}{check_digit(body[0:10] + body[13:20] + body[21:43])}"


def codes(d: Document) -> list[str]:
    return [p.code for p in d.problems]


# ---------------------------------------------------------------- valid-until


def test_passport_valid_past_training_start_plus_six_months_is_ok(checklist: Checklist) -> None:
    items, docs = judge(
        checklist, [doc("passport.pdf", "passport", "PASSPORT\nDate of expiry: 01 MAY 2031")]
    )
    assert items["passport"].status == "ok"
    assert codes(docs["passport.pdf"]) == []


def test_passport_expiring_before_training_start_plus_six_months_is_invalid(
    checklist: Checklist,
) -> None:
    passport = doc("passport.pdf", "passport", "PASSPORT\nDate of expiry: 10 DEC 2027")
    items, docs = judge(checklist, [passport])
    assert items["passport"].status == "invalid"  # valid today: not "expired"
    assert codes(docs["passport.pdf"]) == ["validity-too-short"]
    assert [p.code for p in items["passport"].problems] == ["validity-too-short"]
    message = docs["passport.pdf"].problems[0].message
    assert message.startswith("passport.pdf: expires 2027-12-10")
    assert "training starts 2027-07-01 plus 6 months (2028-01-01)" in message
    assert "J-1 rule" in message and "dates.passport_expiry" in message
    assert message in items["passport"].messages


def test_a_passport_already_expired_on_the_as_of_date_is_expired(checklist: Checklist) -> None:
    items, docs = judge(checklist, [doc("passport.pdf", "passport", "Date of expiry: 2026-10-01")])
    assert items["passport"].status == "expired"
    assert "expired on 2026-10-01, before 2026-11-29" in docs["passport.pdf"].problems[0].message
    assert codes(docs["passport.pdf"]) == ["expired"]  # past on as_of: "expired", nothing else
    assert [p.code for p in items["passport"].problems] == ["expired"]


def test_a_date_within_the_expiring_window_warns(checklist: Checklist) -> None:
    cert = doc(
        "ecfmg.pdf", "ecfmg-certificate", "ECFMG Certificate\nValid through: January 15, 2027"
    )
    items, docs = judge(checklist, [cert])
    assert items["ecfmg-certificate"].status == "expiring"
    problem = docs["ecfmg.pdf"].problems[0]
    assert (problem.code, problem.severity) == ("expired", "warning")
    assert "expires 2027-01-15, within 90 days of 2026-11-29" in problem.message


def test_an_old_copy_beside_a_valid_one_does_not_fail_the_item(checklist: Checklist) -> None:
    old = doc("passport-old.pdf", "passport", "Date of expiry: 2020-01-01")
    new = doc("passport.pdf", "passport", "Date of expiry: 2032-01-01")
    items, docs = judge(checklist, [old, new])
    assert items["passport"].status == "ok"
    assert codes(docs["passport-old.pdf"]) == []


def test_optional_date_absent_passes_and_required_date_absent_is_unverified(
    checklist: Checklist,
) -> None:
    cert = doc("ecfmg.pdf", "ecfmg-certificate", "ECFMG Certificate, valid indefinitely")
    passport = doc("passport.pdf", "passport", "PASSPORT Republic of Peru")
    items, _ = judge(checklist, [cert, passport])
    assert items["ecfmg-certificate"].status == "ok"
    assert items["passport"].status == "unverified"
    assert any("set dates.passport_expiry in dossier.yaml" in m for m in items["passport"].messages)


def test_a_passport_scan_is_judged_on_the_declared_date_and_the_report_says_so(
    checklist: Checklist,
) -> None:
    scan = doc("passport.jpg", "passport", "", format="jpeg", info={"width": 800, "height": 1100})
    profile = {**PROFILE, "dates": {"passport_expiry": "2027-09-30"}}
    items, docs = judge(checklist, [scan], profile)
    assert items["passport"].status == "invalid"
    message = docs["passport.jpg"].problems[0].message
    assert "expires 2027-09-30 (dates.passport_expiry in dossier.yaml)" in message
    assert any(
        "expiry date 2027-09-30 taken from dates.passport_expiry in dossier.yaml" in m
        for m in items["passport"].messages
    )
    fine = {**PROFILE, "dates": {"passport_expiry": "2031-05-01"}}
    items, docs = judge(checklist, [scan], fine)
    # Not blocking: "ok", or "unverified" where the checklist expects text to read.
    assert items["passport"].status in {"ok", "unverified"}
    assert codes(docs["passport.jpg"]) == []
    assert any(
        "taken from dates.passport_expiry in dossier.yaml" in m for m in items["passport"].messages
    )


def test_without_training_start_the_passport_is_judged_on_the_as_of_date_with_a_note(
    checklist: Checklist,
) -> None:
    profile = {**PROFILE, "training": {"visa": "J-1"}}
    items, _ = judge(
        checklist, [doc("passport.pdf", "passport", "Date of expiry: 2027-09-30")], profile
    )
    assert items["passport"].status == "ok"
    assert any("training.start is not set in dossier.yaml" in m for m in items["passport"].messages)


# ---------------------------------------------------------------- max-age


def test_a_language_test_within_two_years_is_ok(checklist: Checklist) -> None:
    ielts = doc(
        "ielts.pdf", "language-proficiency", "IELTS Test Report Form\nTest date: 01/06/2025"
    )
    items, _ = judge(checklist, [ielts])
    assert items["language-proficiency"].status == "ok"


def test_a_language_test_older_than_two_years_is_expired(checklist: Checklist) -> None:
    ielts = doc(
        "ielts.pdf", "language-proficiency", "IELTS Test Report Form\nTest date: 10/01/2024"
    )
    items, docs = judge(checklist, [ielts])
    assert items["language-proficiency"].status == "expired"
    message = docs["ielts.pdf"].problems[0].message
    assert codes(docs["ielts.pdf"]) == ["expired"]
    assert message.startswith("ielts.pdf: test date 2024-01-10")
    assert "more than 2 years before 2026-11-29 (valid until 2026-01-10)" in message


def test_a_declared_test_date_stands_in_for_a_scan(checklist: Checklist) -> None:
    scan = doc("ielts.jpg", "language-proficiency", "", format="jpeg")
    profile = {**PROFILE, "dates": {"language_test_date": "2024-02-01"}}
    items, docs = judge(checklist, [scan], profile)
    assert items["language-proficiency"].status == "expired"
    assert "(dates.language_test_date in dossier.yaml)" in docs["ielts.jpg"].problems[0].message


# ---------------------------------------------------------------- min-scores

OET = """Occupational English Test - Statement of Results
Candidate name: Lucia Quispe Mamani
Profession: Medicine   Test date: 12 April 2025
Listening 360
Reading 350
Writing {writing}
Speaking 380
"""


def test_oet_at_the_ecfmg_minimums_is_ok(checklist: Checklist) -> None:
    items, _ = judge(checklist, [doc("oet.pdf", "oet-medicine", OET.format(writing=300))])
    assert items["oet-medicine"].status == "ok"


def test_oet_writing_below_300_is_invalid_and_names_score_and_minimum(checklist: Checklist) -> None:
    items, _ = judge(checklist, [doc("oet.pdf", "oet-medicine", OET.format(writing=290))])
    assert items["oet-medicine"].status == "invalid"
    message = next(m for m in items["oet-medicine"].messages if m.startswith("oet.pdf"))
    assert "Writing 290, below the minimum 300" in message
    assert "ECFMG OET minimums" in message and "one sitting" in message


def test_scores_from_two_sittings_are_not_combined(checklist: Checklist) -> None:
    first = doc("oet-1.pdf", "oet-medicine", OET.format(writing=290))
    second = OET.format(writing=330).replace("Listening 360", "Listening 320")
    items, _ = judge(checklist, [first, doc("oet-2.pdf", "oet-medicine", second)])
    assert items["oet-medicine"].status == "invalid"
    assert any("Listening 320, below the minimum 350" in m for m in items["oet-medicine"].messages)


def test_unreadable_scores_leave_the_item_unverified(checklist: Checklist) -> None:
    text = "Occupational English Test - Statement of Results\nMedicine"
    items, _ = judge(checklist, [doc("oet.pdf", "oet-medicine", text)])
    assert items["oet-medicine"].status == "unverified"


# ---------------------------------------------------------------- outcome


def test_a_passed_exam_is_ok(checklist: Checklist) -> None:
    text = "United States Medical Licensing Examination\nStep 1 Score Report\nResult: Pass"
    items, _ = judge(checklist, [doc("step1.pdf", "usmle-step1", text)])
    assert items["usmle-step1"].status == "ok"


def test_a_failed_exam_is_invalid(checklist: Checklist) -> None:
    text = "United States Medical Licensing Examination\nStep 1 Score Report\nResult: Fail"
    items, _ = judge(checklist, [doc("step1.pdf", "usmle-step1", text)])
    assert items["usmle-step1"].status == "invalid"
    assert "step1.pdf: result Fail, but a pass is required" in items["usmle-step1"].messages


# ---------------------------------------------------------------- required-elements

CONTRACT = "Resident Appointment Agreement\nProgram: {specialty} Residency\nPGY-1, July 1, 2027"


def test_a_complete_statement_of_need_for_the_right_specialty_is_ok(checklist: Checklist) -> None:
    son = doc("son.pdf", "statement-of-need", SON.format(specialty="Internal Medicine"))
    contract = doc(
        "contract.pdf", "training-contract", CONTRACT.format(specialty="Internal Medicine")
    )
    items, _ = judge(checklist, [son, contract])
    assert items["statement-of-need"].status == "ok", items["statement-of-need"].messages


def test_a_statement_of_need_with_the_wrong_specialty_is_invalid(checklist: Checklist) -> None:
    son = doc("son.pdf", "statement-of-need", SON.format(specialty="Family Medicine"))
    contract = doc(
        "contract.pdf", "training-contract", CONTRACT.format(specialty="Internal Medicine")
    )
    items, _ = judge(checklist, [son, contract])
    assert items["statement-of-need"].status == "invalid"
    message = next(m for m in items["statement-of-need"].messages if m.startswith("son.pdf"))
    assert message.startswith(
        'son.pdf: it names the specialty "Family Medicine", not "Internal Medicine" '
        "(training.specialty in dossier.yaml, contract.pdf); the specialty must match exactly"
    )
    assert "missing" not in message  # the specialty element is said by naming both


def test_missing_elements_of_a_statement_of_need_are_each_named(checklist: Checklist) -> None:
    text = "Ministry of Health\nStatement of Need\nLucia Fernanda Quispe Mamani\n14 March 2026"
    items, _ = judge(checklist, [doc("son.pdf", "statement-of-need", text)])
    assert items["statement-of-need"].status == "invalid"
    message = next(m for m in items["statement-of-need"].messages if m.startswith("son.pdf"))
    assert "addressed to ECFMG" in message
    assert "written assurance to return" in message


def test_a_contract_for_another_specialty_than_the_profile_is_invalid(checklist: Checklist) -> None:
    son = doc("son.pdf", "statement-of-need", SON.format(specialty="Internal Medicine"))
    contract = doc("contract.pdf", "training-contract", CONTRACT.format(specialty="Pediatrics"))
    items, _ = judge(checklist, [son, contract])
    assert items["statement-of-need"].status == "invalid"
    assert any(
        'contract.pdf: names the specialty "Pediatrics"' in m
        for m in items["statement-of-need"].messages
    )


def test_a_statement_of_need_ending_before_training_ends_is_invalid(checklist: Checklist) -> None:
    text = SON.format(specialty="Internal Medicine") + "Valid until: 30 June 2029\n"
    items, _ = judge(checklist, [doc("son.pdf", "statement-of-need", text)])
    assert items["statement-of-need"].status == "invalid"
    assert any(
        "son.pdf: expires 2029-06-30, before training ends 2030-06-30" in m
        for m in items["statement-of-need"].messages
    )


# ---------------------------------------------------------------- name-match

DIPLOMA_EN = "Doctor of Medicine\nThis is to certify that\n{name}\nhas been admitted to the degree"


def test_a_name_spelled_with_accents_and_in_another_order_matches(checklist: Checklist) -> None:
    diploma = doc("diploma.pdf", "medical-diploma", DIPLOMA_EN.format(name="QUISPE MAMANI, LUCÍA"))
    profile = {**PROFILE, "medical_school": {"language": "en"}}
    _, docs = judge(checklist, [diploma], profile)
    assert codes(docs["diploma.pdf"]) == []


def test_another_name_is_a_name_mismatch_naming_both_spellings(checklist: Checklist) -> None:
    diploma = doc("diploma.pdf", "medical-diploma", DIPLOMA_EN.format(name="Lucia Torres Quispe"))
    profile = {**PROFILE, "medical_school": {"language": "en"}}
    items, docs = judge(checklist, [diploma], profile)
    assert items["medical-diploma"].status == "ok"  # a warning, not a verdict
    problem = docs["diploma.pdf"].problems[0]
    assert (problem.code, problem.severity) == ("name-mismatch", "warning")
    assert '"Lucia Torres Quispe"' in problem.message
    assert '"Lucia Fernanda Quispe Mamani" (dossier.yaml)' in problem.message
    assert "applicant.other_names" in problem.message
    profile["applicant"] = {**PROFILE["applicant"], "other_names": ["Lucia Torres Quispe"]}
    _, docs = judge(checklist, [diploma], profile)
    assert codes(docs["diploma.pdf"]) == []


def test_without_a_name_in_the_profile_the_passport_zone_names_the_applicant(
    checklist: Checklist,
) -> None:
    passport = doc("passport.pdf", "passport", f"PASSPORT\n{mrz_lines('310501')}")
    diploma = doc("diploma.pdf", "medical-diploma", DIPLOMA_EN.format(name="Maria Gomez Diaz"))
    profile = {k: v for k, v in PROFILE.items() if k != "applicant"}
    profile["medical_school"] = {"language": "en"}
    facts = extract(passport, parse_profile(profile))
    _, docs = judge(checklist, [passport.replace(facts=facts), diploma], profile)
    message = docs["diploma.pdf"].problems[0].message
    assert '"LUCIA FERNANDA QUISPE MAMANI" (the passport passport.pdf)' in message


# ---------------------------------------------------------------- translation

DIPLOMA_ES = (
    "La Universidad Nacional Mayor de San Marcos\nA nombre de la Nación confiere el título de "
    "Médico Cirujano a Lucia Fernanda Quispe Mamani por haber cumplido con los requisitos "
    "establecidos por la ley y el reglamento de la universidad. "
    "Dado en Lima, el 14 de marzo de 2021."
)
CERTIFIED = (
    "Translation of the medical diploma (título de Médico Cirujano)\n...\n"
    "I, Ana Ruiz, certify that the word-for-word translation is correct. Ruiz Translation Services"
)


def test_a_spanish_diploma_without_a_translation_needs_one(checklist: Checklist) -> None:
    items, docs = judge(checklist, [doc("titulo.pdf", "medical-diploma", DIPLOMA_ES)])
    problem = docs["titulo.pdf"].problems[0]
    assert (problem.code, problem.severity) == ("needs-translation", "warning")
    assert "titulo.pdf: in Spanish (guessed from its text)" in problem.message
    assert "no certified English translation" in problem.message
    assert items["medical-diploma"].status == "ok"


def test_a_translation_paired_by_file_name_satisfies_it(checklist: Checklist) -> None:
    original = doc("titulo.pdf", "medical-diploma", DIPLOMA_ES)
    translation = doc("titulo-translation.pdf", "translation", "I certify this translation.")
    _, docs = judge(checklist, [original, translation])
    assert "needs-translation" not in codes(docs["titulo.pdf"])


def test_a_translation_paired_by_content_satisfies_it(checklist: Checklist) -> None:
    original = doc("scan-0001.pdf", "medical-diploma", DIPLOMA_ES)
    translation = doc("english.pdf", "translation", CERTIFIED)
    _, docs = judge(checklist, [original, translation])
    assert "needs-translation" not in codes(docs["scan-0001.pdf"])


def test_a_translation_of_something_else_does_not_count(checklist: Checklist) -> None:
    original = doc("titulo.pdf", "medical-diploma", DIPLOMA_ES)
    other = doc(
        "birth-certificate-en.pdf", "translation",
        "Translation of a birth certificate. I certify that the translation is accurate.",
    )  # fmt: skip
    _, docs = judge(checklist, [original, other])
    assert "needs-translation" in codes(docs["titulo.pdf"])


def test_a_scan_takes_the_school_language_and_an_english_transcript_needs_nothing(
    checklist: Checklist,
) -> None:
    scan = doc("diploma.jpg", "medical-diploma", "", format="jpeg")
    english = doc(
        "transcript.pdf", "transcript",
        "Official transcript of the student. The grades of the courses are listed below, "
        "and this record was issued by the registrar of the university in English.",
    )  # fmt: skip
    _, docs = judge(checklist, [scan, english])
    message = docs["diploma.jpg"].problems[0].message
    assert "in Spanish (medical_school.language in dossier.yaml; it has no text)" in message
    assert codes(docs["transcript.pdf"]) == []


# ---------------------------------------------------------------- portal-file

LOR = (
    "Massachusetts General Hospital\n55 Fruit Street, Boston, MA 02114\n"
    "Dear Program Director,\nI recommend her."
)


def test_a_letter_within_the_lor_portal_rules_has_no_problem(checklist: Checklist) -> None:
    _, docs = judge(checklist, [doc("lor-1.pdf", "letter-of-recommendation", LOR)])
    assert codes(docs["lor-1.pdf"]) == []


def test_a_letter_over_the_lor_portal_rules_is_warned_of_each(checklist: Checklist) -> None:
    letter = doc(
        "lor:1.pdf",
        "letter-of-recommendation",
        LOR,
        bytes=1_300_000,
        info={"page_sizes": [[595.28, 841.89]], "encrypted": True, "signed": True},
    )
    items, docs = judge(checklist, [letter])
    problems = docs["lor:1.pdf"].problems
    assert {p.code for p in problems} == {"over-portal-limit"}
    assert all(p.severity == "warning" and p.message.endswith("(eras-lorp)") for p in problems)
    text = "\n".join(p.message for p in problems)
    assert "lor:1.pdf: 1.30 MB (1,300,000 bytes), over the 1.05 MB (1,048,576 bytes) limit" in text
    assert (
        "page 1 is 595.28 x 841.89 pt (A4), but ERAS LoR Portal needs 612 x 792 pt (US Letter)"
        in text
    )
    assert "encrypted" in text and "digital signature" in text
    assert "its file name has :" in text
    assert items["letter-of-recommendation"].status == "ok"


def test_a_letter_that_is_not_a_pdf_is_warned(checklist: Checklist) -> None:
    letter = doc("lor.docx", "letter-of-recommendation", LOR, format="docx", info={})
    _, docs = judge(checklist, [letter])
    assert (
        "lor.docx: a DOCX file, but ERAS LoR Portal takes PDF only"
        in docs["lor.docx"].problems[0].message
    )


def test_a_personal_statement_over_28000_characters_is_warned(checklist: Checklist) -> None:
    ok = doc("ps.txt", "personal-statement", "I chose medicine. " * 100, format="txt")
    long = doc("ps-long.txt", "personal-statement", "x" * 28_001, format="txt")
    _, docs = judge(checklist, [ok, long])
    assert codes(docs["ps.txt"]) == []
    assert (
        "ps-long.txt: 28,001 characters, over the 28,000 limit"
        in docs["ps-long.txt"].problems[0].message
    )


def test_a_photo_of_the_wrong_shape_and_size_is_warned(checklist: Checklist) -> None:
    good = doc(
        "photo.jpg", "photo", "", format="jpeg", bytes=90_000, info={"width": 375, "height": 525}
    )
    bad = doc(
        "photo.png", "photo", "", format="png", bytes=400_000, info={"width": 600, "height": 600}
    )
    _, docs = judge(checklist, [good, bad])
    assert codes(docs["photo.jpg"]) == []
    text = "\n".join(p.message for p in docs["photo.png"].problems)
    assert "over the 150 KB (150,000 bytes) limit of ERAS photo" in text
    assert "600 x 600 px, not the 5:7 shape" in text
    small = doc(
        "small.jpg", "photo", "", format="jpeg", bytes=9_000, info={"width": 250, "height": 350}
    )
    _, docs = judge(checklist, [small])
    assert "small.jpg: 250 x 350 px, smaller than the 375 x 525 px ERAS photo expects" in (
        docs["small.jpg"].problems[0].message
    )


# ---------------------------------------------------------------- local-referee

LOR_PERU = (
    "Hospital Nacional Dos de Mayo\nAv. Grau 13, Lima, Perú\n"
    "Dear Program Director,\nI recommend her."
)


def test_one_letter_from_the_us_is_enough(checklist: Checklist) -> None:
    letters = [
        doc("lor-1.pdf", "letter-of-recommendation", LOR_PERU),
        doc("lor-2.pdf", "letter-of-recommendation", LOR),
    ]
    items, _ = judge(checklist, letters)
    assert items["letter-of-recommendation"].problems == ()


def test_no_letter_from_the_us_or_canada_is_an_item_warning_naming_each(
    checklist: Checklist,
) -> None:
    letters = [
        doc("lor-1.pdf", "letter-of-recommendation", LOR_PERU),
        doc("lor-2.pdf", "letter-of-recommendation", "Dear Program Director,\nShe is excellent."),
    ]
    items, _ = judge(checklist, letters)
    item = items["letter-of-recommendation"]
    assert item.status == "ok"
    (problem,) = item.problems
    assert (problem.code, problem.severity) == ("no-local-referee", "warning")
    assert "lor-1.pdf: Perú (Av. Grau 13, Lima, Perú)" in problem.message
    assert "lor-2.pdf: no address found" in problem.message
    assert "the United States or Canada" in problem.message


# ---------------------------------------------------------------- strict, validation


def test_strict_makes_rule_warnings_count_toward_complete(checklist: Checklist) -> None:
    letters = [doc("lor-1.pdf", "letter-of-recommendation", LOR_PERU)]
    result = verify(checklist, parse_profile(PROFILE), letters, as_of=AS_OF, expiring_within=90)
    required = tuple(i for i in result.items if i.id == "letter-of-recommendation")

    def report(strict: bool) -> Report:
        return Report(
            folder="x", checklist=ChecklistRef("mini-rules", "t", "1"), as_of=AS_OF,
            applicant=None, items=required, documents=result.documents, strict=strict,
        )  # fmt: skip

    assert report(strict=False).complete is True
    assert report(strict=True).complete is False


def test_unknown_rule_types_and_parameters_are_bad_input_naming_file_item_and_rule(
    tmp_path: Path,
) -> None:
    path = tmp_path / "custom.yaml"
    path.write_text(
        CHECKLIST.replace("type: outcome, expect: pass", "type: outcom, expect: pass").replace(
            "type: max-age, years: 2", "type: max-age, yeras: 2"
        ),
        encoding="utf-8",
    )
    path.with_name("ok.yaml").write_text(CHECKLIST, encoding="utf-8")
    with pytest.raises(BadInputError) as caught:  # refused as it loads, by the rule models
        checklist_mod.load(str(path))
    text = str(caught.value)
    assert f"{path}: items.usmle-step1.rules[1] (outcom): unknown rule type" in text
    assert f"{path}: items.language-proficiency.rules[1] (max-age).yeras: unknown parameter" in text
    # a checklist made in code is checked when its rules are applied: never a silent verdict
    loaded = checklist_mod.load(str(path.with_name("ok.yaml")))
    item = loaded.item("usmle-step1")
    language = loaded.item("language-proficiency")
    assert item is not None and language is not None
    item = dataclasses.replace(item, rules=(dataclasses.replace(item.rules[0], type="outcom"),))
    params = {**language.rules[0].params, "yeras": 2}
    language = dataclasses.replace(
        language, rules=(dataclasses.replace(language.rules[0], params=params),)
    )
    ctx = rules.RuleContext(loaded, parse_profile({}), AS_OF, 90, ())
    with pytest.raises(
        BadInputError, match=r"usmle-step1.rules\[1\] \(outcom\): unknown rule type"
    ):
        rules.evaluate(item, [doc("s.pdf", "usmle-step1", "Result: Pass")], ctx)
    bad = dataclasses.replace(loaded, items=(language,))
    with pytest.raises(BadInputError, match="yeras: unknown parameter"):
        rules.validate_rules(bad)


def test_the_test_checklist_itself_is_valid(checklist: Checklist) -> None:
    rules.validate_rules(checklist)


def test_a_rule_with_when_applies_only_when_its_condition_holds(tmp_path: Path) -> None:
    path = tmp_path / "when.yaml"
    path.write_text(
        CHECKLIST.replace(
            "why: J-1 rule, source: test}", "why: J-1 rule, when: {visa: [J-1]}, source: test}"
        ),
        encoding="utf-8",
    )
    loaded = checklist_mod.load(str(path))
    rules.validate_rules(loaded)
    passport = doc("passport.pdf", "passport", "PASSPORT\nDate of expiry: 10 DEC 2027")
    items, _ = judge(loaded, [passport])
    assert items["passport"].status == "invalid"
    h1b = {**PROFILE, "training": {**PROFILE["training"], "visa": "H-1B"}}
    items, _ = judge(loaded, [passport], h1b)
    assert items["passport"].status == "ok"


def test_a_rule_may_read_the_first_of_several_date_facts(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(
        CHECKLIST.replace(
            "type: max-age, years: 2", "type: max-age, fact: [test_date, date], years: 2"
        ),
        encoding="utf-8",
    )
    loaded = checklist_mod.load(str(path))
    rules.validate_rules(loaded)
    trf = doc("ielts.pdf", "language-proficiency", "IELTS Test Report Form\nDate\n20/SEP/2023")
    items, docs = judge(loaded, [trf])
    assert items["language-proficiency"].status == "expired"
    assert "2023-09-20" in docs["ielts.pdf"].problems[0].message
