"""Loading modules on a thread while the reader workers work (issue 13: `build`'s fixed costs).

``build`` needs the dossier's libraries (reportlab for the cover and the stamps, the
assembler) only after the check. Loading them first, as it did, put about a sixth of a
second before the first document was read, while the reader workers had not started.
Now the console process loads them on a thread once the workers read: the thread runs
while the console process mostly waits for the workers' answers (and, with OCR, while one
worker reads the scans and the other core is idle).

A thread in the middle of an import must never be copied into a forked child (the
child would inherit the module's import lock, held by a thread it does not have, and hang
the first time it imports that module). So a fork in this process first waits for the
thread to finish (``os.register_at_fork``): the reader workers started later, the early
child, any process forked while the thread loads. ``wait`` then imports in the calling
thread whatever the thread did not (a failure is raised there, as a plain import would).
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Sequence

_running: list[BackgroundImport] = []
_hooked = False


class BackgroundImport:
    """Import ``modules`` on a daemon thread from ``start`` on; ``wait`` until they are."""

    def __init__(self, modules: Sequence[str], *, freeze: bool = False) -> None:
        self.modules = tuple(modules)
        self.freeze = freeze
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once; later calls do nothing)."""
        if self.thread is not None:
            return
        # logging's own fork hook takes its lock (which the imports need: reportlab asks
        # for a logger) before forking; fork hooks run last registered first, so logging's
        # is registered before ours, and runs after ours has waited for the thread
        import logging  # noqa: F401

        _hook_fork()
        self.thread = threading.Thread(target=self._load, name="img-dossier-imports", daemon=True)
        _running.append(self)
        self.thread.start()

    def wait(self) -> None:
        """The thread's end (if started); then every module imported here, in this thread."""
        self._join()
        for name in self.modules:
            _import(name)

    def _join(self, timeout: float | None = None) -> None:
        thread = self.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                return  # still importing: a fork that cannot wait longer goes ahead
        if self in _running:
            _running.remove(self)

    def _load(self) -> None:
        # the collector paused while the imports create their long-lived objects (as the
        # console process does while it starts, see collector.py)
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            for name in self.modules:
                _import(name)
            if self.freeze:  # as collector.settle: the collector never walks them again
                gc.freeze()
        except BaseException:  # ``wait`` imports it again in its thread, and says why it fails
            pass
        finally:
            if paused and not gc.isenabled():
                gc.enable()


def _import(name: str) -> None:
    # the import statement's path (importlib.import_module bypasses it, and with it what
    # ``python -X importtime`` reports)
    __import__(name)


#: Seconds a fork waits for the thread at most: far more than the imports take; past it
#: (a lock the thread needs held by this thread through another fork hook) the fork goes
#: ahead rather than hang the run.
FORK_WAIT_SECONDS = 10.0


def _before_fork() -> None:
    """A fork waits for every thread importing in the background."""
    for job in list(_running):
        job._join(FORK_WAIT_SECONDS)


def _hook_fork() -> None:
    global _hooked
    if not _hooked and hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork)
        _hooked = True
