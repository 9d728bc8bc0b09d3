"""Read documents: format by content, pages, first-page text, size, sha256, problems.

Each file is read once, in a worker process with a wall-clock limit and a memory cap, so
that a hostile file costs one ``timeout`` or ``too-large`` problem, never the run. The
sha256 is computed here (streamed); a cache that knows it spares the parse.

Formats: ``pdf.py``, ``docx.py``, ``image.py``, ``text.py``; ``sniff.py`` tells the format
from the content, ``dispatch.py`` picks the reader, ``pool.py`` runs the workers.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, cast

from ..model import DOCUMENT_FORMATS, PROBLEM_CODES, Document, Problem, SourceFile
from .limits import DEFAULT_LIMITS as DEFAULT_LIMITS
from .limits import Limits as Limits

#: Bump when a reader changes what it returns, so that cached readings are not reused.
READER_VERSION = 3

#: Readings (and further pages) this process got that were not cached because they may
#: not recur (a timeout, a crash, a memory limit): checking/report_cache.py stores no
#: report built on one.
_transient = [0]


def transient_results() -> int:
    """How many readings of this process were not cacheable (see ``_transient``)."""
    return _transient[0]


def note_transient() -> None:
    """Count one reading that was not cacheable."""
    _transient[0] += 1


def reader_limits(*, ocr: bool = True) -> Limits:
    """The default limits, with OCR of scans on or off (``--no-ocr``)."""
    return DEFAULT_LIMITS if ocr else dataclasses.replace(DEFAULT_LIMITS, ocr=False)


class ReadCache(Protocol):
    """What read_documents needs of a cache (the storage is written elsewhere)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


def read_documents(
    files: Sequence[SourceFile],
    *,
    limits: Limits = DEFAULT_LIMITS,
    jobs: int | None = 1,
    cache: object | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Document]:
    """Read every file (in isolated workers), in the order given; never raises for a bad file.

    ``progress("reading documents", done, total)`` is called as each file is read.

    ``jobs`` is the most worker processes at once (None: one per CPU). ``cache`` has
    ``get(key) -> dict | None`` and ``put(key, dict)``; failures of the cache are ignored.
    """
    from .dispatch import failed_document, file_digest, unopenable_problem

    results: list[Document | None] = [None] * len(files)
    tasks: list[tuple[int, SourceFile, str, int, bool]] = []
    keys: dict[int, str] = {}
    first_of_key: dict[str, int] = {}
    repeats: list[tuple[int, int]] = []
    for index, source in enumerate(files):
        try:
            sha256, size, partial = file_digest(source.path, limits.max_bytes)
        except OSError as exc:
            results[index] = failed_document(source, "", source.size, unopenable_problem(exc))
            continue
        sized = dataclasses.replace(source, size=size)
        key = cache_key(sha256, sized, limits)
        keys[index] = key
        cached = _cache_get(cache, key, sized, sha256)
        if cached is not None:
            results[index] = cached
        elif key in first_of_key:
            repeats.append((index, first_of_key[key]))  # same content and extension: read once
        else:
            first_of_key[key] = index
            tasks.append((index, sized, sha256, size, partial))
    total = len(files)
    done = [total - len(tasks)]

    def one_read(_: object = None) -> None:
        done[0] += 1
        if progress is not None:
            progress("reading documents", done[0], total)

    if progress is not None and done[0]:
        progress("reading documents", done[0], total)
    # warm: no worker starts
    outcomes = _read_uncached(tasks, limits, jobs, one_read) if tasks else []
    for outcome in outcomes:
        results[outcome.index] = outcome.document
        if outcome.cacheable:
            _cache_put(cache, keys[outcome.index], outcome.document)
        else:
            note_transient()
    for index, first in repeats:
        doc = results[first]
        assert doc is not None
        source = files[index]
        results[index] = dataclasses.replace(doc, rel=source.rel, path=source.path)
    assert all(doc is not None for doc in results)
    return cast(list[Document], results)


#: OCR readings waiting before a second worker loads the OCR engine: a worker loads it
#: (imports and models: ~0.4 s of CPU, about one page's OCR) before its first scan, so a
#: few scans are read by the one worker that has it, while the others read the rest of the
#: folder; a worker with nothing else to read takes the engine up too when this many wait
#: for it. samples/scans (5 scans, ~4 s of OCR CPU) is read by two engines: ~0.35 s more
#: CPU (+6%, measured) than one, for two workers sharing the OCR where the CPUs are free;
#: a folder of one to four scans by one engine, while the other worker reads the rest.
#: A scan whose pages are all too small to hold text (``_light``) is not counted.
SCANS_PER_OCR_WORKER = 4

#: Formats whose reading may need OCR (a scan without a text layer).
_SCANNED_FORMATS = frozenset({"pdf", "jpeg", "png", "tiff", "heic"})
#: Formats that never have a text layer: read with OCR at once (their reading without it
#: would only find that).
_IMAGE_FORMATS = frozenset({"jpeg", "png", "tiff", "heic"})


def _read_uncached(
    tasks: Sequence[tuple[int, SourceFile, str, int, bool]],
    limits: Limits,
    jobs: int | None,
    on_read: Callable[[object], None],
) -> list[Any]:
    """Read what the cache did not have, in worker processes (started only now).

    With OCR on, images are read with OCR from the start, and every other file without it;
    a file that turns out to be a scan (no text layer) is read again with OCR as soon as it
    is found, by a worker that holds the OCR engine, while the other workers go on reading
    the folder (``schedule.Queue``). The engine is loaded by one worker for a few scans, by
    more only when scans wait for them; a worker that has it reads its other files with OCR
    on, so the scans it meets are read once.
    """
    from .dispatch import preload
    from .pool import Outcome, Task, read_in_workers
    from .sniff import extension_format

    preload({extension_format(source.rel) for _, source, _, _, _ in tasks}, ocr=limits.ocr)
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    if not limits.ocr:
        return list(read_in_workers([Task(*t) for t in tasks], limits, workers, on_read=on_read))
    by_index = {t[0]: t for t in tasks}

    def follow(outcome: Outcome) -> Task | None:
        if not _needs_ocr(outcome):
            return None
        return Task(*by_index[outcome.index], light=_light(outcome.document, limits))

    first = [Task(*t, ocr=extension_format(t[1].rel) in _IMAGE_FORMATS) for t in tasks]
    return list(
        read_in_workers(
            first,
            limits,
            workers,
            on_read=on_read,
            follow=follow,
            ocr_backlog=SCANS_PER_OCR_WORKER,
        )
    )


def _needs_ocr(outcome: Any) -> bool:
    """True for a reading without OCR that found no text in what may be a scan."""
    doc: Document = outcome.document
    return (
        not outcome.ocr
        and outcome.cacheable
        and doc.format in _SCANNED_FORMATS
        and any(p.code == "no-text" for p in doc.problems)
    )


#: A page whose shorter side is at least this many points is not looked at more closely
#: by _light (no page that size is too small for OCR; this spares the parent the import).
_SMALL_PAGE = 72.0


def _light(doc: Document, limits: Limits) -> bool:
    """True for a scan whose OCR will find every page too small to hold text (it costs a
    render, no detection: ``schedule.Queue`` does not count it as OCR work waiting)."""
    sizes = doc.info.get("page_sizes")
    if doc.format != "pdf" or not isinstance(sizes, list) or not sizes:
        return False
    first = sizes[: limits.ocr_pages]
    try:
        if any(min(float(w), float(h)) >= _SMALL_PAGE for w, h in first):
            return False
    except (TypeError, ValueError):
        return False
    from .scans import needs_no_detection

    return needs_no_detection(first)


def read_one(source: SourceFile, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read one file in this process (the worker's job); never raises for a bad file.

    No wall-clock limit applies here; read_documents adds it.
    """
    from .dispatch import (
        failed_document,
        file_digest,
        memory_problem,
        read_source,
        reader_failed,
        unopenable_problem,
    )

    try:
        sha256, size, partial = file_digest(source.path, limits.max_bytes)
    except OSError as exc:
        return failed_document(source, "", source.size, unopenable_problem(exc))
    try:
        return read_source(source, sha256, size, limits, partial=partial)
    except MemoryError:
        return failed_document(source, sha256, size, memory_problem(limits))
    except Exception as exc:  # a reader bug: this file fails, the caller goes on
        return failed_document(source, sha256, size, reader_failed(exc))


def cache_key(sha256: str, source: SourceFile, limits: Limits) -> str:
    """The cache key of a reading: content, what the extension promises, and the limits."""
    from .sniff import extension_format

    named = extension_format(source.rel) or "-"
    bounds = (
        f"{limits.text_pages}.{limits.max_pixels}.{limits.max_bytes}.{limits.max_zip_bytes}"
        f".{limits.max_zip_ratio}.{limits.max_zip_members}"
    )
    if limits.ocr:
        from .ocr_tag import cache_tag

        bounds += f".ocr{limits.ocr_pages}.{cache_tag().replace(' ', '-')}"
    else:
        bounds += ".no-ocr"
    partial = f":{source.size}" if source.size > limits.max_bytes else ""
    return f"{sha256}:{named}:r{READER_VERSION}:{bounds}{partial}"


def document_to_cache(doc: Document) -> dict[str, Any]:
    """What a cache stores of a reading (JSON-able): format, pages, text, problems, info."""
    return {
        "format": doc.format,
        "pages": doc.pages,
        "text": doc.text,
        "problems": [p.to_json() for p in doc.problems],
        "info": _plain(dict(doc.info)),
    }


def document_from_cache(d: Mapping[str, Any], source: SourceFile, sha256: str) -> Document:
    """The Document for source from a cached reading; ValueError when the entry is garbage."""
    if not isinstance(d, Mapping):
        raise ValueError("cache entry is not a mapping")
    fmt, pages, text, info = d.get("format"), d.get("pages"), d.get("text"), d.get("info")
    if fmt is not None and fmt not in DOCUMENT_FORMATS:
        raise ValueError(f"cache entry: unknown format {fmt!r}")
    if pages is not None and (isinstance(pages, bool) or not isinstance(pages, int)):
        raise ValueError("cache entry: pages is not an integer")
    if not isinstance(text, str) or not isinstance(info, Mapping):
        raise ValueError("cache entry: text or info of the wrong type")
    raw_problems = d.get("problems")
    if not isinstance(raw_problems, list):
        raise ValueError("cache entry: problems is not a list")
    problems = tuple(_problem(p) for p in raw_problems)
    return Document(
        rel=source.rel,
        path=source.path,
        format=fmt,
        bytes=source.size,
        sha256=sha256,
        pages=pages,
        text=text,
        problems=problems,
        info=dict(info),
    )


def _problem(raw: object) -> Problem:
    if not isinstance(raw, Mapping):
        raise ValueError("cache entry: a problem is not a mapping")
    code, severity, message = raw.get("code"), raw.get("severity"), raw.get("message")
    if code not in PROBLEM_CODES or severity not in ("error", "warning"):
        raise ValueError("cache entry: unknown problem code or severity")
    if not isinstance(message, str):
        raise ValueError("cache entry: problem message is not text")
    return Problem(str(code), "error" if severity == "error" else "warning", message)


def _cache_get(cache: object | None, key: str, source: SourceFile, sha256: str) -> Document | None:
    if cache is None:
        return None
    try:
        entry = cast(ReadCache, cache).get(key)
        if entry is None:
            return None
        return document_from_cache(entry, source, sha256)
    except Exception:  # a broken cache is a miss, never a failure of the run
        return None


def _cache_put(cache: object | None, key: str, doc: Document) -> None:
    if cache is None:
        return
    try:
        cast(ReadCache, cache).put(key, document_to_cache(doc))
    except Exception:  # a cache that cannot store is ignored
        return


def _plain(value: Any) -> Any:
    """Tuples become lists, recursively, so that a cache round trip returns the same info."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
