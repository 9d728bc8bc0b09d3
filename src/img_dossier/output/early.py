"""Preparing a folder's documents while the folder is being checked (issue 13: overlap).

``build`` checks a folder (reading, OCR of scans, classification, facts), then prepares
each document that goes into the dossier (``prepare``: convert, check, repair). That
second step needs only a file's bytes and format, not the check's verdict. So, before the
check, ``build`` forks one child process that prepares every file of the folder at a low
priority (``nice``): it runs on the CPU the check leaves idle (the console process
classifying on one core, the ends of the reading phases) and gives way to the check's own
workers.

After the check, ``build`` stops the child and takes its results for the documents that go
into the dossier, matched by path, sha256 and format: the same bytes read as the same
format are prepared the same way, so a match is what ``prepare`` would have made. Every
other document is prepared as before, in the readers' workers under their limits. Nothing
the child made is used unmatched, and it decides nothing: a failure, an exception, a file
over the limits, a document it had not reached, all go the ordinary way. The dossier is the
same with or without it.

The child holds no lock of the cache and writes nothing but its own results into a private
temporary folder; it runs under the workers' memory cap and is killed when stopped (and
with its parent). Only where the readers' workers fork (Linux): a spawned child would
import everything again; elsewhere ``start`` returns None and ``build`` is as before.
Word files are left to the ordinary path when LibreOffice is installed (a killed child
must not leave a LibreOffice process behind). ``IMG_DOSSIER_EARLY_PREPARE=0`` turns it off.

The child is started before the console process loads the check and the PDF libraries, so
it works on the core that loading leaves idle; it loads only what preparing needs.

A build that ends well remembers each file of the folder by size and modification time
(``remember``). The next build of that folder gives the child only the files that differ,
and starts no child when none does (a warm build: everything is in the cache already).
This decides only what the child looks at: what the build uses is still matched by sha256.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..readers import Limits
from .prepare import Prepared

#: How much lower than the check the child runs (nice 5: about a quarter of a core the check
#: wants; all of an idle one).
NICENESS = 5

#: The file of results in the child's folder: one pickled ``Early`` after another.
_RESULTS = "early-results.bin"


@dataclass(frozen=True)
class Early:
    """What the child made of one file: its ``Prepared`` for that content and format."""

    rel: str
    sha256: str
    format: str
    prepared: Prepared


class EarlyPrepare:
    """The running child; ``take`` stops it and returns what it finished."""

    def __init__(self, process: Any, work: Path) -> None:
        self.process = process
        self.work = work
        self.taken: dict[str, Early] | None = None

    def take(self) -> dict[str, Early]:
        """Stop the child (if still working) and return its results by rel path."""
        if self.taken is None:
            self.stop()
            self.taken = _load(self.work / _RESULTS)
        return self.taken

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self.process.kill()
        with contextlib.suppress(OSError, ValueError, AssertionError):
            self.process.join(5.0)


def enabled() -> bool:
    """True where the readers' workers fork and the user has not turned it off."""
    from ..readers import isolation

    if os.environ.get("IMG_DOSSIER_EARLY_PREPARE", "").strip() in ("0", "no", "off"):
        return False
    return isolation.start_method() == "fork" and (os.cpu_count() or 1) > 1


#: Fewest files worth a child: a smaller folder is checked too soon for the child to
#: finish much, and its own imports are then most of its work (bench/run.py: 0.99x the
#: wall time at 53 pages, 35 files, idle; more CPU and wall time under load).
MIN_FILES = 64


def forced() -> bool:
    """``IMG_DOSSIER_EARLY_PREPARE=1``: the child is started whatever the folder."""
    return os.environ.get("IMG_DOSSIER_EARLY_PREPARE", "").strip() in ("1", "yes", "on")


@contextlib.contextmanager
def early_prepare(
    folder: Path,
    size: tuple[float, float],
    limits: Limits,
    cache: object | None,
    skip: Path | None = None,
    min_files: int = 1,
) -> Iterator[EarlyPrepare | None]:
    """Start the child preparing ``folder``'s files (None where it is not used, or where
    fewer than ``min_files`` files changed since the last build remembered them); at the end
    the child is stopped and its folder removed."""
    if not enabled():
        yield None
        return
    files = _changed_files(folder, size, cache, limits, skip)
    if not files or len(files) < min_files:
        yield None
        return
    import multiprocessing

    with tempfile.TemporaryDirectory(prefix="img-dossier-early-") as tmp:
        work = Path(tmp)
        for stream in (sys.stdout, sys.stderr):  # a child must not flush our buffers again
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()
        context = multiprocessing.get_context("fork")
        process = context.Process(
            target=_child,
            args=(files, work, size, limits, cache, os.getpid()),
            daemon=True,
        )
        try:
            process.start()
        except OSError:  # no process can be started: build prepares everything itself
            yield None
            return
        handle = EarlyPrepare(process, work)
        try:
            yield handle
        finally:
            handle.stop()


def _load(path: Path) -> dict[str, Early]:
    """The results the child wrote (a last record cut short by the kill is dropped)."""
    found: dict[str, Early] = {}
    try:
        with path.open("rb") as fh:
            while True:
                try:
                    record = pickle.load(fh)
                except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
                    break
                if isinstance(record, Early):
                    found[record.rel] = record
    except OSError:
        return {}
    return found


# -- in the child --------------------------------------------------------------------------


def _child(
    files: list[Any],
    work: Path,
    size: tuple[float, float],
    limits: Limits,
    cache: object | None,
    parent: int,
) -> None:
    """Prepare each of ``files`` in turn and append its result to the results file."""
    try:
        from ..readers.quiet import silence_for_good

        silence_for_good()
        _settle(limits, parent)
        with (work / _RESULTS).open("ab") as out:
            for n, (doc, fmt) in enumerate(_candidates(files, size, limits, cache)):
                ready = _prepare(doc, work / f"{n}.pdf", size, limits)
                if ready is not None:
                    pickle.dump(Early(doc.rel, doc.sha256, fmt, ready), out)
                    out.flush()
    except BaseException:  # the child's failure costs the build nothing: it prepares the rest
        pass
    os._exit(0)  # no exit handlers of the parent's run here


def _settle(limits: Limits, parent: int) -> None:
    """Die with the parent, leave Ctrl-C to it, run low, under the workers' memory cap."""
    from ..readers import isolation

    isolation.die_with_parent(parent)
    isolation.child_signals()  # Ctrl-C is the parent's to handle
    with contextlib.suppress(OSError, AttributeError):
        os.nice(NICENESS)
    if isolation.memory_guard() == "rlimit":
        isolation.cap_address_space(limits.worker_memory_mb)


def _prepare(doc: Any, dst: Path, size: tuple[float, float], limits: Limits) -> Prepared | None:
    import time

    from .prepare import prepare_one

    started = time.monotonic()
    try:
        ready = prepare_one(doc, dst, size, limits.seconds)
    except Exception:  # the ordinary path prepares it, in a worker, and says why it failed
        return None
    if time.monotonic() - started > limits.seconds:
        return None  # over a worker's time limit: the ordinary path decides (``timeout``)
    if ready.path is None and not ready.why.startswith("damaged: "):
        return None  # only what does not depend on time or memory is taken as it is
    return ready


def _candidates(
    files: list[Any],
    size: tuple[float, float],
    limits: Limits,
    cache: object | None,
) -> Iterator[tuple[Any, str]]:
    """(a Document as the readers would make it for preparing, its format) for each file
    that is not prepared yet in the cache."""
    from ..model import Document
    from ..readers.dispatch import file_digest
    from .conversions import cached_conversion
    from .prepare import cached_verdict

    # conversions first (one image or Word file is a long job of its own), then the PDFs
    for source in sorted(files, key=lambda f: (f.rel.lower().endswith(".pdf"), f.rel)):
        try:  # first: it refuses what is not a regular file (a FIFO is never waited on)
            sha256, length, partial = file_digest(source.path, limits.max_bytes)
        except OSError:
            continue
        fmt = None if partial else _format(source.path, source.rel)
        if fmt is None:
            continue
        doc = Document(
            rel=source.rel, path=source.path, format=fmt, bytes=length, sha256=sha256, pages=None
        )
        if fmt == "pdf":
            if cached_verdict(doc, size, cache) is not None:
                continue
        elif cached_conversion(doc, size, cache) is not None:
            continue
        yield doc, fmt


def _real(path: Path) -> str:
    return os.path.realpath(path)


# -- what changed since the last build -----------------------------------------------------

#: Bump when what ``remember`` keeps changes.
_INDEX_VERSION = 1


def _index_key(folder: Path, size: tuple[float, float]) -> str:
    import hashlib

    where = hashlib.sha256(os.fsencode(_real(folder))).hexdigest()[:32]
    return f"early-index:{_INDEX_VERSION}:{where}:{size[0]:.2f}x{size[1]:.2f}"


def _stamp(path: Path) -> list[int] | None:
    """[size, modification time in ns] of a file, or None."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _changed_files(
    folder: Path,
    size: tuple[float, float],
    cache: object | None,
    limits: Limits,
    skip: Path | None,
) -> list[Any]:
    """The folder's files the child may prepare (not empty, within the size limit, not the
    output) that the last build of this folder did not remember as they are now."""
    from ..readers.scan import scan

    try:
        files = scan(folder).files
    except Exception:  # the check says what is wrong with the folder
        return []
    skipped = _real(skip) if skip is not None else None
    known: dict[str, Any] = {}
    if cache is not None and hasattr(cache, "get"):
        with contextlib.suppress(Exception):  # a broken cache: every file is new
            found = cache.get(_index_key(folder, size))
            if isinstance(found, dict) and isinstance(found.get("files"), dict):
                known = found["files"]
    return [
        f
        for f in files
        if 0 < f.size <= limits.max_bytes
        and not (skipped is not None and _real(f.path) == skipped)
        and (f.rel not in known or known[f.rel] != _stamp(f.path))
    ]


def remember(
    folder: Path,
    size: tuple[float, float],
    cache: object | None,
    files: list[tuple[str, Path]],
) -> None:
    """Keep the size and modification time of ``files`` (rel, path): a build whose files
    are all as remembered starts no child. Failures are ignored."""
    if cache is None or not hasattr(cache, "put"):
        return
    stamps = {rel: stamp for rel, path in files if (stamp := _stamp(path)) is not None}
    with contextlib.suppress(Exception):  # a cache that cannot store is ignored
        cache.put(_index_key(folder, size), {"files": stamps})


#: Formats this child prepares (Word only with the built-in renderer, see the docstring).
_IMAGES = frozenset({"pdf", "jpeg", "png", "tiff", "heic"})
_TEXT_KINDS = frozenset({"text", "html", "xml"})


def _format(path: Path, rel: str) -> str | None:
    """The format the readers will give this file, as far as its first bytes tell (a wrong
    guess costs only time: the result is then not matched)."""
    from ..readers.sniff import extension_format, sniff_file
    from .libreoffice import soffice_path

    try:
        kind = sniff_file(path)
    except OSError:
        return None
    named = extension_format(rel)
    if kind in _IMAGES:
        return kind
    if kind == "docx" or (named == "docx" and kind == "zip"):
        return "docx" if soffice_path() is None else None
    if named in ("txt", "md") and kind in _TEXT_KINDS:
        return named
    return None
