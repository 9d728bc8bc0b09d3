"""Shared check: a reader worker dies with the process that started it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def assert_worker_dies_with_parent(
    argv: Sequence[str], pid_file: Path, *, env: Mapping[str, str] | None = None, start: float = 30
) -> None:
    """Run ``argv`` (a parent that starts a worker and writes its pid to ``pid_file``),
    kill the parent once the worker runs, and require the worker gone within 10 s."""
    parent = subprocess.Popen(list(argv), env=None if env is None else dict(env))
    try:
        deadline = time.monotonic() + start
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the worker never started"
            time.sleep(0.05)
        worker = int(pid_file.read_text())
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while _alive(worker):
        assert time.monotonic() < deadline, "the worker outlived its parent"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
