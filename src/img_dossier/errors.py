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
