"""letters render with the CSV files users really have: Excel's semicolons, misspelt columns."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from docx import Document

from img_dossier.cli import cli

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
    assert code == 0, out
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
    assert code == 3, out
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
    assert result.exit_code == 3, result.output
    assert "thanks.yaml: filename_field:" in result.output
    assert "one of: referee (missing)" in result.output
    assert "None" not in result.output


def test_rendering_again_names_the_letter_that_exists(tmp_path: Path) -> None:
    csv_text = (
        "referee_name,referee_institution,worked_together,letter_id,deadline\n"
        "Dr. Jane Smith,Mayo Clinic,I worked with you,123,2026-09-01\n"
    )
    assert _render(tmp_path, csv_text)[0] == 0
    code, out, folder = _render(tmp_path, csv_text)
    assert code == 4, out
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
    assert rendered.exit_code == 0, rendered.output
    assert len(list((docs / "letters").glob("lor-request-*.docx"))) == 2
    result = CliRunner().invoke(cli, ["check", str(docs), "--json"])
    report = json.loads(result.stdout)
    assert [d["path"] for d in report["documents"]] == ["letters/lor-1.txt"]
    (lor,) = [i for i in report["items"] if i["id"] == "letter-of-recommendation"]
    assert lor["status"] == "insufficient"
