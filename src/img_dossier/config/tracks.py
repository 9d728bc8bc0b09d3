"""The applicant tracks: ``checklists/tracks.yaml`` as typed data.

Which checklist a track name loads, the applicant.status values a track knows, the program
systems and criteria that belong to it, and the text ``dossier init`` writes for it are data,
with the public source of each fact, so no track or status name is written in code. Read
once (cached).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import BadInputError
from .resources import data_dir
from .wording import either as either  # tracks_data.either
from .yamlfile import read_yaml

TRACKS_FILE = "tracks.yaml"

_Text = Annotated[str, Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Status(_Frozen):
    """One value of dossier.yaml ``applicant.status``."""

    id: _Text
    needs_visa: bool
    source: _Text


class InitLine(_Frozen):
    """A line ``dossier init`` writes: a key with its comment, or a text line as it is."""

    key: _Text | None = None
    comment: str = ""
    text: _Text | None = None

    @model_validator(mode="after")
    def _one(self) -> InitLine:
        if (self.key is None) == (self.text is None):
            raise ValueError("give either key (with its comment) or text")
        return self


class InitText(_Frozen):
    """What ``dossier init`` writes for a track's applicant."""

    status: _Text
    specialty: _Text
    training: tuple[InitLine, ...] = ()
    top: tuple[InitLine, ...] = ()
    exam_record: _Text
    examples: tuple[_Text, ...] = ()


#: The facts of a track that must each name their source.
_SOURCED = ("checklist", "statuses", "home_countries", "systems", "criteria", "program_fields")


class Track(_Frozen):
    """One applicant track (the country applied to) and what is particular to it."""

    id: _Text
    checklist: _Text
    country: _Text
    adjective: _Text
    statuses: tuple[_Text, ...] = Field(min_length=1)
    home_countries: tuple[_Text, ...] = ()
    systems: tuple[_Text, ...] = ()
    criteria: tuple[_Text, ...] = ()
    program_fields: Mapping[str, _Text] = Field(default_factory=dict)
    sources: Mapping[Literal[_SOURCED], _Text]  # type: ignore[valid-type]
    init: InitText

    @model_validator(mode="after")
    def _sourced(self) -> Track:
        given = [k for k in _SOURCED if getattr(self, k)]
        missing = [k for k in given if k not in self.sources]
        if missing:
            raise ValueError(f"sources: missing the source of {', '.join(missing)}")
        return self


class TracksFile(_Frozen):
    schema_: Literal[1] = Field(1, alias="schema")
    default_init: _Text
    statuses: tuple[Status, ...] = Field(min_length=1)
    tracks: tuple[Track, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> TracksFile:
        ids = [t.id for t in self.tracks]
        if len(set(ids)) != len(ids):
            raise ValueError("a track id is listed twice")
        if self.default_init not in ids:
            raise ValueError(f"default_init: not a track id ({self.default_init!r})")
        known = [s.id for s in self.statuses]
        if len(set(known)) != len(known):
            raise ValueError("a status id is listed twice")
        for t in self.tracks:
            odd = [s for s in t.statuses if s not in known]
            if odd:
                raise ValueError(f"tracks.{t.id}.statuses: not under statuses: {odd}")
        systems = [s for t in self.tracks for s in t.systems]
        if len(set(systems)) != len(systems):
            raise ValueError("a system belongs to more than one track")
        return self


def tracks_json_schema() -> dict[str, Any]:
    """The JSON Schema of checklists/tracks.yaml (``dossier schema tracks``)."""
    from .titled import titled_schema

    return titled_schema(TracksFile, "tracks", "img-dossier applicant tracks")


def _path() -> Path:
    return data_dir("checklists") / TRACKS_FILE


@lru_cache(maxsize=1)
def tracks_file() -> TracksFile:
    path = _path()
    try:
        return TracksFile.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise BadInputError(f"{path}: {exc}") from exc


def tracks() -> tuple[Track, ...]:
    """Every track, in the order messages list them."""
    return tracks_file().tracks


def track_ids() -> tuple[str, ...]:
    return tuple(t.id for t in tracks())


def track(track_id: str | None) -> Track | None:
    """The track named ``track_id``, or None (a custom track, or none given)."""
    return next((t for t in tracks() if t.id == track_id), None)


def for_init(track_id: str | None) -> Track:
    """The track whose ``dossier init`` text a checklist of ``track_id`` gets."""
    found = track(track_id) or track(tracks_file().default_init)
    assert found is not None  # TracksFile checks default_init names a track
    return found


def statuses() -> tuple[str, ...]:
    """Every applicant.status value, in the order messages list them."""
    return tuple(s.id for s in tracks_file().statuses)


def statuses_of(track_id: str | None) -> tuple[str, ...]:
    """The applicant.status values that make sense in ``track_id`` (all for a custom track)."""
    found = track(track_id)
    return found.statuses if found is not None else statuses()


def visa_free() -> frozenset[str]:
    """The statuses of people who train without a visa."""
    return frozenset(s.id for s in tracks_file().statuses if not s.needs_visa)


def home_countries() -> frozenset[str]:
    """medical_school.country values (lower case) whose graduates are not IMGs."""
    return frozenset(c.lower() for t in tracks() for c in t.home_countries)


def systems() -> tuple[str, ...]:
    """Every program-list system, in track order."""
    return tuple(s for t in tracks() for s in t.systems)


def system_track() -> dict[str, str]:
    """Program-list system -> the track it belongs to."""
    return {s: t.id for t in tracks() for s in t.systems}


def criteria_elsewhere(track_id: str) -> dict[str, Track]:
    """Criteria that only other tracks' programs have -> the (first) track they belong to."""
    mine = track(track_id)
    own = set(mine.criteria) if mine is not None else set()
    found: dict[str, Track] = {}
    for t in tracks():
        if t.id != track_id:
            for c in t.criteria:
                if c not in own:
                    found.setdefault(c, t)
    return found
