"""The exams score reports are for: ``checklists/exams.yaml`` as typed data.

Which exam a report is for (the patterns its name is printed with), the track whose programs
count its failed attempts, and the checklist item holding its reports are data, with the
public source of each exam, so no exam id is written in code. Read once (cached).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import BadInputError
from .resources import data_dir
from .tracks import TRACKS_FILE, track_ids
from .yamlfile import read_yaml

EXAMS_FILE = "exams.yaml"

_Text = Annotated[str, Field(min_length=1)]


class Exam(BaseModel):
    """One exam: its id (the value of a report's ``exam`` fact) and how to recognise it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: _Text
    title: _Text
    patterns: tuple[_Text, ...] = Field(min_length=1)
    source: _Text
    track: _Text | None = Field(None, description="A track of checklists/tracks.yaml.")
    item: _Text | None = None
    attempts: bool = False
    min_score: bool = False


class ExamsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_: Literal[1] = Field(1, alias="schema")
    match_order: tuple[_Text, ...]
    exams: tuple[Exam, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ExamsFile:
        ids = [e.id for e in self.exams]
        if len(set(ids)) != len(ids):
            raise ValueError("an exam id is listed twice")
        if sorted(self.match_order) != sorted(ids):
            raise ValueError("match_order must list every exam id once")
        if sum(e.min_score for e in self.exams) > 1:
            raise ValueError("min_score: true on more than one exam")
        known = track_ids()
        odd = sorted({e.track for e in self.exams if e.track is not None} - set(known))
        if odd:
            raise ValueError(f"track: {', '.join(odd)} is not a track of {TRACKS_FILE}")
        return self


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
    path = _path()
    try:
        return ExamsFile.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise BadInputError(f"{path}: {exc}") from exc


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
