"""Built-in letters fit the page an adviser expects; a wrong value names where it came from."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.letters.render import list_templates

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "us-j1"
#: Pages each built-in letter should take (all are short business letters).
EXPECTED_PAGES = {
    "lor-request": 1,
    "statement-of-need": 1,
    "statement-of-need-request": 1,
    "observership-request": 1,
    "letter-of-intent": 1,
    "interview-thank-you": 1,
    "translation-certification": 1,
    "carms-reference-request": 1,
    "mspe-request": 1,
    "no-mspr-letter-request": 1,
}
#: The lines that make up a signature block (closing, signer, enclosures, seal): a page
#: holding only these is a letter that spilt its ending.
SIGNATURE_ONLY = (
    "sincerely",
    "respectfully",
    "with kind regards",
    "signed",
    "enclosure",
    "aamc id",
    "[seal",
    "[official stamp",
    "date:",
    "_____",
)


def _example_sets(name: str) -> list[str]:
    shown = CliRunner().invoke(cli, ["letters", "show", name, "--json"])
    assert shown.exit_code == ExitCode.OK, shown.output
    args: list[str] = []
    for field in json.loads(shown.output)["fields"]:
        if field["example"] is not None:
            args += ["--set", f"{field['name']}={field['example']}"]
    return args


def test_every_built_in_letter_is_expected() -> None:
    built_in = {t.name for t in list_templates() if t.source == "built-in"}
    assert built_in == set(EXPECTED_PAGES)


@pytest.mark.parametrize("name", sorted(EXPECTED_PAGES))
def test_built_in_letter_pdf_fits_its_pages(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    args = [
        "letters",
        "render",
        name,
        str(SAMPLE),
        *_example_sets(name),
        "--format",
        "pdf",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == ExitCode.OK, result.output
    (pdf,) = out.glob("*.pdf")
    pages = pypdf.PdfReader(pdf).pages
    assert len(pages) == EXPECTED_PAGES[name]
    for number, page in enumerate(pages, 1):
        lines = [line.strip().lower() for line in page.extract_text().splitlines()]
        body = [line for line in lines if line and not line.startswith(SIGNATURE_ONLY)]
        # a page with only the signer's name (and closing/enclosures) holds no letter text
        assert len(body) > 1, f"{name} page {number} holds only the signature block: {lines}"


def _lor(tmp_path: Path, csv_text: str, *sets: str) -> tuple[int, str]:
    data = tmp_path / "ref.csv"
    data.write_text(csv_text, encoding="utf-8")
    args = [
        "letters",
        "render",
        "lor-request",
        str(SAMPLE),
        "--data",
        str(data),
        "--set",
        "sender_email=lucia@example.org",
        "--set",
        "aamc_id=14823456",
        *sets,
        "--out",
        str(tmp_path / "out"),
    ]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


HEADER = "referee_name,referee_institution,letter_id,worked_together"


def test_bad_set_value_with_csv_is_named_as_set_once(tmp_path: Path) -> None:
    rows = f"{HEADER}\nDr A,Hospital A,111,We met\nDr B,Hospital B,222,We met\n"
    code, output = _lor(tmp_path, rows, "--set", "deadline=tomorrow")
    assert code == ExitCode.BAD_INPUT
    assert output.count('--set deadline: not a date (got "tomorrow")') == 1
    assert "row 1: deadline" not in output and "row 2: deadline" not in output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_bad_csv_value_is_named_by_its_row(tmp_path: Path) -> None:
    rows = (
        f"{HEADER},deadline\nDr A,Hospital A,111,We met,2027-01-15\n"
        "Dr B,Hospital B,222,We met,soon\n"
    )
    code, output = _lor(tmp_path, rows)
    assert code == ExitCode.BAD_INPUT
    assert 'ref.csv row 2: deadline: not a date (got "soon")' in output
    assert "row 1: deadline" not in output and "--set deadline" not in output


def test_set_overrides_a_bad_csv_value(tmp_path: Path) -> None:
    rows = f"{HEADER},deadline\nDr A,Hospital A,111,We met,soon\n"
    code, output = _lor(tmp_path, rows, "--set", "deadline=2027-01-15")
    assert code == ExitCode.OK, output
