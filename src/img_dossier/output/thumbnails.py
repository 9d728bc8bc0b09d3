"""First-page thumbnails (PNG) of documents, rendered under the per-file limits.

Rendering runs a full PDF engine (PDFium) over an untrusted document, so it is a job in the
readers' worker processes like reading and converting: a page that takes past the time
limit or the memory cap gives ``timeout`` or ``too-large``, one PDFium cannot open
``damaged``, and the other thumbnails are still made. Images are thumbnailed by Pillow.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import Problem
from ..readers import DEFAULT_LIMITS, Limits

#: Widest thumbnail drawn (pixels); the height follows the page.
MAX_WIDTH = 1024


@dataclass(frozen=True)
class Thumbnail:
    """A PNG of the first page (``png``), or the problem that stopped it."""

    png: bytes | None
    problem: Problem | None = None


def thumbnails(
    paths: Sequence[Path],
    *,
    width: int = 200,
    limits: Limits = DEFAULT_LIMITS,
    jobs: int | None = None,
) -> list[Thumbnail]:
    """One Thumbnail per path, in order, each rendered in a worker under ``limits``."""
    from ..readers.pool import Job, run_jobs

    width = max(16, min(width, MAX_WIDTH))
    target = "img_dossier.output.thumbnails:render_first_page"
    tasks = [Job(n, target, (Path(p), width)) for n, p in enumerate(paths)]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
    made: list[Thumbnail] = [Thumbnail(None)] * len(tasks)
    for outcome in run_jobs(tasks, limits, workers):
        made[outcome.index] = (
            Thumbnail(outcome.value)
            if outcome.problem is None
            else Thumbnail(None, outcome.problem)
        )
    return made


def render_first_page(path: Path, width: int) -> bytes:
    """The first page of a PDF (or an image) as a PNG ``width`` pixels wide (in a worker)."""
    from PIL import Image

    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(path))
        try:
            if len(pdf) == 0:
                raise ValueError("the PDF has no pages")
            page = pdf[0]
            page_width = page.get_width() or 612.0
            scale = max(0.01, min(width / page_width, 4.0))
            image = page.render(scale=scale).to_pil()
        finally:
            pdf.close()
    else:
        with Image.open(path) as im:
            im.draft("RGB", (width, width * 4))  # JPEG: decode at a reduced size
            im.thumbnail((width, width * 4))
            image = im.convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
