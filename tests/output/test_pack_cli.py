"""dossier pack: exit codes, --json manifest, text summary, default folder, --force."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from img_dossier.cli import cli
from img_dossier.errors import ExitCode

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
AS_OF = ["--as-of", "2026-11-29"]


@pytest.fixture
def canada(tmp_path: Path) -> Path:
    """A copy of the complete canada sample folder."""
    return Path(shutil.copytree(SAMPLES / "canada", tmp_path / "canada"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["pack", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_complete_folder_packs_with_exit_0_and_json_is_the_manifest(
    canada: Path, tmp_path: Path
) -> None:
    out = tmp_path / "upload"
    code, stdout, _ = run(str(canada), "--portal", "carms", "--out", str(out), "--json", *AS_OF)
    assert code == ExitCode.OK
    data = json.loads(stdout)  # nothing but JSON on stdout
    assert data == json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["complete"] is True and data["portal"] == "carms"
    assert [p["id"] for p in data["portals"]] == ["carms", "carms-photo"]
    files = {s["file"] for s in data["slots"]}
    assert {"transcript_Haddad.pdf", "photo_Haddad.jpg", "citizenship-or-pr_Haddad.pdf"} <= files
    for s in data["slots"]:
        assert s["status"] == "packed"
        assert (out / s["file"]).stat().st_size == s["bytes"] <= s["limit_bytes"]
        if s["format"] == "pdf":
            assert len(PdfReader(out / s["file"]).pages) == s["pages"]
    assert (out / "manifest.csv").read_text(encoding="utf-8").startswith("slot,portal,item,")


def test_text_output_names_each_file_and_the_folder(canada: Path, tmp_path: Path) -> None:
    out = tmp_path / "upload"
    code, stdout, _ = run(str(canada), "--portal", "mcc", "-o", str(out), *AS_OF)
    assert code == ExitCode.OK
    assert "medical-diploma_Haddad.pdf" in stdout and "transcript_Haddad.pdf" in stdout
    assert f"2 of 2 uploads written to {out.resolve()}" in stdout


def test_default_output_is_family_name_and_portal_in_the_current_folder(
    canada: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["pack", str(canada), "--portal", "carms", "-q", *AS_OF])
    assert result.exit_code == ExitCode.OK, result.output
    folder = Path.cwd() / "haddad-carms"
    assert (folder / "manifest.json").is_file() and (folder / "cv_Haddad.pdf").is_file()
    assert "ok " not in result.stdout  # -q: only problems and the result line


def test_a_missing_item_or_an_encrypted_document_is_exit_1(canada: Path, tmp_path: Path) -> None:
    (canada / "mspr.pdf").unlink()
    code, stdout, _ = run(str(canada), "--portal", "carms", "-o", str(tmp_path / "a"), *AS_OF)
    assert code == ExitCode.INCOMPLETE
    assert "MISSING  mspr (carms)" in stdout

    c = Canvas(str(tmp_path / "plain.pdf"))
    c.drawString(72, 720, "Medical Student Performance Record")
    c.save()
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "plain.pdf"))
    writer.encrypt(user_password="pw", owner_password="pw2", algorithm="AES-128")
    with open(canada / "mspr.pdf", "wb") as fh:
        writer.write(fh)
    out = tmp_path / "b"
    code, stdout, _ = run(str(canada), "--portal", "carms", "-o", str(out), "--json", *AS_OF)
    assert code == ExitCode.INCOMPLETE
    data = json.loads(stdout)
    assert [r["path"] for r in data["refused"]] == ["mspr.pdf"]
    assert not list(out.glob("mspr_*"))


def test_an_existing_output_folder_is_exit_4_without_force(canada: Path, tmp_path: Path) -> None:
    out = tmp_path / "upload"
    out.mkdir()
    (out / "old.pdf").write_bytes(b"old")
    code, _, stderr = run(str(canada), "--portal", "mcc", "-o", str(out), *AS_OF)
    assert code == ExitCode.OUTPUT
    assert "--force" in stderr and (out / "old.pdf").is_file()
    code, _, _ = run(str(canada), "--portal", "mcc", "-o", str(out), "--force", *AS_OF)
    assert code == ExitCode.OK
    assert not (out / "old.pdf").exists() and (out / "manifest.json").is_file()


def test_output_over_the_applicant_folder_is_exit_4(canada: Path) -> None:
    code, _, stderr = run(str(canada), "--portal", "carms", "-o", str(canada), "--force", *AS_OF)
    assert code == ExitCode.OUTPUT
    assert "refusing" in stderr
    assert (canada / "transcript.pdf").is_file()


def test_a_portal_the_checklist_lacks_is_a_usage_error(canada: Path, tmp_path: Path) -> None:
    code, _, stderr = run(str(canada), "--portal", "evsp", "-o", str(tmp_path / "x"), *AS_OF)
    assert code == ExitCode.USAGE
    assert "--portal" in stderr and "carms, carms-photo, mcc" in stderr
    assert not (tmp_path / "x").exists()


def test_a_missing_folder_is_exit_3_and_portal_is_required(tmp_path: Path) -> None:
    code, _, stderr = run(str(tmp_path / "nope"), "--portal", "carms")
    assert code == ExitCode.BAD_INPUT and "no such folder" in stderr
    code, _, stderr = run(str(tmp_path))
    assert code == ExitCode.USAGE and "--portal" in stderr


def test_us_sample_packs_for_evsp_with_the_cv_converted_from_word(tmp_path: Path) -> None:
    us = shutil.copytree(SAMPLES / "us-j1", tmp_path / "us")
    out = tmp_path / "evsp"
    code, stdout, _ = run(str(us), "--portal", "evsp", "-o", str(out), "--json", *AS_OF)
    assert code == ExitCode.OK
    slots = {s["slot"]: s for s in json.loads(stdout)["slots"]}
    assert set(slots) == {"passport", "cv", "training-contract"}
    assert slots["cv"]["sources"] == ["cv-j1.docx"] and slots["cv"]["format"] == "pdf"
    assert any(a.startswith("converted cv-j1.docx") for a in slots["cv"]["actions"])


def test_help_names_the_portals() -> None:
    result = CliRunner().invoke(cli, ["pack", "--help"])
    assert result.exit_code == 0
    assert "carms|mcc|ecfmg|evsp" in result.output and "--force" in result.output
