"""dossier.yaml -> Profile: validated at the edge by its model (config/models.DossierFile),
with a precise message for every wrong field.

Every message has the shape ``dossier.yaml: training.start: not a date (got "next july")``
(and the line) so that the user knows the file, the field, what was found and, where it
helps, the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BadInputError
from .choices import PROVINCES as PROVINCES
from .choices import ROTATION_KINDS as ROTATION_KINDS
from .choices import VISAS as VISAS

if TYPE_CHECKING:  # pydantic and ruamel are imported when a file is validated (validated.py)
    from . import typed

PROFILE_NAME = "dossier.yaml"


def read_yaml(path: Path) -> Any:
    """The parsed YAML of a file (``yamlfile.read_yaml``: ruamel is imported on first use)."""
    from .yamlfile import read_yaml as parse

    return parse(path)


@dataclass(frozen=True)
class Applicant:
    given_names: str | None = None
    family_name: str | None = None
    other_names: tuple[str, ...] = ()
    citizenship: tuple[str, ...] = ()
    status: str | None = None

    @property
    def full_name(self) -> str | None:
        parts = [p for p in (self.given_names, self.family_name) if p]
        return " ".join(parts) if parts else None


@dataclass(frozen=True)
class School:
    name: str | None = None
    country: str | None = None
    graduation_year: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class Training:
    specialty: str | None = None
    start: date | None = None
    end: date | None = None
    visa: str | None = None
    province: str | None = None
    accepts_return_of_service: bool | None = None
    #: end of the J-1 DS-2019 period (ECFMG issues it one training year at a time)
    ds2019_end: date | None = None


@dataclass(frozen=True)
class ExamRecord:
    """What dossier.yaml ``exams:`` says of one exam: attempts, failures, the score."""

    attempts: int | None = None
    failures: int | None = None
    score: int | None = None


@dataclass(frozen=True)
class Rotation:
    """One stretch of US clinical experience (dossier.yaml ``us_clinical_experience:``)."""

    kind: str
    start: date
    end: date
    where: str | None = None

    @property
    def hands_on(self) -> bool:
        return self.kind != "observership"


@dataclass(frozen=True)
class Residence:
    """Where in Canada the applicant lives (dossier.yaml ``residence:``)."""

    province: str | None = None
    since: date | None = None


@dataclass(frozen=True)
class Profile:
    """What dossier.yaml says about the applicant; every field may be unknown (None)."""

    track: str | None = None
    applicant: Applicant = field(default_factory=Applicant)
    medical_school: School = field(default_factory=School)
    training: Training = field(default_factory=Training)
    ecfmg_certified: bool | None = None
    language_exempt: bool | None = None
    dates: Mapping[str, date] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    exams: Mapping[str, ExamRecord] = field(default_factory=dict)
    #: None when dossier.yaml does not say; () when it says there is none.
    us_clinical_experience: tuple[Rotation, ...] | None = None
    residence: Residence = field(default_factory=Residence)
    raw: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def conditions(self) -> dict[str, Any]:
        """The variables checklist conditions (``when:``) are decided on; None = unknown."""
        return {
            "track": self.track,
            "visa": self.training.visa,
            "ecfmg_certified": self.ecfmg_certified,
            "language_exempt": self.language_exempt,
            "status": self.applicant.status,
            "province": self.training.province,
            "specialty": self.training.specialty,
            "school_language": self.medical_school.language,
            "school_country": self.medical_school.country,
        }

    def values(self) -> dict[str, Any]:
        """The profile as nested plain values, for letter templates (dates stay dates)."""
        plain: dict[str, Any] = _plain(dict(self.raw))
        return plain


def parse_profile(
    data: Any,
    *,
    name: str = PROFILE_NAME,
    path: Path | None = None,
    item_ids: Callable[[], set[str]] | None = None,
) -> Profile:
    """Validate parsed YAML into a Profile (by the model config/models.DossierFile); raise
    BadInputError listing every wrong field."""
    from pydantic import ValidationError

    from . import dossier_models as models
    from . import typed
    from .dossier_models import DossierFile
    from .exams import attempt_ids as with_attempts

    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise BadInputError(f"{name}: must be a mapping of keys such as track and applicant")
    exams = data.get("exams")
    known = with_attempts() if isinstance(exams, Mapping) and exams else ()
    unknown = [  # checklists/exams.yaml: attempts: true
        typed.Found(
            f"exams.{exam}", f"unknown exam; expected one of: {', '.join(known)}", ("exams", exam)
        )
        for exam in (exams if isinstance(exams, Mapping) else ())
        if exam not in known
    ]
    found = _reference_errors(data, item_ids)  # said with the model's errors
    try:
        m = DossierFile.model_validate(data)
    except ValidationError as exc:
        errors = typed.errors_of(exc, name, path, data, DossierFile, typed.DOSSIER)
        raise BadInputError(
            "\n".join(
                typed.messages(name, path, unknown) + errors + typed.messages(name, path, found)
            )
        ) from None
    if unknown or found:
        raise BadInputError("\n".join(typed.messages(name, path, [*unknown, *found])))
    # (model_construct: an empty section without building a validator for its class)
    a = m.applicant or models.Applicant.model_construct()
    s = m.medical_school or models.MedicalSchool.model_construct()
    t = m.training or models.Training.model_construct()
    r = m.residence or models.Residence.model_construct()
    return Profile(
        track=_text(m.track),
        applicant=Applicant(
            given_names=_text(a.given_names),
            family_name=_text(a.family_name),
            other_names=_texts(a.other_names),
            citizenship=_texts(a.citizenship),
            status=a.status,
        ),
        medical_school=School(
            name=_text(s.name),
            country=_text(s.country),
            graduation_year=s.graduation_year,
            language=s.language.lower() if s.language else None,
        ),
        training=Training(
            specialty=_text(t.specialty),
            start=t.start,
            end=t.end,
            visa=t.visa,
            province=t.province,
            accepts_return_of_service=t.accepts_return_of_service,
            ds2019_end=t.ds2019_end,
        ),
        ecfmg_certified=m.ecfmg_certified,
        language_exempt=m.language_exempt,
        dates=dict(m.dates or {}),
        files=dict(m.files or {}),
        exams={k: ExamRecord(v.attempts, v.failures, v.score) for k, v in (m.exams or {}).items()},
        us_clinical_experience=None
        if m.us_clinical_experience is None
        else tuple(
            Rotation(x.kind, x.start, x.end, _text(x.where)) for x in m.us_clinical_experience
        ),
        residence=Residence(province=r.province, since=r.since),
        raw=dict(data),
        path=path,
    )


def _text(value: str | float | None) -> str | None:
    """Text as given (a number written bare is its digits), stripped; empty is unknown."""
    return (str(value).strip() or None) if value is not None else None


def _texts(value: str | list[str] | None) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value or []
    return tuple(v.strip() for v in values if v.strip())


def _reference_errors(
    data: Mapping[str, Any], item_ids: Callable[[], set[str]] | None
) -> list[typed.Found]:
    """What the model cannot know: the statuses of the track (checklists/tracks.yaml), the
    item ids of the checklist. Read from the plain data, so that they are said with the
    model's errors; a value the model refuses is left to its message."""
    from . import track_facts, typed

    found = []
    applicant = data.get("applicant")
    status = applicant.get("status") if isinstance(applicant, Mapping) else None
    status = _canonical_status(status)
    track_name = data.get("track")
    track = track_name.strip() if isinstance(track_name, str) else None
    country = track_facts.country_of(track)  # None: not a built-in track
    known_statuses = track_facts.statuses_of(track)
    if country is not None and status is not None and status not in known_statuses:
        found.append(
            typed.Found(
                "applicant.status",
                f'must be one of {", ".join(known_statuses)} in {country} (got "{status}")',
                ("applicant", "status"),
            )
        )
    files = data.get("files")
    known = item_ids() if item_ids is not None and isinstance(files, Mapping) and files else None
    if known is not None and isinstance(files, Mapping):
        found += [
            typed.Found(
                f"files.{k}",
                f'unknown item id "{v}"; use "ignore" or one of: ' + ", ".join(sorted(known)),
                ("files", k),
            )
            for k, v in files.items()
            if isinstance(v, str) and v != "ignore" and v not in known
        ]
    return found


def _canonical_status(value: Any) -> str | None:
    """A status as the model reads it (any case), or None when it is not one (its error)."""
    if not isinstance(value, str):
        return None
    from . import track_facts

    folded = value.strip().lower()
    return next((s for s in track_facts.statuses() if s.lower() == folded), None)


def load_profile(folder: Path, item_ids: Callable[[], set[str]] | None = None) -> Profile:
    """Read ``folder/dossier.yaml`` if there is one; an empty Profile otherwise."""
    path = folder / PROFILE_NAME
    if not path.is_file():
        return Profile()
    return parse_profile(read_yaml(path), name=str(path), path=path, item_ids=item_ids)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
