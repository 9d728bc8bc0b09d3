"""readers/isolation.py: the parent's memory watchdog on workers that come and go."""

from __future__ import annotations

import subprocess
import sys

from img_dossier.readers.isolation import Guard


def test_the_watchdog_takes_a_worker_that_is_gone_as_unknown_not_as_an_error() -> None:
    guard = Guard("watchdog", 100)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # exited and reaped: psutil finds no such process
    guard.attach(gone.pid)
    assert guard.over(gone.pid) is False
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        guard.attach(live.pid)
        assert guard.over(live.pid) is False  # a sleeping interpreter is far below 100 MB
    finally:
        live.kill()
        live.wait()
    assert guard.over(live.pid) is False  # sampled after it went: unknown, not an error
