"""The check pipeline: folder -> scan -> read -> classify -> facts -> verify -> Report.

``run_check`` is what ``dossier check``, ``build``, ``audit`` and ``pack`` all start from.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from .. import __version__, collector
from ..config import track_facts as tracks_data
from ..config import validated
from ..config.checklist import Checklist, load_with_files, resolve
from ..config.profile import PROFILE_NAME, Profile, parse_profile, read_yaml
from ..errors import BadInputError
from ..facts import document as facts
from ..model import OWN_OUTPUT_KEY, ChecklistRef, Document, Problem, Report
from ..own_output import previous_outputs
from ..pathtext import resolved
from ..progress import ProgressCallback
from ..readers import DEFAULT_LIMITS, Limits, read_documents
from ..readers.cache import memoized
from ..readers.scan import scan
from .classify import classify, ignored_by_manifest, manifest_match
from .more_pages import read_further
from .verify import verify


@dataclass(frozen=True)
class CheckRun:
    """A checked folder: the report and what it was judged against."""

    report: Report
    checklist: Checklist
    profile: Profile
    folder: Path
    #: The configuration files the run read (dossier.yaml, the checklist and its bases).
    config_files: tuple[Path, ...] = ()


def pick_track(folder: Path, raw: Any, track: str | None) -> tuple[str, Path | None]:
    """(checklist reference, the folder it is relative to): --track wins over dossier.yaml."""
    if track:
        looks_like_path = "/" in track or "\\" in track or track.endswith((".yaml", ".yml"))
        if looks_like_path and Path(track).is_file():  # relative to where the user is
            return str(Path(track).resolve()), None
        return track, folder
    if isinstance(raw, Mapping) and isinstance(raw.get("track"), str) and raw["track"].strip():
        return raw["track"].strip(), folder
    names = tracks_data.track_ids()  # checklists/tracks.yaml
    raise BadInputError(
        f"{folder}: no track to check against: pass "
        f"{tracks_data.either([f'--track {t}' for t in names])}, "
        f"or run `dossier init {folder} --track {'|'.join(names)}` to write {PROFILE_NAME}"
    )


def load_context(folder: Path, track: str | None = None) -> tuple[Checklist, Profile]:
    """The checklist and the validated profile of a folder (BadInputError when unusable).

    What validation returned is kept between runs (config/validated.py) while dossier.yaml
    and the checklist files are byte for byte the same; then no model is imported."""
    checklist, profile, _ = load_context_with_files(folder, track)
    return checklist, profile


def load_context_with_files(
    folder: Path, track: str | None = None
) -> tuple[Checklist, Profile, tuple[Path, ...]]:
    """``load_context``, and the configuration files read (dossier.yaml, a --track path,
    the checklist and its bases)."""
    if not folder.exists():
        raise BadInputError(f"{folder}: no such folder; give the folder that holds your documents")
    if not folder.is_dir():
        raise BadInputError(f"{folder}: not a folder; give the folder that holds your documents")
    path = folder / PROFILE_NAME
    if path.exists() and not path.is_file():
        raise BadInputError(
            f"{path}: not a file; {PROFILE_NAME} must be a YAML file "
            "(move the folder away, then run `dossier init` to write one)"
        )
    key = f"{folder.resolve()}\0{track}\0{Path.cwd() if track else ''}"

    def build() -> tuple[tuple[Profile, str, str], list[Path]]:
        profile, ref, relative_to, files = _load_context(folder, path, track)
        if track:  # a --track path is looked for from here first: its absence counts too
            files.append(Path(track).resolve())
        return (profile, ref, str(relative_to or "")), [path.resolve(), *files]

    # the entry holds the profile and where its checklist is (kept apart, once for all folders)
    (profile, ref, relative_to), read = validated.cached_with_files("context", key, build, tuple)
    if not (isinstance(profile, Profile) and isinstance(ref, str) and isinstance(relative_to, str)):
        profile, ref, relative, _ = _load_context(folder, path, track)
        relative_to = str(relative or "")
        read = (path.resolve(),)
    checklist, files = load_with_files(ref, Path(relative_to) if relative_to else None)
    return checklist, profile, (*read, *files)


def _load_context(
    folder: Path, path: Path, track: str | None
) -> tuple[Profile, str, Path | None, list[Path]]:
    """load_context's work: the profile, the checklist's reference and the folder it is
    relative to, and the checklist files read."""
    raw = read_yaml(path) if path.is_file() else None
    if raw is not None and not isinstance(raw, Mapping):
        parse_profile(raw, name=str(path), path=path)  # raises, saying what the file must be
    try:
        ref, relative_to = pick_track(folder, raw, track)
    except BadInputError:
        if raw is not None:  # a misspelt key (trak: us) is named before the missing track
            parse_profile(raw, name=str(path), path=path)
        raise
    if track is None:  # the track came from dossier.yaml: name the file and the field
        try:
            resolve(ref, relative_to)
        except BadInputError as exc:
            raise BadInputError(f"{path}: track: {exc}") from None
    # its rules are validated as it loads (exit 3, up front)
    checklist, files = load_with_files(ref, relative_to)
    if path.is_file():
        profile = parse_profile(raw, name=str(path), path=path, item_ids=lambda: checklist.item_ids)
    else:
        profile = Profile()
    # Conditions on "track" are decided on the checklist actually used.
    return dataclasses.replace(profile, track=checklist.track), ref, relative_to, list(files)


def outside_document(folder: Path, rel: str, target: str) -> Document:
    """A link that leaves the folder, as a document with an ``outside-folder`` error."""
    if Path(target).is_dir():
        fix = "Move (or copy) the files it holds into the folder itself, then remove the link"
    else:
        fix = "Copy the document itself into the folder"
    return Document(
        rel=rel,
        path=folder / rel,
        format=None,
        bytes=0,
        sha256="",
        problems=(
            Problem(
                "outside-folder",
                "error",
                f"{rel}: a link to {target}, outside the folder; not followed. {fix}",
            ),
        ),
    )


#: Files one reader worker takes before a second pays for its start: a worker costs ~40 ms
#: of CPU to start (fork, first touch of the inherited memory) and reading a text PDF ~5 ms,
#: so a folder of a few dozen files is read sooner in CPU, and about as soon in wall time,
#: by one worker (bench/run.py, check --no-ocr at 53 pages).
FILES_PER_WORKER = 64


def reading_workers(files: int, jobs: int | None, *, ocr: bool) -> int:
    """How many reader workers read ``files`` files: ``jobs`` (default: one per CPU), never
    more than the files; without OCR, one per FILES_PER_WORKER files. With OCR on, a scan's
    OCR is the run's cost and the workers are the readers' to schedule (a second worker
    reads the rest of the folder while one reads the scans)."""
    workers = max(1, min(jobs or os.cpu_count() or 1, files or 1))
    if ocr or jobs is not None:
        return workers
    return max(1, min(workers, -(-files // FILES_PER_WORKER)))


#: Formats people keep documents in that the readers do not take, and the way out of each.
_UNREAD_FORMATS = {
    ".doc": ("an old Word document (.doc)", "open it in Word and save it as .docx or PDF"),
    ".odt": ("an OpenDocument text", "save it as .docx or PDF"),
    ".rtf": ("an RTF document", "save it as .docx or PDF"),
    ".pages": ("a Pages document", "export it as PDF"),
    ".webp": ("a WebP image", "save it as JPEG, PNG or PDF"),
    ".gif": ("a GIF image", "save it as JPEG, PNG or PDF"),
    ".bmp": ("a BMP image", "save it as JPEG, PNG or PDF"),
    ".xps": ("an XPS document", "print it to PDF"),
    ".zip": ("a ZIP archive", "unpack it into the folder"),
}


def _unread_notes(ignored: Iterable[str]) -> list[str]:
    """A note for each ignored file whose name says a document format the tool cannot read."""
    notes: list[str] = []
    for rel in ignored:
        known = _UNREAD_FORMATS.get(PurePosixPath(rel).suffix.lower())
        if known is not None:
            kind, fix = known
            notes.append(
                f"{rel}: {kind}, a format this tool does not read; if it is one of your "
                f"documents, {fix} and replace the file"
            )
    return notes


def _own_docx(doc: Document, cache: object | None) -> bool:
    """True for a Word file this tool wrote (a letter): its core properties carry the mark
    (kept in the cache by the file's content: a warm run opens no Word file)."""
    if doc.format != "docx" or not doc.readable:
        return False
    found = memoized(
        cache,
        "own-docx",
        (sys.modules[__name__],),
        f"{doc.sha256}:{doc.bytes}",
        lambda: {"own": _marked_docx(doc)},
    )
    return found.get("own") is True


def _marked_docx(doc: Document) -> bool:
    import zipfile  # only for Word files

    try:
        with zipfile.ZipFile(doc.path) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > 65_536:
                return False
            return OWN_OUTPUT_KEY.lstrip("/").encode() in archive.read(info)
    except Exception:  # not ours to judge: the reader has said what is wrong with it
        return False


def _unlisted_outside(doc: Document) -> Document:
    """A link out of the folder that its name does not classify is reported once, as
    ``outside-folder`` (which says what to do), not also as ``unclassified``."""
    codes = {p.code for p in doc.problems}
    if "outside-folder" not in codes or "unclassified" not in codes:
        return doc
    return doc.replace(problems=tuple(p for p in doc.problems if p.code != "unclassified"))


def _is_pack_copy(doc: Document) -> bool:
    """True for a PDF ``dossier pack`` wrote (its marker says so, as its reader found it in
    a worker process): a copy of a user document."""
    return doc.info.get("own_output_pack") is True


def _keep_own_outputs(docs: Iterable[Document]) -> list[Document]:
    """Documents without the tool's own outputs: dossiers and letters are left out, and so is
    a pack folder's PDF its manifest.json lists; a pack PDF anywhere else counts (it is a copy
    of the user's document), with ``info["pack_copy"]``."""
    listed: dict[Path, set[Path]] = {}
    kept: list[Document] = []
    for d in docs:
        if d.info.get("own_output"):
            if not _is_pack_copy(d):
                continue
            folder = d.path.parent
            if folder not in listed:
                listed[folder] = previous_outputs(folder)
            if resolved(d.path) in listed[folder]:
                continue
            d = d.replace(info={**d.info, "own_output": False, "pack_copy": True})
        kept.append(d)
    return kept


def _unmatched_files(profile: Profile, rels: list[str], folder: Path) -> list[str]:
    """A note for each dossier.yaml ``files:`` entry that matches no file (a misspelt name)."""
    return [
        f'dossier.yaml files: "{pattern}" matches no file in {folder}; check its spelling '
        "(paths are relative to the folder, with / between folders)"
        for pattern, target in profile.files.items()
        if not any(manifest_match(rel, {pattern: target}) for rel in rels)
    ]


def _with_facts(doc: Document, checklist: Checklist, profile: Profile, cache: object) -> Document:
    """The document with the facts its item carries (unclassified documents too: the
    translation rule looks for certification statements)."""
    if not (doc.readable and (doc.item is not None or doc.has_text)):
        return doc
    carries = facts.carried_facts(checklist, doc.item)
    return doc.replace(facts=dict(facts.extract(doc, profile, cache=cache, carries=carries)))


def run_check(
    folder: Path,
    *,
    track: str | None = None,
    as_of: date | None = None,
    strict: bool = False,
    expiring_within: int = 90,
    jobs: int | None = None,
    cache: object | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
) -> CheckRun:
    """Check one applicant folder against its checklist; never raises for a bad document.

    ``progress(stage, done, total)`` is told of each document read (see ``progress``).
    """
    folder = Path(folder)
    checklist, profile, config_files = load_context_with_files(folder, track)
    when = as_of or date.today()

    found = scan(folder)
    skipped = ignored_by_manifest((f.rel for f in found.files), profile)
    files = [f for f in found.files if f.rel not in skipped]
    workers = reading_workers(len(files), jobs, ocr=limits.ocr)
    read = read_documents(files, limits=limits, jobs=workers, cache=cache, progress=progress)
    collector.settle()  # start-up is over (readers.dispatch.preload settles before a fork)
    docs = [
        d
        for d in _keep_own_outputs(read)
        # a letter this tool wrote counts only when dossier.yaml files: names it
        if not (_own_docx(d, cache) and manifest_match(d.rel, profile.files) is None)
    ]
    docs += [outside_document(folder, rel, target) for rel, target in found.outside]
    docs.sort(key=lambda d: d.rel)

    classified = [_unlisted_outside(d) for d in classify(docs, checklist, profile)]
    with_facts = [_with_facts(d, checklist, profile, cache) for d in classified]
    judge = functools.partial(
        verify,
        checklist,
        profile,
        as_of=when,
        expiring_within=expiring_within,
        strict=strict,
        facts_read=True,
    )
    result = judge(with_facts)
    further = read_further(
        checklist,
        with_facts,
        result.documents,
        limits=limits,
        jobs=workers,
        cache=cache,
        progress=progress,
    )
    if further:  # a rule lacked a fact its item's further pages may hold: judged again
        with_facts = [
            _with_facts(further[d.rel], checklist, profile, cache) if d.rel in further else d
            for d in with_facts
        ]
        result = judge(with_facts)
    report = Report(
        folder=str(folder),
        checklist=ChecklistRef(checklist.id, checklist.title, checklist.version),
        as_of=when,
        applicant=profile.applicant.full_name,
        items=result.items,
        documents=result.documents,
        ignored=tuple(sorted({*found.ignored, *skipped})),
        notes=(
            *result.notes,
            *_unmatched_files(profile, [f.rel for f in found.files], folder),
            *_unread_notes(found.ignored),
        ),
        strict=strict,
        tool_version=__version__,
        steps=result.steps,
    )
    return CheckRun(
        report=report,
        checklist=checklist,
        profile=profile,
        folder=folder,
        config_files=config_files,
    )
