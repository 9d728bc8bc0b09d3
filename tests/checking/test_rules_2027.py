"""The rules of the 2027 cycle (ERAS 2027, the 2027 Match, the 2027 CaRMS R-1 cycle), point by
point: for each, a folder or profile that passes and one that fails, asserting the status, the
problem code and the message a user sees, on the built-in checklists."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from img_dossier.checking.classify import classify
from img_dossier.checking.verify import verify
from img_dossier.cli import cli
from img_dossier.config.checklist import Checklist, builtin_ids, load
from img_dossier.config.profile import Profile, parse_profile
from img_dossier.config.sources import public_source_errors, unconfirmed, user_texts
from img_dossier.errors import BadInputError, ExitCode
from img_dossier.facts import statement_of_need as son
from img_dossier.letters import render as letters
from img_dossier.model import Document, ItemResult

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 30)
J1: dict[str, Any] = {
    "track": "us",
    "applicant": {"given_names": "Lucia Fernanda", "family_name": "Quispe Mamani"},
    "medical_school": {"language": "en"},
    "training": {"specialty": "Internal Medicine", "start": "2027-07-01", "visa": "J-1"},
    "ecfmg_certified": True,
}
CANADA: dict[str, Any] = {
    "track": "canada",
    "applicant": {"given_names": "Karim Nabil", "family_name": "Haddad", "status": "citizen"},
    "medical_school": {"language": "en"},
    "training": {"specialty": "Internal Medicine", "start": "2027-07-01"},
    "language_exempt": True,
}


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
    checklist: Checklist | str,
    docs: Sequence[Document],
    profile: Mapping[str, Any],
) -> tuple[dict[str, ItemResult], dict[str, Document], tuple[str, ...]]:
    loaded = load(checklist) if isinstance(checklist, str) else checklist
    result = verify(loaded, parse_profile(dict(profile)), docs, as_of=AS_OF)
    return (
        {i.id: i for i in result.items},
        {d.rel: d for d in result.documents},
        result.notes,
    )


def codes(d: Document) -> list[str]:
    return [p.code for p in d.problems]


def with_training(profile: Mapping[str, Any], **training: Any) -> dict[str, Any]:
    return {**profile, "training": {**profile["training"], **training}}


# ---------------------------------------------------------------- 1. J-1 passport validity


def passport(expiry: str) -> Document:
    return doc("passport.pdf", "passport", f"PASSPORT\nDate of expiry: {expiry}")


def test_a_j1_passport_expiring_8_months_after_start_is_too_short() -> None:
    items, docs, _ = judge("us", [passport("01 MAR 2028")], J1)
    assert items["passport"].status == "invalid"
    assert codes(docs["passport.pdf"]) == ["validity-too-short"]
    message = docs["passport.pdf"].problems[0].message
    assert message.startswith("passport.pdf: expires 2028-03-01")
    assert "the end of the DS-2019 period, 2028-07-01 (training.start plus 12 months" in message
    assert "plus 6 months (2029-01-01) (J-1 rule)" in message


def test_a_j1_passport_valid_19_months_after_start_is_ok_without_ds2019_end() -> None:
    items, docs, _ = judge("us", [passport("01 FEB 2029")], J1)
    assert items["passport"].status == "ok"
    assert codes(docs["passport.pdf"]) == []


def test_training_ds2019_end_overrides_the_one_year_default() -> None:
    profile = with_training(J1, ds2019_end="2029-06-30")
    items, docs, _ = judge("us", [passport("01 FEB 2029")], profile)
    assert items["passport"].status == "invalid"
    assert codes(docs["passport.pdf"]) == ["validity-too-short"]
    message = docs["passport.pdf"].problems[0].message
    assert "2029-06-30 (training.ds2019_end in dossier.yaml)" in message
    assert "(2029-12-30)" in message
    items, _, _ = judge("us", [passport("01 JAN 2030")], profile)
    assert items["passport"].status == "ok"


def test_ds2019_end_before_training_start_is_refused() -> None:
    with pytest.raises(BadInputError, match=r"training\.ds2019_end: is before training\.start"):
        parse_profile(with_training(J1, ds2019_end="2027-01-01"))


def test_the_passport_rule_says_the_one_year_default_is_the_tools_reading() -> None:
    (rule,) = [r for r in load("us").item("passport").rules if r.params.get("when")]  # type: ignore[union-attr]
    assert rule.params["reference"] == "training.ds2019_end"
    assert rule.params["default_months"] == 12
    assert "img-dossier's own reading" in rule.source and "ecfr.gov" in rule.source


# ---------------------------------------------------------------- 2. ECFMG certificate


CERTIFICATE = "Standard ECFMG Certificate\nThis is to certify that Lucia Fernanda Quispe Mamani"


@pytest.mark.parametrize("visa", ["J-1", "H-1B"])
def test_a_visa_route_needs_the_ecfmg_certificate_even_when_not_yet_certified(visa: str) -> None:
    profile = {**with_training(J1, visa=visa), "ecfmg_certified": False}
    items, _, _ = judge("us", [], profile)
    cert = items["ecfmg-certificate"]
    assert cert.required and cert.status == "missing"
    assert "route to ECFMG certification" in cert.advice
    assert "Pathway plus OET Medicine" in cert.advice and "USMLE Step 1" in cert.advice
    items, _, _ = judge(
        "us", [doc("ecfmg-certificate.pdf", "ecfmg-certificate", CERTIFICATE)], profile
    )
    assert items["ecfmg-certificate"].status == "ok"


def test_without_a_visa_an_uncertified_applicant_needs_no_certificate() -> None:
    profile = {**with_training(J1, visa="none"), "ecfmg_certified": False}
    items, _, _ = judge("us", [], profile)
    assert items["ecfmg-certificate"].status == "not-required"


def test_an_unknown_visa_and_certification_say_which_fields_decide() -> None:
    profile = {k: v for k, v in J1.items() if k != "ecfmg_certified"}
    profile["training"] = {"specialty": "Internal Medicine", "start": "2027-07-01"}
    items, _, notes = judge("us", [], profile)
    assert items["ecfmg-certificate"].status == "missing"
    assert any(
        n.startswith("ecfmg_certified is not set") and "ECFMG certificate" in n for n in notes
    )


# ---------------------------------------------------------------- 3. translations per portal


def test_eras_takes_english_only_and_ecfmg_credentials_take_the_original_too() -> None:
    us = load("us")
    eras, ecfmg = us.portals["eras-documents"], us.portals["ecfmg"]
    assert eras["english_only"] is True and eras["translations"] == "separate"
    assert "should not be uploaded" in eras["source"]
    assert "applicants-documents-submission.html" in eras["source"]
    assert ecfmg["english_only"] is False and ecfmg["translations"] == "with-original"
    assert "without a copy of the original language document" in ecfmg["source"]
    assert {"mspe", "transcript"} <= set(eras["items"]) and "medical-diploma" not in eras["items"]
    assert {"medical-diploma", "transcript"} <= set(ecfmg["items"]) and "mspe" not in ecfmg["items"]
    assert us.item("mspe").portal == "eras-documents"  # type: ignore[union-attr]


# ---------------------------------------------------------------- 4. Statement of Need

SON = """Ministry of Health of Peru
To: Educational Commission for Foreign Medical Graduates (ECFMG)
Statement of {kind}
USMLE/ECFMG ID Number: 1234-5678
Name of Applicant for Visa: Lucia Fernanda Quispe Mamani
There currently exists in {country} {need} need for qualified medical practitioners in the
speciality of Internal Medicine. Lucia Fernanda Quispe Mamani has filed a written assurance with
the government of this country that she will return to this country upon completion of training
in the United States and intends to enter the practice of medicine in the speciality for which
training is being sought.
Dr. Carlos Ramos, Director General, Ministry of Health. Lima, 14 March 2026
"""


def test_a_statement_of_exceptional_need_is_a_valid_form() -> None:
    text = SON.format(kind="Exceptional Need", country="Peru", need="an exceptional")
    items, _, _ = judge("us", [doc("son.pdf", "statement-of-need", text)], J1)
    assert items["statement-of-need"].status == "ok"


def test_the_need_sentence_without_the_country_is_missing_an_element() -> None:
    text = SON.format(kind="Need", country="", need="a").replace("exists in  a", "exists a")
    items, _, _ = judge("us", [doc("son.pdf", "statement-of-need", text)], J1)
    assert items["statement-of-need"].status == "invalid"
    assert any(
        "missing 1 required element(s): the statement of need" in m
        for m in items["statement-of-need"].messages
    )


def test_the_statement_of_need_template_makes_no_unsourced_claim_and_no_brackets(
    tmp_path: Path,
) -> None:
    source = (REPO / "templates" / "make_templates.py").read_text(encoding="utf-8")
    assert "exactly the prescribed wording" not in source
    assert "ecfr.gov/current/title-22" in source  # the regulation the wording comes from
    folder = tmp_path / "applicant"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(yaml.safe_dump(J1), encoding="utf-8")
    template = letters.load_template("statement-of-need")
    assert "own procedure" in template.description and "Health Canada" in template.description
    sets = {f.name: f.example for f in template.fields if f.example is not None}
    sets = {k: str(v) for k, v in sets.items() if not k.startswith(("applicant.", "training."))}
    plain = {**sets, "fellowship_title": "", "exceptional": "no"}
    (need,) = letters.render(
        "statement-of-need", folder, sets=plain, out_dir=tmp_path / "a", today=AS_OF
    )
    text = " ".join(p.text for p in __import__("docx").Document(str(need.path)).paragraphs)
    assert not re.search(r"[\[\]]", text), text
    assert "STATEMENT OF NEED" in text and "a need for qualified" in text
    assert (
        son.missing_elements(
            text, specialty="Internal Medicine", applicant_name="Lucia Fernanda Quispe Mamani"
        )
        == []
    )
    special = {**sets, "fellowship_title": "Cardiovascular Disease", "exceptional": "yes"}
    (exc,) = letters.render(
        "statement-of-need", folder, sets=special, out_dir=tmp_path / "b", today=AS_OF
    )
    text = " ".join(p.text for p in __import__("docx").Document(str(exc.path)).paragraphs)
    assert "STATEMENT OF EXCEPTIONAL NEED" in text and "an exceptional need for" in text
    assert "speciality of Internal Medicine (Cardiovascular Disease)" in text
    assert (
        son.missing_elements(
            text, specialty="Internal Medicine", applicant_name="Lucia Fernanda Quispe Mamani"
        )
        == []
    )


# ---------------------------------------------------------------- 5. OET


OET = """Occupational English Test - Statement of Results
Candidate name: Lucia Quispe Mamani
Profession: Medicine   Test date: {date}
Listening 360
Reading 350
Writing {writing}
Speaking 380
"""
UNCERTIFIED = {**J1, "ecfmg_certified": False}


def oet(when: str, writing: int) -> Document:
    return doc("oet.pdf", "oet-medicine", OET.format(date=when, writing=writing))


def test_an_oet_before_april_2022_needs_350_in_writing() -> None:
    items, docs, _ = judge("us", [oet("12 March 2022", 320)], UNCERTIFIED)
    assert items["oet-medicine"].status == "invalid"
    assert "below-minimum" in codes(docs["oet.pdf"])
    assert any(
        "Writing 320, below the minimum 350 for tests taken before 2022-04-01" in m
        for m in items["oet-medicine"].messages
    )


def test_an_oet_taken_before_the_window_is_invalid() -> None:
    items, docs, _ = judge("us", [oet("12 June 2022", 320)], UNCERTIFIED)
    assert items["oet-medicine"].status == "invalid"
    assert codes(docs["oet.pdf"]) == ["outside-date-window"]
    assert any(
        "test date 2022-06-12 is outside the accepted window (on or after 2023-01-01)" in m
        for m in items["oet-medicine"].messages
    )


def test_an_oet_inside_an_unconfirmed_window_is_unverified_not_ok() -> None:
    items, docs, _ = judge("us", [oet("12 April 2025", 320)], UNCERTIFIED)
    assert items["oet-medicine"].status == "unverified"
    assert codes(docs["oet.pdf"]) == ["unconfirmed-rule"]
    assert any(
        "not confirmed for this cycle" in m and "2027 Pathways" in m
        for m in items["oet-medicine"].messages
    )


def test_a_custom_checklist_confirms_the_window(tmp_path: Path) -> None:
    base = load("us").item("oet-medicine")
    assert base is not None
    rules = [{"type": r.type, "source": r.source, **r.params} for r in base.rules]
    for rule in rules:
        if rule["type"] == "date-window":
            rule.update(on_or_after="2025-01-01", confirmed=True)
    custom = tmp_path / "mine.yaml"
    custom.write_text(
        yaml.safe_dump(
            {"extends": "us", "items": [{"id": "oet-medicine", "rules": rules}]},
            default_flow_style=False,
        ),
        encoding="utf-8",
    )
    items, _, _ = judge(str(custom), [oet("12 April 2025", 320)], UNCERTIFIED)
    assert items["oet-medicine"].status == "ok"
    items, docs, _ = judge(str(custom), [oet("12 April 2024", 320)], UNCERTIFIED)
    assert items["oet-medicine"].status == "invalid"
    assert codes(docs["oet.pdf"]) == ["outside-date-window"]


# ---------------------------------------------------------------- 6. letter counts

LOR = "Massachusetts General Hospital\nBoston, MA 02114\nDear Program Director,\nI recommend her."


def letters_of(n: int, item: str = "letter-of-recommendation") -> list[Document]:
    return [doc(f"lor-{k}.pdf", item, LOR) for k in range(1, n + 1)]


def test_two_eras_letters_are_short_of_the_program_convention_and_say_so() -> None:
    items, _, _ = judge("us", letters_of(2), J1)
    lor = items["letter-of-recommendation"]
    assert lor.status == "insufficient"
    (message,) = [m for m in lor.messages if "required" in m]
    assert message.startswith("Letters of recommendation: 3 required, 2 found")
    assert "ERAS sets no minimum" in message and "at most 4 letters to each program" in message
    assert "not an ERAS rule" in message


def test_three_letters_are_ok_and_five_are_more_than_a_program_can_receive() -> None:
    items, _, _ = judge("us", letters_of(3), J1)
    assert items["letter-of-recommendation"].status == "ok"
    items, _, _ = judge("us", letters_of(5), J1)
    lor = items["letter-of-recommendation"]
    assert lor.status == "ok"
    assert any(
        "at most 4 can be used, 5 found" in m and "ERAS sets no minimum" in m for m in lor.messages
    )


def test_a_custom_checklist_changes_the_count(tmp_path: Path) -> None:
    custom = tmp_path / "two.yaml"
    custom.write_text(
        "extends: us\nitems:\n  - {id: letter-of-recommendation, min: 2}\n", encoding="utf-8"
    )
    items, _, _ = judge(str(custom), letters_of(2), J1)
    assert items["letter-of-recommendation"].status == "ok"


def test_carms_references_say_the_number_is_the_programs() -> None:
    items, _, _ = judge("canada", letters_of(2, "reference-letter"), CANADA)
    refs = items["reference-letter"]
    assert refs.status == "insufficient"
    assert any(
        "3 required, 2 found" in m and "CaRMS sets no number of references" in m
        for m in refs.messages
    )
    items, _, _ = judge("canada", letters_of(3, "reference-letter"), CANADA)
    assert items["reference-letter"].status == "ok"


# ---------------------------------------------------------------- 7. MCC


def test_mcc_size_limit_is_marked_as_the_e_mail_channels() -> None:
    mcc = load("canada").portals["mcc"]
    assert mcc["confirmed"] is False and "e-mail" in mcc["note"]
    assert "uploads in physiciansapply.ca" in mcc["source"]


@pytest.mark.parametrize(
    "name",
    [
        "Medical Council of Canada Qualifying Examination Part I",
        "Medical Council of Canada Qualifying Examination (MCCQE)",
    ],
)
def test_mccqe_results_are_recognised_under_either_name(name: str) -> None:
    text = f"Medical Council of Canada\nStatement of Results\nExamination: {name}\nResult: Pass"
    (classified,) = classify(
        [doc("download.pdf", None, text, classified_by=None)], load("canada"), Profile()
    )
    assert classified.item == "mccqe1"
    items, _, _ = judge("canada", [classified], CANADA)
    assert items["mccqe1"].status == "ok"
    failed = classified.replace(text=text.replace("Pass", "Fail"))
    items, _, _ = judge("canada", [failed], CANADA)
    assert items["mccqe1"].status == "invalid"


# ---------------------------------------------------------------- 8. sources a user sees


@pytest.mark.parametrize("cid", builtin_ids())
def test_every_built_in_text_cites_public_pages_only(cid: str) -> None:
    checklist = load(cid)
    assert public_source_errors(checklist) == []
    texts = user_texts(checklist)
    assert len(texts) > 50
    assert not [t for _, t, _ in texts if re.search(r"requirements\.md|issue \d|/work/", t)]


def test_every_message_of_a_check_cites_no_internal_file(tmp_path: Path) -> None:
    messages: list[str] = []
    for folder in ("us-j1", "canada", "problems"):
        result = CliRunner().invoke(
            cli, ["check", str(REPO / "samples" / folder), "--json", "--as-of", "2026-11-30"]
        )
        data = json.loads(result.stdout)
        messages += data["notes"] + [s["source"] for s in data["steps"]]
        for item in data["items"]:
            messages += item["messages"] + [item.get("advice", "")]
            messages += [p["message"] for p in item["problems"]]
        messages += [p["message"] for d in data["documents"] for p in d["problems"]]
    shown = CliRunner().invoke(cli, ["checklists", "show", "us-residencycas", "-v"]).stdout
    shown += CliRunner().invoke(cli, ["checklists", "show", "canada", "-v"]).stdout
    messages.append(shown)
    internal = re.compile(r"\b[\w-]+\.md\b|(?<![\w/])issue\s*#?\d+|(?<![\w/.-])S\d{1,2}\b")
    assert len(messages) > 40
    assert [m for m in messages if internal.search(m)] == []


def test_validate_fails_a_rule_without_a_source_or_with_an_internal_one(tmp_path: Path) -> None:
    bare = tmp_path / "bare.yaml"
    bare.write_text(
        "extends: us\nitems:\n  - id: cv\n    rules:\n      - {type: name-match}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["checklists", "validate", str(bare)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "items.cv.rules[1].source: every rule needs a source (rule name-match)" in result.output
    internal = tmp_path / "internal.yaml"
    internal.write_text(
        "extends: us\nitems:\n  - id: cv\n    rules:\n"
        "      - {type: name-match, source: 'us-requirements.md 3.1, issue 7'}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["checklists", "validate", str(internal)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert (
        "items.cv.rules[1].source: cites 'us-requirements.md', which a user cannot look "
        "up; cite the public page instead"
    ) in result.output
    vague = tmp_path / "vague.yaml"
    vague.write_text("extends: us\nitems:\n  - id: cv\n    source: my notes\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["checklists", "validate", str(vague)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "items.cv.source: no public web address in the source" in result.output
    fine = tmp_path / "fine.yaml"
    fine.write_text(
        "extends: us\nitems:\n  - id: cv\n    source: 'https://www.ecfmg.org/evsp/'\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["checklists", "validate", str(fine)])
    assert result.exit_code == ExitCode.OK, result.output
    assert "values not confirmed" in result.stdout


def test_checklist_versions_are_for_2027() -> None:
    assert {load(c).version for c in builtin_ids()} == {"2027.1"}


# ---------------------------------------------------------------- 9. ResidencyCAS


BIG_LOR = {"bytes": 1_500_000}


@pytest.mark.parametrize("specialty", ["Emergency Medicine", "Obstetrics & Gynecology", "OB/GYN"])
def test_residencycas_specialties_are_told_and_spared_the_eras_portal_rules(specialty: str) -> None:
    letters_ = [doc(f"lor-{k}.pdf", "letter-of-recommendation", LOR, **BIG_LOR) for k in (1, 2, 3)]
    profile = with_training(J1, specialty=specialty)
    _, docs, notes = judge("us", letters_, profile)
    assert any(
        n.startswith(
            "Emergency Medicine and Obstetrics & Gynecology programs take "
            "applications through ResidencyCAS"
        )
        and "us-residencycas" in n
        for n in notes
    )
    assert codes(docs["lor-1.pdf"]) == []


def test_an_eras_specialty_keeps_the_lor_portal_rules_and_no_notice() -> None:
    letters_ = [doc(f"lor-{k}.pdf", "letter-of-recommendation", LOR, **BIG_LOR) for k in (1, 2, 3)]
    _, docs, notes = judge("us", letters_, J1)
    assert "over-portal-limit" in codes(docs["lor-1.pdf"])
    assert not any("ResidencyCAS" in n for n in notes)


def test_the_residencycas_checklist_extends_us_eras_and_asks_em_for_sloes() -> None:
    cas = load("us-residencycas")
    assert cas.track == "us" and cas.item("passport") == load("us").item("passport")
    em = with_training(J1, specialty="Emergency Medicine")
    items, _, notes = judge(cas, letters_of(1), em)
    assert items["sloe"].status == "missing" and items["letter-of-recommendation"].status == "ok"
    assert not any("ResidencyCAS" in n for n in notes)
    sloe = doc("sloe-1.pdf", "sloe", "Standardized Letter of Evaluation\nEmergency Medicine")
    items, _, _ = judge(cas, [*letters_of(1), sloe], em)
    assert items["sloe"].status == "ok"
    obgyn = with_training(J1, specialty="Obstetrics and Gynecology")
    items, _, _ = judge(cas, letters_of(1), obgyn)
    assert items["sloe"].status == "not-required"
    long = doc(
        "ps.txt", "personal-statement", "Personal Statement\n" + "x" * 30_000, format="txt", info={}
    )
    _, docs, _ = judge(cas, [long], obgyn)
    assert codes(docs["ps.txt"]) == []
    _, docs, _ = judge("us", [long], J1)
    assert codes(docs["ps.txt"]) == ["over-portal-limit"]
    ids = {s.id for s in cas.steps}
    assert "myeras-submission" not in ids and "residencycas-submission" in ids


# ---------------------------------------------------------------- 10. dated steps


def steps_folder(tmp_path: Path) -> Path:
    custom = tmp_path / "season.yaml"
    custom.write_text(
        yaml.safe_dump(
            {
                "extends": "us",
                "steps": [
                    {"id": "nrmp-registration", "date": "2026-11-15", "confirmed": True},
                    {"id": "nrmp-rank-order-list", "date": "2027-02-24", "confirmed": True},
                ],
            }
        ),
        encoding="utf-8",
    )
    folder = tmp_path / "clients" / "lucia"
    folder.mkdir(parents=True)
    (folder / "dossier.yaml").write_text(
        yaml.safe_dump({**J1, "track": str(custom)}), encoding="utf-8"
    )
    return folder


def test_check_lists_the_coming_steps_and_the_unconfirmed_ones(tmp_path: Path) -> None:
    folder = steps_folder(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(folder), "--json", "--as-of", "2026-11-30"])
    steps = {s["id"]: s for s in json.loads(result.stdout)["steps"]}
    assert "nrmp-registration" not in steps  # past on --as-of
    rol = steps["nrmp-rank-order-list"]
    assert (rol["date"], rol["confirmed"], rol["days_left"]) == ("2027-02-24", True, 86)
    assert rol["source"].startswith("NRMP, https://www.nrmp.org/")
    myeras = steps["myeras-submission"]
    assert myeras["date"] is None and myeras["confirmed"] is False
    assert "ERAS 2027 timeline was not published" in myeras["note"]
    text = CliRunner().invoke(cli, ["check", str(folder), "--as-of", "2026-11-30"]).stdout
    assert "Coming steps (3)" in text
    assert "  2027-02-24 (in 86 days): Certify your rank order list in the NRMP R3 system" in text
    assert "  date not confirmed: Submit your MyERAS application to programs;" in text
    early = CliRunner().invoke(cli, ["check", str(folder), "--json", "--as-of", "2026-11-01"])
    assert "nrmp-registration" in {s["id"] for s in json.loads(early.stdout)["steps"]}


def test_audit_calendar_includes_the_dated_steps(tmp_path: Path) -> None:
    folder = steps_folder(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "audit",
            str(folder.parent),
            "--calendar",
            "--format",
            "json",
            "--as-of",
            "2026-11-30",
            "--jobs",
            "1",
        ],
    )
    entries = json.loads(result.stdout)["calendar"]
    (rol,) = [e for e in entries if e["item"] == "nrmp-rank-order-list"]
    assert rol["date"] == "2027-02-24" and rol["days_left"] == 86
    assert rol["what"].startswith("step: Certify your rank order list")
    assert rol["folder"].endswith("lucia") and rol["document"] is None
    assert not [e for e in entries if e["item"] == "nrmp-registration"]  # past
    short = CliRunner().invoke(
        cli,
        [
            "audit",
            str(folder.parent),
            "--calendar",
            "--format",
            "json",
            "--as-of",
            "2026-11-30",
            "--jobs",
            "1",
            "--expiring-within",
            "30",
        ],
    )
    assert not [
        e for e in json.loads(short.stdout)["calendar"] if e["item"] == "nrmp-rank-order-list"
    ]


def test_a_step_without_a_date_cannot_be_confirmed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "extends: us\nsteps:\n  - {id: myeras-submission, confirmed: true}\n", encoding="utf-8"
    )
    wanted = r"steps\.myeras-submission\.confirmed: a step without a date cannot be confirmed"
    with pytest.raises(BadInputError, match=wanted):
        load(str(bad))


# ---------------------------------------------------------------- 11. Canada


@pytest.mark.parametrize(
    ("province", "words"),
    [
        ("ON", ["connection to Ontario", "five-year Return of Service"]),
        ("BC", ["Clinical Assessment Program"]),
        ("AB", ["Alberta International Medical Graduate (AIMG) Program"]),
        ("QC", ["Collège des médecins du Québec"]),
    ],
)
def test_provincial_criteria_follow_training_province(province: str, words: list[str]) -> None:
    _, _, notes = judge("canada", [], with_training(CANADA, province=province))
    for word in words:
        assert any(word in n and "(source: " in n and "https://" in n for n in notes), word
    _, _, none = judge("canada", [], CANADA)
    assert not any(word in n for n in none for word in words)


def test_ontario_connection_is_marked_not_confirmed() -> None:
    _, _, notes = judge("canada", [], with_training(CANADA, province="ON"))
    (connection,) = [n for n in notes if "connection to Ontario" in n]
    assert "(not confirmed: " in connection


def test_fmproc_for_family_medicine_in_2027() -> None:
    fm = with_training(CANADA, specialty="Family Medicine")
    items, _, notes = judge("canada", [], fm)
    assert items["fmproc"].required and items["fmproc"].status == "missing"
    assert any("FMProC in the 2027 cycle" in n for n in notes)
    result = doc("fmproc.pdf", "fmproc", "FMProC\nFamily Medicine Professional Choices result")
    items, _, _ = judge("canada", [result], fm)
    assert items["fmproc"].status == "ok"
    items, _, _ = judge("canada", [], CANADA)
    assert items["fmproc"].status == "not-required"


def test_mcc_source_verification_is_an_item() -> None:
    items, _, _ = judge("canada", [], CANADA)
    item = items["mcc-source-verification"]
    assert item.required and item.status == "missing"
    assert "MCC candidate number" in item.advice and "physiciansapply.ca" in item.advice
    text = "Medical Council of Canada\nSource Verification\nStatus: Source verified"
    items, _, _ = judge("canada", [doc("sv.pdf", "mcc-source-verification", text)], CANADA)
    assert items["mcc-source-verification"].status == "ok"


# ---------------------------------------------------------------- 12. letters


def rendered(name: str, tmp_path: Path, profile: Mapping[str, Any]) -> str:
    import docx

    folder = tmp_path / name
    folder.mkdir()
    (folder / "dossier.yaml").write_text(yaml.safe_dump(dict(profile)), encoding="utf-8")
    template = letters.load_template(name)
    sets = {
        f.name: str(f.example)
        for f in template.fields
        if f.example is not None and not f.name.startswith(("applicant.", "training."))
    }
    (w,) = letters.render(name, folder, sets=sets, out_dir=tmp_path / f"{name}-out", today=AS_OF)
    return " ".join(p.text for p in docx.Document(str(w.path)).paragraphs)


def test_the_new_letters_render(tmp_path: Path) -> None:
    school = {
        **J1,
        "medical_school": {
            "name": "Universidad Nacional Mayor de San Marcos",
            "graduation_year": 2021,
            "language": "es",
        },
    }
    carms = rendered("carms-reference-request", tmp_path, CANADA)
    assert "CaRMS referee portal, as a PDF of at most 5 MB" in carms
    assert "I have not seen it and will not receive a copy" in carms
    mspe = rendered("mspe-request", tmp_path, school)
    assert "my Medical Student Performance Evaluation (MSPE) and my final transcript" in mspe
    assert "signed by the designated official" in mspe
    none = rendered("no-mspr-letter-request", tmp_path, school)
    assert "does not issue a Medical Student Performance Record (MSPR)" in none
    for text in (carms, mspe, none):
        assert "{{" not in text and "[" not in text


def test_the_lor_request_tells_the_portal_rules(tmp_path: Path) -> None:
    text = rendered("lor-request", tmp_path, J1)
    for rule in (
        "at most 1 MB",
        "US Letter pages (8.5 x 11 in)",
        "not encrypted",
        "without a digital signature",
    ):
        assert rule in text


def test_the_translation_certification_says_the_mcc_takes_only_its_providers() -> None:
    result = CliRunner().invoke(cli, ["letters", "show", "translation-certification", "--json"])
    description = json.loads(result.stdout)["description"]
    assert "Medical Council of Canada accepts only translations by the providers it lists" in (
        description
    )


# ---------------------------------------------------------------- README


def test_the_readme_lists_every_value_not_confirmed() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What it cannot know", 1)[1].split("\n## ", 1)[0]
    base = {w for w, _ in unconfirmed(load("us-eras"))}
    missing = []
    for cid in builtin_ids():
        own = section.split(f"`{cid}`", 1)[1] if f"`{cid}`" in section else ""
        for where, _ in unconfirmed(load(cid)):
            if cid == "us-residencycas" and where in base:
                continue  # inherited from us-eras, listed there
            if f"`{where}`" not in own:
                missing.append(f"{cid} {where}")
    assert missing == []


def test_init_offers_ds2019_end_for_the_us(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path), "--track", "us"])
    assert result.exit_code == ExitCode.OK, result.output
    text = (tmp_path / "dossier.yaml").read_text(encoding="utf-8")
    assert "# ds2019_end: 2028-06-30" in text and "default: start + 1 year" in text
    canada = tmp_path / "ca"
    CliRunner().invoke(cli, ["init", str(canada), "--track", "canada"])
    assert "ds2019_end" not in (canada / "dossier.yaml").read_text(encoding="utf-8")
