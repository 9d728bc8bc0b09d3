"""Report -> text for people (what blocks first, what to do next) and JSON for programs.

No click here: the CLI decides colour and where the text goes.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import Any

from ..model import Document, ItemResult, Problem, Report, StepStatus, ocr_pages_of
from ..pathtext import clean, escaped

#: Prose (the advice) is wrapped to this many columns.
_WIDTH = 96

_RESET = "\033[0m"
_COLORS = {
    "red": "\033[31m",
    "yellow": "\033[33m",
    "green": "\033[32m",
    "dim": "\033[2m",
    "bold": "\033[1m",
}

#: Line breaks inside a file name or message, shown escaped: one entry, one line.
_LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\v": "\\v", "\f": "\\f"})

#: Statuses of an item that are worth a warning even when they do not block.
_WARN_STATUSES = frozenset({"expiring", "unverified", "invalid", "insufficient", "expired"})


def render_json(report: Report) -> str:
    """The INTERFACE.md JSON of a report, pretty-printed, UTF-8 kept readable."""
    # every string escaped: a folder or file name that is not UTF-8 never breaks the JSON
    return json.dumps(clean(report.to_json()), indent=2, ensure_ascii=False)


class _Out:
    """Collects lines; paints them only when colour is on."""

    def __init__(self, color: bool) -> None:
        self.color = color
        self.lines: list[str] = []

    def paint(self, text: str, color: str) -> str:
        return f"{_COLORS[color]}{text}{_RESET}" if self.color else text

    def add(self, text: str = "", color: str | None = None) -> None:
        text = text.translate(_LINE_BREAKS)  # a file name cannot start a line of its own
        self.lines.append(self.paint(text, color) if color and text else text)

    def heading(self, title: str, count: int, color: str) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")
        self.add(f"{title} ({count})", color)


def _strip_rel(rel: str, message: str) -> str:
    prefix = f"{rel}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _problem_line(rel: str, problem: Problem) -> str:
    return f"{rel}: {problem.code}: {_strip_rel(rel, problem.message)}"


def _has_warning(item: ItemResult, docs: dict[str, Document]) -> bool:
    if item.status in _WARN_STATUSES or item.problems or item.messages:
        return True
    return any(docs[r].problems for r in item.documents if r in docs)


def render_text(
    report: Report, *, color: bool = False, verbose: bool = False, quiet: bool = False
) -> str:
    """The report for a person: header, what blocks, warnings, ok, the rest, one last line."""
    out = _Out(color)
    docs = {d.rel: d for d in report.documents}
    shown: set[str] = set()

    if not quiet:
        out.add(f"Applicant:  {report.applicant or '(not named in dossier.yaml)'}")
        out.add(
            f"Checklist:  {report.checklist.title}, version {report.checklist.version} "
            f"({report.checklist.id})"
        )
        out.add(f"As of:      {report.as_of.isoformat()}")
        out.add(f"Folder:     {report.folder}")

    blocking = [i for i in report.items if i.blocking]
    rest = [i for i in report.items if not i.blocking]
    quiet_statuses = ("not-required", "optional-missing")
    warnings = [i for i in rest if i.status not in quiet_statuses and _has_warning(i, docs)]
    oks = [i for i in rest if i.status == "ok" and i not in warnings]
    not_required = [i for i in rest if i.status == "not-required"]
    optional_missing = [i for i in rest if i.status == "optional-missing"]

    if blocking:
        out.heading("To do before you apply", len(blocking), "red")
        for item in blocking:
            _item_block(out, item, docs, shown, "red", advice=True)
    if quiet:
        out.add("")
        out.add(_last_line(report), "bold")
        return "\n".join(out.lines).lstrip("\n") + "\n"

    if warnings:
        out.heading("Warnings", len(warnings), "yellow")
        for item in warnings:
            _item_block(out, item, docs, shown, "yellow", advice=item.status != "ok")
    if oks:
        out.heading("Ok", len(oks), "green")
        for item in oks:
            out.add(f"  {out.paint('ok', 'green')}: {item.title} ({', '.join(item.documents)})")
    if not_required:
        out.heading("Not required", len(not_required), "dim")
        out.add("  " + ", ".join(i.title for i in not_required), "dim")
    if optional_missing:
        out.heading("Optional, not found", len(optional_missing), "dim")
        out.add("  " + ", ".join(i.title for i in optional_missing), "dim")

    _document_sections(out, report, shown)
    _closing_sections(out, report, verbose)
    out.add("")
    out.add(_last_line(report), "bold")
    return escaped("\n".join(out.lines) + "\n")  # a folder name that is not UTF-8: \xNN


def _document_sections(out: _Out, report: Report, shown: set[str]) -> None:
    """Documents with problems not shown under an item, those not recognised, those ignored."""
    problem_docs = [
        d
        for d in report.documents
        if d.rel not in shown and any(p.code != "unclassified" for p in d.problems)
    ]
    if problem_docs:
        out.heading("Documents with problems", len(problem_docs), "yellow")
        for d in problem_docs:
            for p in d.problems:
                if p.code != "unclassified":
                    tone = "red" if p.severity == "error" else None
                    out.add(f"  {_problem_line(d.rel, p)}", tone)
    unclassified = [
        d for d in report.documents if any(p.code == "unclassified" for p in d.problems)
    ]
    if unclassified:
        out.heading("Not recognised", len(unclassified), "yellow")
        hints = [
            _strip_rel(d.rel, next(p for p in d.problems if p.code == "unclassified").message)
            for d in unclassified
        ]
        if len(set(hints)) == 1 and len(hints) > 1:
            out.add(f"  {hints[0].rstrip(':')}:")
            for d in unclassified:
                out.add(f"    {d.rel}")
        else:
            for d, hint in zip(unclassified, hints, strict=True):
                out.add(f"  {d.rel}: {hint}")
    if report.ignored:
        out.heading("Ignored", len(report.ignored), "dim")
        for rel in report.ignored:
            out.add(f"  {rel}", "dim")


def _closing_sections(out: _Out, report: Report, verbose: bool) -> None:
    """OCR, coming steps, notes and (with ``verbose``) how each document was read."""
    _ocr_block(out, report)
    if report.steps:
        out.heading("Coming steps", len(report.steps), "bold")
        for step in report.steps:
            out.add(f"  {_step_line(step)}")
    if report.notes:
        out.heading("Notes", len(report.notes), "bold")
        for note in report.notes:
            out.add(f"  {note}")
    if verbose and report.documents:
        out.heading("Documents", len(report.documents), "bold")
        for d in report.documents:
            out.add(f"  {d.rel}: {_how(d)}")
            read = _facts(d)
            if read:
                out.add(f"      read: {read}", "dim")


def _step_line(step: StepStatus) -> str:
    """One line for a person: the date (or that it is not confirmed) and the step."""
    if step.date is None:
        when = "date not confirmed"
    elif step.days_left == 0:
        when = f"{step.date} (today)"
    else:
        when = f"{step.date} (in {step.days_left} days)"
        if not step.confirmed:
            when += ", not confirmed"
    line = f"{when}: {step.title}"
    if step.date is None and step.note:
        line += f"; {step.note}"
    return line


def _how(doc: Document) -> str:
    """How a document was read and classified, for -v."""
    size = f"{doc.format or 'unknown'}, {doc.bytes} bytes"
    if doc.pages is not None:
        size += f", {doc.pages} page{'s' if doc.pages != 1 else ''}"
    if doc.item is None:
        return f"{size}; not classified"
    evidence = "; ".join(doc.evidence)
    return f"{size}; {doc.item} by {doc.classified_by} ({evidence})"


def _facts(doc: Document) -> str:
    """The facts read from a document, for -v: ``expiry 2031-03-16, outcome pass``."""
    shown = []
    for key, value in doc.facts.items():
        if key.endswith("_source") or value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        shown.append(f"{key.replace('_', ' ')} {value}")
    return "; ".join(shown)


def _item_block(
    out: _Out,
    item: ItemResult,
    docs: dict[str, Document],
    shown: set[str],
    color: str,
    *,
    advice: bool,
) -> None:
    status = item.status.upper() if item.blocking else item.status
    out.add(f"  {out.paint(status, color)}: {item.title}")
    if item.documents:
        out.add(f"      documents: {', '.join(item.documents)}")
    for message in item.messages:
        out.add(f"      {message}")
    for p in item.problems:
        out.add(f"      {p.code}: {p.message}")
    for rel in item.documents:
        d = docs.get(rel)
        if d is None:
            continue
        for p in d.problems:
            if not any(p.message in m for m in item.messages):  # said once is enough
                out.add(f"      {_problem_line(rel, p)}")
        if d.problems:
            shown.add(rel)
    if advice and item.advice:
        for line in textwrap.wrap(
            f"what to do: {item.advice}",
            width=_WIDTH,
            initial_indent="      ",
            subsequent_indent="        ",
            break_on_hyphens=False,
        ):
            out.add(line)


#: Date facts shown for a document read by OCR, and how they are named.
_OCR_DATES = (
    ("expiry", "expiry"),
    ("issue_date", "issued"),
    ("test_date", "test date"),
    ("date", "dated"),
    ("birth_date", "born"),
)


def _ocr_block(out: _Out, report: Report) -> None:
    """The documents read by OCR: pages, confidence, and the dates read from them."""
    scanned = [d for d in report.documents if ocr_pages_of(d)]
    if not scanned:
        return
    pages = report.ocr_pages
    out.heading(f"Read by OCR, {pages} page{'s' if pages != 1 else ''}", len(scanned), "bold")
    for d in scanned:
        found = d.info.get("ocr") or {}
        n = ocr_pages_of(d)
        line = f"  {d.rel}: {n} page{'s' if n != 1 else ''}{_pages_read(d, n)}"
        if d.has_text:
            line += f", confidence {float(found.get('confidence') or 0):.2f}"
        else:
            line += ", no text found"
        dates = []
        for fact, words in _OCR_DATES:
            value = d.facts.get(fact)
            if not value:
                continue
            source = d.facts.get(f"{fact}_source")
            how = {
                "mrz": "machine-readable zone, check digits verified",
                "dossier.yaml": "from dossier.yaml",
            }.get(str(source), "read by OCR, not confirmed")
            dates.append(f"{words} {value} ({how})")
        if dates:
            line += "; " + "; ".join(dates)
        note = d.facts.get("mrz_note")
        if note:
            line += f"; {note}"
        out.add(line)


def _pages_read(doc: Document, n: int) -> str:
    """`` (OCR read pages 1-2 and 5 of 5)`` for a document of more pages than OCR read,
    or OCR read pages after the first ones; empty otherwise."""
    from ..readers.result import page_ranges

    found = doc.info.get("ocr") or {}
    read = found.get("read") if isinstance(found, dict) else None
    pages = [int(p) - 1 for p in read] if isinstance(read, list) else list(range(n))
    if not doc.pages or (doc.pages <= n and pages == list(range(n))):
        return ""
    return f" (OCR read page{'s' if len(pages) != 1 else ''} {page_ranges(pages)} of {doc.pages})"


def _names(items: Iterable[ItemResult]) -> str:
    return ", ".join(i.title for i in items)


def _last_line(report: Report) -> str:
    summary = report.summary()
    head = f"{summary['ok']} of {summary['required']} required items ok"
    required = [i for i in report.items if i.required]
    unverified = [i for i in required if i.status == "unverified"]
    tail = ""
    if unverified:
        tail = f"; {len(unverified)} unverified (check by eye): {_names(unverified)}"
    if report.complete:
        return f"Complete: {head}{tail}"
    parts = []
    for status in ("missing", "insufficient", "invalid", "expired"):
        found = [i for i in required if i.status == status]
        if found:
            parts.append(f"{status}: {_names(found)}")
    if not parts:
        parts.append("warnings count as failures with --strict")
    return f"Incomplete: {head}; {'; '.join(parts)}{tail}"


def spreadsheet_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a '.

    Folder, applicant and file names come from users' folders: opening a CSV the tool wrote
    in Excel must not run what someone put in a name. Numbers are left as they are.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
