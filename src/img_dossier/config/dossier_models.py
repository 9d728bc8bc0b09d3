"""dossier.yaml as a pydantic model (config/profile.py validates a folder's file with it;
``dossier schema dossier`` prints its JSON Schema through config/models.py). Apart from the
checklist models, so that validating a dossier.yaml builds no other model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    Strict,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from .choices import PROVINCES, ROTATION_KINDS, STATUSES, VISAS
from .model_base import Closed, Day, _canonical

_Date = Day

#: Text a user may write as a number too (a school named 1917, a specialty code).
_Name = StrictStr | StrictInt | StrictFloat
_Names = StrictStr | list[StrictStr]
_Visa = Annotated[Literal[VISAS], BeforeValidator(_canonical(VISAS))]  # type: ignore[valid-type]
_Status = Annotated[Literal[STATUSES], BeforeValidator(_canonical(STATUSES))]  # type: ignore[valid-type]
_Province = Annotated[Literal[PROVINCES], BeforeValidator(_canonical(PROVINCES))]  # type: ignore[valid-type]
_Kind = Annotated[Literal[ROTATION_KINDS], BeforeValidator(_canonical(ROTATION_KINDS))]  # type: ignore[valid-type]


_KEY = r"^[a-z][a-z0-9_]*$"
_DateKey = Annotated[str, StringConstraints(strict=True, pattern=_KEY)]


def _not_before(later: date | None, info: ValidationInfo, key: str, what: str) -> date | None:
    earlier = info.data.get(key)
    if later is not None and earlier is not None and later < earlier:
        raise ValueError(f"is before {what} ({later} < {earlier})")
    return later


class Applicant(Closed):
    given_names: _Name | None = None
    family_name: _Name | None = None
    other_names: _Names | None = Field(default_factory=list)
    citizenship: _Names | None = Field(default_factory=list, description="Countries, e.g. [PE].")
    status: _Status | None = Field(None, description="Residency status in the track's country.")


class MedicalSchool(Closed):
    name: _Name | None = None
    country: _Name | None = None
    graduation_year: Annotated[int, Strict(), Field(ge=1900, le=2100)] | None = None
    language: Annotated[str, Strict(), Field(pattern=r"^[A-Za-z]{2}$")] | None = Field(
        None, description="ISO 639-1 code of the school's documents, e.g. es."
    )


class Training(Closed):
    specialty: _Name | None = None
    start: _Date | None = None
    end: _Date | None = None
    visa: _Visa | None = None
    province: _Province | None = None
    accepts_return_of_service: StrictBool | None = None
    ds2019_end: _Date | None = Field(None, description="J-1 only: end of the DS-2019 period.")

    @field_validator("end")
    @classmethod
    def _end(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info, "start", "training.start")

    @field_validator("ds2019_end")
    @classmethod
    def _ds2019_end(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info, "start", "training.start")


class ExamRecord(Closed):
    attempts: Annotated[int, Strict(), Field(ge=0, le=20)] | None = None
    failures: Annotated[int, Strict(), Field(ge=0, le=20)] | None = None
    score: Annotated[int, Strict(), Field(ge=0, le=999)] | None = None

    @field_validator("failures")
    @classmethod
    def _failures(cls, value: int | None, info: ValidationInfo) -> int | None:
        tried = info.data.get("attempts")
        if value is not None and tried is not None and value > tried:
            raise ValueError(f"more than attempts ({value} > {tried})")
        return value


class Rotation(Closed):
    kind: _Kind
    start: _Date
    end: _Date
    where: _Name | None = None

    @field_validator("end")
    @classmethod
    def _end(cls, value: date, info: ValidationInfo) -> date | None:
        return _not_before(value, info, "start", "its start")


class Residence(Closed):
    province: _Province | None = None
    since: _Date | None = None


class DossierFile(Closed):
    """An applicant folder's dossier.yaml: what the documents cannot say for themselves."""

    schema_: Literal[1] = Field(1, alias="schema", description="Format version (1).")
    track: _Name | None = Field(None, description="us or canada (or a checklist id or path).")
    applicant: Applicant | None = None
    medical_school: MedicalSchool | None = None
    training: Training | None = None
    ecfmg_certified: StrictBool | None = None
    language_exempt: StrictBool | None = None
    dates: dict[_DateKey, _Date] | None = Field(
        default_factory=dict,
        description="Dates a scan may not show, e.g. passport_expiry.",
        json_schema_extra={"propertyNames": {"pattern": _KEY}},  # as the model: no other key
    )
    files: dict[str, StrictStr] | None = Field(
        default_factory=dict, description='File (or glob) -> item id, or "ignore".'
    )
    exams: dict[str, ExamRecord] | None = Field(
        default_factory=dict, description="Attempts per exam id, e.g. usmle-step1."
    )
    us_clinical_experience: list[Rotation] | None = Field(
        None, description="US rotations ([] when none)."
    )
    residence: Residence | None = None
