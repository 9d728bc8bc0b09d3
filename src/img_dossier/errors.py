"""Exit codes and the exceptions the library raises for failures that stop a command.

A damaged or hostile *document* is never an exception: readers turn it into a Problem on
that document. These errors are for the command as a whole: a missing folder, an invalid
dossier.yaml or checklist, an output that cannot be written. The CLI converts them to
exit codes at one boundary.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The process exit codes of INTERFACE.md."""

    OK = 0
    INCOMPLETE = 1
    USAGE = 2
    BAD_INPUT = 3
    OUTPUT = 4
    INTERNAL = 5


class DossierError(Exception):
    """Base of every expected failure; the message says what was found and what to do."""

    exit_code: ExitCode = ExitCode.INTERNAL


class BadInputError(DossierError):
    """The folder, dossier.yaml, a checklist, a template or a CSV is unusable (exit 3)."""

    exit_code = ExitCode.BAD_INPUT


class OutputError(DossierError):
    """An output cannot be written, or writing it would overwrite a source (exit 4)."""

    exit_code = ExitCode.OUTPUT


#: Windows error numbers of a file held open by another program: access denied, sharing
#: and lock violations (a PDF viewer or Word keeps the file it shows open).
_LOCKED_WINERRORS = frozenset({5, 32, 33})


def is_locked(exc: OSError) -> bool:
    """Whether writing failed because another program holds the file open (Windows)."""
    return getattr(exc, "winerror", None) in _LOCKED_WINERRORS


def cannot_write(path: object, exc: OSError, what: str, fix: str) -> OutputError:
    """The OutputError for a failed write: a file open in a viewer says to close it."""
    if is_locked(exc):
        return OutputError(
            f"{path}: cannot replace it: it (or a file in it) is open in another program (a "
            "PDF viewer or Word); close it in your PDF viewer and run again"
        )
    return OutputError(f"{path}: {what} ({exc.strerror or exc}); {fix}")
