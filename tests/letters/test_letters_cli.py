"""`dossier letters list|show|render` through the CLI: exit codes, JSON, what is written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pypdfium2
import pytest
import yaml
from click.testing import CliRunner, Result
from docx import Document

from img_dossier.cli import cli
from img_dossier.errors import ExitCode

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "us-j1"
DOSSIER = {
    "schema": 1,
    "track": "us",
    "applicant": {"given_names": "Lucia Fernanda", "family_name": "Quispe Mamani"},
    "medical_school": {
        "name": "Universidad Nacional Mayor de San Marcos",
        "country": "Peru",
        "graduation_year": 2021,
    },
    "training": {"specialty": "Internal Medicine", "start": date(2027, 7, 1), "visa": "J-1"},
}
THANKS = [
    "--set",
    "interviewer_name=Dr. John Smith",
    "--set",
    "program_name=Example University Internal Medicine Residency",
    "--set",
    "interview_date=2026-11-20",
    "--set",
    "conversation_topic=the ultrasound curriculum",
    "--set",
    "sender_email=lucia@example.org",
    "--set",
    "today=2026-11-22",
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    if (SAMPLE / "dossier.yaml").is_file():
        return SAMPLE
    path = tmp_path / "applicant"
    path.mkdir()
    (path / "dossier.yaml").write_text(yaml.safe_dump(DOSSIER), encoding="utf-8")
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["letters", *map(str, args)])


def test_list_shows_every_builtin_with_its_source() -> None:
    result = run("list", "--json")
    assert result.exit_code == ExitCode.OK, result.output
    listed = json.loads(result.stdout)
    assert [t["name"] for t in listed] == [
        "carms-reference-request",
        "interview-thank-you",
        "letter-of-intent",
        "lor-request",
        "mspe-request",
        "no-mspr-letter-request",
        "observership-request",
        "statement-of-need",
        "statement-of-need-request",
        "translation-certification",
    ]
    assert all(t["source"] == "built-in" and t["description"] for t in listed)
    text = run("list")
    assert text.exit_code == ExitCode.OK
    assert "statement-of-need-request" in text.stdout and "Ministry of Health" in text.stdout


def test_show_json_has_the_interface_shape() -> None:
    result = run("show", "lor-request", "--json")
    assert result.exit_code == ExitCode.OK, result.output
    shown = json.loads(result.stdout)
    assert set(shown) == {"name", "description", "source", "fields", "filename_field"}
    assert shown["name"] == "lor-request" and shown["source"] == "built-in"
    assert shown["filename_field"] == "referee_name"
    for f in shown["fields"]:
        assert set(f) == {"name", "description", "required", "default", "example"}
    by_name = {f["name"]: f for f in shown["fields"]}
    assert by_name["referee_name"] == {
        "name": "referee_name",
        "description": by_name["referee_name"]["description"],
        "required": True,
        "default": None,
        "example": "Dr. Jane Smith",
    }
    assert by_name["deadline"]["example"] == "2026-09-01"
    assert by_name["waived"]["required"] is False and by_name["waived"]["default"] == "yes"


def test_show_text_and_unknown_template() -> None:
    result = run("show", "statement-of-need")
    assert result.exit_code == ExitCode.OK
    assert "usmle_id (required)" in result.stdout and "pronoun (default he/she)" in result.stdout
    missing = run("show", "no-such-letter")
    assert missing.exit_code == ExitCode.BAD_INPUT
    assert "unknown letter template 'no-such-letter'" in missing.stderr


def test_render_writes_docx_and_pdf_and_reports_them_as_json(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(
        "render", "interview-thank-you", folder, *THANKS, "--out", out, "--format", "both", "--json"
    )
    assert result.exit_code == ExitCode.OK, result.output
    written = json.loads(result.stdout)
    assert written == [
        {
            "template": "interview-thank-you",
            "row": None,
            "format": "docx",
            "path": str(out / "interview-thank-you-dr-john-smith.docx"),
        },
        {
            "template": "interview-thank-you",
            "row": None,
            "format": "pdf",
            "path": str(out / "interview-thank-you-dr-john-smith.pdf"),
        },
    ]
    body = "\n".join(p.text for p in docx.Document(written[0]["path"]).paragraphs)
    assert "November 22, 2026" in body and "Dear Dr. John Smith," in body
    pdf = pypdfium2.PdfDocument(written[1]["path"])
    assert "the ultrasound curriculum" in " ".join(pdf[0].get_textpage().get_text_range().split())
    pdf.close()


def test_render_text_output_lists_paths_on_stdout(folder: Path, tmp_path: Path) -> None:
    result = run("render", "interview-thank-you", folder, *THANKS, "--out", tmp_path)
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.strip() == str(tmp_path / "interview-thank-you-dr-john-smith.docx")
    assert "1 letter(s)" in result.stderr
    quiet = run("render", "interview-thank-you", folder, *THANKS, "--out", tmp_path / "q", "-q")
    assert quiet.exit_code == ExitCode.OK and quiet.stderr == ""


def test_render_from_csv_numbers_rows(folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "interviewers.csv"
    data.write_text(
        "interviewer_name,interview_date\nDr. Smith,2026-11-20\n"
        "Dr. Smith,2026-11-21\nDr. Ann Lee,2026-11-21\n",
        encoding="utf-8-sig",
    )
    result = run(
        "render",
        "interview-thank-you",
        folder,
        "--data",
        data,
        *THANKS[2:],
        "--out",
        tmp_path / "o",
        "--json",
    )
    assert result.exit_code == ExitCode.OK, result.output
    written = json.loads(result.stdout)
    assert [(w["row"], Path(w["path"]).name) for w in written] == [
        (1, "interview-thank-you-dr-smith.docx"),
        (2, "interview-thank-you-dr-smith-2.docx"),
        (3, "interview-thank-you-dr-ann-lee.docx"),
    ]


def test_missing_values_exit_3_naming_each_row(folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "refs.csv"
    data.write_text("referee_name,referee_email\nDr. A,a@x.org\n,b@x.org\n", encoding="utf-8")
    result = run("render", "lor-request", folder, "--data", data, "--out", tmp_path / "o")
    assert result.exit_code == ExitCode.BAD_INPUT
    first = "refs.csv row 1: missing referee_institution, worked_together, letter_id"
    assert first in result.stderr
    assert "refs.csv row 2: missing referee_name, referee_institution" in result.stderr
    assert result.stdout == "" and not (tmp_path / "o").exists()


def test_existing_letter_is_exit_4_without_force(folder: Path, tmp_path: Path) -> None:
    assert (
        run("render", "interview-thank-you", folder, *THANKS, "--out", tmp_path).exit_code
        == ExitCode.OK
    )
    again = run("render", "interview-thank-you", folder, *THANKS, "--out", tmp_path)
    assert again.exit_code == ExitCode.OUTPUT
    assert "interview-thank-you-dr-john-smith.docx" in again.stderr and "--force" in again.stderr
    forced = run("render", "interview-thank-you", folder, *THANKS, "--out", tmp_path, "--force")
    assert forced.exit_code == ExitCode.OK


def test_bad_command_lines_are_usage_errors(tmp_path: Path) -> None:
    assert run("render", "lor-request", "--set", "no-equals-sign").exit_code == ExitCode.USAGE
    assert run("render", "lor-request", "--format", "odt").exit_code == ExitCode.USAGE
    missing_dir = run("render", "interview-thank-you", tmp_path / "nope", *THANKS)
    assert missing_dir.exit_code == ExitCode.BAD_INPUT and "folder not found" in missing_dir.stderr


def write_user_template(folder: Path, name: str, text: str, meta: dict[str, Any]) -> None:
    folder.mkdir(exist_ok=True)
    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(folder / f"{name}.docx"))
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")


def test_user_templates_override_builtins_and_bad_ones_exit_3(tmp_path: Path) -> None:
    user = tmp_path / "mine"
    field = {"name": "referee_name", "description": "who", "required": True, "example": "Dr. X"}
    write_user_template(
        user,
        "lor-request",
        "Hi {{ referee_name }}",
        {"description": "my own", "filename_field": "referee_name", "fields": [field]},
    )
    listed = json.loads(run("list", "--templates", user, "--json").stdout)
    mine = next(t for t in listed if t["name"] == "lor-request")
    assert mine == {
        "name": "lor-request",
        "description": "my own",
        "source": str(user / "lor-request.docx"),
    }
    shown = json.loads(run("show", "lor-request", "--templates", user, "--json").stdout)
    assert shown["source"] == str(user / "lor-request.docx") and len(shown["fields"]) == 1

    write_user_template(
        user,
        "broken",
        "{{ referee_name }}",
        {
            "description": "x",
            "filename_field": "referee_name",
            "fields": [{**field, "required": "often"}],
        },
    )
    bad = run("show", "broken", "--templates", user)
    assert bad.exit_code == ExitCode.BAD_INPUT
    assert str(user / "broken.yaml") in bad.stderr
    assert "required: must be true or false" in bad.stderr

    write_user_template(
        user,
        "evil",
        "{{ referee_name.__class__.__mro__ }}",
        {"description": "x", "filename_field": "referee_name", "fields": [field]},
    )
    evil = run(
        "render", "evil", "--templates", user, "--set", "referee_name=x", "--out", tmp_path / "o"
    )
    assert evil.exit_code == ExitCode.BAD_INPUT
    assert "template evil reaches for Python internals" in evil.stderr
    assert not (tmp_path / "o").exists()

    nowhere = run("list", "--templates", tmp_path / "absent")
    assert nowhere.exit_code == ExitCode.BAD_INPUT
    assert "templates folder not found" in nowhere.stderr


# From a review pass: letters render with the CSV files users really have: Excel's semicolons,
# misspelt columns.


_SETS = [
    "--set",
    "aamc_id=14823456",
    "--set",
    "sender_email=a@example.org",
    "--set",
    "applicant.full_name=Lucia Quispe",
    "--set",
    "training.specialty=Internal Medicine",
]


def _render(tmp_path: Path, csv_text: str) -> tuple[int, str, Path]:
    data = tmp_path / "referees.csv"
    data.write_text(csv_text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "letters",
            "render",
            "lor-request",
            "--data",
            str(data),
            "--out",
            str(out),
            "--format",
            "docx",
            *_SETS,
        ],
    )
    return result.exit_code, result.output, out


def test_semicolon_csv_from_excel_renders_each_row(tmp_path: Path) -> None:
    code, out, folder = _render(
        tmp_path,
        "referee_name;referee_institution;worked_together;letter_id;deadline\n"
        "Dr. Jane Smith;Mayo Clinic;I worked with you, on the wards;123;2026-09-01\n",
    )
    assert code == ExitCode.OK, out
    (letter,) = folder.glob("*.docx")
    text = "\n".join(p.text for p in Document(str(letter)).paragraphs)
    assert "Dr. Jane Smith" in text
    assert "Mayo Clinic" in text


def test_misspelt_csv_column_is_named_with_the_missing_field(tmp_path: Path) -> None:
    code, out, _ = _render(
        tmp_path,
        "referee,referee_institution,worked_together,letter_id,deadline\n"
        "Dr. Jane Smith,Mayo Clinic,I worked with you,123,2026-09-01\n",
    )
    assert code == ExitCode.BAD_INPUT, out
    assert "missing referee_name" in out
    assert "referee.csv" in out or "referees.csv" in out
    assert "column(s) referee not used" in out


def test_user_template_without_filename_field_says_what_to_add(tmp_path: Path) -> None:
    templates = tmp_path / "tpl"
    templates.mkdir()
    doc = Document()
    doc.add_paragraph("Dear {{ referee }},")
    doc.save(str(templates / "thanks.docx"))
    (templates / "thanks.yaml").write_text(
        "description: Thanks.\nfields:\n"
        "  - name: referee\n    description: Who.\n    example: Dr. Smith\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["letters", "render", "thanks", "--templates", str(templates), "--set", "referee=X"]
    )
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "thanks.yaml: filename_field:" in result.output
    assert "one of: referee (missing)" in result.output
    assert "None" not in result.output


def test_rendering_again_names_the_letter_that_exists(tmp_path: Path) -> None:
    csv_text = (
        "referee_name,referee_institution,worked_together,letter_id,deadline\n"
        "Dr. Jane Smith,Mayo Clinic,I worked with you,123,2026-09-01\n"
    )
    assert _render(tmp_path, csv_text)[0] == ExitCode.OK
    code, out, folder = _render(tmp_path, csv_text)
    assert code == ExitCode.OUTPUT, out
    assert f"{folder / 'lor-request-dr-jane-smith.docx'} already exists; nothing was written" in out


def test_request_letters_written_into_the_folder_are_not_letters_of_recommendation(
    tmp_path: Path,
) -> None:
    import json

    docs = tmp_path / "docs"
    (docs / "letters").mkdir(parents=True)
    (docs / "dossier.yaml").write_text("schema: 1\ntrack: us\n", encoding="utf-8")
    (docs / "letters" / "lor-1.txt").write_text("Letter of Recommendation\n", "utf-8")
    data = tmp_path / "referees.csv"
    data.write_text(
        "referee_name,referee_institution,worked_together,letter_id,deadline\n"
        "Dr. Jane Smith,Mayo Clinic,I worked with you,123,2026-09-01\n"
        "Dr. Ann Lee,Mayo Clinic,I worked with you,124,2026-09-01\n",
        encoding="utf-8",
    )
    rendered = CliRunner().invoke(
        cli,
        [
            "letters",
            "render",
            "lor-request",
            str(docs),
            "--data",
            str(data),
            "--out",
            str(docs / "letters"),
            "--format",
            "both",
            *_SETS,
        ],
    )
    assert rendered.exit_code == ExitCode.OK, rendered.output
    assert len(list((docs / "letters").glob("lor-request-*.docx"))) == 2
    result = CliRunner().invoke(cli, ["check", str(docs), "--json"])
    report = json.loads(result.stdout)
    assert [d["path"] for d in report["documents"]] == ["letters/lor-1.txt"]
    (lor,) = [i for i in report["items"] if i["id"] == "letter-of-recommendation"]
    assert lor["status"] == "insufficient"
