"""Standard streams on every system: UTF-8 machine output, and a reader that went away."""

from __future__ import annotations

import errno
import sys

#: Exit code when the reader of stdout went away: 128 + SIGPIPE, as a shell reports it
#: (13 is SIGPIPE on every POSIX system; Windows has no SIGPIPE, and the same code is used).
BROKEN_PIPE_EXIT = 128 + 13


def is_broken_pipe(exc: BaseException) -> bool:
    """Whether an error writing stdout means its reader went away (EPIPE; EINVAL on Windows)."""
    if isinstance(exc, BrokenPipeError):
        return True
    return sys.platform == "win32" and isinstance(exc, OSError) and exc.errno == errno.EINVAL


def configure_streams() -> None:
    """UTF-8 on a redirected stdout whatever the code page; no crash on a console that lacks
    a character.

    JSON, CSV and JSONL must be UTF-8 for the scripts that read them (Windows redirects in
    the ANSI code page, cp1252 and the like, where an Arabic or Chinese name cannot be
    written). On a terminal, text for people keeps the console's encoding and shows what it
    cannot draw as '?'; stderr shows it as escapes.
    """
    for stream, redirected in ((sys.stdout, "strict"), (sys.stderr, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            tty = stream.isatty()
        except (OSError, ValueError):
            tty = False
        try:
            if stream is sys.stdout and not tty:
                reconfigure(encoding="utf-8", errors=redirected)
            else:
                reconfigure(errors="replace" if stream is sys.stdout else redirected)
        except (OSError, ValueError, LookupError):
            continue
