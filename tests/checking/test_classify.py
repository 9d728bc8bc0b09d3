"""Classification: dossier.yaml files: first, then tolerant file names, then content evidence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from img_dossier.checking.classify import classify, manifest_match, normalize
from img_dossier.config.checklist import Checklist, load
from img_dossier.config.profile import Profile, parse_profile
from img_dossier.model import Document, Problem

CHECKLIST = """
schema: 1
id: mini
title: Mini checklist
version: "1"
track: us
languages: [en]
items:
  - id: passport
    title: Passport
    required: true
    source: test
    names: [passport, pasaporte, passeport]
    evidence: [["Passport", "Nationality"], ["Passeport", "Nationalite"]]
  - id: usmle-step1
    title: USMLE Step 1
    required: true
    source: test
    names: [usmle step 1, step 1, usmle]
    evidence: [["United States Medical Licensing Examination", "Step 1"]]
  - id: usmle-step2-ck
    title: USMLE Step 2 CK
    required: true
    source: test
    names: [usmle step 2 ck, step 2 ck, step 2]
    evidence: [["United States Medical Licensing Examination", "Step 2 CK"]]
  - id: letter-of-recommendation
    title: Letters of recommendation
    required: true
    min: 3
    source: test
    names: [lor, letter of recommendation, lettre de recommandation, recommendation]
    evidence: [["Letter of Recommendation"], ["Dear Program Director"]]
  - id: medical-diploma
    title: Medical diploma
    required: true
    source: test
    names: [diploma, diplome, titulo]
    evidence: [["Doctor of Medicine", "conferred"], ["Medico Cirujano", "titulo"]]
"""


@pytest.fixture()
def checklist(tmp_path: Path) -> Checklist:
    path = tmp_path / "mini.yaml"
    path.write_text(CHECKLIST, encoding="utf-8")
    return load(str(path))


def doc(rel: str, text: str = "", *, content: bytes | None = None, error: bool = False) -> Document:
    data = content if content is not None else rel.encode()
    problems = (Problem("damaged", "error", f"{rel}: damaged"),) if error else ()
    return Document(
        rel=rel,
        path=Path("/nowhere") / rel,
        format="pdf",
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=1,
        text=text,
        problems=problems,
    )


def one(d: Document, checklist: Checklist, profile: Profile | None = None) -> Document:
    return classify([d], checklist, profile or Profile())[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("USMLE Step2CK", "usmle step 2 ck"),
        ("usmle_step-1", "usmle step 1"),
        ("LOR Dr. Smith", "lor dr smith"),
        ("Lettre_de-recommandation (2).PDF", "lettre de recommandation 2 pdf"),
        ("Diplôme Médecine", "diplome medecine"),
    ],
)
def test_normalize_splits_words_digits_and_strips_accents(name: str, expected: str) -> None:
    assert normalize(name) == expected


@pytest.mark.parametrize(
    ("rel", "item", "phrase"),
    [
        ("LOR Dr. Smith.pdf", "letter-of-recommendation", "lor"),
        ("usmle_step-1.pdf", "usmle-step1", "usmle step 1"),
        ("Lettre de recommandation.pdf", "letter-of-recommendation", "lettre de recommandation"),
        ("USMLE Step2CK.pdf", "usmle-step2-ck", "usmle step 2 ck"),
        ("scores/USMLE.pdf", "usmle-step1", "usmle"),
        ("Pasaporte_QUISPE.jpg", "passport", "pasaporte"),
        ("Diplôme de docteur.pdf", "medical-diploma", "diplome"),
    ],
)
def test_file_names_are_matched_tolerantly(
    checklist: Checklist, rel: str, item: str, phrase: str
) -> None:
    d = one(doc(rel), checklist)
    assert d.item == item
    assert d.classified_by == "filename"
    assert d.evidence == (f"file name: {phrase}",)
    assert d.problems == ()


def test_longest_name_phrase_wins_over_a_shorter_one(checklist: Checklist) -> None:
    # "usmle" (step 1) and "usmle step 2 ck" both occur: the longer phrase decides.
    assert one(doc("my usmle step 2 ck report.pdf"), checklist).item == "usmle-step2-ck"


def test_name_words_must_be_whole_words(checklist: Checklist) -> None:
    # "lor" inside "florida" and "step 1" inside "step 10" are not matches.
    d = one(doc("florida step 10 notes.pdf"), checklist)
    assert d.item is None
    assert d.classified_by is None


def test_manifest_wins_over_file_name(checklist: Checklist) -> None:
    profile = parse_profile({"files": {"passport.pdf": "medical-diploma"}})
    d = one(doc("passport.pdf"), checklist, profile)
    assert d.item == "medical-diploma"
    assert d.classified_by == "manifest"
    assert d.evidence == ("dossier.yaml files: passport.pdf",)


def test_manifest_globs_match_the_path_and_the_base_name(checklist: Checklist) -> None:
    files = {"letters/*.pdf": "letter-of-recommendation", "Scan_*": "passport"}
    profile = parse_profile({"files": files})
    a, b = classify([doc("letters/smith.pdf"), doc("deep/down/scan_0001.pdf")], checklist, profile)
    assert (a.item, a.classified_by) == ("letter-of-recommendation", "manifest")
    assert a.evidence == ("dossier.yaml files: letters/*.pdf",)
    assert (b.item, b.evidence) == ("passport", ("dossier.yaml files: Scan_*",))


def test_manifest_exact_path_wins_over_an_earlier_glob() -> None:
    files = {"*.pdf": "passport", "Scan_0001.pdf": "medical-diploma"}
    assert manifest_match("Scan_0001.pdf", files) == ("Scan_0001.pdf", "medical-diploma")
    assert manifest_match("other.pdf", files) == ("*.pdf", "passport")
    assert manifest_match("notes.txt", files) is None


def test_manifest_ignore_leaves_the_document_unassigned_without_a_problem(
    checklist: Checklist,
) -> None:
    profile = parse_profile({"files": {"notes.txt": "ignore"}})
    d = one(doc("notes.txt", "Passport Nationality"), checklist, profile)
    assert d.item is None
    assert d.classified_by == "manifest"
    assert d.problems == ()


def test_content_evidence_classifies_a_meaningless_name(checklist: Checklist) -> None:
    text = "To whom it may concern.\nDear   Program Director,\nI recommend Dr. Quispe warmly."
    d = one(doc("Scan_0001.pdf", text), checklist)
    assert d.item == "letter-of-recommendation"
    assert d.classified_by == "content"
    assert d.evidence == ("Dear Program Director",)


def test_content_matching_ignores_case_accents_and_line_breaks(checklist: Checklist) -> None:
    text = "REPÚBLICA DEL PERÚ\nTÍTULO DE MÉDICO\nCIRUJANO otorgado a Lucía"
    d = one(doc("document(2).pdf", text), checklist)
    assert (d.item, d.classified_by) == ("medical-diploma", "content")
    assert d.evidence == ("Medico Cirujano", "titulo")


def test_every_phrase_of_a_group_must_occur(checklist: Checklist) -> None:
    # "Passport" alone is half of the passport group: no match.
    d = one(doc("Scan_0002.pdf", "Passport number 123 issued in Lima"), checklist)
    assert d.item is None


def test_the_item_with_more_matched_evidence_wins(checklist: Checklist) -> None:
    text = (
        "United States Medical Licensing Examination score report. Step 2 CK. "
        "This transcript also lists Step 1."
    )
    d = one(doc("Scan_0003.pdf", text), checklist)
    # Both groups match with two phrases; "Step 2 CK" is longer than "Step 1".
    assert d.item == "usmle-step2-ck"
    assert set(d.evidence) == {"United States Medical Licensing Examination", "Step 2 CK"}


def test_unclassified_document_gets_a_hint(checklist: Checklist) -> None:
    d = one(doc("Scan_0004.pdf", "Nothing to see here at all."), checklist)
    assert d.item is None and d.classified_by is None and d.evidence == ()
    assert [p.code for p in d.problems] == ["unclassified"]
    problem = d.problems[0]
    assert problem.severity == "warning"
    assert "Scan_0004.pdf" in problem.message
    assert "rename it after its item (e.g. passport.pdf)" in problem.message
    assert "dossier.yaml under files:" in problem.message


def test_unreadable_document_is_still_classified_by_name_but_not_by_content(
    checklist: Checklist,
) -> None:
    named = one(doc("passport.pdf", error=True), checklist)
    assert (named.item, named.classified_by) == ("passport", "filename")
    unnamed = one(doc("Scan_0005.pdf", "Passport Nationality", error=True), checklist)
    assert unnamed.item is None
    assert {p.code for p in unnamed.problems} == {"damaged", "unclassified"}


def test_folder_name_is_a_last_resort(checklist: Checklist) -> None:
    d = one(doc("Recommendation letters/Dr Garcia.pdf", "Some text"), checklist)
    assert (d.item, d.classified_by) == ("letter-of-recommendation", "filename")
    assert d.evidence == ("folder name: recommendation",)


def test_byte_identical_copy_is_a_duplicate_naming_the_first(checklist: Checklist) -> None:
    a = doc("passport.pdf", content=b"same bytes")
    b = doc("copies/passport copy.pdf", content=b"same bytes")
    c = doc("other/passport.pdf", content=b"other bytes")
    out = classify([a, b, c], checklist, Profile())
    assert [d.item for d in out] == ["passport"] * 3
    assert out[0].problems == () and out[2].problems == ()
    (dup,) = out[1].problems
    assert dup.code == "duplicate" and dup.severity == "warning"
    assert "passport.pdf" in dup.message.split(":", 1)[1]


def test_order_is_kept(checklist: Checklist) -> None:
    rels = ["b.pdf", "passport.pdf", "a.pdf", "lor 1.pdf"]
    out = classify([doc(r) for r in rels], checklist, Profile())
    assert [d.rel for d in out] == rels


def test_a_title_line_that_is_an_item_name_decides(checklist: Checklist) -> None:
    # The letter mentions a USMLE result further down; its title says what it is.
    text = (
        "\n  Letter of Recommendation \nDr. Ana Garcia\n"
        "United States Medical Licensing Examination Step 1: passed on the first attempt."
    )
    d = one(doc("Scan_0006.pdf", text), checklist)
    assert (d.item, d.classified_by) == ("letter-of-recommendation", "content")
    assert d.evidence == ("title: Letter of Recommendation",)


def test_a_title_must_be_the_whole_line(checklist: Checklist) -> None:
    text = "Passport office opening hours\nMonday to Friday"
    assert one(doc("Scan_0007.pdf", text), checklist).item is None
