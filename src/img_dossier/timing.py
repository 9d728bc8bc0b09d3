"""Where a run's time goes: wall-clock and CPU seconds of this process per stage.

The library records (it never prints); ``dossier build -v`` prints the stages, and so does
any command when ``IMG_DOSSIER_TIMINGS=1`` is set (bench/ reads them). Worker processes'
time shows in the stage that waited for them (``read``, ``prepare``); a stage's CPU is
this process's only.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """One stage of the run: its name, wall-clock seconds and this process's CPU seconds."""

    name: str
    wall: float
    cpu: float


_stages: list[Stage] = []
_lock = threading.Lock()


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Record the time the body takes as stage ``name`` (stages may nest)."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        done = Stage(name, time.perf_counter() - wall, time.process_time() - cpu)
        with _lock:
            _stages.append(done)


def take() -> list[Stage]:
    """The stages recorded so far, in the order they ended; the record starts again."""
    with _lock:
        stages = list(_stages)
        _stages.clear()
    return stages


def lines(stages: list[Stage]) -> list[str]:
    """``timing: name  1.23 s wall  0.45 s CPU`` lines, one per stage."""
    width = max((len(s.name) for s in stages), default=0)
    return [f"timing: {s.name:<{width}}  {s.wall:6.2f} s wall {s.cpu:6.2f} s CPU" for s in stages]
