"""Who can apply where: each client of an audit screened against one program list.

A worker screens its client right after checking it and sends back only the verdicts
(program id, status, reasons), so an audit of many clients against a long list stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .applicant import applicant_facts
from .load import LoadedList
from .screen import STATUSES, screen

if TYPE_CHECKING:
    from ..checking.pipeline import CheckRun


@dataclass(frozen=True)
class ProgramStatus:
    """One program's verdict for one client, reduced to what a matrix shows."""

    id: str
    status: str
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class ClientScreen:
    """A client's screen: the verdict per program (in list order) and the counts."""

    verdicts: tuple[ProgramStatus, ...]
    skipped: int = 0

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for v in self.verdicts:
            counts[v.status] += 1
        return counts | {"skipped": self.skipped}

    def ids(self, status: str) -> list[str]:
        return [v.id for v in self.verdicts if v.status == status]

    def status_of(self, program_id: str) -> str | None:
        return next((v.status for v in self.verdicts if v.id == program_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "verdicts": [v.to_json() for v in self.verdicts]}


def client_screen(run: CheckRun, programs: LoadedList) -> ClientScreen:
    """Screen a checked client against ``programs`` (in list order)."""
    result = screen(applicant_facts(run), programs, order="list")
    return ClientScreen(
        tuple(
            ProgramStatus(
                v.program.id, v.status, tuple(f"{c.criterion}: {c.message}" for c in v.reasons)
            )
            for v in result.verdicts
        ),
        len(result.skipped),
    )


def matrix_line(screened: ClientScreen | None) -> str:
    """One line for a client in the audit table: eligible programs, then the counts."""
    if screened is None:
        return "-"
    s = screened.summary()
    eligible = screened.ids("eligible")
    shown = ", ".join(eligible[:8]) + (f" (+{len(eligible) - 8} more)" if len(eligible) > 8 else "")
    return (
        f"{s['eligible']} eligible{': ' + shown if eligible else ''}; "
        f"{s['unknown']} unknown; {s['not-eligible']} not eligible"
    )


def program_ids(programs: LoadedList) -> Sequence[str]:
    """The program ids of a list, in its order (the matrix's columns)."""
    return [p.id for p in programs.programs.programs]
