"""One source document made ready to be merged, bounded: converted, checked and repaired.

Everything ``build`` does to a single document before merging runs here, in the readers'
worker processes (``readers.pool.run_jobs``) under the same per-file wall-clock limit and
memory cap as reading: converting an image, DOCX or text file, and opening, checking and
re-writing a PDF. A document that breaks a limit is left out with ``timeout`` or
``too-large``; one whose structure cannot be repaired with ``damaged``; the rest of the
dossier is still written. What the merge then reads has every page with boxes of four
numbers, a flat page tree, no loops in outlines or name trees, annotations that are
dictionaries.

Most PDFs need nothing: qpdf opens them without a warning, no check finds anything to
repair, and every object parses without a warning (so their pages copy into a new PDF,
what the merge does with them, without one). Such a PDF is *clean*: it is not re-written,
the merge takes the source file itself (issue 13: a second full copy of every PDF was most
of a build's own work). Any other PDF is re-written from its repaired objects, and the
merge takes that copy. The verdict (clean, the repaired copy, or why it is left out) is
kept in the cache by the document's sha256, so a warm ``build`` starts no worker for it.

Repairs follow the PDF specification's defaults (ISO 32000-1, 14.11.2): a missing or
malformed MediaBox becomes the dossier's page size, a CropBox defaults to the MediaBox,
BleedBox, TrimBox and ArtBox to the CropBox (a malformed one is removed, so it takes its
default). ``/Rotate`` that is not a multiple of 90 is removed (default 0).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Document, Problem
from ..pathtext import openable
from ..readers import DEFAULT_LIMITS, Limits

#: Most outline entries and name-tree nodes walked in one document (a real one has hundreds).
MAX_NODES = 100_000
#: Deepest outline or name tree followed (real ones are a few levels deep).
MAX_DEPTH = 64

_BOXES = ("/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")


@dataclass(frozen=True)
class Prepared:
    """A document ready to merge (``path``), or why it is left out (``why``: "code: ...")."""

    rel: str
    path: Path | None
    engine: str | None = None  # the converter used, for a document that was not a PDF
    pages: int = 0
    repairs: tuple[str, ...] = ()
    why: str = ""
    source: bool = False  # ``path`` is the source document itself (a clean PDF)

    @property
    def ok(self) -> bool:
        return self.path is not None


class DamagedError(Exception):
    """The document's structure cannot be repaired; the message says what is wrong."""

    def __init__(self, message: str, code: str = "damaged") -> None:
        super().__init__(message)
        self.code = code


def prepare_documents(
    docs: Sequence[Document],
    work: Path,
    size: tuple[float, float],
    *,
    limits: Limits = DEFAULT_LIMITS,
    jobs: int | None = None,
    cache: object | None = None,
    early: Mapping[str, Any] | None = None,
) -> dict[str, Prepared]:
    """Prepare every document in worker processes under ``limits``; by rel path.

    A conversion ``cache`` (see ``conversions``) is asked first, here: a hit needs no
    worker; a conversion made in a worker is stored. ``early`` (``early.Early`` by rel) is
    what was prepared while the folder was checked: taken for a document of the same
    sha256 and format, and stored like a worker's. Never raises for a document: each one
    is ``Prepared`` with a path or a reason.
    """
    from ..readers.pool import Job, JobOutcome, run_jobs
    from .conversions import cached_conversion, store_conversion

    done: dict[str, Prepared] = {}
    target = "img_dossier.output.prepare:prepare_one"
    tasks = []
    taken: list[JobOutcome] = []
    for n, doc in enumerate(docs):
        if doc.format == "pdf":
            verdict = cached_verdict(doc, size, cache)
            hit = None
        else:
            verdict = None
            hit = cached_conversion(doc, size, cache)
        if verdict is not None:
            done[doc.rel] = verdict
        elif hit is not None:
            done[doc.rel] = Prepared(doc.rel, hit.path, hit.engine)
        elif (ahead := _early(early, doc)) is not None:
            taken.append(JobOutcome(n, ahead, None))
        else:
            tasks.append(Job(n, target, (doc, work / f"{n}.pdf", size, limits.seconds)))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
    for outcome in [*taken, *(run_jobs(tasks, limits, workers) if tasks else [])]:
        doc = docs[outcome.index]
        if outcome.problem is not None:
            done[doc.rel] = Prepared(doc.rel, None, why=_reason(outcome.problem, limits))
            if outcome.problem.code == "damaged" and outcome.cacheable:
                store_verdict(doc, size, cache, done[doc.rel])
            continue
        ready: Prepared = outcome.value
        done[doc.rel] = ready
        if doc.format == "pdf":
            store_verdict(doc, size, cache, ready)
        elif ready.path is not None and ready.engine is not None:
            store_conversion(doc, size, cache, ready.path, ready.engine, ready.pages)
    return done


def _early(early: Mapping[str, Any] | None, doc: Document) -> Prepared | None:
    """What was prepared early for this document's content and format, or None."""
    found = early.get(doc.rel) if early else None
    if found is None or found.sha256 != doc.sha256 or found.format != doc.format:
        return None
    ready: Prepared = found.prepared
    return ready if ready.rel == doc.rel else None


#: Bump when what the PDF check decides changes in a way the code fingerprint misses.
VERDICT_VERSION = 1


def _verdict_key(doc: Document, size: tuple[float, float]) -> str:
    from ..readers.cache import code_fingerprint

    code = code_fingerprint(("img_dossier.output.prepare",))
    return f"prepare:{VERDICT_VERSION}:{code}:{doc.sha256}:{size[0]:.2f}x{size[1]:.2f}"


def cached_verdict(
    doc: Document, size: tuple[float, float], cache: object | None
) -> Prepared | None:
    """What an earlier build decided for this PDF's content (clean, its repaired copy, or
    why it was left out), or None. Any failure of the cache is a miss."""
    if cache is None or not doc.sha256 or not hasattr(cache, "get"):
        return None
    key = _verdict_key(doc, size)
    try:
        meta = cache.get(key)
        if not isinstance(meta, dict):
            return None
        pages = int(meta.get("pages", 0))
        if meta.get("clean") is True:
            return Prepared(doc.rel, doc.path, None, pages, source=True)
        why = meta.get("why")
        if isinstance(why, str) and why:
            return Prepared(doc.rel, None, why=why.replace("{rel}", doc.rel))
        copy = cache.get_file(key) if hasattr(cache, "get_file") else None
        repairs = meta.get("repairs")
        if copy is None or not isinstance(repairs, list):
            return None
        return Prepared(doc.rel, copy, None, pages, tuple(str(r) for r in repairs))
    except Exception:  # a broken cache is a miss
        return None


def store_verdict(
    doc: Document, size: tuple[float, float], cache: object | None, ready: Prepared
) -> None:
    """Keep what was decided for this PDF (its repaired copy too); failures are ignored."""
    if cache is None or not doc.sha256 or not hasattr(cache, "put"):
        return
    try:
        key = _verdict_key(doc, size)
        if ready.path is None:
            # the reason names the document: kept with a placeholder for another name
            cache.put(key, {"why": ready.why.replace(doc.rel, "{rel}")})
        elif ready.source:
            cache.put(key, {"clean": True, "pages": ready.pages})
        elif hasattr(cache, "put_file"):
            cache.put_file(key, ready.path)
            cache.put(key, {"pages": ready.pages, "repairs": list(ready.repairs)})
    except Exception:  # a cache that cannot store is ignored
        return


def _reason(problem: Problem, limits: Limits) -> str:
    """A worker's problem said for this stage (the pool words it for reading)."""
    if problem.code == "timeout":
        return (
            f"timeout: preparing it for the dossier took longer than {limits.seconds:g} s; it "
            "may be crafted or corrupt: open it and re-save it (print to PDF), then build again"
        )
    if problem.code == "too-large":
        return (
            f"too-large: preparing it for the dossier needed more than {limits.memory_mb} MB of "
            "memory or crashed the converter: re-save it smaller (print to PDF, scan at 300 dpi)"
        )
    return f"{problem.code}: {problem.message}"


def prepare_one(
    doc: Document, dst: Path, size: tuple[float, float], seconds: float = 30.0
) -> Prepared:
    """Convert (if not a PDF) and check/repair one document into ``dst`` (in a worker)."""
    from .convert import to_pdf

    if doc.format != "pdf":
        # LibreOffice gets less time than the worker, so that it is stopped (its whole
        # process group) before the worker is killed around it
        result = to_pdf(doc, dst, size, timeout=max(5.0, seconds - 5.0))
        if not result.ok:
            why = f"{result.code}: not converted: {result.error}"
            return Prepared(doc.rel, None, result.engine, why=why)
        return Prepared(doc.rel, dst, result.engine, result.pages)
    try:
        pages, repairs, clean = check_pdf(doc.path, dst, size)
    except DamagedError as exc:
        why = f"{exc.code}: {exc}" if exc.code != "damaged" else f"damaged: {doc.rel}: {exc}"
        return Prepared(doc.rel, None, why=why)
    if clean:
        return Prepared(doc.rel, doc.path, None, pages, source=True)
    return Prepared(doc.rel, dst, None, pages, repairs)


def check_pdf(src: Path, dst: Path, size: tuple[float, float]) -> tuple[int, tuple[str, ...], bool]:
    """Like ``repair_pdf``, but a clean PDF (see the module's notes) is not written: then
    ``(pages, (), True)``, and the merge may take ``src`` itself."""
    with openable(src) as plain:
        return _repair(plain, dst, size, keep_clean=plain == src)


def repair_pdf(src: Path, dst: Path, size: tuple[float, float]) -> tuple[int, tuple[str, ...]]:
    """Open ``src``, repair what the merge would trip on, write it to ``dst``; pages and repairs.

    Raises DamagedError for a PDF that cannot be opened or has no page; an encrypted PDF
    that needs a password is DamagedError too (the reader already said ``encrypted``).
    """
    with openable(src) as plain:
        pages, repairs, _clean = _repair(plain, dst, size)
        return pages, repairs


def _repair(
    src: Path, dst: Path, size: tuple[float, float], *, keep_clean: bool = False
) -> tuple[int, tuple[str, ...], bool]:
    import pikepdf

    repairs: list[str] = []
    try:
        pdf = pikepdf.open(src, suppress_warnings=True)
    except pikepdf.PasswordError as exc:
        raise DamagedError("needs a password; save an unprotected copy", "encrypted") from exc
    except (pikepdf.PdfError, OSError, ValueError, RecursionError) as exc:
        # qpdf gave up where pypdf's recovery (the reader's) may not: rewrite it with pypdf,
        # here in the worker, and check that copy instead
        pdf = _reopened(src, dst, exc)
        repairs.append("its cross-reference table was broken; rebuilt")
    with pdf:
        try:
            pages = list(pdf.pages)  # qpdf flattens the page tree: loops are dropped here
        except (pikepdf.PdfError, RuntimeError, ValueError, RecursionError) as exc:
            raise DamagedError(f"its page tree is broken ({_short(exc)})") from exc
        if not pages:
            raise DamagedError("it has no pages (its page tree is empty or broken)")
        for number, page in enumerate(pages, 1):
            _repair_page(page.obj, number, size, repairs)
        _repair_outline(pdf, repairs)
        _repair_names(pdf, repairs)
        if keep_clean and not repairs and _copies_cleanly(pdf):
            return len(pages), (), True
        try:
            # streams are written as they are (a bomb is not inflated here)
            pdf.save(dst, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        except (pikepdf.PdfError, RuntimeError, ValueError, RecursionError) as exc:
            raise DamagedError(f"cannot be written back ({_short(exc)})") from exc
    return len(pages), tuple(repairs), False


def _copies_cleanly(pdf: Any) -> bool:
    """True when qpdf has warned of nothing while opening ``pdf`` and parsing every object
    of it: nothing was recovered, and the merge's copy of its pages (which reads a part of
    those objects, each already parsed here within the limits) has nothing left to mend.

    Parsing every object (qpdf's ``getAllObjects``) costs a third of copying the pages into
    a probe PDF, which this did before (issue 13), and judged the same on the corpus and
    300 fuzzed PDFs; an object that is not there is null either way, with no warning.
    """
    import pikepdf

    if pdf.get_warnings():
        return False
    try:
        pdf.objects  # noqa: B018 (qpdf resolves every object of the file here)
    except (pikepdf.PdfError, RuntimeError, ValueError, RecursionError):
        return False
    return not pdf.get_warnings()


def _reopened(src: Path, dst: Path, first: BaseException) -> Any:
    """``src`` rewritten by pypdf (strict=False recovers more xref damage), opened by qpdf."""
    import pikepdf
    from pypdf import PdfReader, PdfWriter

    copy = dst.with_name(dst.name + ".pypdf.pdf")
    try:
        reader = PdfReader(src, strict=False)
        writer = PdfWriter(clone_from=reader)
        with open(copy, "wb") as fh:
            writer.write(fh)
        return pikepdf.open(copy, suppress_warnings=True)
    except Exception as exc:  # neither library can read it: damaged
        raise DamagedError(f"cannot be opened ({_short(first)})") from exc


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:160]}"


def _numbers(value: Any) -> list[float] | None:
    """Four finite numbers with some area, or None."""
    import pikepdf

    if not isinstance(value, pikepdf.Array) or len(value) != 4:
        return None
    try:
        nums = [float(v) for v in value]
    except (TypeError, ValueError):
        return None
    if any(n != n or abs(n) > 1e7 for n in nums):  # NaN, or far beyond any page
        return None
    if abs(nums[2] - nums[0]) < 1 or abs(nums[3] - nums[1]) < 1:
        return None
    return nums


def _repair_page(page: Any, number: int, size: tuple[float, float], repairs: list[str]) -> None:
    import pikepdf

    media = _numbers(page.get("/MediaBox"))
    if media is None:
        page.MediaBox = pikepdf.Array([0, 0, size[0], size[1]])
        repairs.append(f"page {number}: MediaBox was not four numbers; set to the page size")
    for key in _BOXES:
        if key in page and _numbers(page.get(key)) is None:
            del page[key]
            repairs.append(f"page {number}: {key[1:]} was not four numbers; removed (default)")
    rotate = page.get("/Rotate")
    if rotate is not None:
        turn = _int(rotate)
        if turn is None or turn % 90:
            del page["/Rotate"]
            repairs.append(f"page {number}: Rotate was not a multiple of 90; removed")
    resources = page.get("/Resources")
    if resources is not None and not isinstance(resources, pikepdf.Dictionary):
        del page["/Resources"]
        repairs.append(f"page {number}: Resources was not a dictionary; removed")
    contents = page.get("/Contents")
    if contents is not None and not _contents_ok(contents):
        del page["/Contents"]
        repairs.append(f"page {number}: its content was not a stream; the page is blank")
    _repair_annots(page, number, repairs)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _contents_ok(contents: Any) -> bool:
    import pikepdf

    if isinstance(contents, pikepdf.Stream):
        return True
    return isinstance(contents, pikepdf.Array) and all(
        isinstance(c, pikepdf.Stream) for c in contents
    )


def _repair_annots(page: Any, number: int, repairs: list[str]) -> None:
    """/Annots must be an array of annotation dictionaries with a /Rect of four numbers."""
    import pikepdf

    annots = page.get("/Annots")
    if annots is None:
        return
    if not isinstance(annots, pikepdf.Array):
        del page["/Annots"]
        repairs.append(f"page {number}: Annots was not an array; annotations removed")
        return
    kept = [
        a
        for a in annots
        if isinstance(a, pikepdf.Dictionary)
        and isinstance(a.get("/Subtype"), pikepdf.Name)
        and _numbers(a.get("/Rect")) is not None
    ]
    if len(kept) != len(annots):
        page.Annots = pikepdf.Array(kept)
        repairs.append(f"page {number}: {len(annots) - len(kept)} malformed annotation(s) removed")


def _repair_outline(pdf: Any, repairs: list[str]) -> None:
    """An outline with a loop, a wrong type or too many entries is dropped (the dossier's
    own bookmark for the document stays)."""
    root = pdf.Root
    if "/Outlines" not in root:
        return
    if not _outline_ok(root.get("/Outlines")):
        del root["/Outlines"]
        repairs.append("its bookmarks (outline) were malformed or looped; removed")


def _outline_ok(top: Any) -> bool:
    import pikepdf

    if not isinstance(top, pikepdf.Dictionary):
        return False
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(top.get("/First"), 0)]
    while stack:
        node, depth = stack.pop()
        while node is not None:
            if not isinstance(node, pikepdf.Dictionary) or depth > MAX_DEPTH:
                return False
            key = node.objgen
            if key != (0, 0):
                if key in seen:
                    return False  # a loop through /Next or /First
                seen.add(key)
            if len(seen) > MAX_NODES:
                return False
            title = node.get("/Title")
            if title is not None and not isinstance(title, pikepdf.String):
                return False
            if "/First" in node:
                stack.append((node.get("/First"), depth + 1))
            node = node.get("/Next")
    return True


def _repair_names(pdf: Any, repairs: list[str]) -> None:
    """Name trees (/Names: /Dests and the others) with a loop or a wrong type are removed;
    so is an old-style /Dests that is not a dictionary."""
    import pikepdf

    root = pdf.Root
    dests = root.get("/Dests")
    if dests is not None and not isinstance(dests, pikepdf.Dictionary):
        del root["/Dests"]
        repairs.append("its named destinations (/Dests) were malformed; removed")
    names = root.get("/Names")
    if names is None:
        return
    if not isinstance(names, pikepdf.Dictionary):
        del root["/Names"]
        repairs.append("its name dictionary was malformed; removed")
        return
    for key in list(names.keys()):
        if not _tree_ok(names.get(key)):
            del names[key]
            repairs.append(f"its {key[1:]} name tree was malformed or looped; removed")


def _tree_ok(top: Any) -> bool:
    """A name tree: nodes with /Kids (arrays of nodes) or /Names (arrays of pairs), no loop."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(top, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if not isinstance(node, pikepdf.Dictionary) or depth > MAX_DEPTH or count > MAX_NODES:
            return False
        key = node.objgen
        if key != (0, 0):
            if key in seen:
                return False
            seen.add(key)
        kids, leaves = node.get("/Kids"), node.get("/Names")
        if kids is not None:
            if not isinstance(kids, pikepdf.Array):
                return False
            stack.extend((kid, depth + 1) for kid in kids)
        if leaves is not None and (not isinstance(leaves, pikepdf.Array) or len(leaves) % 2):
            return False
    return True


def iter_repairs(prepared: dict[str, Prepared]) -> Iterator[tuple[str, str]]:
    """(rel, repair) for every repair made, in rel order."""
    for rel in sorted(prepared):
        for repair in prepared[rel].repairs:
            yield rel, repair
