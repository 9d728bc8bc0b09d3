"""Verification: every item status, conditions true/false/undecided, counts, the rule hook."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from img_dossier.checking import rules
from img_dossier.checking.verify import needs_translation, verify
from img_dossier.config.checklist import Checklist, Item, load
from img_dossier.config.profile import Profile, parse_profile
from img_dossier.facts.language import guess_language
from img_dossier.model import Document, ItemResult, Problem

AS_OF = date(2026, 11, 29)

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
    advice: Scan the photo page of your passport.
    evidence: [["Passport", "Nationality"]]
  - id: letter-of-recommendation
    title: Letters of recommendation
    required: true
    min: 3
    max: 4
    source: test
  - id: statement-of-need
    title: Statement of Need
    required: true
    when: {visa: [J-1]}
    source: test
  - id: translation
    title: Certified translation
    required: true
    when: {needs_translation: true}
    source: test
  - id: photo
    title: Photo
    required: false
    source: test
"""


@pytest.fixture()
def checklist(tmp_path: Path) -> Checklist:
    path = tmp_path / "mini.yaml"
    path.write_text(CHECKLIST, encoding="utf-8")
    return load(str(path))


ENGLISH = "This is to certify that the holder of this document has completed all of the work."
SPANISH = (
    "La universidad otorga el titulo de medico a la persona que ha cumplido con todos "
    "los requisitos de la ley."
)


def doc(
    rel: str,
    item: str | None,
    text: str = ENGLISH,
    *,
    problems: Sequence[Problem] = (),
) -> Document:
    return Document(
        rel=rel,
        path=Path("/nowhere") / rel,
        format="pdf",
        bytes=10,
        sha256=hashlib.sha256(rel.encode()).hexdigest(),
        pages=1,
        text=text,
        problems=tuple(problems),
        item=item,
        classified_by="filename" if item else None,
    )


def full_folder() -> list[Document]:
    return [
        doc("passport.pdf", "passport"),
        doc("lor1.pdf", "letter-of-recommendation"),
        doc("lor2.pdf", "letter-of-recommendation"),
        doc("lor3.pdf", "letter-of-recommendation"),
        doc("son.pdf", "statement-of-need"),
        doc("photo.jpg", "photo"),
    ]


J1_ENGLISH = {"training": {"visa": "J-1"}, "medical_school": {"language": "en"}}


def run(
    checklist: Checklist, docs: Sequence[Document], profile: Profile | None = None
) -> dict[str, ItemResult]:
    profile = profile or parse_profile(J1_ENGLISH)
    result = verify(checklist, profile, docs, as_of=AS_OF, expiring_within=90, strict=False)
    return {i.id: i for i in result.items}


def test_complete_folder_is_all_ok_and_not_required_items_are_marked(
    checklist: Checklist,
) -> None:
    items = run(checklist, full_folder())
    assert {k: v.status for k, v in items.items()} == {
        "passport": "ok",
        "letter-of-recommendation": "ok",
        "statement-of-need": "ok",
        "translation": "not-required",
        "photo": "ok",
    }
    assert items["translation"].required is False
    assert items["letter-of-recommendation"].documents == ("lor1.pdf", "lor2.pdf", "lor3.pdf")
    assert items["passport"].advice == "Scan the photo page of your passport."


def test_items_keep_checklist_order(checklist: Checklist) -> None:
    assert list(run(checklist, full_folder())) == [i.id for i in checklist.items]


def test_missing_required_and_optional(checklist: Checklist) -> None:
    docs = [d for d in full_folder() if d.item not in ("passport", "photo")]
    items = run(checklist, docs)
    assert items["passport"].status == "missing"
    assert items["passport"].blocking
    assert items["photo"].status == "optional-missing"
    assert not items["photo"].blocking


def test_too_few_documents_is_insufficient_with_a_counting_message(checklist: Checklist) -> None:
    docs = [d for d in full_folder() if d.rel != "lor3.pdf"]
    item = run(checklist, docs)["letter-of-recommendation"]
    assert item.status == "insufficient"
    assert item.messages == ("Letters of recommendation: 3 required, 2 found",)


def test_more_than_max_is_a_message_not_a_failure(checklist: Checklist) -> None:
    docs = full_folder() + [doc(f"lor{n}.pdf", "letter-of-recommendation") for n in (4, 5)]
    item = run(checklist, docs)["letter-of-recommendation"]
    assert item.status == "ok"
    assert any("at most 4" in m and "5 found" in m for m in item.messages)


def test_unreadable_documents_make_the_item_invalid_with_the_reason(checklist: Checklist) -> None:
    damaged = Problem("encrypted", "error", "passport.pdf: password-protected; remove it")
    docs = [d for d in full_folder() if d.item != "passport"]
    docs.append(doc("passport.pdf", "passport", "", problems=[damaged]))
    item = run(checklist, docs)["passport"]
    assert item.status == "invalid"
    assert item.blocking
    assert item.documents == ("passport.pdf",)
    assert "password-protected" in item.messages[0]


def test_unreadable_letters_do_not_count(checklist: Checklist) -> None:
    bad = Problem("damaged", "error", "lor3.pdf: damaged")
    docs = [d for d in full_folder() if d.rel != "lor3.pdf"]
    docs.append(doc("lor3.pdf", "letter-of-recommendation", "", problems=[bad]))
    item = run(checklist, docs)["letter-of-recommendation"]
    assert item.status == "insufficient"
    assert item.messages[0].startswith("Letters of recommendation: 3 required, 2 found")
    assert "lor3.pdf" in item.messages[0]


def test_documents_without_text_are_unverified_and_satisfy_presence(
    checklist: Checklist,
) -> None:
    docs = [d for d in full_folder() if d.item != "passport"]
    docs.append(doc("passport.jpg", "passport", ""))
    item = run(checklist, docs)["passport"]
    assert item.status == "unverified"
    assert not item.blocking
    assert "passport.jpg" in item.messages[0]


def test_duplicates_do_not_count(checklist: Checklist) -> None:
    dup = Problem("duplicate", "warning", "lor3.pdf: the same file as lor1.pdf")
    docs = [d for d in full_folder() if d.rel != "lor3.pdf"]
    docs.append(doc("lor3.pdf", "letter-of-recommendation", problems=[dup]))
    item = run(checklist, docs)["letter-of-recommendation"]
    assert item.status == "insufficient"
    assert "lor3.pdf" not in item.documents


def test_condition_false_is_not_required_but_lists_documents(checklist: Checklist) -> None:
    profile = parse_profile({"training": {"visa": "H-1B"}, "medical_school": {"language": "en"}})
    item = run(checklist, full_folder(), profile)["statement-of-need"]
    assert item.status == "not-required"
    assert item.required is False
    assert item.documents == ("son.pdf",)


def test_condition_true_makes_the_item_required(checklist: Checklist) -> None:
    docs = [d for d in full_folder() if d.item != "statement-of-need"]
    item = run(checklist, docs)["statement-of-need"]
    assert (item.status, item.required) == ("missing", True)


def test_undecided_condition_assumes_required_and_says_which_field_to_set(
    checklist: Checklist,
) -> None:
    docs = [d for d in full_folder() if d.item != "statement-of-need"]
    profile = parse_profile({"medical_school": {"language": "en"}})
    result = verify(checklist, profile, docs, as_of=AS_OF, expiring_within=90, strict=False)
    item = next(i for i in result.items if i.id == "statement-of-need")
    assert (item.status, item.required) == ("missing", True)
    assert result.notes == (
        "training.visa is not set in dossier.yaml: assumed required: Statement of Need; "
        "set training.visa to J-1, H-1B or none",
    )


def test_school_language_decides_needs_translation(checklist: Checklist) -> None:
    profile = parse_profile({"training": {"visa": "J-1"}, "medical_school": {"language": "es"}})
    items = run(checklist, full_folder(), profile)
    assert (items["translation"].status, items["translation"].required) == ("missing", True)


def test_guessed_language_of_a_document_decides_needs_translation(checklist: Checklist) -> None:
    no_language = Profile()
    spanish = [*full_folder(), doc("diploma.pdf", "passport", SPANISH)]
    assert needs_translation(checklist, no_language, spanish) is True
    assert needs_translation(checklist, no_language, full_folder()) is False
    scans = [doc("passport.jpg", "passport", "")]
    assert needs_translation(checklist, no_language, scans) is None
    # A known school language wins over the guess.
    english_school = parse_profile({"medical_school": {"language": "en"}})
    assert needs_translation(checklist, english_school, spanish) is False


def test_unknown_translation_need_assumes_required_with_a_note(checklist: Checklist) -> None:
    docs = [doc("passport.jpg", "passport", "")]
    profile = parse_profile({"training": {"visa": "J-1"}})
    result = verify(checklist, profile, docs, as_of=AS_OF, expiring_within=90, strict=False)
    assert next(i for i in result.items if i.id == "translation").status == "missing"
    expected = "medical_school.language is not set in dossier.yaml"
    assert any(n.startswith(expected) for n in result.notes)


def test_rule_outcome_is_applied_to_item_and_documents(
    checklist: Checklist, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, tuple[str, ...], date]] = []
    expired = Problem("expired", "error", "passport.pdf: expired on 2026-01-01")

    def fake(item: Item, docs: Sequence[Document], ctx: rules.RuleContext) -> rules.RuleOutcome:
        seen.append((item.id, tuple(d.rel for d in docs), ctx.as_of))
        if item.id == "passport":
            return rules.RuleOutcome(
                status="expired",
                messages=("passport expired on 2026-01-01; renew it",),
                item_problems=(expired,),
                document_problems={"passport.pdf": (expired,)},
            )
        if item.id == "photo":
            return rules.RuleOutcome(status="ok")  # never makes an item better or worse
        return rules.RuleOutcome()

    monkeypatch.setattr(rules, "evaluate", fake)
    profile = parse_profile(J1_ENGLISH)
    result = verify(
        checklist, profile, full_folder(), as_of=AS_OF, expiring_within=30, strict=False
    )
    items = {i.id: i for i in result.items}
    assert items["passport"].status == "expired"
    assert items["passport"].messages == ("passport expired on 2026-01-01; renew it",)
    assert items["passport"].problems == (expired,)
    passport = next(d for d in result.documents if d.rel == "passport.pdf")
    assert passport.problems == (expired,)
    assert items["photo"].status == "ok"
    # Called once per applicable item with documents, with only that item's documents.
    assert ("passport", ("passport.pdf",), AS_OF) in seen
    expected = {"passport", "letter-of-recommendation", "statement-of-need", "photo"}
    assert {s[0] for s in seen} == expected


def test_a_rule_never_makes_an_item_better(
    checklist: Checklist, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "evaluate", lambda *a: rules.RuleOutcome(status="expiring"))
    docs = [d for d in full_folder() if d.rel != "lor3.pdf"]
    items = run(checklist, docs)
    assert items["letter-of-recommendation"].status == "insufficient"
    assert items["passport"].status == "expiring"


def test_an_image_of_an_item_that_expects_no_text_is_ok(checklist: Checklist) -> None:
    no_text = Problem("no-text", "warning", "photo.jpg: an image has no text layer")
    docs = [d for d in full_folder() if d.item != "photo"]
    docs.append(doc("photo.jpg", "photo", "", problems=[no_text]))
    result = verify(
        checklist, parse_profile(J1_ENGLISH), docs, as_of=AS_OF, expiring_within=90, strict=False
    )
    assert next(i for i in result.items if i.id == "photo").status == "ok"
    photo = next(d for d in result.documents if d.rel == "photo.jpg")
    assert photo.problems == ()  # no text is not a problem for a photo


def test_a_scan_with_a_no_text_warning_is_not_said_twice(checklist: Checklist) -> None:
    no_text = Problem("no-text", "warning", "passport.pdf: a scan without a text layer")
    docs = [d for d in full_folder() if d.item != "passport"]
    docs.append(doc("passport.pdf", "passport", "", problems=[no_text]))
    result = verify(
        checklist, parse_profile(J1_ENGLISH), docs, as_of=AS_OF, expiring_within=90, strict=False
    )
    item = next(i for i in result.items if i.id == "passport")
    assert (item.status, item.messages) == ("unverified", ())
    assert next(d for d in result.documents if d.rel == "passport.pdf").problems == (no_text,)


SENTENCES = {
    "en": "This is to certify that the student has completed all of the requirements for the "
    "degree and is entitled to its rights.",
    "es": "La Universidad otorga el título de Médico Cirujano a la graduada por haber cumplido "
    "con todos los requisitos que establecen las leyes.",
    "fr": "L'Université confère le diplôme de docteur en médecine à la candidate qui a satisfait "
    "à toutes les exigences du programme pour les droits qui y sont attachés.",
    "pt": "A Universidade confere o diploma de Médico ao formando por ter concluído o curso com "
    "todos os requisitos exigidos pela legislação, e para que produza os efeitos legais.",
    "de": "Die Universität verleiht den Grad eines Doktors der Medizin, nachdem er alle "
    "Anforderungen des Studiums erfüllt hat und die Prüfung mit Erfolg bestanden wurde.",
    "it": "L'Università degli Studi conferisce la laurea in Medicina e Chirurgia allo studente "
    "che ha superato con successo tutti gli esami previsti dal piano di studi della facoltà.",
}


@pytest.mark.parametrize(("language", "text"), SENTENCES.items())
def test_guess_language_of_a_diploma_sentence(language: str, text: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize("text", ["", "PASSPORT P<PERQUISPE<<LUCIA", "12345 67890 2026-01-01"])
def test_too_little_text_has_no_language(text: str) -> None:
    assert guess_language(text) is None
