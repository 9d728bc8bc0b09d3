"""Being stopped: Ctrl-C, ``kill`` (SIGTERM), a closed terminal (SIGHUP).

Python turns Ctrl-C into KeyboardInterrupt, which unwinds the command: every ``finally``
runs, so temporary files and folders are removed, a half-written output is never renamed
into place, and the reader workers are stopped. SIGTERM and SIGHUP end a process at once
by default, leaving all of that behind; the console entry point makes them unwind the same
way (``Stopped``, a KeyboardInterrupt). ``DossierGroup.invoke`` then prints one line and
exits with the shell's code for the signal: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP.

A signal the caller set to be ignored (``nohup``) stays ignored. A second SIGTERM or SIGHUP
while the command unwinds is ignored, so that the clean-up finishes; SIGKILL always ends
the process at once (its workers then end by themselves: see ``readers/isolation.py``).
Only the console process installs these; the library never touches signals.
"""

from __future__ import annotations

import signal
from types import FrameType

#: Exit code of a run ended by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED_EXIT = 130


class Stopped(KeyboardInterrupt):
    """The run was asked to stop by a signal other than Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def install() -> None:
    """Make SIGTERM and SIGHUP unwind the command like Ctrl-C (the console process only)."""
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:  # Windows has no SIGHUP
            continue
        try:
            if signal.getsignal(signum) == signal.SIG_IGN:
                continue  # nohup, or a caller that wants us to carry on
            signal.signal(signum, _stop)
        except (OSError, ValueError):  # not the main thread, or not allowed here
            continue


def _stop(signum: int, frame: FrameType | None) -> None:
    for name in ("SIGTERM", "SIGHUP"):  # once is enough: let the clean-up finish
        other = getattr(signal, name, None)
        if other is not None:
            signal.signal(other, signal.SIG_IGN)
    raise Stopped(signum)


def exit_code(exc: KeyboardInterrupt) -> int:
    """The shell's exit code for how the run was stopped (128 + the signal's number)."""
    if isinstance(exc, Stopped):
        return 128 + int(exc.signum)
    return INTERRUPTED_EXIT


def describe(exc: KeyboardInterrupt) -> str:
    """``interrupted`` for Ctrl-C, ``stopped by SIGTERM`` for the others."""
    if isinstance(exc, Stopped):
        try:
            return f"stopped by {signal.Signals(exc.signum).name}"
        except ValueError:
            return f"stopped by signal {exc.signum}"
    return "interrupted"
