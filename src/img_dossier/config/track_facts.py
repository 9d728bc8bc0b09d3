"""What every run needs of ``checklists/tracks.yaml``: the track ids, the checklist of each,
the applicant.status values. Validated by config/tracks.py's models once and kept between
runs (validated.py), so that a run whose files are unchanged imports no pydantic; the rest
of the file (``dossier init`` text, program systems) is read through config/tracks.py."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import validated
from .resources import data_dir
from .wording import either as either  # tracks_data.either, without the models

#: (track id, its checklist id, its statuses, its country) of every track, and every status,
#: in order.
_Summary = tuple[tuple[tuple[str, str, tuple[str, ...], str], ...], tuple[str, ...]]


@lru_cache(maxsize=1)
def _summary() -> _Summary:
    path = data_dir("checklists") / "tracks.yaml"

    def build() -> tuple[_Summary, list[Path]]:
        from . import tracks

        found = tuple((t.id, t.checklist, tuple(t.statuses), t.country) for t in tracks.tracks())
        return (found, tracks.statuses()), [path]

    return validated.cached("tracks", str(path), build, tuple)


def track_ids() -> tuple[str, ...]:
    """Every track, in the order messages list them."""
    return tuple(t[0] for t in _summary()[0])


def checklist_of(track_id: str | None) -> str | None:
    """The built-in checklist of a track, None when ``track_id`` names no track."""
    return next((t[1] for t in _summary()[0] if t[0] == track_id), None)


def statuses() -> tuple[str, ...]:
    """Every applicant.status value, in the order messages list them."""
    return _summary()[1]


def statuses_of(track_id: str | None) -> tuple[str, ...]:
    """The applicant.status values that make sense in ``track_id`` (all for a custom track)."""
    return next((t[2] for t in _summary()[0] if t[0] == track_id), statuses())


def country_of(track_id: str | None) -> str | None:
    """The country a track applies to (None when ``track_id`` names no track)."""
    return next((t[3] for t in _summary()[0] if t[0] == track_id), None)
