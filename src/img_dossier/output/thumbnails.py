"""Small pictures of each document's first page, as ``data:`` URIs for the HTML report.

PDF pages are rendered with pypdfium2 (PDFium, the engine of Chrome's viewer); photos
and scans are decoded at reduced size with Pillow (JPEG draft mode) and downscaled.
Every document is untrusted, so rendering runs in a child process isolated like the
readers' workers (``readers.isolation``: the memory cap of each system, death with its
parent) under the readers' limits (``readers.Limits``: the per-file wall clock and memory):
a page that hangs or eats memory loses its thumbnail, never the report. Word and text files
get none (they would need converting first); the report shows their format instead.
"""

from __future__ import annotations

import base64
import contextlib
import io
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..model import Document
from ..readers import DEFAULT_LIMITS, Limits, isolation

#: Longest side of a thumbnail, in CSS pixels; rendered at twice that for sharp screens.
THUMB_PX = 150
_RENDER_PX = 2 * THUMB_PX
_JPEG_QUALITY = 60

#: Formats that get a thumbnail.
RENDERED_FORMATS = frozenset({"pdf", "jpeg", "png", "tiff"})

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Job:
    rel: str
    path: Path
    format: str


def wanted(docs: Iterable[Document]) -> list[Document]:
    """The documents a thumbnail is made for: readable PDFs and images."""
    return [d for d in docs if d.format in RENDERED_FORMATS and d.readable and d.bytes > 0]


def thumbnails(
    docs: Sequence[Document],
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> dict[str, str]:
    """``{rel: "data:image/jpeg;base64,..."}`` for every document that could be drawn.

    ``progress(done, total)`` is called after each document.
    """
    jobs = [_Job(d.rel, d.path, d.format or "") for d in wanted(docs)]
    out: dict[str, str] = {}
    if not jobs:
        return out
    if multiprocessing.current_process().daemon:  # a daemon may not start processes
        for n, job in enumerate(jobs, 1):
            data = _render_safely(job, limits)
            if data:
                out[job.rel] = _uri(data)
            if progress:
                progress(n, len(jobs))
        return out
    pending = list(jobs)
    done = 0
    while pending:
        results, pending = _run_child(pending, limits)
        for rel, data in results:
            done += 1
            if data:
                out[rel] = _uri(data)
            if progress:
                progress(done, len(jobs))
    return out


def _uri(data: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def _context() -> Any:
    return multiprocessing.get_context(isolation.start_method())


def _run_child(
    jobs: list[_Job], limits: Limits
) -> tuple[list[tuple[str, bytes | None]], list[_Job]]:
    """Render ``jobs`` in one child; on a hang or a crash, that job gets no thumbnail and the
    jobs after it are returned to be rendered by a fresh child."""
    ctx = _context()
    parent_end, child_end = ctx.Pipe(duplex=False)
    guard = isolation.Guard(isolation.memory_guard(), limits.memory_mb)
    child = ctx.Process(
        target=_serve, args=(child_end, jobs, limits, os.getpid(), guard.kind), daemon=True
    )
    child.start()
    child_end.close()
    if child.pid is not None:
        guard.attach(child.pid)
    results: list[tuple[str, bytes | None]] = []
    try:
        for k, job in enumerate(jobs):
            if not _answered(parent_end, child.pid, guard, limits.seconds):
                results.append((job.rel, None))  # too slow or too big: stop the child
                return results, jobs[k + 1 :]
            try:
                rel, data = parent_end.recv()
            except (EOFError, OSError):  # the child died (memory cap, a crash in PDFium)
                results.append((job.rel, None))
                return results, jobs[k + 1 :]
            results.append((rel, data))
        return results, []
    finally:
        parent_end.close()
        if child.is_alive():
            child.kill()
        child.join(5)
        guard.close()


def _answered(conn: Connection, pid: int | None, guard: isolation.Guard, seconds: float) -> bool:
    """Whether the child answers within ``seconds`` (False: too slow, or over the memory cap
    as the watchdog of macOS sees it)."""
    deadline = time.monotonic() + seconds
    step = isolation.WATCHDOG_INTERVAL if guard.samples else seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if conn.poll(min(step, left)):
            return True
        if guard.samples and pid is not None and guard.over(pid):
            return False


def _serve(conn: Connection, jobs: Sequence[_Job], limits: Limits, parent: int, guard: str) -> None:
    if guard == "rlimit":
        isolation.cap_address_space(limits.memory_mb)
    isolation.die_with_parent(parent)
    isolation.child_signals()
    with contextlib.suppress(OSError):  # PDFium's own complaints are not the user's business
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    for job in jobs:
        conn.send((job.rel, _render_safely(job, limits)))
    conn.close()
    sys.exit(0)


def _render_safely(job: _Job, limits: Limits) -> bytes | None:
    try:
        if job.format == "pdf":
            return _pdf(job.path)
        return _image(job.path, limits)
    except Exception:  # a page that cannot be drawn has no thumbnail; the report says the rest
        return None


def _jpeg(image: object) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    return buf.getvalue()


def _pdf(path: Path) -> bytes | None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        if len(pdf) == 0:
            return None
        page = pdf[0]
        width, height = page.get_size()
        longest = max(width, height, 1.0)
        bitmap = page.render(scale=_RENDER_PX / longest)
        return _jpeg(bitmap.to_pil())
    finally:
        pdf.close()


def _image(path: Path, limits: Limits) -> bytes | None:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    with Image.open(path) as image:
        image.draft("RGB", (_RENDER_PX, _RENDER_PX))  # JPEG: decode at 1/2..1/8 size
        image.seek(0)
        small = ImageOps.exif_transpose(image) or image
        small.thumbnail((_RENDER_PX, _RENDER_PX))
        return _jpeg(small)
