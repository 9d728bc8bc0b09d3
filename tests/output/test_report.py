"""The text report: what blocks first, then warnings, ok, the rest; one last line; JSON."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from img_dossier.model import ChecklistRef, Document, ItemResult, Problem, Report
from img_dossier.output.report import render_json, render_text

REF = ChecklistRef("mini", "Mini checklist", "2026.1")


def doc(rel: str, item: str | None, *problems: Problem) -> Document:
    return Document(
        rel=rel,
        path=Path("/x") / rel,
        format="pdf",
        bytes=100,
        sha256="ab" * 32,
        pages=2,
        text="t",
        problems=problems,
        item=item,
        classified_by="filename" if item else None,
        evidence=(f"file name: {item}",) if item else (),
    )


def report(items: tuple[ItemResult, ...], docs: tuple[Document, ...] = (), **kw: object) -> Report:
    return Report(
        folder="docs",
        checklist=REF,
        as_of=date(2026, 11, 29),
        applicant="Lucia Quispe",
        items=items,
        documents=docs,
        **kw,  # type: ignore[arg-type]
    )


OVER = Problem("over-portal-limit", "warning", "lor1.pdf: 1.4 MB, over the 1 MB limit; compress it")
DAMAGED = Problem("damaged", "error", "broken.pdf: the file is damaged; get a new copy")
UNCLASSIFIED = Problem(
    "unclassified", "warning", "Scan_0001.pdf: could not tell which document this is"
)

ITEMS = (
    ItemResult("passport", "Passport", True, "ok", ("passport.pdf",)),
    ItemResult("son", "Statement of Need", True, "missing", advice="Ask your Ministry of Health."),
    ItemResult(
        "lor",
        "Letters of recommendation",
        True,
        "insufficient",
        ("lor1.pdf", "lor2.pdf"),
        messages=("Letters of recommendation: 3 required, 2 found",),
        advice="Ask a third referee.",
    ),
    ItemResult("cv", "CV", True, "unverified", ("cv.jpg",), messages=("cv.jpg: no text",)),
    ItemResult("h1b", "H-1B documents", False, "not-required"),
    ItemResult("photo", "Photo", False, "optional-missing"),
)
DOCS = (
    doc("passport.pdf", "passport"),
    doc("lor1.pdf", "lor", OVER),
    doc("lor2.pdf", "lor"),
    doc("cv.jpg", "cv"),
    doc("broken.pdf", None, DAMAGED, UNCLASSIFIED),
    doc("Scan_0001.pdf", None, UNCLASSIFIED),
)


def test_sections_come_in_order_blocking_first() -> None:
    text = render_text(report(ITEMS, DOCS, ignored=("notes.txt",), notes=("a note",)))
    order = [
        "Applicant:  Lucia Quispe",
        "Checklist:  Mini checklist, version 2026.1 (mini)",
        "As of:      2026-11-29",
        "Folder:     docs",
        "To do before you apply (2)",
        "MISSING: Statement of Need",
        "what to do: Ask your Ministry of Health.",
        "INSUFFICIENT: Letters of recommendation",
        "Letters of recommendation: 3 required, 2 found",
        "lor1.pdf: over-portal-limit: 1.4 MB, over the 1 MB limit; compress it",
        "Warnings (1)",
        "unverified: CV",
        "Ok (1)",
        "ok: Passport (passport.pdf)",
        "Not required (1)",
        "H-1B documents",
        "Optional, not found (1)",
        "Photo",
        "Documents with problems (1)",
        "broken.pdf: damaged: the file is damaged; get a new copy",
        "Not recognised (2)",
        "Scan_0001.pdf: could not tell which document this is",
        "Ignored (1)",
        "notes.txt",
        "Notes (1)",
        "a note",
        "Incomplete: 1 of 4 required items ok; missing: Statement of Need; "
        "insufficient: Letters of recommendation; 1 unverified (check by eye): CV",
    ]
    positions = [text.find(s) for s in order]
    assert -1 not in positions, [s for s, p in zip(order, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert text.rstrip().splitlines()[-1] == order[-1]


def test_complete_last_line() -> None:
    items = (ItemResult("passport", "Passport", True, "ok", ("passport.pdf",)),)
    text = render_text(report(items, (doc("passport.pdf", "passport"),)))
    assert text.rstrip().splitlines()[-1] == "Complete: 1 of 1 required items ok"
    assert "To do before you apply" not in text


def test_ok_item_with_a_document_warning_is_listed_under_warnings() -> None:
    items = (ItemResult("lor", "Letters", True, "ok", ("lor1.pdf",)),)
    text = render_text(report(items, (doc("lor1.pdf", "lor", OVER),)))
    assert "Warnings (1)" in text
    assert "lor1.pdf: over-portal-limit" in text
    assert "Ok (" not in text
    assert "Documents with problems" not in text  # already shown under its item


def test_strict_incomplete_names_the_reason() -> None:
    items = (ItemResult("lor", "Letters", True, "ok", ("lor1.pdf",)),)
    text = render_text(report(items, (doc("lor1.pdf", "lor", OVER),), strict=True))
    assert text.rstrip().splitlines()[-1] == (
        "Incomplete: 1 of 1 required items ok; warnings count as failures with --strict"
    )


def test_no_colour_unless_asked() -> None:
    plain = render_text(report(ITEMS, DOCS))
    assert "\033[" not in plain
    coloured = render_text(report(ITEMS, DOCS), color=True)
    assert "\033[31m" in coloured and "\033[0m" in coloured


def test_quiet_shows_only_what_blocks_and_the_result() -> None:
    text = render_text(report(ITEMS, DOCS), quiet=True)
    assert "MISSING: Statement of Need" in text
    assert "Applicant:" not in text and "Warnings" not in text and "Ok (" not in text
    assert text.rstrip().splitlines()[-1].startswith("Incomplete: 1 of 4")


def test_verbose_shows_how_each_document_was_classified() -> None:
    text = render_text(report(ITEMS, DOCS), verbose=True)
    how = "passport.pdf: pdf, 100 bytes, 2 pages; passport by filename (file name: passport)"
    assert how in text
    assert "Scan_0001.pdf: pdf, 100 bytes, 2 pages; not classified" in text


def test_missing_applicant_name_is_said() -> None:
    r = Report(
        folder="d", checklist=REF, as_of=date(2026, 1, 1), applicant=None, items=(), documents=()
    )
    assert "Applicant:  (not named in dossier.yaml)" in render_text(r)


def test_json_is_the_report_json_and_keeps_unicode() -> None:
    r = report(ITEMS, (doc("Título médico.pdf", None),))
    text = render_json(r)
    assert "Título médico.pdf" in text
    assert json.loads(text) == json.loads(json.dumps(r.to_json()))


def test_many_unrecognised_files_share_one_hint() -> None:
    rels = [f"Scan_000{n}.pdf" for n in range(1, 4)]
    hint = "could not tell which document this is"
    docs = tuple(doc(r, None, Problem("unclassified", "warning", f"{r}: {hint}")) for r in rels)
    text = render_text(report((), docs))
    assert text.count("could not tell which document this is") == 1
    assert "    Scan_0002.pdf\n" in text


def test_long_advice_is_wrapped() -> None:
    advice = "Ask your Ministry of Health for a Statement of Need. " * 5
    items = (ItemResult("son", "Statement of Need", True, "missing", advice=advice),)
    lines = render_text(report(items)).splitlines()
    start = next(n for n, line in enumerate(lines) if "what to do:" in line)
    assert all(len(line) <= 96 for line in lines[start : start + 4])
    assert lines[start + 1].startswith("        ") and lines[start + 1][8] != " "


def test_a_document_problem_already_in_the_item_message_is_not_repeated() -> None:
    message = "passport.pdf: password-protected; remove the password"
    items = (
        ItemResult("passport", "Passport", True, "invalid", ("passport.pdf",), messages=(message,)),
    )
    docs = (doc("passport.pdf", "passport", Problem("encrypted", "error", message)),)
    assert render_text(report(items, docs)).count("password-protected") == 1


def test_verbose_lists_the_facts_read() -> None:
    d = doc("passport.pdf", "passport").replace(
        facts={"expiry": date(2031, 3, 16), "expiry_source": "mrz", "scores": {"writing": 360}}
    )
    items = (ItemResult("passport", "Passport", True, "ok", ("passport.pdf",)),)
    text = render_text(report(items, (d,)), verbose=True)
    assert "      read: expiry 2031-03-16; scores writing 360\n" in text
    assert "mrz" not in text
    assert "read:" not in render_text(report(items, (d,)))
