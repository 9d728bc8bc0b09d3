"""What a format reader returns: the format-specific part of a Document."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import Problem

#: Most characters of text kept per document (classification needs the first pages only).
TEXT_CAP = 200_000


@dataclass(frozen=True)
class Reading:
    """Format, pages, first-pages text, problems and info learnt by one reader."""

    format: str | None
    pages: int | None = None
    text: str = ""
    problems: tuple[Problem, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)


def error(code: str, message: str) -> Problem:
    return Problem(code, "error", message)


def warning(code: str, message: str) -> Problem:
    return Problem(code, "warning", message)


def cap_text(text: str) -> str:
    """Text without NULs, at most TEXT_CAP characters."""
    return text.replace("\x00", "")[:TEXT_CAP]


def page_ranges(pages: Iterable[int]) -> str:
    """0-based page indexes as people number pages: ``1-2 and 5``, ``3, 7-9 and 12``."""
    runs: list[list[int]] = []
    for n in sorted(set(pages)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    parts = [f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in runs]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
