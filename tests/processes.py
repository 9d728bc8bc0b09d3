"""Waiting for the processes of a stopped or killed run to end (tests/cli's subprocess
tests: test_stopping.py, test_leftovers_killed.py)."""

from __future__ import annotations

import time

import psutil


def running(proc: psutil.Process) -> bool:
    """True while ``proc`` runs (a zombie has ended)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def named(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline())
    except psutil.Error:
        return str(proc.pid)


def assert_all_end(processes: list[psutil.Process], within: float) -> None:
    """Every one of ``processes`` ends within ``within`` seconds; those left are killed (not
    left to the next test) and named in the failure."""
    deadline = time.monotonic() + within
    while left := [p for p in processes if running(p)]:
        if time.monotonic() > deadline:
            names = [named(p) for p in left]
            for p in left:
                p.kill()
            raise AssertionError(f"processes outlived the run: {names}")
        time.sleep(0.1)
