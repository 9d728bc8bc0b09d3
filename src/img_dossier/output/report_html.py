"""Report -> one self-contained HTML page (``dossier check DIR --html FILE``).

The page holds everything it shows: the style is inline, thumbnails are ``data:`` URIs,
and a Content-Security-Policy forbids loading anything, so it opens from an e-mail
attachment and makes no request to any server. File names and document text are
untrusted: the Jinja2 environment escapes every value (autoescape), and links are made
only from the checklist's own sources, and only as https.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Problem, Report
from ..sizes import format_size
from .report import _last_line

if TYPE_CHECKING:
    import jinja2

    from ..checking.pipeline import CheckRun
    from ..config.checklist import Checklist
    from ..progress import ProgressCallback

_HTML_DIR = Path(__file__).parent / "html"

STATUS_WORDS = {
    "ok": "OK",
    "missing": "Missing",
    "insufficient": "Too few",
    "invalid": "Not valid",
    "expired": "Expired",
    "expiring": "Expiring soon",
    "unverified": "Unverified",
    "not-required": "Not required",
    "optional-missing": "Optional, not found",
}

#: Which rule type of an item says each problem code (for the problem's source link).
CODE_RULES = {
    "expired": ("valid-until", "max-age"),
    "validity-too-short": ("valid-until",),
    "name-mismatch": ("name-match",),
    "name-absent": ("name-match",),
    "needs-translation": ("translation",),
    "over-portal-limit": ("portal-file",),
    "no-local-referee": ("local-referee",),
    "below-minimum": ("min-scores",),
    "not-passed": ("outcome",),
    "missing-element": ("required-elements",),
    "wrong-specialty": ("required-elements",),
}

#: A web address inside a source text: "ecfmg.org/2023ib/diploma.html", "https://...".
_URL = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:org|com|gov|edu|ca|net|int|us|uk|io|dev|info|eu)"
    r"(?:/[^\s,;()\[\]<>\"']*)?",
    re.IGNORECASE,
)


def source_links(text: str) -> list[dict[str, str]]:
    """The web addresses a source text names, as https links (at most three, no repeats)."""
    links: list[dict[str, str]] = []
    for match in _URL.finditer(text or ""):
        shown = match.group(0).rstrip(".:")
        href = shown if shown.lower().startswith(("http://", "https://")) else "https://" + shown
        href = "https://" + href.split("://", 1)[1]
        if all(link["href"] != href for link in links):
            text = shown.split("://", 1)[-1]
            links.append({"href": href, "text": text, "host": text.split("/", 1)[0]})
        if len(links) == 3:
            break
    return links


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the HTML outputs: autoescape on for every template."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HTML_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def css() -> str:
    """The shared stylesheet, inlined into each page."""
    return (_HTML_DIR / "base.css").read_text(encoding="utf-8")


def human_size(n: int) -> str:
    return format_size(n)  # the one convention of sizes.py


def _problem(p: Problem, rules: Sequence[tuple[str, str]], item_source: str) -> dict[str, Any]:
    sources = [src for kind, src in rules if kind in CODE_RULES.get(p.code, ())]
    links: list[dict[str, str]] = []
    for src in sources or ([item_source] if p.code in CODE_RULES else []):
        links.extend(link for link in source_links(src) if link not in links)
    return {"code": p.code, "severity": p.severity, "message": p.message, "links": links[:1]}


def render_html(
    report: Report,
    checklist: Checklist | None = None,
    *,
    thumbnails: Mapping[str, str] | None = None,
) -> str:
    """The report as one HTML page; ``thumbnails`` maps a document's path to a data: URI."""
    thumbs = thumbnails or {}
    items_by_id = {i.id: i for i in checklist.items} if checklist is not None else {}
    titles = {i.id: i.title for i in report.items}
    rules_of: dict[str | None, list[tuple[str, str]]] = {}
    source_of: dict[str | None, str] = {}
    for item_id, spec in items_by_id.items():
        rules_of[item_id] = [(r.type, r.source) for r in spec.rules]
        source_of[item_id] = spec.source

    doc_ids = {d.rel: f"{n}" for n, d in enumerate(report.documents, 1)}
    items = []
    for it in report.items:
        rules = rules_of.get(it.id, [])
        source = source_of.get(it.id, "")
        problems = [_problem(p, rules, source) for p in it.problems]
        for rel in it.documents:
            doc = next((d for d in report.documents if d.rel == rel), None)
            if doc is not None:
                problems.extend(_problem(p, rules, source) for p in doc.problems)
        items.append(
            {
                "id": it.id,
                "title": it.title,
                "required": it.required,
                "status": it.status,
                "documents": list(it.documents),
                "messages": [
                    m for m in it.messages if not any(p["message"] in m for p in problems)
                ],
                "problems": problems,
                "next": it.advice if it.status not in ("ok", "not-required") else "",
                "source_links": source_links(source)[:2],
            }
        )

    documents = []
    for d in report.documents:
        rules = rules_of.get(d.item, [])
        source = source_of.get(d.item, "")
        documents.append(
            {
                "anchor": doc_ids[d.rel],
                "path": d.rel,
                "format": d.format,
                "pages": d.pages,
                "size": human_size(d.bytes),
                "item": d.item,
                "item_title": titles.get(d.item or "", d.item),
                "thumb": thumbs.get(d.rel),
                "problems": [_problem(p, rules, source) for p in d.problems],
            }
        )

    warnings: list[dict[str, str]] = [{"code": "", "text": note} for note in report.notes]
    for d in report.documents:
        if d.item is None:
            warnings.extend(
                {"code": p.code, "text": p.message} for p in d.problems if p.code != "unclassified"
            )
    left_out = [
        {"path": d.rel, "why": next(p.message for p in d.problems if p.code == "unclassified")}
        for d in report.documents
        if any(p.code == "unclassified" for p in d.problems)
    ]
    left_out += [
        {
            "path": d.rel,
            "why": "cannot be used: "
            + "; ".join(f"{p.code}" for p in d.problems if p.severity == "error"),
        }
        for d in report.documents
        if d.item is not None and not d.readable
    ]
    left_out += [
        {"path": rel, "why": "ignored: not a document this tool reads, or listed as ignore"}
        for rel in report.ignored
    ]

    data = report.to_json()
    return (
        environment()
        .get_template("report.html")
        .render(
            css=css(),
            tool_version=report.tool_version,
            applicant=report.applicant,
            checklist=data["checklist"],
            as_of=data["as_of"],
            folder=report.folder,
            complete=report.complete,
            last_line=_last_line(report),
            items=items,
            status_words=STATUS_WORDS,
            doc_ids=doc_ids,
            documents=documents,
            warnings=warnings,
            left_out=left_out,
        )
    )


def write_html_report(
    run: CheckRun, path: Path, *, progress: ProgressCallback | None = None
) -> None:
    """Thumbnails (bounded, in a child process), the page, written atomically (exit 4 if not)."""
    from ..progress import THUMBNAILS
    from .outfile import write_output
    from .thumbnails import thumbnails

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(THUMBNAILS, done, total)

    thumbs = thumbnails(run.report.documents, progress=step)
    page = render_html(run.report, run.checklist, thumbnails=thumbs)
    write_output(path, page.encode("utf-8"), sources=[d.path for d in run.report.documents])
