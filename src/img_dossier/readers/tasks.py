"""What reader workers are given (a Task to read, a Job to run) and what they give back.

Plain data: pickled to and from the worker processes (``pool.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model import Document, Problem, SourceFile


@dataclass(frozen=True)
class Task:
    """One file to read: its position in the result, and what the parent learnt hashing it."""

    index: int
    source: SourceFile
    sha256: str
    size: int
    partial: bool
    ocr: bool = True  # False: a scan is read without OCR (it gets ``no-text``; see readers)
    #: True when OCR is known to find nothing to detect on it (every page it would read is
    #: too small to hold text, ``scans.needs_no_detection``): it costs a render, not a
    #: detection, so it does not count as OCR work waiting (``schedule.Queue``).
    light: bool = False


@dataclass(frozen=True)
class Outcome:
    """A read Document; ``cacheable`` is False for timeouts and crashes (they may not recur);
    ``ocr`` is True when it was read with OCR on (a scan in it was looked at by OCR)."""

    index: int
    document: Document
    cacheable: bool
    ocr: bool = False


@dataclass(frozen=True)
class Job:
    """Work after reading (convert, prepare, shrink one document): ``target`` is
    ``"module:function"``, called as ``function(*args)`` in a worker under the same limits.

    Named, not a function object, so that it pickles under every start method.
    """

    index: int
    target: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class JobOutcome:
    """What a Job returned (``value``), or the problem that stopped it (``problem``):
    ``timeout`` past the wall-clock limit, ``too-large`` out of memory or killed, ``damaged``
    when the function raised."""

    index: int
    value: Any
    problem: Problem | None
    cacheable: bool = True


#: A callback that may answer a reading with a task that reads the same file again (a scan
#: read without OCR, to be read with it); None: the reading stands.
FollowUp = Callable[[Outcome], "Task | None"]
