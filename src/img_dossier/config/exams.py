"""The exams score reports are for: ``checklists/exams.yaml`` as typed data.

Which exam a report is for (the patterns its name is printed with), the track whose programs
count its failed attempts, and the checklist item holding its reports are data, with the
public source of each exam, so no exam id is written in code. Read once (cached).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BadInputError
from . import validated
from .resources import data_dir

if TYPE_CHECKING:
    from .exam_models import Exam, ExamsFile

EXAMS_FILE = "exams.yaml"


def __getattr__(name: str) -> object:
    """``Exam`` and ``ExamsFile``, the models (exam_models.py), imported on first use."""
    if name in ("Exam", "ExamsFile"):
        from . import exam_models

        return getattr(exam_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _path() -> Path:
    return data_dir("checklists") / EXAMS_FILE


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A short hash of exams.yaml, part of the read cache's key for facts: facts read with
    other exam patterns are not reused."""
    try:
        return hashlib.sha256(_path().read_bytes()).hexdigest()[:16]
    except OSError:
        return "?"


@lru_cache(maxsize=1)
def exams_file() -> ExamsFile:
    from pydantic import ValidationError

    from .exam_models import ExamsFile
    from .yamlfile import read_yaml

    path = _path()
    try:
        return ExamsFile.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise BadInputError(f"{path}: {exc}") from exc


_Summary = tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]]


@lru_cache(maxsize=1)
def _summary() -> _Summary:
    """(id, patterns) of every exam in match order, and the ids with attempts: what reading
    facts needs, kept validated between runs (no pydantic on the way, validated.py)."""

    def build() -> tuple[_Summary, list[Path]]:
        order = tuple((e.id, tuple(e.patterns)) for e in in_match_order())
        return (order, with_attempts()), [_path()]

    return validated.cached("exams", str(_path()), build, tuple)


def match_patterns() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(exam id, the patterns a report prints its name with), in the order they are tried."""
    return _summary()[0]


def attempt_ids() -> tuple[str, ...]:
    """``with_attempts()``, from the validated summary."""
    return _summary()[1]


def exams() -> tuple[Exam, ...]:
    """Every exam, in the order they are reported."""
    return exams_file().exams


def in_match_order() -> tuple[Exam, ...]:
    """Every exam, in the order a report's text is tried against them."""
    by_id = {e.id: e for e in exams()}
    return tuple(by_id[i] for i in exams_file().match_order)


def with_attempts() -> tuple[str, ...]:
    """The exams whose attempts dossier.yaml declares and programs cap, in report order."""
    return tuple(e.id for e in exams() if e.attempts)


def of_track(track: str) -> tuple[str, ...]:
    """The exams with attempts that the programs of ``track`` count."""
    return tuple(e.id for e in exams() if e.attempts and e.track == track)


def min_score_exam() -> Exam | None:
    """The exam whose total score programs set a minimum for (``min_score: true``)."""
    return next((e for e in exams() if e.min_score), None)
