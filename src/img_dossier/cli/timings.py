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


def _process_age() -> float:
    """Seconds since this process started (0 where that cannot be told).

    Linux: the start in clock ticks since boot (/proc/self/stat) against CLOCK_BOOTTIME,
    both exact to a tick. psutil's ``create_time`` adds the boot time, which /proc/stat
    gives in whole seconds: that made start-up up to a second too long (0.15 s here).
    """
    with contextlib.suppress(OSError, ValueError, IndexError, AttributeError):
        from ..leftovers import proc_stat

        ticks = int(proc_stat("self")[19])  # starttime, field 22 of proc(5)
        return time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    with contextlib.suppress(ImportError):
        import psutil

        with contextlib.suppress(psutil.Error, OSError):
            return time.time() - psutil.Process().create_time()
    return 0.0


def print_timings(started: tuple[float, float]) -> None:
    """The stages recorded since ``started``, after a ``start-up`` line: the seconds this
    process ran before the command began (interpreter, imports)."""
    stages = take()
    before = max(0.0, _process_age() - (time.perf_counter() - started[0]))
    cpu = time.process_time()
    head = [Stage("start-up (interpreter, imports)", before, started[1])]
    tail = [Stage("whole command", time.perf_counter() - started[0] + before, cpu)]
    for text in lines(head + stages + tail):
        click.echo(text, err=True)
