"""The second reading pass: further pages of the documents whose rules lack a fact.

The first reading takes a document's first pages, which is enough to classify it. After
classification and a first verdict, a document is read further when

- its item's checklist entry asks for more pages (``read_pages:``, with the reason), and
  some of them were not read yet (pages already read are never read again), and
- a rule of its item still lacks what it needs: the verdict gave the document a problem
  that says a fact or an element was not found (``unverified``, ``missing-element``,
  ``name-absent``, ``needs-translation``), or no text was read from it at all.

The further pages (text layer, else OCR when it is on) are read in the same reader worker
processes, under the same time and memory limits, by ``readers.pages.read_more``; the
result is cached by content, page selection and tool version, so a warm check reads
nothing. The caller then reads the document's facts and judges the folder again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..config.checklist import Checklist, ReadPages
from ..model import Document, Problem
from ..progress import READING_FURTHER, ProgressCallback, report
from ..readers import Limits

#: Problem codes of a verdict that a fact or element was not found in what was read.
LACKING_CODES = frozenset({"unverified", "missing-element", "name-absent", "needs-translation"})

#: Formats that have pages beyond the first (a JPEG or PNG is one page).
_PAGED = frozenset({"pdf", "tiff"})


@dataclass(frozen=True)
class _Want:
    doc: Document
    setting: ReadPages
    pages: tuple[int, ...]  # 0-based pages to read now
    read: tuple[int, ...]  # 0-based pages read before
    capped: bool  # the limit of pages per document left some wanted page out


def pages_read(doc: Document, limits: Limits) -> tuple[int, ...]:
    """The 0-based pages of ``doc`` whose text was read (by either pass)."""
    given = doc.info.get("pages_read")
    if isinstance(given, list) and all(isinstance(n, int) for n in given):
        return tuple(n - 1 for n in given)
    found = doc.info.get("ocr")
    ocr_pages = found.get("pages") if isinstance(found, Mapping) else None
    if isinstance(ocr_pages, int) and ocr_pages > 0:
        return tuple(range(ocr_pages))
    if doc.format == "pdf" and doc.pages:
        return tuple(range(min(doc.pages, limits.text_pages)))
    return ()


def lacks_facts(judged: Document) -> bool:
    """True when the verdict on a document says a rule found no fact in what was read."""
    return not judged.has_text or any(p.code in LACKING_CODES for p in judged.problems)


def wanted(
    checklist: Checklist, docs: Sequence[Document], judged: Sequence[Document], limits: Limits
) -> list[_Want]:
    """The documents to read further and their pages (``judged``: as the verdict left them)."""
    verdicts = {d.rel: d for d in judged}
    out: list[_Want] = []
    for doc in docs:
        item = checklist.item(doc.item) if doc.item else None
        setting = item.read_pages if item is not None else None
        if setting is None or doc.format not in _PAGED or not doc.readable:
            continue
        if doc.format != "pdf" and not limits.ocr:
            continue  # an image's pages have no text layer: only OCR could read them
        if not doc.pages or doc.pages < 2 or not doc.sha256 or doc.info.get("sha256_partial"):
            continue
        verdict = verdicts.get(doc.rel, doc)
        if not lacks_facts(verdict):
            continue
        read = pages_read(doc, limits)
        pages, capped = setting.wanted(doc.pages, limits.more_pages)
        more = tuple(n for n in pages if n not in set(read))
        if more:
            out.append(_Want(doc, setting, more, read, capped))
    return out


def read_further(
    checklist: Checklist,
    docs: Sequence[Document],
    judged: Sequence[Document],
    *,
    limits: Limits,
    jobs: int,
    cache: object | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Document]:
    """The documents read further, by rel, with their new text, info and problems.

    ``progress("reading further pages", done, total)`` is told of each document read."""
    wants = wanted(checklist, docs, judged, limits)
    if not wants:
        return {}
    from ..readers.pages import cache_key

    results: dict[int, tuple[dict[str, Any] | None, Problem | None]] = {}
    todo: list[tuple[int, _Want, str]] = []
    same: dict[int, int] = {}  # a copy of a file being read: read once
    first_of: dict[str, int] = {}
    for n, want in enumerate(wants):
        key = cache_key(want.doc.sha256, str(want.doc.format), want.pages, limits)
        hit = _cache_get(cache, key)
        if hit is not None:
            results[n] = (hit, None)
        elif key in first_of:
            same[n] = first_of[key]
        else:
            first_of[key] = n
            todo.append((n, want, key))
    if todo:
        from ..readers.pool import Job, run_jobs

        work = [
            Job(
                n,
                "img_dossier.readers.pages:read_more",
                (str(w.doc.path), w.doc.format, w.doc.sha256, list(w.pages), limits),
            )
            for n, w, _key in todo
        ]
        keys = {n: key for n, _w, key in todo}
        done = [len(wants) - len(work)]

        def one_done() -> None:
            done[0] += 1
            report(progress, READING_FURTHER, done[0], len(wants))

        if done[0]:
            report(progress, READING_FURTHER, done[0], len(wants))
        for outcome in run_jobs(work, limits, max(1, min(jobs, len(work))), one_done):
            value = outcome.value if isinstance(outcome.value, dict) else None
            results[outcome.index] = (value, outcome.problem)
            if value is not None and outcome.problem is None and value.get("stopped") != "changed":
                _cache_put(cache, keys[outcome.index], value)
            elif not outcome.cacheable or (value is not None and value.get("stopped") == "changed"):
                from ..readers import note_transient

                note_transient()
    for n, first in same.items():
        results[n] = results.get(first, (None, None))
    return {
        want.doc.rel: merged(want, *results.get(n, (None, None)), limits=limits)
        for n, want in enumerate(wants)
    }


def merged(
    want: _Want, found: dict[str, Any] | None, failed: Problem | None, *, limits: Limits
) -> Document:
    """The document with the text of its further pages, which pages were read (by OCR or
    not), and a warning naming the pages left unread, why, and what to do."""
    from ..readers.result import cap_text, page_ranges
    from ..readers.scans import is_unread_pages, unread_pages

    doc = want.doc
    found = found or {}
    new = [n for n in found.get("pages", []) if isinstance(n, int)]
    texts = [str(t) for t in found.get("texts", [])]
    read = sorted({*want.read, *new})
    info = dict(doc.info)
    info["pages_read"] = [n + 1 for n in read]
    text = doc.text
    added = "\n\f".join(t for t in texts if t.strip())
    if added:
        text = cap_text(f"{text}\n\f{added}" if text.strip() else added)
    ocr_new = [n for n in found.get("ocr", []) if isinstance(n, int)]
    if ocr_new:
        info["ocr"] = _ocr_info(doc, ocr_new, found, texts, new)
    total = doc.pages or 0
    problems = [p for p in doc.problems if not is_unread_pages(p)]
    if text.strip() and not doc.text.strip():
        problems = [p for p in problems if p.code != "no-text"]  # text was found further on
    unread = total - len(read)
    why, step = _why_stopped(want, found, failed, limits, new)
    if unread > 0 and (ocr_new or _had_unread_warning(doc) or why):
        by_ocr = bool(ocr_new) or isinstance(doc.info.get("ocr"), Mapping)
        problems.append(unread_pages(total, read, ocr=by_ocr, why=why, next_step=step))
    elif why:  # every page was read after all, but say what went wrong on the way
        problems.append(Problem("no-text", "warning", f"pages {page_ranges(want.pages)}: {why}"))
    return doc.replace(text=text, info=info, problems=tuple(problems))


def _had_unread_warning(doc: Document) -> bool:
    from ..readers.scans import is_unread_pages

    return any(is_unread_pages(p) for p in doc.problems)


def _ocr_info(
    doc: Document,
    ocr_new: list[int],
    found: Mapping[str, Any],
    texts: list[str],
    new: list[int],
) -> dict[str, Any]:
    """The document's ``info["ocr"]`` with the pages OCR read in the second pass."""
    before = doc.info.get("ocr")
    old: dict[str, Any] = dict(before) if isinstance(before, Mapping) else {}
    given = old.get("pages")
    old_pages = given if isinstance(given, int) else 0
    old_read = old.get("read")
    first = (
        [int(n) for n in old_read] if isinstance(old_read, list) else list(range(1, old_pages + 1))
    )
    weights = [(float(c), int(k)) for c, k in found.get("confidence", [])]
    old_chars = len(doc.text) if old_pages else 0
    chars = old_chars + sum(k for _c, k in weights)
    total = float(old.get("confidence") or 0.0) * old_chars + sum(c * k for c, k in weights)
    rotated = list(old.get("rotated") or []) + list(found.get("rotated", []))
    return {
        **old,
        "engine": found.get("engine") or old.get("engine"),
        "pages": old_pages + len(ocr_new),
        "read": sorted({*first, *(n + 1 for n in ocr_new)}),
        "confidence": round(total / chars, 3) if chars else 0.0,
        "rotated": rotated,
    }


def _why_stopped(
    want: _Want,
    found: Mapping[str, Any],
    failed: Problem | None,
    limits: Limits,
    new: list[int],
) -> tuple[str, str]:
    """(why not every wanted page was read, what to do), or ("", "") when nothing stopped it."""
    from ..readers.result import page_ranges

    left = [n for n in want.pages if n not in set(new)]
    if failed is not None:
        what = "took too long" if failed.code == "timeout" else "ran out of memory"
        if failed.code == "damaged":
            what = "failed"
        return (
            f"reading pages {page_ranges(want.pages)} {what}",
            "check them yourself, or re-save or re-scan it and check again",
        )
    stopped = found.get("stopped")
    if stopped == "time" and left:
        return (
            f"the time limit of {limits.seconds:g} s per file stopped reading before page "
            f"{left[0] + 1}",
            "check the rest yourself, or split the scan so that the pages a rule needs come "
            "first, or give a PDF with a text layer",
        )
    if stopped == "changed":
        return ("the file changed while it was being checked", "check again")
    if stopped == "ocr-unavailable":
        return (f"OCR could not run ({found.get('why', '')})", "check them yourself")
    if stopped == "failed" and left:
        return (
            f"reading page {left[0] + 1} failed ({found.get('why', '')})",
            "check the rest yourself, or re-save or re-scan it",
        )
    if want.capped:
        return (
            f"at most {limits.more_pages} pages of one document are read",
            "check the rest yourself, or give the pages a rule needs as a file of their own "
            "or as a PDF with a text layer",
        )
    return ("", "")


def _cache_get(cache: object | None, key: str) -> dict[str, Any] | None:
    if cache is None:
        return None
    try:
        hit = cache.get(key)  # type: ignore[attr-defined]
    except Exception:  # a broken cache is a miss, never a failure of the run
        return None
    if isinstance(hit, dict) and isinstance(hit.get("pages"), list):
        return hit
    return None


def _cache_put(cache: object | None, key: str, value: dict[str, Any]) -> None:
    if cache is None:
        return
    try:
        cache.put(key, value)  # type: ignore[attr-defined]
    except Exception:  # a cache that cannot store is ignored
        return
