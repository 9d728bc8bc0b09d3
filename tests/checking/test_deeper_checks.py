"""Deeper checks end to end: `dossier check` on real folders against the built-in checklists
(dates, results, names, translations, portal rules, local referees), as a user sees them."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from img_dossier.checking.rules import validate_rules
from img_dossier.cli import cli
from img_dossier.config.checklist import load
from img_dossier.errors import ExitCode

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
AS_OF = "2026-11-29"


sys.path.insert(0, str(SAMPLES))
import make_problems  # noqa: E402  (the generators of samples/ are scripts, not a package)
import make_samples  # noqa: E402


@pytest.fixture(scope="module")
def problems(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder: Path = make_problems.build(tmp_path_factory.mktemp("problems"))
    return folder


def check(folder: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", str(folder), "--as-of", AS_OF, "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in report["items"]}


def documents(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["path"]: d for d in report["documents"]}


def codes(doc: dict[str, Any]) -> list[str]:
    return [p["code"] for p in doc["problems"]]


@pytest.mark.parametrize("checklist", ["us-eras", "canada-carms"])
def test_the_built_in_checklists_rules_are_valid_and_sourced(checklist: str) -> None:
    loaded = load(checklist)
    validate_rules(loaded)
    ruled = [i for i in loaded.items if i.rules]
    assert len(ruled) >= 8
    assert all(r.source.strip() for i in ruled for r in i.rules)


@pytest.mark.parametrize("folder", ["us-j1", "canada"])
def test_the_complete_samples_still_pass(folder: str) -> None:
    if not (SAMPLES / folder).is_dir():
        pytest.skip(f"samples/{folder} not built")
    code, report = check(SAMPLES / folder)
    assert code == ExitCode.OK, [i for i in report["items"] if i["status"] != "ok"]
    assert report["complete"] is True


def test_the_problems_folder_shows_each_deeper_check(problems: Path) -> None:
    code, report = check(problems)
    assert code == ExitCode.INCOMPLETE
    by_id, docs = items(report), documents(report)

    passport = by_id["passport"]
    assert passport["status"] == "invalid"
    assert any(
        "passport.pdf: expires 2027-10-15 (machine-readable zone), before the end of the "
        "DS-2019 period, 2028-07-01 (training.start plus 12 months: set training.ds2019_end in "
        "dossier.yaml if your DS-2019 says otherwise), plus 6 months (2029-01-01) (J-1 rule)" in m
        for m in passport["messages"]
    )
    assert docs["passport.pdf"]["facts"]["expiry_source"] == "mrz"

    oet = by_id["oet-medicine"]
    assert oet["status"] == "invalid"
    assert any("Writing 290, below the minimum 300" in m for m in oet["messages"])
    assert docs["exams/oet-statement-of-results.pdf"]["facts"]["scores"]["writing"] == 290

    son = by_id["statement-of-need"]
    assert son["status"] == "invalid"
    assert any(
        'it names the specialty "Family Medicine", not "Internal Medicine"' in m
        for m in son["messages"]
    )

    assert by_id["translation"]["status"] == "missing"
    assert codes(docs["diploma/titulo-medico-cirujano.pdf"]) == ["needs-translation"]

    step1 = docs["exams/usmle-step1-score-report.pdf"]
    assert codes(step1) == ["name-mismatch"]
    assert '"Mateo Andrés Rojas Vilanueva"' in step1["problems"][0]["message"]
    assert '"Mateo Andrés Rojas Villanueva"' in step1["problems"][0]["message"]

    lor = by_id["letter-of-recommendation"]
    assert [p["code"] for p in lor["problems"]] == ["no-local-referee"]
    a4 = docs["letters/lor-2-paredes.pdf"]
    assert codes(a4) == ["over-portal-limit"]
    assert "595.28 x 841.89 pt (A4)" in a4["problems"][0]["message"]
    assert "612 x 792 pt (US Letter)" in a4["problems"][0]["message"]
    assert a4["problems"][0]["message"].endswith("(eras-lorp)")

    for ok in ("transcript", "usmle-step2-ck", "pathway", "training-contract"):
        assert by_id[ok]["status"] == "ok", by_id[ok]
    assert "make_problems.py" not in docs


def test_a_passport_scan_is_judged_on_the_declared_date_and_the_report_says_so(
    tmp_path: Path,
) -> None:
    folder = make_samples.build_folder("us", tmp_path / "scan")
    (folder / "passport.pdf").unlink()
    Image.new("RGB", (900, 640), "white").save(folder / "passport.jpg", quality=80)
    profile = (folder / "dossier.yaml").read_text(encoding="utf-8")

    expired = profile.replace("passport_expiry: 2031-03-16", "passport_expiry: 2027-09-30")
    (folder / "dossier.yaml").write_text(expired, encoding="utf-8")
    code, report = check(folder)
    passport = items(report)["passport"]
    assert code == ExitCode.INCOMPLETE
    assert passport["status"] == "invalid"
    assert passport["documents"] == ["passport.jpg"]
    assert any(
        "passport.jpg: expires 2027-09-30 (dates.passport_expiry in dossier.yaml), before "
        "the end of the DS-2019 period, 2028-07-01 (training.start plus 12 months: set "
        "training.ds2019_end in dossier.yaml if your DS-2019 says otherwise), plus 6 months "
        "(2029-01-01) (J-1 rule)" in m
        for m in passport["messages"]
    )
    facts = documents(report)["passport.jpg"]["facts"]
    assert facts["expiry"] == "2027-09-30"
    assert facts["expiry_source"] == "dossier.yaml"

    (folder / "dossier.yaml").write_text(profile, encoding="utf-8")
    code, report = check(folder)
    passport = items(report)["passport"]
    assert passport["status"] in {"ok", "unverified"}  # the rest of a scan is for the eye
    assert any(
        "passport.jpg: expiry date 2031-03-16 taken from dates.passport_expiry in dossier.yaml "
        "(no text could be read from it)" in m
        for m in passport["messages"]
    )


def test_strict_makes_a_rule_warning_fail_the_folder(tmp_path: Path) -> None:
    folder = make_samples.build_folder("us", tmp_path / "strict")
    a4 = dataclasses.replace(
        make_samples.content_for("us", "letter-of-recommendation", None, 1), a4=True
    )
    make_samples.render(a4, folder / "letters" / "lor-2-cardenas.pdf")
    code, report = check(folder)
    assert code == ExitCode.OK
    assert "over-portal-limit" in codes(documents(report)["letters/lor-2-cardenas.pdf"])
    code, report = check(folder, "--strict")
    assert code == ExitCode.INCOMPLETE
    assert report["complete"] is False


def test_a_custom_checklist_with_an_unknown_rule_type_is_bad_input(tmp_path: Path) -> None:
    folder = tmp_path / "custom"
    folder.mkdir()
    shutil.copy(SAMPLES / "us-j1" / "dossier.yaml", folder / "dossier.yaml")
    (folder / "cv.txt").write_text("Curriculum Vitae\nEducation\nExperience\n", encoding="utf-8")
    custom = tmp_path / "custom.yaml"
    custom.write_text(
        "schema: 1\nid: custom\nextends: us-eras\nitems:\n  - id: cv\n"
        "    rules:\n      - {type: page-limit, pages: 2, source: my program}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", str(folder), "--track", str(custom)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{custom}: items.cv.rules[1]" in result.stderr
    assert "unknown rule type" in result.stderr
