"""The model of ``checklists/exams.yaml`` (config/exams.py reads it; imported only when the
file is validated, see validated.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .tracks import TRACKS_FILE, track_ids

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
