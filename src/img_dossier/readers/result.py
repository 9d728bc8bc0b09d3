"""What a format reader returns: the format-specific part of a Document."""

from __future__ import annotations

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
