"""Checked folder -> one PDF dossier: cover, linked index, documents in checklist order.

The documents are merged with pikepdf (qpdf in this process: the fastest merge measured,
see bench/), their named destinations renamed per document first (LaTeX writes ``page.1``
in every file, and a plain merge would send the second file's links into the first).
Outlines: one entry per item, one per document under it, the document's own outline under
that. Page labels make the front matter roman and the documents 1..N. The cover and index
are drawn by ``front_matter``, the footer stamps by ``stamps``, the PDF work is in
``dossier_pdf``. The file is written atomically.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pikepdf

from .. import __version__
from ..atomic import atomic_file
from ..errors import DossierError, ExitCode, OutputError, cannot_write
from ..model import OWN_OUTPUT_KEY, Document, ItemResult, Report
from ..pathtext import resolved
from ..progress import ADDING, ProgressCallback
from ..readers import DEFAULT_LIMITS, Limits
from ..timing import stage
from .active_content import strip_writer as _strip_active_content
from .pagesize import page_size
from .parts import Group, Part
from .prepare import Prepared, prepare_documents

__all__ = [
    "OTHER_TITLE",
    "UNCLASSIFIED_REASON",
    "DossierResult",
    "IncompleteError",
    "Section",
    "_strip_active_content",
    "assemble",
    "check_target",
    "default_output_name",
]

OTHER_TITLE = "Other documents"

#: Writes the finished dossier to an open file (tests inject failures with their own).
Writer = Callable[[pikepdf.Pdf, BinaryIO], None]

_COPY_WARNING: type[Warning] = getattr(pikepdf, "PageCopyWarning", ResourceWarning)


class CheckRunLike(Protocol):
    """What assemble needs of ``check.CheckRun``."""

    @property
    def report(self) -> Report: ...

    @property
    def folder(self) -> Path: ...


class IncompleteError(DossierError):
    """``--strict`` and the folder is incomplete: nothing is written (exit 1)."""

    exit_code = ExitCode.INCOMPLETE


@dataclass(frozen=True)
class Section:
    """One checklist item (``item`` None: other documents) and where it is in the dossier.

    ``first_page``/``last_page`` are 1-based pages of the PDF file; ``ranges`` gives each
    document's (first, last) in the same numbering.
    """

    item: str | None
    title: str
    documents: tuple[str, ...]
    first_page: int
    last_page: int
    ranges: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "documents": list(self.documents),
            "first_page": self.first_page,
            "last_page": self.last_page,
        }


@dataclass(frozen=True)
class DossierResult:
    """What was written: path, pages, size, sections, what was left out and conversions."""

    path: Path
    pages: int
    bytes: int
    sections: list[Section]
    left_out: list[tuple[str, str]]
    conversions: dict[str, str]
    front_pages: int = 2

    def to_json(self) -> dict[str, Any]:
        """The ``dossier`` block of INTERFACE.md (plus ``left_out``)."""
        return {
            "path": str(self.path),
            "pages": self.pages,
            "bytes": self.bytes,
            "sections": [s.to_json() for s in self.sections],
            "left_out": [{"path": rel, "reason": why} for rel, why in self.left_out],
        }


# -- planning ------------------------------------------------------------------------------


def _reason(doc: Document) -> str:
    errors = [p for p in doc.problems if p.severity == "error"]
    if not errors:
        return "not readable"
    return f"{errors[0].code}: {errors[0].message}"


#: Why an unclassified document is not in the dossier (private by default).
UNCLASSIFIED_REASON = (
    "unclassified: not recognised as a document of the checklist, so it stays private; "
    "if it belongs in the dossier, map it in dossier.yaml under files: or pass "
    "--include-unclassified"
)


def __getattr__(name: str) -> Any:
    """``completeness_line``, ``fonts_for``: reportlab loaded only when asked (front_child)."""
    if name in ("completeness_line", "fonts_for"):
        from . import front_matter

        return getattr(front_matter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _plan(
    report: Report, out: Path, include_unclassified: bool = False
) -> tuple[list[tuple[ItemResult | None, str, list[Document]]], list[tuple[str, str]]]:
    """Documents by item in checklist order (whatever the item's status), then, with
    ``include_unclassified``, the other documents; and what is left out, with why:
    unreadable, content-mismatch, duplicate, and (by default) unclassified documents."""
    by_rel = {d.rel: d for d in report.documents}
    target = _Target(out)
    placed: set[str] = set()
    left_out: list[tuple[str, str]] = []
    groups: list[tuple[ItemResult | None, str, list[Document]]] = []

    def take(rel: str) -> Document | None:
        doc = by_rel.get(rel)
        if doc is None or rel in placed:
            return None
        placed.add(rel)
        if doc.info.get("own_output") or target.same(doc.path):
            return None
        if not doc.readable:
            left_out.append((rel, _reason(doc)))
            return None
        duplicate = next((p for p in doc.problems if p.code == "duplicate"), None)
        if duplicate is not None:  # the same bytes as another document: in the dossier once
            left_out.append((rel, f"{duplicate.code}: {duplicate.message}"))
            return None
        mismatch = next(
            (p for p in doc.problems if p.code == "content-mismatch" and p.severity == "error"),
            None,
        )
        if mismatch is not None:  # its text is not what its name says: never shipped
            left_out.append((rel, f"{mismatch.code}: {mismatch.message}"))
            return None
        return doc

    for item in report.items:
        rels = list(item.documents) + sorted(
            d.rel for d in report.documents if d.item == item.id and d.rel not in item.documents
        )
        docs = [d for d in (take(r) for r in rels) if d is not None]
        groups.append((item, item.title, docs))
    others = [d for d in (take(d.rel) for d in report.documents) if d is not None]
    if include_unclassified:
        groups.append((None, OTHER_TITLE, others))
    else:
        left_out.extend((d.rel, UNCLASSIFIED_REASON) for d in others)
        groups.append((None, OTHER_TITLE, []))
    return groups, left_out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return resolved(a) == resolved(b)  # a link loop: its own path
    except OSError:
        return False


class _Target:
    """The output path, resolved once, to compare every source with: two existing files of
    different inodes never resolve to one path, so a stat tells most sources apart without
    resolving them (pathlib resolves component by component: two per source, before)."""

    def __init__(self, out: Path) -> None:
        self.path = resolved(out)
        try:
            st = self.path.stat()
            self.inode: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except OSError:
            self.inode = None  # not there (yet): an existing source cannot be it

    def same(self, src: Path) -> bool:
        """True when ``src`` resolves to the output path (``_same_file``)."""
        try:
            st = src.stat()
        except OSError:
            return _same_file(src, self.path)  # missing or a link loop: compare the paths
        if self.inode is None or (st.st_dev, st.st_ino) != self.inode:
            return False
        return _same_file(src, self.path)


# -- assemble ------------------------------------------------------------------------------


def default_output_name(family_name: str | None) -> str:
    """``quispe-mamani-dossier.pdf`` from the family name (王 -> ``wang-dossier.pdf``, any
    script transliterated); ``dossier.pdf`` without one."""
    from .filenames import slug

    stem = slug(family_name or "")
    return f"{stem}-dossier.pdf" if stem else "dossier.pdf"


def check_target(out: Path, report: Report, folder: Path) -> None:
    """OutputError when ``out`` would overwrite a source document, or is a folder."""
    same = _Target(out)
    target = same.path
    sources = {d.path for d in report.documents} | {folder / rel for rel in report.ignored}
    for src in sources:
        if same.same(src):
            raise OutputError(
                f"{out}: is a document of {folder}; refusing to overwrite it. "
                "Choose another output with -o."
            )
    if target.is_dir():
        raise OutputError(f"{out}: is a folder; give a file name with -o")
    if target.is_file() and target.is_relative_to(resolved(folder)) and not _own_output(target):
        # dossier.yaml, dot-files and other files the check passes over are the user's too
        raise OutputError(
            f"{out}: is a file of {folder} that this tool did not write; refusing to overwrite "
            "it. Choose another output with -o."
        )


def _own_output(path: Path) -> bool:
    """True for a PDF this tool wrote (its document info carries OWN_OUTPUT_KEY)."""
    try:
        with path.open("rb") as fh:
            if not fh.read(1024).lstrip().startswith(b"%PDF-"):
                return False
        with pikepdf.open(path) as pdf:
            return OWN_OUTPUT_KEY in pdf.docinfo
    except Exception:  # unreadable: not ours to overwrite
        return False


def assemble(
    run: CheckRunLike,
    out: Path,
    *,
    page_size: str | tuple[float, float] = "letter",
    stamp: bool = True,
    strict: bool = False,
    track: str | None = None,
    write: Writer | None = None,
    include_unclassified: bool = False,
    cache: object | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    hold: list[object] | None = None,
    early: Any = None,
) -> DossierResult:
    """Build the dossier of a checked folder at ``out`` (atomically) and say what is in it.

    Only documents classified to an item go in; ``include_unclassified`` adds the others
    in an "Other documents" section (left out and listed otherwise: private by default).
    ``strict``: an incomplete folder raises IncompleteError and writes nothing. ``track``
    is the name shown on the cover (default: the checklist id). ``write`` replaces
    ``pikepdf.Pdf.save`` to the open temp file (tests inject failures with it). ``cache``
    (a ``cache.ReadCache``) keeps each image, Word or text file's conversion to PDF.
    ``progress("adding documents", done, total)`` is called as each document is added.
    ``limits``: the per-file time limit and memory cap under which each document is
    converted, checked and repaired in a worker (as for reading). ``hold``: a list that
    is given the source and output PDFs instead of letting them be freed here (the console
    process ends without freeing them, see ``cli.quick_exit``). ``early``: an
    ``early.EarlyPrepare`` started before the check (its matching results are used).
    """
    report = run.report
    if strict and not report.complete:
        raise IncompleteError(f"{run.folder}: incomplete; nothing written (--strict)")
    check_target(out, report, Path(run.folder))
    size = _page_size(page_size)
    planned, left_out = _plan(report, out, include_unclassified)
    conversions: dict[str, str] = {}
    with (
        tempfile.TemporaryDirectory(prefix="img-dossier-build-") as tmpdir,
        contextlib.ExitStack() as stack,
    ):
        # each document converted (or taken from the cache), checked and repaired in a
        # worker under the per-file limits: one that breaks them is left out with its
        # problem code, the rest of the dossier is written
        with stage("prepare (workers: convert, check, repair)"):
            ahead = early.take() if early is not None else {}
            prepared = prepare_documents(
                [doc for _item, _title, docs in planned for doc in docs],
                Path(tmpdir),
                size,
                limits=limits,
                cache=cache,
                early=ahead,
            )
        if early is not None:
            used = sum(
                1 for rel, p in prepared.items() if rel in ahead and ahead[rel].prepared is p
            )
            with stage(f"  of which prepared while checking: {used} of {len(prepared)}"):
                pass  # a line of its own in the timings
        with stage("open sources"):
            groups = _open_parts(planned, prepared, stack, left_out, conversions, progress)
        if hold is not None:
            hold.append(groups)
        with warnings.catch_warnings():
            # pikepdf's advice to copy forms with add_pages_from: the dossier carries no
            # form fields (their widgets keep their appearance), and names are renamed here
            warnings.simplefilter("ignore", _COPY_WARNING)
            total, size_bytes, sections, n_front = _merge(
                run, groups, left_out, size, stamp, track, out, write, hold
            )
        with stage("close sources"):
            stack.close()
    return DossierResult(
        path=out,
        pages=total,
        bytes=size_bytes,
        sections=sections,
        left_out=left_out,
        conversions=conversions,
        front_pages=n_front,
    )


def _open_parts(
    planned: list[tuple[ItemResult | None, str, list[Document]]],
    prepared: dict[str, Prepared],
    stack: contextlib.ExitStack,
    left_out: list[tuple[str, str]],
    conversions: dict[str, str],
    progress: ProgressCallback | None,
) -> list[Group]:
    """Each planned document's prepared PDF opened (closed by ``stack``), in its group;
    what cannot be opened goes to ``left_out`` with why."""
    from .dossier_pdf import file_budget, open_pdf

    groups: list[Group] = []
    opened = 0
    budget = file_budget()
    total_docs = sum(len(docs) for _, _, docs in planned)
    done = 0
    for item, title, docs in planned:
        group = Group(item, title)
        for doc in docs:
            done += 1
            if progress is not None:
                progress(ADDING, done, total_docs)
            ready = prepared[doc.rel]
            if ready.engine is not None:
                conversions[doc.rel] = ready.engine
            if ready.path is None:
                left_out.append((doc.rel, ready.why))
                continue
            if ready.source and _changed(ready.path, doc):
                left_out.append((doc.rel, _CHANGED.format(rel=doc.rel)))
                continue
            # past the open-file budget, sources are read into memory instead
            pdf, why = open_pdf(ready.path, doc.rel, in_memory=opened >= budget)
            if pdf is None:
                left_out.append((doc.rel, why))
                continue
            stack.callback(pdf.close)
            opened += 1
            group.parts.append(Part(doc, pdf, len(pdf.pages)))
        groups.append(group)
    return groups


#: Why a clean source PDF that changed since it was checked is left out.
_CHANGED = (
    "damaged: {rel} changed while the dossier was being built (it is not what was checked); "
    "build again once it is saved"
)


def _changed(path: Path, doc: Document) -> bool:
    """True when the source file is no longer the size it was read at (or is gone)."""
    try:
        return path.stat().st_size != doc.bytes
    except OSError:
        return True


def _page_size(name: str | tuple[float, float]) -> tuple[float, float]:
    try:
        return page_size(name)
    except ValueError as exc:
        raise DossierError(str(exc)) from exc


def _merge(
    run: CheckRunLike,
    groups: list[Group],
    left_out: list[tuple[str, str]],
    size: tuple[float, float],
    stamp: bool,
    track: str | None,
    out_path: Path,
    write: Writer | None,
    hold: list[object] | None = None,
) -> tuple[int, int, list[Section], int]:
    from . import dossier_pdf as dp
    from . import front_child
    from .stamps import apply_stamp_set

    report = run.report
    out = pikepdf.Pdf.new()
    names: dict[str, Any] = {}
    if hold is not None:
        hold += [out, names]
    track_name = track or report.checklist.id
    who = f"{report.applicant} · " if report.applicant else ""
    shown = [(rel, why) for rel, why in left_out if why != UNCLASSIFIED_REASON]  # not private

    def draw() -> front_child.Drawn:
        pages = sum(p.pages for g in groups for p in g.parts)
        stamps = [f"{who}page {k} of {pages}" for k in range(1, pages + 1)] if stamp else []
        return front_child.draw(report, track_name, groups, shown, size, pages, stamps)

    with stage("start the child drawing the cover, index and stamps"):
        front_child.place(groups)  # where each document will be, for the child to draw
        beside = front_child.start(draw)
    try:
        with stage("merge pages, names, outlines"):
            _add_parts(out, groups, left_out, names)
        with stage("strip active content, share streams"):
            dp.strip_active_content(out.pages)
            dp.share_identical_streams(out.pages)
    except BaseException:
        if beside is not None:
            beside.stop()
        raise
    shown = [(rel, why) for rel, why in left_out if why != UNCLASSIFIED_REASON]
    with stage("cover and index" + (" (waiting for the child drawing them)" if beside else "")):
        drawn = beside.result(front_child.WAIT_SECONDS) if beside is not None else None
        if drawn is None or drawn.layout != front_child.layout_of(groups, shown):
            drawn = draw()  # in this process: no child, or the merge left a document out
        else:
            from .glyphs import record_missing

            record_missing(drawn.missing)
    with stage("stamps"):
        if drawn.stamps is not None:
            apply_stamp_set(out, 0, drawn.stamps)
    front_bytes, links = drawn.front, drawn.links
    with stage("front pages in, links, outline"):
        with pikepdf.Pdf.open(BytesIO(front_bytes)) as front:
            n_front = len(front.pages)
            for index, front_page in enumerate(front.pages):
                out.pages.insert(index, front_page)
        pages = list(out.pages)  # out.pages[i] copies the whole page list on every call
        for page, rect, target in links:
            dp.add_link(pages[page], rect, pages[n_front + target].obj)
        sections = _outline_and_sections(out, groups, n_front)
    total = len(out.pages)
    dp.set_page_labels(out, n_front, total)
    out.Root.Names = pikepdf.Dictionary(Dests=dp.name_tree(out, names))
    out.Root.PageMode = pikepdf.Name.UseOutlines
    name = report.applicant or ""
    out.docinfo = out.make_indirect(
        pikepdf.Dictionary(
            {
                "/Title": f"Application dossier{' — ' + name if name else ''}",
                "/Author": name,
                "/Subject": f"{report.checklist.title} "
                f"({report.checklist.id} {report.checklist.version})",
                "/Creator": f"img-dossier {__version__}",
                "/Producer": f"img-dossier {__version__} (pikepdf, reportlab)",
                OWN_OUTPUT_KEY: f"img-dossier {__version__}",
            }
        )
    )
    with stage("write"):
        size_bytes = _write_atomically(out, out_path, write)
    return total, size_bytes, sections, n_front


def _add_parts(
    out: pikepdf.Pdf,
    groups: list[Group],
    left_out: list[tuple[str, str]],
    names: dict[str, Any],
) -> None:
    """Each group's documents' pages into ``out``, their named destinations renamed per
    document into ``names``; a document qpdf cannot copy is left out, as damaged."""
    from . import dossier_pdf as dp

    renames: list[tuple[int, int, set[str], str]] = []  # (first page, pages, names, prefix)
    for number, group in enumerate(groups):
        kept: list[Part] = []
        for k, part in enumerate(group.parts):
            before = len(out.pages)
            try:
                known = dp.named_destinations(part.pdf)
                part.outline = dp.source_outline(part.pdf, known)
                out.pages.extend(part.pdf.pages)
                prefix = f"d{number}.{k}-"
                found: dict[str, Any] = {}
                if known:
                    dp.add_destinations(out, part.pdf, known, prefix, found)
            except Exception as exc:  # damaged beyond what qpdf recovers while copying
                del out.pages[before:]  # what was copied is unreferenced: not written
                left_out.append((part.doc.rel, f"damaged: {type(exc).__name__}: {exc}"))
                continue
            names.update(found)
            part.first = before
            part.pages = len(out.pages) - before
            kept.append(part)
            if known:
                renames.append((part.first, part.pages, set(known), prefix))
        group.parts = kept
    dp.rename_links_at(out, renames)


def _outline_and_sections(out: pikepdf.Pdf, groups: list[Group], n_front: int) -> list[Section]:
    """Outline (cover, items, documents, the documents' own outlines) and the sections."""
    from .dossier_pdf import outline_items, page_dest

    sections: list[Section] = []
    pages = list(out.pages)  # taken once: out.pages[i] copies the page list on every call
    with out.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Cover and index", page_dest(pages, 0)))
        for group in groups:
            if not group.parts:
                continue
            entry = pikepdf.OutlineItem(
                group.title, page_dest(pages, n_front + group.parts[0].first)
            )
            for part in group.parts:
                first = n_front + part.first
                doc_entry = pikepdf.OutlineItem(part.doc.rel, page_dest(pages, first))
                doc_entry.children.extend(outline_items(part.outline, first, pages))
                entry.children.append(doc_entry)
            outline.root.append(entry)
            sections.append(
                Section(
                    item=group.item.id if group.item is not None else None,
                    title=group.title,
                    documents=tuple(p.doc.rel for p in group.parts),
                    first_page=n_front + group.parts[0].first + 1,
                    last_page=n_front + group.parts[-1].first + group.parts[-1].pages,
                    ranges=tuple(
                        (n_front + p.first + 1, n_front + p.first + p.pages) for p in group.parts
                    ),
                )
            )
    return sections


def _save(pdf: pikepdf.Pdf, fh: BinaryIO) -> None:
    # the sources' streams are copied as they are: none is decoded in this process (an
    # LZW or run-length stream can inflate a thousandfold), and none is encoded again
    pdf.save(fh, stream_decode_level=pikepdf.StreamDecodeLevel.none)


def _write_atomically(pdf: pikepdf.Pdf, out: Path, write: Writer | None) -> int:
    """Temp file beside ``out``, fsync, rename (atomic.py: mode 0600, the dossier holds
    personal data); on any failure the temp goes and ``out`` stays."""
    try:
        with atomic_file(out) as fh:
            (write or _save)(pdf, fh)
    except OSError as exc:
        raise cannot_write(
            out, exc, "cannot write the dossier", "choose another path with -o"
        ) from exc
    return out.stat().st_size
