"""The built-in checklists (us-eras, canada-carms), custom checklists, `dossier checklists`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from img_dossier.checking.classify import by_content, classify
from img_dossier.checking.rules import validate_rules
from img_dossier.cli import cli
from img_dossier.config.checklist import builtin_ids, load
from img_dossier.config.conditions import CONDITION_VARIABLES
from img_dossier.config.profile import Profile
from img_dossier.errors import BadInputError, ExitCode
from img_dossier.model import Document

#: INTERFACE.md "Item ids": the stable ids of each built-in checklist, in no particular order.
US_IDS = {
    "passport", "medical-diploma", "translation", "transcript", "mspe", "usmle-step1",
    "usmle-step2-ck", "usmle-step3", "ecfmg-certificate", "oet-medicine", "pathway",
    "letter-of-recommendation", "personal-statement", "cv", "photo", "statement-of-need",
    "training-contract",
}  # fmt: skip
CANADA_IDS = {
    "citizenship-or-pr", "mccqe1", "nac", "language-proficiency", "medical-diploma", "mspr",
    "transcript", "reference-letter", "cv", "personal-letter", "photo", "translation",
    "mcc-source-verification", "fmproc",
}  # fmt: skip
BUILTINS = {"us-eras": ("us", US_IDS), "canada-carms": ("canada", CANADA_IDS)}
SOURCE_MARK = ("[O]", "[I]", "[S]", "[M]")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["checklists", *args])


def by_name(names: list[str], cid: str) -> list[str | None]:
    """The item each file name is classified as (by its name alone: the files have no text)."""
    docs = [Document(rel=n, path=Path(n), format="pdf", bytes=1, sha256=n) for n in names]
    return [d.item for d in classify(docs, load(cid), Profile())]


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the built-in data


@pytest.mark.parametrize("cid", sorted(BUILTINS))
def test_builtin_loads_with_exactly_the_interface_item_ids(cid: str) -> None:
    track, ids = BUILTINS[cid]
    checklist = load(cid)
    assert checklist.id == cid
    assert checklist.track == track
    assert load(track).id == cid  # the track name finds it too
    assert {i.id for i in checklist.items} == ids
    assert len(checklist.items) == len(ids)  # no id twice
    validate_rules(checklist)  # whatever rules it carries are known to the rule engine


def test_builtin_ids_are_the_two_checklists_only() -> None:
    assert set(builtin_ids()) >= set(BUILTINS)
    assert "statement-of-need-elements" not in builtin_ids()  # a data file, not a checklist


@pytest.mark.parametrize("cid", sorted(BUILTINS))
def test_every_item_rule_and_portal_names_its_source(cid: str) -> None:
    checklist = load(cid)
    for item in checklist.items:
        assert any(m in item.source for m in SOURCE_MARK), item.id
        assert item.advice, f"{item.id}: no advice for when it is missing"
        for rule in item.rules:
            assert rule.source.strip(), f"{item.id}: {rule.type}"
        if item.portal is not None:
            assert item.portal in checklist.portals
    for pid, spec in checklist.portals.items():
        assert any(m in str(spec["source"]) for m in SOURCE_MARK), pid


def test_languages_per_track() -> None:
    assert load("us").languages == ("en",)
    assert load("canada").languages == ("en", "fr")


def test_us_conditions_follow_the_research() -> None:
    us = load("us")

    def when(item_id: str) -> dict[str, tuple[Any, ...]]:
        item = us.item(item_id)
        assert item is not None and item.required
        return {c.variable: c.values for c in item.when if not c.negate}

    assert when("statement-of-need") == {"visa": ("J-1",)}
    assert when("training-contract") == {"visa": ("J-1", "H-1B")}
    assert when("usmle-step3") == {"visa": ("H-1B",)}
    assert when("cv") == {"visa": ("J-1",)}
    cert = us.item("ecfmg-certificate")
    assert cert is not None and cert.required and not cert.when
    assert [{c.variable: c.values for c in g} for g in cert.when_any] == [
        {"ecfmg_certified": (True,)},
        {"visa": ("J-1", "H-1B")},
    ]
    assert when("oet-medicine") == {"ecfmg_certified": (False,)}
    assert when("pathway") == {"ecfmg_certified": (False,)}
    assert when("translation") == {"needs_translation": (True,)}
    assert when("passport") == {}
    photo = us.item("photo")
    assert photo is not None and not photo.required
    lor = us.item("letter-of-recommendation")
    assert lor is not None and lor.min == 3 and lor.max == 4
    assert "not an ERAS minimum" in lor.source and "no minimum" in lor.count_note
    assert us.portals["eras-lorp"]["max_bytes"] == 1048576
    assert us.portals["eras-lorp"]["forbidden_filename_chars"] == "|*?:"
    assert us.portals["eras-personal-statement"]["max_chars"] == 28000


def test_canada_conditions_follow_the_research() -> None:
    ca = load("canada")
    lang = ca.item("language-proficiency")
    assert lang is not None and lang.required
    assert [(c.variable, c.values) for c in lang.when] == [("language_exempt", (False,))]
    refs = ca.item("reference-letter")
    assert refs is not None and refs.min == 3
    for optional in ("cv", "photo"):
        item = ca.item(optional)
        assert item is not None and not item.required
    assert ca.portals["carms"]["formats"] == ["pdf"]
    assert ca.portals["carms-photo"]["formats"] == ["jpeg"]
    assert set(ca.portals["mcc"]["formats"]) == {"pdf", "jpeg"}


def test_conditions_use_only_profile_variables() -> None:
    for cid in BUILTINS:
        for item in load(cid).items:
            assert {c.variable for c in item.when} <= CONDITION_VARIABLES


@pytest.mark.parametrize("cid", sorted(BUILTINS))
def test_names_are_written_normalised_and_each_finds_its_own_item(cid: str) -> None:
    checklist = load(cid)
    pairs = [(name, item.id) for item in checklist.items for name in item.names]
    assert all(name == name.lower() for name, _ in pairs)
    found = by_name([f"{name}.pdf" for name, _ in pairs], cid)
    assert found == [item_id for _, item_id in pairs]


@pytest.mark.parametrize("cid", sorted(BUILTINS))
def test_each_evidence_group_alone_points_to_its_own_item(cid: str) -> None:
    checklist = load(cid)
    for item in checklist.items:
        for group in item.evidence:
            found = by_content(" and ".join(group), checklist.items)
            assert found is not None and found[0] == item.id, (item.id, group, found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a Step 2 CK score report is not Step 1, and the reverse
        ("USMLE Step 2 CK Score Report. Result: Pass", "usmle-step2-ck"),
        ("United States Medical Licensing Examination Step 1 Score Report Pass", "usmle-step1"),
        # an MSPE that also recommends is still the MSPE, and a letter is a letter
        (
            "Medical Student Performance Evaluation. Office of the Dean. Noteworthy "
            "Characteristics. Academic History. Dear Program Director, we recommend her.",
            "mspe",
        ),
        (
            "Dear Program Director, I recommend Dr. Quispe for residency without reservation.",
            "letter-of-recommendation",
        ),
        # the certified translation of a diploma is the translation, the original the diploma
        (
            "Certified translation. Universidad Nacional Mayor de San Marcos confers the "
            "title of Physician and Surgeon (Título de Médico Cirujano). I, Ana Ruiz, certify "
            "that the word-for-word translation is correct. Translator.",
            "translation",
        ),
        (
            "A nombre de la Nación, el Rector confiere el Título de Médico Cirujano a Lucía",
            "medical-diploma",
        ),
        ("Diplôme d'État de docteur en médecine délivré à Marie", "medical-diploma"),
        # the certificate, not the status report
        (
            "Educational Commission for Foreign Medical Graduates. This is to certify that "
            "Lucia Quispe has met the requirements. Standard ECFMG Certificate",
            "ecfmg-certificate",
        ),
        (
            "STATEMENT OF NEED. Ministry of Health. There currently exists in Peru a need for "
            "qualified medical practitioners in the speciality of Internal Medicine.",
            "statement-of-need",
        ),
        (
            "OET Occupational English Test Statement of Results Profession Medicine "
            "Listening 400 Reading 380 Writing 350 Speaking 410",
            "oet-medicine",
        ),
    ],
)
def test_us_content_evidence_tells_documents_apart(text: str, expected: str) -> None:
    found = by_content(text, load("us").items)
    assert found is not None and found[0] == expected


def test_ecfmg_status_report_is_not_taken_for_the_certificate() -> None:
    text = (
        "ECFMG Status Report. Educational Commission for Foreign Medical Graduates. "
        "USMLE/ECFMG Identification Number 1-234-567-8. ECFMG-certified: Yes"
    )
    found = by_content(text, load("us").items)
    assert found is None or found[0] != "ecfmg-certificate"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Medical Council of Canada. Statement of Results. MCCQE Part I. Pass", "mccqe1"),
        ("Medical Council of Canada NAC Examination Statement of Results. Pass", "nac"),
        ("IELTS Test Report Form. Academic. Overall Band Score 7.5", "language-proficiency"),
        ("Medical Student Performance Record. Dean. Dear Program Director, we recommend", "mspr"),
        ("Permanent Resident Card / Carte de résident permanent", "citizenship-or-pr"),
    ],
)
def test_canada_content_evidence_tells_documents_apart(text: str, expected: str) -> None:
    found = by_content(text, load("canada").items)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Pasaporte_Lucia.pdf", "passport"),
        ("USMLE_Step2CK.pdf", "usmle-step2-ck"),
        ("Step1.pdf", "usmle-step1"),
        ("Medical diploma - English translation.pdf", "translation"),
        ("Título traducido.pdf", "translation"),
        ("passport photo.jpg", "photo"),
        ("Dean's letter.pdf", "mspe"),
        ("SoN_Peru.pdf", "statement-of-need"),
    ],
)
def test_us_file_names(name: str, expected: str) -> None:
    assert by_name([name], "us-eras") == [expected]


# ---------------------------------------------------------------- custom checklists


def test_extends_changes_adds_and_drops_items(tmp_path: Path) -> None:
    custom = write(
        tmp_path / "clinic.yaml",
        {
            "extends": "us-eras",
            "title": "Clinic US list",
            "drop": ["photo", "personal-statement"],
            "items": [
                {"id": "letter-of-recommendation", "min": 4},
                {"id": "usmle-step3", "when": {"visa": ["J-1", "H-1B"]}},
                {
                    "id": "bls-card",
                    "title": "BLS certificate",
                    "required": True,
                    "source": "the clinic's own rule",
                    "names": ["bls"],
                },
            ],
        },
    )
    base = load("us-eras")
    checklist = load(str(custom))
    assert checklist.id == "clinic"  # named after its file
    assert checklist.title == "Clinic US list"
    assert checklist.track == "us" and checklist.version == base.version
    ids = [i.id for i in checklist.items]
    assert "photo" not in ids and "personal-statement" not in ids
    assert ids[-1] == "bls-card"
    lor = checklist.item("letter-of-recommendation")
    base_lor = base.item("letter-of-recommendation")
    assert lor is not None and base_lor is not None
    assert lor.min == 4
    assert (lor.source, lor.names, lor.portal) == (base_lor.source, base_lor.names, "eras-lorp")
    step3 = checklist.item("usmle-step3")
    assert step3 is not None and step3.when[0].values == ("J-1", "H-1B")
    assert set(checklist.portals) == set(base.portals)


def test_extends_a_relative_path_and_chains(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", {"extends": "canada", "id": "base", "drop": ["photo"]})
    sub = tmp_path / "sub"
    sub.mkdir()
    custom = write(sub / "team.yaml", {"extends": "../base.yaml", "drop": ["cv"]})
    checklist = load(str(custom))
    assert checklist.id == "team"
    assert {i.id for i in checklist.items} == CANADA_IDS - {"photo", "cv"}


def test_circular_extends_is_bad_input(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", {"extends": "b.yaml", "id": "a"})
    write(tmp_path / "b.yaml", {"extends": "a.yaml", "id": "b"})
    with pytest.raises(BadInputError, match="circular"):
        load(str(tmp_path / "a.yaml"))


def invalid_checklist(tmp_path: Path) -> Path:
    return write(
        tmp_path / "broken.yaml",
        {
            "extends": "us",
            "drop": ["no-such-item"],
            "items": [
                {"id": "usmle-step1", "colour": "red"},
                {"id": "extra", "title": "Extra document", "required": True},
                {
                    "id": "visa-doc",
                    "title": "Visa document",
                    "source": "x",
                    "when": {"visum": ["J-1"], "visa": ["J1"], "ecfmg_certified": "yes"},
                },
            ],
        },
    )


def test_invalid_custom_checklist_names_file_item_and_field(tmp_path: Path) -> None:
    path = invalid_checklist(tmp_path)
    with pytest.raises(BadInputError) as caught:
        load(str(path))
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines)
    text = str(caught.value)
    assert "items.usmle-step1.colour: unknown field" in text
    assert "items.extra.source: missing" in text
    assert "items.visa-doc.when.visum: unknown condition" in text
    assert "items.visa-doc.when.visa: unknown value 'J1'" in text
    assert "items.visa-doc.when.ecfmg_certified: must be true or false" in text
    assert "drop: unknown item, step or notice id 'no-such-item'" in text


def test_new_checklist_without_extends_needs_its_header(tmp_path: Path) -> None:
    path = write(tmp_path / "bare.yaml", {"items": [{"id": "x", "title": "X", "source": "s"}]})
    with pytest.raises(BadInputError) as caught:
        load(str(path))
    for key in ("id", "title", "version", "track"):
        assert f"{path}: {key}: missing" in str(caught.value)


def test_rule_without_source_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "norule.yaml",
        {"extends": "us", "items": [{"id": "passport", "rules": [{"type": "name-match"}]}]},
    )
    with pytest.raises(BadInputError, match=r"items\.passport\.rules\[1\]\.source"):
        load(str(path))


def test_dropping_everything_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.yaml", {"extends": "canada", "drop": sorted(CANADA_IDS)})
    with pytest.raises(BadInputError, match="no items left"):
        load(str(path))


# ---------------------------------------------------------------- the commands


def test_list_shows_the_builtins() -> None:
    result = run("list")
    assert result.exit_code == ExitCode.OK
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["ID", "VERSION", "TRACK", "ITEMS", "SOURCE"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["us-eras"][1:5] == ["2027.1", "us", "17", "built-in"]
    assert rows["canada-carms"][1:5] == ["2027.1", "canada", "14", "built-in"]
    assert rows["us-residencycas"][1:5] == ["2027.1", "us", "18", "built-in"]


def test_list_json_includes_custom_files(tmp_path: Path) -> None:
    custom = write(tmp_path / "mine.yaml", {"extends": "us", "drop": ["photo"]})
    result = run("list", "--json", str(custom))
    assert result.exit_code == ExitCode.OK
    rows = {r["id"]: r for r in json.loads(result.stdout)["checklists"]}
    assert rows["us-eras"]["source"] == "built-in"
    assert rows["mine"]["source"] == str(custom)
    assert rows["mine"]["items"] == 16
    assert rows["canada-carms"]["track"] == "canada"


def test_show_text_has_requirements_and_sources() -> None:
    result = run("show", "us")
    assert result.exit_code == ExitCode.OK
    out = result.stdout
    assert out.startswith("us-eras 2027.1: ")
    assert "statement-of-need: Statement of Need" in out
    assert "required when visa is J-1" in out
    assert "required when visa is J-1, H-1B" in out
    assert "required, 3 to 4; portal eras-lorp" in out
    assert "optional; portal eras-photo" in out
    assert sum(line.startswith("  source: ") for line in out.splitlines()) == 17
    assert "eras-lorp: ERAS Letter of Recommendation Portal" in out
    assert "if missing:" not in out
    verbose = run("show", "us", "-v").stdout
    assert "if missing: Download your Statement of Results from your OET profile" in verbose
    assert "evidence: Statement of Need + Ministry of Health" in verbose


def test_show_json_for_a_custom_file(tmp_path: Path) -> None:
    custom = write(
        tmp_path / "mine.yaml",
        {"extends": "canada", "items": [{"id": "cv", "required": True, "min": 2}]},
    )
    result = run("show", str(custom), "--json")
    assert result.exit_code == ExitCode.OK
    data = json.loads(result.stdout)
    assert data["id"] == "mine" and data["track"] == "canada"
    assert data["languages"] == ["en", "fr"]
    items = {i["id"]: i for i in data["items"]}
    assert set(items) == CANADA_IDS
    assert items["cv"]["required"] is True and items["cv"]["min"] == 2
    assert items["language-proficiency"]["when"] == {"language_exempt": [False]}
    assert items["language-proficiency"]["conditions"] == ["language_exempt is false"]
    assert all(i["source"] for i in items.values())
    assert data["portals"]["carms-photo"]["max_bytes"] == 2000000


def test_show_json_of_a_changed_portal_keeps_the_base_s_other_rules(tmp_path: Path) -> None:
    custom = tmp_path / "dated.yaml"
    custom.write_text(
        "extends: us\nportals:\n  eras-lorp: {confirmed: false, note: not checked}\n",
        encoding="utf-8",
    )
    result = run("show", str(custom), "--json")
    assert result.exit_code == ExitCode.OK, result.output
    lorp = json.loads(result.stdout)["portals"]["eras-lorp"]
    assert lorp["confirmed"] is False
    assert lorp["max_bytes"] == 1048576  # the rest of the portal comes from the base


def test_an_unknown_portal_key_is_refused_by_file_line_and_field(tmp_path: Path) -> None:
    """Portal rules are typed at load (a date under an unknown key no longer slips through)."""
    custom = tmp_path / "dated.yaml"
    custom.write_text(
        "extends: us\nportals:\n  eras-lorp: {checked_on: 2026-11-01}\n", encoding="utf-8"
    )
    result = run("show", str(custom), "--json")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{custom}: portals.eras-lorp.checked_on: unknown key" in result.stderr
    assert "(line 3)" in result.stderr


def test_show_unknown_id_is_bad_input() -> None:
    result = run("show", "mars")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "unknown checklist or track 'mars'" in result.stderr


def test_validate_valid_file(tmp_path: Path) -> None:
    custom = write(tmp_path / "ok.yaml", {"extends": "us", "drop": ["photo", "cv"]})
    result = run("validate", str(custom))
    assert result.exit_code == ExitCode.OK
    assert f"{custom}: valid: 15 items" in result.stdout


def test_validate_builtin_by_id() -> None:
    result = run("validate", "canada-carms")
    assert result.exit_code == ExitCode.OK
    assert "valid: 14 items" in result.stdout


def test_validate_invalid_file_exits_3_with_every_error(tmp_path: Path) -> None:
    path = invalid_checklist(tmp_path)
    result = run("validate", str(path))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stdout == ""
    assert f"{path}: items.usmle-step1.colour: unknown field" in result.stderr
    assert f"{path}: items.extra.source: missing" in result.stderr
    assert f"{path}: items.visa-doc.when.visum: unknown condition" in result.stderr


def test_validate_unknown_rule_type_exits_3(tmp_path: Path) -> None:
    path = write(
        tmp_path / "rules.yaml",
        {
            "extends": "us",
            "items": [{"id": "passport", "rules": [{"type": "shoe-size", "source": "me"}]}],
        },
    )
    result = run("validate", str(path))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "items.passport.rules[1] (shoe-size): unknown rule type" in result.stderr


def test_validate_malformed_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("items: [unclosed\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{bad}: not valid YAML" in result.stderr
    missing = run("validate", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == ExitCode.BAD_INPUT
    assert "checklist file not found" in missing.stderr


def test_checked_folder_uses_a_custom_checklist(tmp_path: Path) -> None:
    custom = write(tmp_path / "short.yaml", {"extends": "us", "drop": sorted(US_IDS - {"cv"})})
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "cv.txt").write_text("Curriculum Vitae\nEducation\nExperience\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(folder), "--track", str(custom), "--json"])
    report = json.loads(result.stdout)
    assert report["checklist"]["id"] == "short"
    assert [i["id"] for i in report["items"]] == ["cv"]
