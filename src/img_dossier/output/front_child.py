"""The cover, index and stamps drawn in a forked child while the console process merges.

After the check, ``build``'s console process works alone on one core: it merges the
documents' pages (qpdf), then draws the cover and index and encodes the footer stamps
(reportlab, which also has to be loaded: about 0.1 s of CPU). The drawing needs only what
is known before the merge (the documents' page counts, the check's report), so a child
forked when the sources are open draws it on the other core meanwhile, and sends back the
front pages as PDF bytes, their links, and the stamps ready to write (``stamps.StampSet``);
the console process then never loads reportlab.

Nothing the child sends is used unchecked: it says for which layout (every document's
first page and page count) it drew, and the console process draws again itself when the
merge ended differently (a document left out while copying), when the child failed, sent
nothing within the time limit, or could not be started. The dossier is the same either
way. Only where the readers' workers fork (Linux, more than one CPU), like ``early``;
``IMG_DOSSIER_FRONT_CHILD=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Report
    from .parts import Group
    from .stamps import StampSet

#: (page of the front matter, rectangle, 0-based target page among the documents' pages)
Link = tuple[int, tuple[float, float, float, float], int]

#: Every document's (rel, first page, page count), group by group, and what is listed as
#: left out: what a drawing is for.
Layout = tuple[tuple[tuple[tuple[str, int, int], ...], ...], tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Drawn:
    """The front matter and stamps drawn for ``layout``."""

    layout: Layout
    fonts: tuple[str, str]
    front: bytes
    links: list[Link]
    stamps: StampSet | None
    missing: frozenset[str]  # characters drawn without a glyph (for the command's warning)


#: Seconds the console process waits for the child's drawing (then draws it itself).
WAIT_SECONDS = 60.0


def place(groups: Sequence[Group]) -> None:
    """Each document's first page among the documents' pages, as the merge will put it."""
    first = 0
    for group in groups:
        for part in group.parts:
            part.first = first
            first += part.pages


def layout_of(groups: Sequence[Group], left_out: Sequence[tuple[str, str]]) -> Layout:
    placed = tuple(tuple((p.doc.rel, p.first, p.pages) for p in g.parts) for g in groups)
    return placed, tuple(left_out)


def draw(
    report: Report,
    track: str,
    groups: Sequence[Group],
    left_out: list[tuple[str, str]],
    size: tuple[float, float],
    doc_pages: int,
    stamps: list[str],
) -> Drawn:
    """Cover, index and stamps for the documents as ``groups`` place them (reportlab)."""
    from .front_matter import fonts_for, front_matter, front_texts
    from .glyphs import collect_missing
    from .stamps import stamp_set

    with collect_missing() as missing:
        fonts = fonts_for(front_texts(report, track, groups, left_out) + stamps[-1:])
        ready = stamp_set(stamps, fonts[0]) if stamps else None
        front, links = front_matter(report, track, groups, left_out, size, doc_pages, fonts)
    return Drawn(layout_of(groups, left_out), fonts, front, links, ready, frozenset(missing))


def enabled() -> bool:
    """True where the readers' workers fork, there is a second CPU, and the user has not
    turned it off (``IMG_DOSSIER_FRONT_CHILD=0``); never in a process that runs other
    threads (one of them could hold a lock, the import lock say, that the child then
    waits for forever: the console process runs none)."""
    import threading

    from ..readers import isolation

    if os.environ.get("IMG_DOSSIER_FRONT_CHILD", "").strip() in ("0", "no", "off"):
        return False
    if threading.active_count() > 1:
        return False
    import multiprocessing

    if multiprocessing.current_process().daemon:  # a daemon may not start processes
        return False
    return isolation.start_method() == "fork" and (os.cpu_count() or 1) > 1


class Beside:
    """The running child; ``result`` waits for what it drew (None: draw it here)."""

    def __init__(self, process: Any, conn: Any) -> None:
        self.process = process
        self.conn = conn

    def result(self, seconds: float) -> Drawn | None:
        """What the child drew, waiting up to ``seconds``; the child is stopped after."""
        try:
            if self.conn.poll(seconds):
                drawn = self.conn.recv()
                return drawn if isinstance(drawn, Drawn) else None
        except (EOFError, OSError, ValueError, TypeError, AttributeError, ImportError):
            pass  # it died or sent something broken: drawn here instead
        except Exception:  # an unpickling error of any kind: drawn here instead
            pass
        finally:
            self.stop()
        return None

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.close()
        with contextlib.suppress(OSError, ValueError, AssertionError):
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5.0)


def start(work: Callable[[], Drawn]) -> Beside | None:
    """A forked child running ``work`` and sending back its result (None: not started)."""
    if not enabled():
        return None
    import multiprocessing

    for stream in (sys.stdout, sys.stderr):  # a child must not flush our buffers again
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    context = multiprocessing.get_context("fork")
    try:
        receive, send = context.Pipe(duplex=False)
    except OSError:
        return None
    process = context.Process(target=_child, args=(work, send, os.getpid()), daemon=True)
    try:
        process.start()
    except OSError:  # no process can be started: drawn here
        receive.close()
        send.close()
        return None
    send.close()
    return Beside(process, receive)


def _child(work: Callable[[], Drawn], send: Any, parent: int) -> None:
    """Draw, send, end (no exit handlers of the parent's run here)."""
    try:
        from ..readers import isolation

        isolation.die_with_parent(parent)
        isolation.child_signals()  # Ctrl-C is the parent's to handle
        from ..readers.quiet import silence_for_good

        silence_for_good()
        send.send(work())
        send.close()
    except BaseException:  # the parent draws it itself
        pass
    os._exit(0)
