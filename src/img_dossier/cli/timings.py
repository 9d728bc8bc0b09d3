"""``timing:`` lines on stderr: where a command's time went (``-v``, or IMG_DOSSIER_TIMINGS=1)."""

from __future__ import annotations

import contextlib
import os
import time

import click

from ..timing import Stage, lines, take


def timings_wanted() -> bool:
    """True when IMG_DOSSIER_TIMINGS is set to something other than 0 or empty."""
    return os.environ.get("IMG_DOSSIER_TIMINGS", "0") not in ("", "0")


def timing_start() -> tuple[float, float]:
    """(wall, CPU) now, when the command's own work starts; the record starts again."""
    take()
    return time.perf_counter(), time.process_time()


def print_timings(started: tuple[float, float]) -> None:
    """The stages recorded since ``started``, after a ``start-up`` line: the seconds this
    process ran before the command began (interpreter, imports)."""
    stages = take()
    before = 0.0  # no process start time here: the line says 0
    with contextlib.suppress(ImportError):
        import psutil

        with contextlib.suppress(psutil.Error, OSError):
            up = time.time() - psutil.Process().create_time()
            before = max(0.0, up - (time.perf_counter() - started[0]))
    cpu = time.process_time()
    head = [Stage("start-up (interpreter, imports)", before, started[1])]
    tail = [Stage("whole command", time.perf_counter() - started[0] + before, cpu)]
    for text in lines(head + stages + tail):
        click.echo(text, err=True)
