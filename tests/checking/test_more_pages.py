"""The second reading pass: pages beyond the first two are read where an item's checklist
entry asks for them (``read_pages:``) and its rules lack a fact in what was read.

Scans are made here: lines of text rendered to small images, wrapped as image-only PDFs,
so that OCR's work stays small. What is asserted is what a user sees: the JSON report's
facts (source "ocr"), the text report, pages OCR'd, exit codes.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont

from img_dossier.cli import cli
from img_dossier.config.checklist import ReadPages
from img_dossier.errors import ExitCode
from img_dossier.readers import Limits
from img_dossier.readers.result import page_ranges

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "src" / "img_dossier" / "output" / "fonts" / "DejaVuSans-Bold.ttf"
TODAY = date(2026, 11, 29)

LINE1 = "P<PERQUISPE<MAMANI<<LUCIA<FERNANDA<<<<<<<<<<"
LINE2 = "1194837265PER9603149F310316445871236<<<<<<48"
DATA_PAGE = ["PASSPORT", "Surname QUISPE MAMANI", "Date of expiry 16 MAR 2031", LINE1, LINE2]
COVER = ["REPUBLICA DEL PERU", "PASAPORTE"]


def page(lines: list[str], size: int = 26, width: int = 900) -> Image.Image:
    """A white page with black lines of text (a clean scan of them)."""
    font = ImageFont.truetype(str(FONT), size)
    im = Image.new("L", (width, 40 + len(lines) * int(size * 1.8)), 255)
    draw = ImageDraw.Draw(im)
    for n, line in enumerate(lines):
        draw.text((30, 20 + n * int(size * 1.8)), line, fill=0, font=font)
    return im


def scan_pdf(path: Path, pages: list[list[str]]) -> Path:
    """An image-only PDF, one page per list of lines."""
    images = [page(lines) for lines in pages]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=150.0)
    return path


def client(tmp_path: Path, pages: list[list[str]], name: str = "passport.pdf") -> Path:
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(
        "schema: 1\ntrack: us\ntraining:\n  visa: none\n", encoding="utf-8"
    )
    scan_pdf(folder / name, pages)
    return folder


#: A checklist of one item, the passport, whose further pages are read or not.
ONLY_PASSPORT = """\
schema: 1
id: passport-only
title: The passport only
version: "1"
track: us
items:
  - id: passport
    title: Passport (biographic page)
    required: true
    source: "https://www.ecfmg.org/certification/ (test)"
    names: [passport]
    evidence:
      - [Passport, Date of expiry]
    rules:
      - type: valid-until
        source: "https://www.ecfmg.org/certification/ (test)"
"""
READ_PAGES = """\
    read_pages:
      first: 4
      last: 2
      source: "ICAO Doc 9303, https://www.icao.int/ (test): the data page may be page 3"
"""


def check(folder: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """(exit code, JSON report, text report) of `dossier check`."""
    runner = CliRunner()
    common = ["check", str(folder), "--as-of", TODAY.isoformat(), "--jobs", "1", *args]
    as_json = runner.invoke(cli, [*common, "--json"])
    assert as_json.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), as_json.output
    text = runner.invoke(cli, common)
    assert text.exit_code == as_json.exit_code, text.output
    return as_json.exit_code, json.loads(as_json.stdout), text.stdout


def document(report: dict[str, Any], rel: str) -> dict[str, Any]:
    return next(d for d in report["documents"] if d["path"] == rel)


def item(report: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in report["items"] if i["id"] == item_id)


# -- which pages (no OCR) ------------------------------------------------------------------


def test_the_pages_an_item_asks_for_come_first_then_the_last_then_the_rest() -> None:
    assert ReadPages(0, 1, "s").wanted(5, 12) == ([4], False)
    assert ReadPages(4, 2, "s").wanted(3, 12) == ([0, 1, 2], False)
    assert ReadPages(4, 2, "s").wanted(10, 12) == ([0, 1, 2, 3, 8, 9], False)
    assert ReadPages(4, 2, "s").wanted(200, 5) == ([0, 1, 2, 198, 199], True)
    assert ReadPages(None, 0, "s").wanted(200, 12) == (list(range(12)), True)
    assert page_ranges([0, 1, 4]) == "1-2 and 5"
    assert page_ranges([0, 2, 3, 4, 8]) == "1, 3-5 and 9"


def test_read_pages_is_in_the_checklist_schema_and_needs_pages_and_a_source(
    tmp_path: Path,
) -> None:
    from img_dossier.config.models import json_schema

    item_schema = json_schema("checklist")["$defs"]["Item"]["properties"]["read_pages"]
    assert "ReadPages" in json.dumps(item_schema)
    runner = CliRunner()
    for bad, words in (
        ("    read_pages: {first: 2}\n", "source"),
        ('    read_pages: {source: "why"}\n', "first"),
        ('    read_pages: {first: some, source: "why"}\n', "first"),
    ):
        path = tmp_path / "custom.yaml"
        path.write_text(ONLY_PASSPORT + bad, encoding="utf-8")
        result = runner.invoke(cli, ["checklists", "validate", str(path)])
        assert result.exit_code == ExitCode.BAD_INPUT, result.output
        assert "read_pages" in result.output and words in result.output, result.output
        assert "Traceback" not in result.output


def test_checklists_show_and_validate_the_pages_an_item_reads(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["checklists", "show", "us-eras", "-v"])
    assert shown.exit_code == ExitCode.OK
    assert "reads further, when a rule lacks a fact: the first 4 and the last 2 pages" in (
        " ".join(shown.output.split())
    )
    path = tmp_path / "custom.yaml"
    path.write_text(ONLY_PASSPORT + '    read_pages: {last: 1, source: "my own idea"}\n', "utf-8")
    refused = runner.invoke(cli, ["checklists", "validate", str(path)])
    assert refused.exit_code == ExitCode.BAD_INPUT, refused.output
    assert "read_pages.source" in refused.output


pytest.importorskip("rapidocr")


# -- the second pass ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_passport_scan_whose_data_page_is_page_3_is_read_there_and_verified(
    tmp_path: Path,
) -> None:
    folder = client(tmp_path, [COVER, ["VISAS"], DATA_PAGE, ["OBSERVATIONS"]])
    custom = tmp_path / "passport-only.yaml"

    # before: the item asks for no further pages, so its expiry is not found
    custom.write_text(ONLY_PASSPORT, encoding="utf-8")
    code, before, text = check(folder, "--track", str(custom), "--strict")
    assert code == ExitCode.INCOMPLETE
    scan = document(before, "passport.pdf")
    assert scan["item"] == "passport" and "expiry" not in scan["facts"]
    assert item(before, "passport")["status"] == "unverified"
    assert before["summary"]["ocr_pages"] == 2
    assert "OCR read the first 2; the content of pages 3-4 was not checked" in text

    # now: its entry asks for them: page 3 is read, its zone's check digits verified
    custom.write_text(ONLY_PASSPORT + READ_PAGES, encoding="utf-8")
    code, after, text = check(folder, "--track", str(custom), "--strict")
    assert code == ExitCode.OK, text
    scan = document(after, "passport.pdf")
    facts = scan["facts"]
    assert facts["expiry"] == "2031-03-16" and facts["expiry_source"] == "mrz"
    assert facts["source"] == "ocr" and facts["confidence"] > 0.8
    assert item(after, "passport")["status"] == "ok"
    assert after["summary"]["ocr_pages"] == 4
    assert scan["problems"] == []
    assert "Read by OCR, 4 pages" in text
    assert "expiry 2031-03-16 (machine-readable zone, check digits verified)" in text

    # the shipped checklist asks for them too (us-eras: a passport's first 4 and last 2)
    code, shipped, _text = check(folder)
    assert item(shipped, "passport")["status"] == "ok"
    assert document(shipped, "passport.pdf")["facts"]["expiry_source"] == "mrz"


@pytest.mark.slow
def test_a_document_whose_rules_lack_nothing_is_not_read_further(tmp_path: Path) -> None:
    """The zone is on page 1: the passport's rules have their facts, so pages 3-4 are not
    read although the item would allow it."""
    folder = client(tmp_path, [DATA_PAGE, ["VISAS"], ["VISAS"], ["OBSERVATIONS"]])
    _code, report, text = check(folder)
    scan = document(report, "passport.pdf")
    assert scan["facts"]["expiry_source"] == "mrz"
    assert report["summary"]["ocr_pages"] == 2
    assert item(report, "passport")["status"] == "ok"
    assert "passport.pdf: 2 pages (OCR read pages 1-2 of 4)" in text
    (problem,) = scan["problems"]
    assert problem["code"] == "no-text" and "pages 3-4 was not checked" in problem["message"]


@pytest.mark.slow
def test_pages_read_and_left_are_named_when_the_limit_of_pages_stops_it(tmp_path: Path) -> None:
    """An 8-page booklet scan with the data page on page 4: the first 4 and the last 2
    are asked for, at most 4 pages are read: pages 1-2 and 7-8, and the report says so."""
    from img_dossier.checking.pipeline import run_check
    from img_dossier.output.report import render_text

    pages = [COVER, ["VISAS"], ["VISAS"], DATA_PAGE, *[["VISAS"]] * 4]
    folder = client(tmp_path, pages)
    told: list[tuple[str, int, int]] = []
    run = run_check(
        folder,
        as_of=TODAY,
        jobs=1,
        limits=Limits(seconds=120, more_pages=4),
        progress=lambda *call: told.append(call),
    )
    assert ("reading further pages", 1, 1) in told
    scan = next(d for d in run.report.documents if d.rel == "passport.pdf")
    assert "expiry" not in scan.facts
    assert scan.info["ocr"]["pages"] == 4
    text = render_text(run.report)
    assert "passport.pdf: 4 pages (OCR read pages 1-2 and 7-8 of 8)" in text
    message = next(p.message for p in scan.problems if p.code == "no-text")
    assert "OCR read pages 1-2 and 7-8; the content of pages 3-6 was not checked" in message
    assert "at most 4 pages of one document are read" in message


@pytest.mark.slow
def test_a_warm_check_reads_no_page_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from img_dossier.checking.pipeline import run_check
    from img_dossier.readers import pool
    from img_dossier.readers.cache import ReadCache

    folder = client(tmp_path, [COVER, ["VISAS"], DATA_PAGE, ["OBSERVATIONS"]])
    cache = ReadCache(tmp_path / "cache")
    cold = run_check(folder, as_of=TODAY, jobs=1, cache=cache).report

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a warm check started a reader")

    monkeypatch.setattr(pool, "read_in_workers", no_reading)
    monkeypatch.setattr(pool, "run_jobs", no_reading)
    warm = run_check(folder, as_of=TODAY, jobs=1, cache=ReadCache(tmp_path / "cache")).report
    assert warm.to_json()["documents"] == cold.to_json()["documents"]
    scan = next(d for d in warm.documents if d.rel == "passport.pdf")
    assert scan.facts["expiry_source"] == "mrz" and warm.ocr_pages == 4


@pytest.mark.slow
def test_audit_counts_the_further_pages_read_by_ocr(tmp_path: Path) -> None:
    client(tmp_path, [COVER, ["VISAS"], DATA_PAGE, ["OBSERVATIONS"]])
    common = ["audit", str(tmp_path), "--as-of", TODAY.isoformat(), "--jobs", "1"]
    result = CliRunner().invoke(cli, [*common, "--format", "json"])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    assert json.loads(result.stdout)["summary"]["ocr_pages"] == 4
    table = CliRunner().invoke(cli, common)
    assert "4 pages of scans read by OCR" in table.output


@pytest.mark.slow
@pytest.mark.fork_only
def test_the_time_limit_stops_a_further_reading_and_the_report_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No further page is begun after a share of the file's time limit (here none after
    the first): the pages left are named, with the limit and what to do."""
    from img_dossier.checking.pipeline import run_check
    from img_dossier.readers import pages, pool

    pool.shutdown()  # the workers fork with the patch
    monkeypatch.setattr(pages, "BUDGET_SHARE", 0.0)
    pages_ = [COVER, ["VISAS"], ["VISAS"], DATA_PAGE, ["OBSERVATIONS"]]
    folder = client(tmp_path, pages_)
    try:
        run = run_check(folder, as_of=TODAY, jobs=1, limits=Limits(seconds=120))
    finally:
        pool.shutdown()
    scan = next(d for d in run.report.documents if d.rel == "passport.pdf")
    assert scan.info["ocr"]["pages"] == 3  # the first two, then one more only
    message = next(p.message for p in scan.problems if p.code == "no-text")
    assert "OCR read the first 3; the content of pages 4-5 was not checked" in message
    assert "the time limit of 120 s per file stopped reading before page 4" in message
    assert "split the scan" in message


@pytest.mark.slow
def test_no_ocr_reads_no_further_page_by_ocr(tmp_path: Path) -> None:
    folder = client(tmp_path, [COVER, ["VISAS"], DATA_PAGE, ["OBSERVATIONS"]])
    _code, report, _text = check(folder, "--no-ocr")
    assert report["summary"]["ocr_pages"] == 0
    assert "expiry" not in document(report, "passport.pdf")["facts"]


# -- a text PDF: the signature page of a Statement of Need ---------------------------------

SAMPLES = ROOT / "samples"
SON_FIRST_PAGE = [
    "Ministry of Health - Republic of Peru",
    "Educational Commission for Foreign Medical Graduates (ECFMG)",
    "Statement of Need",
    "USMLE/ECFMG ID Number: 1-290-345-7",
    "Name of Applicant for Visa: Lucia Fernanda Quispe Mamani",
    "There currently exists in Peru a need for qualified medical practitioners in the",
    "speciality of Internal Medicine. Lucia Fernanda Quispe Mamani has filed a written",
    "assurance with the government of this country that she will return to this country",
    "upon completion of training in the United States and intends to enter the practice of",
    "medicine in the speciality for which training is being sought.",
]
SON_SIGNATURE_PAGE = [
    "Dra. Maria Elena Nique Cardenas, Directora General",
    "Official, Ministry of Health of Peru",
    "Dated: October 5, 2026",
]


def text_pdf(path: Path, pages: list[list[str]]) -> None:
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(str(path))
    for lines in pages:
        for n, line in enumerate(lines):
            c.drawString(54, 740 - 16 * n, line)
        c.showPage()
    c.save()


def test_a_statement_of_need_dated_on_its_fifth_page_is_read_there_and_complete(
    tmp_path: Path,
) -> None:
    """A text PDF: its first three pages are read to classify it; the dated signature is on
    page 5. Before, the Statement of Need lacked its date (``missing-element``, the folder
    incomplete); with the shipped checklist (its last page is read) it is complete."""
    import shutil

    folder = tmp_path / "us-j1"
    shutil.copytree(SAMPLES / "us-j1", folder)
    annex = [["Annex: the training programme, as described by the sponsoring institution"]]
    text_pdf(
        folder / "j1" / "statement-of-need.pdf", [SON_FIRST_PAGE, *annex * 3, SON_SIGNATURE_PAGE]
    )
    first_three = tmp_path / "first-three.yaml"
    first_three.write_text(
        "schema: 1\nextends: us-eras\nitems:\n  - id: statement-of-need\n    read_pages:\n"
        '      first: 3\n      source: "https://www.ecfmg.org/evsp/ (test)"\n',
        encoding="utf-8",
    )
    code, before, text = check(folder, "--track", str(first_three))
    son = item(before, "statement-of-need")
    assert code == ExitCode.INCOMPLETE and son["status"] == "invalid"
    assert "missing-element" in {p["code"] for p in son["problems"]}
    assert "a date on the statement" in text

    code, after, text = check(folder)
    son = item(after, "statement-of-need")
    assert son["status"] == "ok", son
    assert code == ExitCode.OK, text
    assert after["summary"]["ocr_pages"] == before["summary"]["ocr_pages"]  # no OCR: text


def test_a_diploma_with_its_translation_scanned_after_it_needs_no_other_translation(
    tmp_path: Path,
) -> None:
    """A text PDF of five pages: the Spanish diploma, then its certified English translation
    on the last page. Read to page 3 only, the diploma "needs a translation"; with the
    shipped checklist (a diploma's last 2 pages) the translation in the same file is found."""
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(
        "schema: 1\ntrack: us\nmedical_school:\n  language: es\n", encoding="utf-8"
    )
    spanish = [
        "Universidad Nacional Mayor de San Marcos, Facultad de Medicina",
        "Por cuanto Lucia Fernanda Quispe Mamani ha cumplido con los requisitos",
        "establecidos por la ley y el reglamento de la universidad, se le otorga el titulo de",
        "Medico Cirujano, con todos los derechos y las prerrogativas que le corresponden.",
    ]
    seal = [["Sello y firma del Rector de la universidad y del Decano de la facultad"]]
    english = [
        "Translation from Spanish into English",
        "National University of San Marcos, Faculty of Medicine: the degree of Surgeon.",
        "I, Carmen Rojas, certify that the above word-for-word translation is correct.",
    ]
    text_pdf(folder / "diploma.pdf", [spanish, *seal * 3, english])
    first_three = tmp_path / "first-three.yaml"
    first_three.write_text(
        "schema: 1\nextends: us-eras\nitems:\n  - id: medical-diploma\n    read_pages:\n"
        '      first: 3\n      source: "https://www.ecfmg.org/ (test)"\n',
        encoding="utf-8",
    )
    _code, before, _text = check(folder, "--track", str(first_three))
    diploma = document(before, "diploma.pdf")
    assert diploma["item"] == "medical-diploma"
    assert "needs-translation" in {p["code"] for p in diploma["problems"]}
    _code, after, _text = check(folder)
    diploma = document(after, "diploma.pdf")
    assert "needs-translation" not in {p["code"] for p in diploma["problems"]}
    assert "word-for-word translation" in diploma["facts"]["certified_translation"]
