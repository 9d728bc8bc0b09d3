"""Program lists and the eligibility screen: each criterion passes, excludes, or is unknown
on either side; the list's validator and its JSON Schema demand a source on every value."""

# The criterion table reads best one case per line:
# ruff: noqa: E501

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from img_dossier.config.profile import Rotation
from img_dossier.errors import BadInputError, ExitCode
from img_dossier.programs import (
    ApplicantFacts,
    Fact,
    judge,
    load_programs,
    programs_json_schema,
    validate_programs,
)
from img_dossier.programs.applicant import ExamHistory, months_of

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 30)
SRC = "https://example.org/fictional/program"


def sourced(value: Any) -> dict[str, Any]:
    return {"value": value, "source": SRC, "checked": "2026-09-01"}


def a_program(criterion: str, value: Any, *, system: str = "eras", province: str | None = None):
    entry: dict[str, Any] = {
        "id": "FICT-1", "system": system, "specialty": "Internal Medicine",
        "criteria": {criterion: sourced(value)},
    }  # fmt: skip
    if province:
        entry["province"] = province
    loaded = validate_programs({"programs": [entry]}, name="list.yaml", as_of=AS_OF)
    return loaded.programs.programs[0]


def facts(track: str = "us", **known: Any) -> ApplicantFacts:
    wrapped = {
        k: v if isinstance(v, Fact) or k == "exams" else Fact(v, "test") for k, v in known.items()
    }
    return ApplicantFacts(track=track, as_of=AS_OF, **wrapped)


def history(failures: int | None, *, at_least: bool = False) -> Fact:
    return Fact(ExamHistory(failures, None, at_least=at_least), "test")


ELECTIVE = Rotation("elective", date(2024, 1, 1), date(2024, 3, 31))  # ~3 months hands-on
OBSERVING = Rotation("observership", date(2024, 6, 1), date(2024, 8, 31))  # ~3 months

# criterion, program value, system/province, applicant facts, expected result, missing side
CASES: list[tuple[str, str, Any, dict[str, Any], dict[str, Any], str, str | None]] = [
    # accepts IMGs
    ("imgs-pass", "accepts_imgs", True, {}, {"img": True}, "pass", None),
    ("imgs-fail", "accepts_imgs", False, {}, {"img": True}, "fail", None),
    ("imgs-unknown-program", "accepts_imgs", "unknown", {}, {"img": True}, "unknown", "program"),
    ("imgs-unknown-applicant", "accepts_imgs", False, {}, {}, "unknown", "applicant"),
    # visas
    ("visa-pass", "visas", ["J-1"], {}, {"visa": "J-1"}, "pass", None),
    ("visa-fail", "visas", ["H-1B"], {}, {"visa": "J-1"}, "fail", None),
    ("visa-fail-none", "visas", [], {}, {"visa": "H-1B"}, "fail", None),
    ("visa-needs-none", "visas", [], {}, {"visa": "none"}, "pass", None),
    ("visa-unknown-program", "visas", "unknown", {}, {"visa": "J-1"}, "unknown", "program"),
    ("visa-unknown-applicant", "visas", ["J-1"], {}, {}, "unknown", "applicant"),
    # ECFMG certification
    ("ecfmg-pass", "ecfmg_certification_by", "application", {}, {"ecfmg_certified": True}, "pass", None),
    ("ecfmg-fail", "ecfmg_certification_by", "application", {}, {"ecfmg_certified": False}, "fail", None),
    ("ecfmg-not-yet", "ecfmg_certification_by", "rank-deadline", {}, {"ecfmg_certified": False}, "unknown", "applicant"),
    ("ecfmg-unknown-program", "ecfmg_certification_by", "unknown", {}, {"ecfmg_certified": True}, "unknown", "program"),
    ("ecfmg-unknown-applicant", "ecfmg_certification_by", "start", {}, {}, "unknown", "applicant"),
    # years since graduation (2026 - 2021 = 5)
    ("years-pass", "max_years_since_graduation", 5, {}, {"graduation_year": 2021}, "pass", None),
    ("years-fail", "max_years_since_graduation", 4, {}, {"graduation_year": 2021}, "fail", None),
    ("years-no-limit", "max_years_since_graduation", "none", {}, {}, "pass", None),
    ("years-unknown-program", "max_years_since_graduation", "unknown", {}, {"graduation_year": 2021}, "unknown", "program"),
    ("years-unknown-applicant", "max_years_since_graduation", 5, {}, {}, "unknown", "applicant"),
    # failed attempts
    ("failures-pass", "max_failed_attempts", 0, {}, {"exams": {"usmle-step1": history(0), "usmle-step2-ck": history(0)}}, "pass", None),
    ("failures-fail", "max_failed_attempts", 0, {}, {"exams": {"usmle-step1": history(1), "usmle-step2-ck": history(0)}}, "fail", None),
    ("failures-per-exam-fail", "max_failed_attempts", {"any": 2, "usmle-step2-ck": 0}, {}, {"exams": {"usmle-step1": history(0), "usmle-step2-ck": history(1)}}, "fail", None),
    ("failures-at-least-fail", "max_failed_attempts", 0, {}, {"exams": {"usmle-step1": history(1, at_least=True)}}, "fail", None),
    ("failures-at-least-unknown", "max_failed_attempts", 1, {}, {"exams": {"usmle-step1": history(1, at_least=True)}}, "unknown", "applicant"),
    ("failures-unknown-program", "max_failed_attempts", "unknown", {}, {"exams": {"usmle-step1": history(0)}}, "unknown", "program"),
    ("failures-unknown-applicant", "max_failed_attempts", 0, {}, {"exams": {"usmle-step1": Fact(None, "a.pdf")}}, "unknown", "applicant"),
    ("failures-no-record", "max_failed_attempts", 0, {}, {}, "unknown", "applicant"),
    # Step 2 CK
    ("step2-pass", "min_step2_ck_score", 240, {}, {"step2_ck_score": 248}, "pass", None),
    ("step2-fail", "min_step2_ck_score", 250, {}, {"step2_ck_score": 248}, "fail", None),
    ("step2-unknown-program", "min_step2_ck_score", "unknown", {}, {"step2_ck_score": 248}, "unknown", "program"),
    ("step2-unknown-applicant", "min_step2_ck_score", 240, {}, {}, "unknown", "applicant"),
    # US clinical experience
    ("usce-pass", "us_clinical_experience", {"months": 2, "observership_counts": False}, {}, {"us_clinical_experience": (ELECTIVE,)}, "pass", None),
    ("usce-fail", "us_clinical_experience", {"months": 4, "observership_counts": False}, {}, {"us_clinical_experience": (ELECTIVE, OBSERVING)}, "fail", None),
    ("usce-observerships-count", "us_clinical_experience", {"months": 5, "observership_counts": True}, {}, {"us_clinical_experience": (ELECTIVE, OBSERVING)}, "pass", None),
    ("usce-none-listed", "us_clinical_experience", {"months": 1, "observership_counts": True}, {}, {"us_clinical_experience": ()}, "fail", None),
    ("usce-unknown-program", "us_clinical_experience", {"months": 5}, {}, {"us_clinical_experience": (ELECTIVE, OBSERVING)}, "unknown", "program"),
    ("usce-unknown-applicant", "us_clinical_experience", {"months": 1}, {}, {}, "unknown", "applicant"),
    # letters
    ("letters-pass", "letters", {"count": 3, "from_us": 1}, {}, {"letters": 3, "letters_from_us": 2}, "pass", None),
    ("letters-fail", "letters", {"count": 3, "from_us": 2}, {}, {"letters": 3, "letters_from_us": 1}, "fail", None),
    ("letters-unknown-program", "letters", "unknown", {}, {"letters": 3}, "unknown", "program"),
    ("letters-unknown-applicant", "letters", {"count": 3, "from_us": 1}, {}, {"letters": 3}, "unknown", "applicant"),
    # Canada: stream
    ("stream-pass", "stream", "img", {"system": "carms"}, {"img": True}, "pass", None),
    ("stream-fail", "stream", "cmg", {"system": "carms"}, {"img": True}, "fail", None),
    ("stream-unknown-program", "stream", "unknown", {"system": "carms"}, {"img": True}, "unknown", "program"),
    ("stream-unknown-applicant", "stream", "img", {"system": "carms"}, {}, "unknown", "applicant"),
    # Canada: residence
    ("residence-pass", "residence", {"rule": "resident"}, {"system": "carms", "province": "ON"}, {"residence_province": "ON"}, "pass", None),
    ("residence-fail", "residence", {"rule": "resident", "province": "BC"}, {"system": "carms", "province": "BC"}, {"residence_province": "ON"}, "fail", None),
    ("residence-connection", "residence", {"rule": "connection"}, {"system": "carms", "province": "AB"}, {"residence_province": "ON"}, "unknown", "applicant"),
    ("residence-unknown-program", "residence", "unknown", {"system": "carms", "province": "ON"}, {"residence_province": "ON"}, "unknown", "program"),
    ("residence-no-province", "residence", {"rule": "resident"}, {"system": "carms"}, {"residence_province": "ON"}, "unknown", "program"),
    ("residence-unknown-applicant", "residence", {"rule": "resident"}, {"system": "carms", "province": "ON"}, {}, "unknown", "applicant"),
    # Canada: language test
    ("language-pass", "language_test", True, {"system": "carms"}, {"language": True}, "pass", None),
    ("language-fail", "language_test", True, {"system": "carms"}, {"language": Fact(False, "no language test result in the folder")}, "fail", None),
    ("language-unknown-program", "language_test", "unknown", {"system": "carms"}, {"language": True}, "unknown", "program"),
    ("language-unknown-applicant", "language_test", True, {"system": "carms"}, {}, "unknown", "applicant"),
    # Canada: return of service
    ("ros-pass", "return_of_service_years", 2, {"system": "carms"}, {"accepts_return_of_service": True}, "pass", None),
    ("ros-fail", "return_of_service_years", 2, {"system": "carms"}, {"accepts_return_of_service": False}, "fail", None),
    ("ros-none", "return_of_service_years", 0, {"system": "carms"}, {"accepts_return_of_service": False}, "pass", None),
    ("ros-unknown-program", "return_of_service_years", "unknown", {"system": "carms"}, {"accepts_return_of_service": True}, "unknown", "program"),
    ("ros-unknown-applicant", "return_of_service_years", 2, {"system": "carms"}, {}, "unknown", "applicant"),
    # extra documents: something to prepare, never a verdict
    ("extra-note", "extra_documents", ["FMProC"], {"system": "carms"}, {}, "note", None),
    ("extra-none", "extra_documents", [], {}, {}, "pass", None),
    ("extra-unknown-program", "extra_documents", "unknown", {}, {}, "note", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("criterion", "value", "where", "known", "result", "missing"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_criterion_passes_excludes_or_is_unknown_on_one_side(
    criterion: str,
    value: Any,
    where: dict[str, Any],
    known: dict[str, Any],
    result: str,
    missing: str | None,
) -> None:
    program = a_program(criterion, value, **where)
    track = "canada" if where.get("system") == "carms" else "us"
    verdict = judge(program, facts(track, **known))
    found = next(c for c in verdict.criteria if c.criterion == criterion)
    assert (found.result, found.missing) == (result, missing), found.message
    assert found.program is not None and found.program.source == SRC  # its source travels
    if result == "fail":
        assert verdict.status == "not-eligible"
        assert found in verdict.reasons


def test_every_criterion_has_cases_for_pass_exclude_and_unknown_on_each_side() -> None:
    from img_dossier.programs import CRITERIA

    for criterion in CRITERIA:
        outcomes = {(c[5], c[6]) for c in CASES if c[1] == criterion}
        if criterion == "extra_documents":  # something to prepare: never decides
            assert {("note", None), ("pass", None)} <= outcomes
            continue
        assert ("unknown", "program") in outcomes, criterion
        assert {("pass", None), ("fail", None), ("unknown", "applicant")} <= outcomes, criterion


def test_a_criterion_the_list_leaves_out_is_unknown_on_the_program_side() -> None:
    program = a_program("accepts_imgs", True)
    verdict = judge(program, facts(img=True))
    left_out = {c.criterion: c for c in verdict.criteria}
    assert left_out["visas"].result == "unknown" and left_out["visas"].missing == "program"
    assert "the list does not say" in left_out["visas"].message
    assert verdict.status == "unknown"


def test_months_of_clinical_experience_count_overlaps_once_and_stop_at_the_screen_date() -> None:
    a = Rotation("elective", date(2026, 1, 1), date(2026, 1, 31))
    b = Rotation("elective", date(2026, 1, 15), date(2026, 2, 14))
    later = Rotation("elective", date(2027, 1, 1), date(2027, 1, 31))
    assert round(months_of([a, b, later], AS_OF), 1) == round(45 / 30.44, 1)


# -- the list's format -------------------------------------------------------------------


def test_the_validator_rejects_a_criterion_without_a_source(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(
        "programs:\n  - id: P-1\n    system: eras\n    specialty: Internal Medicine\n"
        "    criteria:\n      visas: {value: [J-1], checked: 2026-09-01}\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInputError) as err:
        load_programs(path, as_of=AS_OF)
    assert "programs[0] (P-1): criteria.visas.source: missing" in str(err.value)


def test_the_json_schema_rejects_a_criterion_without_a_source() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = programs_json_schema()
    good = {
        "programs": [
            {"id": "P-1", "system": "eras", "specialty": "Internal Medicine",
             "criteria": {"visas": {"value": ["J-1"], "source": "program e-mail",
                                    "checked": "2026-09-01"}}}
        ]
    }  # fmt: skip
    jsonschema.validate(good, schema)
    bad = json.loads(json.dumps(good))
    del bad["programs"][0]["criteria"]["visas"]["source"]
    with pytest.raises(jsonschema.ValidationError, match="source"):
        jsonschema.validate(bad, schema)
    bad["programs"][0]["criteria"]["visas"]["source"] = "a friend told me"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_the_shipped_schema_file_is_the_models_schema() -> None:
    shipped = json.loads((ROOT / "schemas" / "programs.schema.json").read_text("utf-8"))
    assert shipped == programs_json_schema(), (
        "schemas/programs.schema.json is stale: regenerate it from programs_json_schema()"
    )


def test_the_samples_list_is_valid_fictional_and_validates_against_the_schema() -> None:
    import yaml

    loaded = load_programs(ROOT / "samples" / "programs.yaml", as_of=AS_OF)
    assert loaded.fictional and loaded.warnings == ()
    assert len(loaded.programs.programs) >= 15
    assert all("Fictional" in (p.name or "") for p in loaded.programs.programs)
    jsonschema = pytest.importorskip("jsonschema")
    raw = yaml.safe_load((ROOT / "samples" / "programs.yaml").read_text("utf-8"))
    jsonschema.validate(json.loads(json.dumps(raw, default=str)), programs_json_schema())
    # every criterion appears, with a known value and with unknown
    from img_dossier.programs import CRITERIA

    given = {c for p in loaded.programs.programs for c in CRITERIA if getattr(p.criteria, c)}
    assert given == set(CRITERIA)
    assert any(
        getattr(p.criteria, c) is not None and getattr(p.criteria, c).value == "unknown"
        for p in loaded.programs.programs
        for c in CRITERIA
    )


def test_errors_name_every_wrong_field_at_once(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(
        "programs:\n"
        "  - id: P-1\n    system: eras\n    specialty: IM\n    criteria:\n"
        "      visas: {value: [F-1], source: https://example.org/x, checked: 2026-09-01}\n"
        "      accepts_imgs: {value: maybe, source: 'my cousin', checked: yesterday}\n"
        "      vibes: {value: good, source: https://example.org/x, checked: 2026-09-01}\n"
        "  - id: P-1\n    system: nrmp\n    specialty: IM\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInputError) as err:
        load_programs(path, as_of=AS_OF)
    text = str(err.value)
    assert "programs[0] (P-1): criteria.visas.value: not a valid value" in text
    assert (
        'criteria.accepts_imgs.value: not a valid value (got "maybe"); expected true, false or unknown'
        in text
    )
    assert "criteria.accepts_imgs.source: must be a URL" in text
    assert 'criteria.accepts_imgs.checked: not a date (got "yesterday")' in text
    assert "criteria.vibes: unknown criterion" in text
    assert "programs[1] (P-1): system: must be eras, residencycas or carms" in text


def test_values_checked_before_the_season_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(
        "season: 2027\nprograms:\n  - id: P-1\n    system: eras\n    specialty: IM\n"
        "    criteria:\n"
        "      visas: {value: [J-1], source: https://example.org/x, checked: 2025-10-01}\n",
        encoding="utf-8",
    )
    loaded = load_programs(path, as_of=AS_OF)
    assert loaded.warnings == (
        f"{path}: programs[0] (P-1): criteria.visas.checked: checked 2025-10-01, before the "
        "2027 season (from 2026-06-01); check https://example.org/x again",
    )


def test_a_csv_list_reads_like_the_yaml_one_and_names_rows_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "\ufeffid,system,specialty,state,visas,visas_source,visas_checked,"
        "max_failed_attempts,max_failed_attempts_source,max_failed_attempts_checked,"
        "us_clinical_experience,us_clinical_experience_source,us_clinical_experience_checked\n"
        "P-1,eras,Internal Medicine,NY,J-1; H-1B,https://example.org/p1,2026-09-01,"
        "any=1; usmle-step2-ck=0,program e-mail,2026-09-02,"
        "months=3; observership_counts=no,https://example.org/p1,2026-09-01\n"
        "P-2,eras,Internal Medicine,NY,none,https://example.org/p2,2026-09-01,,,,,,\n",
        encoding="utf-8",
    )
    loaded = load_programs(path, as_of=AS_OF)
    one, two = loaded.programs.programs
    assert one.criteria.visas.value == ["J-1", "H-1B"]
    assert one.criteria.max_failed_attempts.value.limits() == {"any": 1, "usmle-step2-ck": 0}
    assert one.criteria.us_clinical_experience.value.observership_counts is False
    assert two.criteria.visas.value == [] and two.criteria.max_failed_attempts is None

    path.write_text(
        "id,system,specialty,visas,visas_checked\nP-1,eras,IM,J-1,2026-09-01\n", encoding="utf-8"
    )
    with pytest.raises(BadInputError) as err:
        load_programs(path, as_of=AS_OF)
    assert "row 2 (P-1): column visas_source: missing: every value needs its source" in str(
        err.value
    )


# -- the command line --------------------------------------------------------------------


def run(*args: str) -> Any:
    from click.testing import CliRunner

    from img_dossier.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_programs_check_says_valid_or_exits_3(tmp_path: Path) -> None:
    ok = run("programs", "check", str(ROOT / "samples" / "programs.yaml"))
    assert (
        ok.exit_code == ExitCode.OK
        and "valid: 15 programs" in ok.output
        and "FICTIONAL" in ok.output
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("programs:\n  - id: X\n    system: eras\n", encoding="utf-8")
    result = run("programs", "check", str(bad))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "programs[0] (X): specialty: missing" in result.output


def test_programs_check_strict_fails_on_stale_values(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(
        "season: 2027\nprograms:\n  - id: P-1\n    system: eras\n    specialty: IM\n"
        "    criteria:\n"
        "      visas: {value: [J-1], source: https://example.org/x, checked: 2024-10-01}\n",
        encoding="utf-8",
    )
    assert run("programs", "check", str(path), "--as-of", "2026-11-30").exit_code == ExitCode.OK
    assert (
        run("programs", "check", str(path), "--strict", "--as-of", "2026-11-30").exit_code
        == ExitCode.INCOMPLETE
    )


# -- screening the sample applicants ------------------------------------------------------


@pytest.fixture(scope="module")
def us_screen() -> dict[str, Any]:
    result = run(
        "programs", "screen", str(ROOT / "samples" / "us-j1"),
        str(ROOT / "samples" / "programs.yaml"), "--json", "--as-of", "2026-11-30",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_screen_json_carries_the_programs_source_for_every_verdict(
    us_screen: dict[str, Any],
) -> None:
    assert us_screen["list"]["fictional"] is True
    assert us_screen["summary"] == {
        "programs": 10, "not-eligible": 5, "unknown": 3, "eligible": 2, "skipped": 5
    }  # fmt: skip
    for program in us_screen["programs"]:
        for c in program["criteria"]:
            if c["missing"] == "program" and c["program"] is None:
                assert c["message"] == "the list does not say"
                continue
            assert c["program"]["source"] and c["program"]["checked"], (program["id"], c)


def test_screen_names_the_criterion_and_both_values(us_screen: dict[str, Any]) -> None:
    by_id = {p["id"]: p for p in us_screen["programs"]}
    visa = by_id["FICT-1002-IM"]
    assert visa["status"] == "not-eligible"
    (reason,) = visa["reasons"]
    assert reason.startswith("visas: sponsors H-1B only; the applicant needs J-1")
    step2 = by_id["FICT-1004-IM"]["reasons"][0]
    assert "at least 250" in step2 and "248" in step2 and "usmle-step2ck-score-report.pdf" in step2
    assert by_id["FICT-1009-IM"]["status"] == "unknown"
    assert by_id["FICT-1009-IM"]["reasons"] == ["min_step2_ck_score: the list does not say"]
    assert by_id["FICT-1001-IM"]["status"] == "eligible"
    # worst first
    order = [p["status"] for p in us_screen["programs"]]
    assert order == sorted(order, key=["not-eligible", "unknown", "eligible"].index)
    facts = us_screen["applicant"]["facts"]
    assert facts["step2_ck_score"] == {
        "value": 248, "source": "exams/usmle-step2ck-score-report.pdf"
    }  # fmt: skip
    assert facts["us_clinical_experience"]["months"] == {"hands_on": 1.8, "with_observerships": 3.5}


def test_screen_table_csv_and_html_for_the_canadian_sample(tmp_path: Path) -> None:
    folder, listing = str(ROOT / "samples" / "canada"), str(ROOT / "samples" / "programs.yaml")
    page = tmp_path / "screen.html"
    table = run("programs", "screen", folder, listing, "--group", "--html", str(page),
                "--as-of", "2026-11-30")  # fmt: skip
    assert table.exit_code == ExitCode.OK, table.output
    assert "Not eligible (2)" in table.stdout
    assert "residence: resident of BC; the applicant lives in ON" in table.stdout
    assert "stream: the CMG stream only; the applicant is an IMG" in table.stdout
    assert "10 eras/residencycas programs not screened (track canada)" in table.stdout
    html = page.read_text("utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "Karim Nabil Haddad" in html and "FICT-MB-IM-ALL" in html
    assert "made up" in html
    rows = run("programs", "screen", folder, listing, "--format", "csv", "--as-of", "2026-11-30")
    import csv
    import io

    parsed = list(csv.DictReader(io.StringIO(rows.stdout)))
    assert len(parsed) == 5
    bc = next(r for r in parsed if r["id"] == "FICT-BC-IM-IMG")
    assert bc["status"] == "not-eligible" and bc["residence"] == "fail"
    assert bc["residence_source"].startswith("https://example.org/fictional/")


def test_html_escapes_what_the_list_says(tmp_path: Path) -> None:
    from img_dossier.programs.render import render_html
    from img_dossier.programs.screen import screen

    listing = validate_programs(
        {"programs": [{"id": "<script>alert(1)</script>", "system": "eras",
                       "specialty": "IM", "name": "<img src=x onerror=alert(1)>",
                       "criteria": {"visas": {"value": ["J-1"], "checked": "2026-09-01",
                                              "source": "https://example.org/\"><script>"}}}]},
        name="list.yaml", as_of=AS_OF,
    )  # fmt: skip
    html = render_html(screen(facts(visa="J-1"), listing, folder="x"))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


# -- the applicant's facts ---------------------------------------------------------------


def test_dossier_yaml_takes_exams_clinical_experience_and_residence() -> None:
    from img_dossier.config.profile import parse_profile

    profile = parse_profile(
        {
            "track": "canada",
            "exams": {"mccqe1": {"attempts": 2, "failures": 1}},
            "us_clinical_experience": [
                {"kind": "observership", "start": date(2024, 1, 8), "end": date(2024, 2, 2)}
            ],
            "residence": {"province": "ON", "since": date(2023, 9, 1)},  # YAML 1.2: text
            "training": {"accepts_return_of_service": True},
        }
    )
    assert profile.exams["mccqe1"].failures == 1
    assert profile.us_clinical_experience is not None
    assert not profile.us_clinical_experience[0].hands_on
    assert profile.residence.province == "ON"
    assert profile.training.accepts_return_of_service is True
    assert parse_profile({}).us_clinical_experience is None  # not said: unknown, not none
    assert parse_profile({"us_clinical_experience": []}).us_clinical_experience == ()


def test_dossier_yaml_errors_name_the_field_of_the_new_facts() -> None:
    from img_dossier.config.profile import parse_profile

    with pytest.raises(BadInputError) as err:
        parse_profile(
            {
                "exams": {"step-1": {}, "nac": {"attempts": 1, "failures": 2}},
                "us_clinical_experience": [
                    {"kind": "shadowing", "start": "2024-02-01", "end": "2024-01-01"}
                ],
                "residence": {"province": "Ontario"},
            }
        )
    text = str(err.value)
    assert "dossier.yaml: exams.step-1: unknown exam" in text
    assert "dossier.yaml: exams.nac.failures: more than attempts (2 > 1)" in text
    assert "dossier.yaml: us_clinical_experience[0].kind: must be one of clerkship" in text
    assert "dossier.yaml: us_clinical_experience[0].end: is before its start" in text
    assert "dossier.yaml: residence.province: must be one of AB" in text


def test_facts_read_a_labelled_graduation_date_and_an_attempt_history() -> None:
    from img_dossier.facts import read_text

    transcript = read_text(
        "Official Academic Transcript\n Date of admission   April 1, 2015\n"
        " Date of graduation   December 20, 2021\n"
    )
    assert transcript["graduation_date"] == "2021-12-20"
    assert "graduation_date" not in read_text("Expected graduation date: May 2, 2027\n")
    history = read_text(
        "USMLE Transcript\nStep 1   2022-08-02   Fail\nStep 1   2022-12-10   Pass\n"
        "Step 2 CK   2023-03-03   Pass\n"
        "Step 1 examinations taken on or after January 26, 2022 are reported as pass/fail only\n"
    )
    assert history["attempts"] == {
        "usmle-step1": {"attempts": 2, "failures": 1},
        "usmle-step2-ck": {"attempts": 1, "failures": 0},
    }


def test_failures_a_document_shows_are_never_hidden_by_a_smaller_declared_count() -> None:
    from img_dossier.config.profile import parse_profile
    from img_dossier.model import Document
    from img_dossier.programs.applicant import _exams

    profile = parse_profile({"exams": {"usmle-step1": {"attempts": 1, "failures": 0}}})
    doc = Document(
        rel="exams/usmle-transcript.pdf", path=Path("x"), format="pdf", bytes=1, sha256="",
        item="usmle-step1",
        facts={"attempts": {"usmle-step1": {"attempts": 2, "failures": 1}}},
    )  # fmt: skip
    fact = _exams(profile, [doc])["usmle-step1"]
    assert fact.value.failures == 1 and fact.source == "exams/usmle-transcript.pdf"
    assert "dossier.yaml says 0; the larger is used" in (fact.note or "")
    passed_only = doc.replace(facts={"outcome": "pass"})
    unknown = _exams(parse_profile({}), [passed_only])["usmle-step1"]
    assert unknown.value is None and "not earlier attempts" in (unknown.note or "")


def test_a_json_list_loads_like_the_yaml_one_and_names_wrong_fields(tmp_path: Path) -> None:
    import yaml

    raw = yaml.safe_load((ROOT / "samples" / "programs.yaml").read_text("utf-8"))
    path = tmp_path / "list.json"
    path.write_text(json.dumps(raw, default=str), encoding="utf-8")
    loaded = load_programs(path, as_of=AS_OF)
    assert loaded.programs == load_programs(ROOT / "samples" / "programs.yaml").programs
    del raw["programs"][2]["criteria"]["visas"]["source"]
    path.write_text(json.dumps(raw, default=str), encoding="utf-8")
    with pytest.raises(
        BadInputError, match=r"programs\[2\] \(FICT-1003-IM\): criteria.visas.source: missing"
    ):
        load_programs(path, as_of=AS_OF)


def test_audit_programs_is_a_who_can_apply_where_matrix() -> None:
    listing = str(ROOT / "samples" / "programs.yaml")
    folders = [str(ROOT / "samples" / "us-j1"), str(ROOT / "samples" / "canada")]
    common = ("--programs", listing, "--as-of", "2026-11-30", "--jobs", "1", "--no-cache")
    data = json.loads(run("audit", *folders, "--format", "json", *common).stdout)
    by_folder = {c["folder"].rsplit("/", 1)[-1]: c["programs"] for c in data["clients"]}
    assert by_folder["us-j1"]["summary"] == {
        "not-eligible": 5, "unknown": 3, "eligible": 2, "skipped": 5
    }  # fmt: skip
    canada = {v["id"]: v for v in by_folder["canada"]["verdicts"]}
    assert canada["FICT-BC-IM-IMG"]["status"] == "not-eligible"
    assert canada["FICT-BC-IM-IMG"]["reasons"][0].startswith("residence: resident of BC")
    import csv
    import io

    rows = list(
        csv.DictReader(io.StringIO(run("audit", *folders, "--format", "csv", *common).stdout))
    )
    us = next(r for r in rows if r["folder"].endswith("us-j1"))
    assert us["programs_eligible"] == "2" and us["FICT-1001-IM"] == "eligible"
    assert us["FICT-ON-FM-IMG"] == "not-screened"
    table = run("audit", *folders, *common).stdout
    assert "Who can apply where" in table and "2 eligible: FICT-1001-IM, FICT-1010-SP" in table


def test_audit_programs_with_a_bad_list_is_exit_3_before_any_check(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("programs: [{id: X, system: eras}]\n", encoding="utf-8")
    result = run("audit", str(ROOT / "samples" / "us-j1"), "--programs", str(bad))
    assert result.exit_code == ExitCode.BAD_INPUT and "specialty: missing" in result.output


def test_programs_check_json() -> None:
    result = run("programs", "check", str(ROOT / "samples" / "programs.yaml"), "--json")
    data = json.loads(result.stdout)
    assert data["valid"] is True and data["programs"] == 15 and data["fictional"] is True
    assert data["systems"] == {"eras": 9, "residencycas": 1, "carms": 5}


def test_a_yaml_list_is_read_back_from_the_cache_until_it_changes(tmp_path: Path) -> None:
    from img_dossier.readers.cache import ReadCache

    cache = ReadCache(tmp_path / "cache")
    path = tmp_path / "list.yaml"
    text = (ROOT / "samples" / "programs.yaml").read_text("utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_programs(path, as_of=AS_OF, cache=cache)
    again = load_programs(path, as_of=AS_OF, cache=cache)
    assert again.programs == first.programs and cache.writes == 1
    path.write_text(text.replace("value: [H-1B]", "value: [J-1]"), encoding="utf-8")
    changed = load_programs(path, as_of=AS_OF, cache=cache)
    assert changed.programs.programs[1].criteria.visas.value == ["J-1"]
    path.write_text(text.replace('source: "program e-mail"', "source: a rumour", 1), "utf-8")
    with pytest.raises(BadInputError, match="source: must be a URL"):
        load_programs(path, as_of=AS_OF, cache=cache)


def test_dossier_schema_programs_prints_the_shipped_schema() -> None:
    result = run("schema", "programs")
    assert result.exit_code == ExitCode.OK
    shipped = json.loads((ROOT / "schemas" / "programs.schema.json").read_text("utf-8"))
    assert json.loads(result.stdout) == shipped
