"""The program list as typed data: pydantic models, and the JSON Schema they generate.

A list holds programs; each program holds criteria; every criterion value carries its
``source`` (a URL, or ``program e-mail``) and the date it was ``checked``. ``unknown`` is a
value of its own (the source was read and does not say), different from ``no``/``none``;
a criterion left out of a program is unknown too, with nothing to cite.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from ..config import tracks as tracks_data
from ..config.exams import with_attempts
from ..config.profile import PROVINCES

T = TypeVar("T")

#: The value that says "the source does not tell".
UNKNOWN: Literal["unknown"] = "unknown"
Unknown = Literal["unknown"]
#: A limit that does not exist (no cap on years since graduation, no minimum score).
NoLimit = Literal["none"]

#: Where a value was read: a web page, or the program's answer to an e-mail.
SOURCE_PATTERN = r"^(?:https?://\S+|[Pp]rogram e-?mail)$"
Source = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=SOURCE_PATTERN),
    Field(description='A URL (https://...) or "program e-mail".'),
]

Visa = Literal["J-1", "H-1B"]
Province = Literal[PROVINCES]  # type: ignore[valid-type]
#: The application systems, and the applicant track each belongs to (checklists/tracks.yaml).
if TYPE_CHECKING:
    System = str
else:
    System = Literal[tracks_data.systems()]
SYSTEM_TRACK = tracks_data.system_track()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict, Generic[T]):
    """One criterion value with where it was read and when."""

    value: T | Unknown
    source: Source
    checked: date = Field(description="The date the source was read (YYYY-MM-DD).")
    note: str | None = Field(None, description="What the source says, in its words (optional).")


class ClinicalExperience(_Strict):
    """US clinical experience a program requires."""

    months: Annotated[float, Field(ge=0, le=120)]
    observership_counts: bool | Unknown = UNKNOWN


class Letters(_Strict):
    """Letters of recommendation a program asks for."""

    count: Annotated[int, Field(ge=0, le=20)]
    from_us: Annotated[int, Field(ge=0, le=20)] = 0


class Residence(_Strict):
    """A Canadian stream's residence rule: ``resident`` (lives in the province), ``connection``
    (lives there or has another tie the program defines), or ``none``."""

    rule: Literal["resident", "connection", "none"]
    province: Province | None = Field(None, description="Default: the program's province.")


Count = Annotated[int, Field(ge=0, le=10)]


class _AttemptLimits(_Strict):
    """Most failed attempts, for all exams together (``any``) and per exam."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    any: Count | None = None

    def limits(self) -> dict[str, int]:
        """exam id (or ``any``) -> the most failures it allows."""
        return {
            key: value for key, value in self.model_dump(by_alias=True).items() if value is not None
        }


if TYPE_CHECKING:
    AttemptLimits = _AttemptLimits
else:
    #: One field per exam with ``attempts: true`` in checklists/exams.yaml, named by its id.
    AttemptLimits = create_model(
        "AttemptLimits",
        __base__=_AttemptLimits,
        __module__=__name__,
        **{
            exam.replace("-", "_"): (Count | None, Field(None, alias=exam))
            for exam in with_attempts()
        },
    )
    AttemptLimits.__doc__ = _AttemptLimits.__doc__


FailedAttempts = Count | AttemptLimits


class AcceptsImgs(Sourced[bool]):
    """The program considers graduates of medical schools outside the US and Canada."""


class Visas(Sourced[list[Visa]]):
    """Visas the program sponsors; [] when it sponsors none."""


class CertificationBy(Sourced[Literal["application", "rank-deadline", "start"]]):
    """When ECFMG certification must be held: at application, by the rank deadline, by start."""


class MaxYears(Sourced[Annotated[int, Field(ge=0, le=60)] | NoLimit]):
    """Most years since graduation (counted on the screening date's year); none: no limit."""


class MaxFailures(Sourced[FailedAttempts | NoLimit]):
    """Most failed attempts: a number for all exams, or per exam {any: 1, usmle-step2-ck: 0}."""


class MinScore(Sourced[Annotated[int, Field(ge=1, le=300)] | NoLimit]):
    """Lowest USMLE Step 2 CK score considered; none: no minimum."""


class UsClinical(Sourced[ClinicalExperience | NoLimit]):
    """US clinical experience required; none: not required."""


class LettersRequired(Sourced[Letters]):
    """Letters of recommendation: how many, and how many from US physicians."""


class Stream(Sourced[Literal["img", "cmg", "all"]]):
    """The CaRMS stream of the position: img, cmg, or all (open to both)."""


class ResidenceRule(Sourced[Residence]):
    """Where a Canadian stream's applicants must live."""


class LanguageTest(Sourced[bool]):
    """A language test result (or an exemption) is required."""


class ReturnOfService(Sourced[Annotated[int, Field(ge=0, le=10)]]):
    """Years of return of service the position's contract asks (0 when none)."""


class ExtraDocuments(Sourced[list[Annotated[str, StringConstraints(min_length=1)]]]):
    """Documents beyond the checklist, such as FMProC."""


class Criteria(_Strict):
    """Every criterion a program may state; one left out is unknown."""

    accepts_imgs: AcceptsImgs | None = None
    visas: Visas | None = None
    ecfmg_certification_by: CertificationBy | None = None
    max_years_since_graduation: MaxYears | None = None
    max_failed_attempts: MaxFailures | None = None
    min_step2_ck_score: MinScore | None = None
    us_clinical_experience: UsClinical | None = None
    letters: LettersRequired | None = None
    stream: Stream | None = None
    residence: ResidenceRule | None = None
    language_test: LanguageTest | None = None
    return_of_service_years: ReturnOfService | None = None
    extra_documents: ExtraDocuments | None = None


#: Criterion names, in the order they are screened and shown.
CRITERIA: tuple[str, ...] = tuple(Criteria.model_fields)

#: What a criterion value may be, said for error messages.
EXPECTED: dict[str, str] = {
    "accepts_imgs": "true, false or unknown",
    "visas": "a list of J-1 and H-1B ([] when none), or unknown",
    "ecfmg_certification_by": "application, rank-deadline, start or unknown",
    "max_years_since_graduation": "a number of years, none (no limit) or unknown",
    "max_failed_attempts": (
        "a number (any exam), per exam such as {any: 1, usmle-step2-ck: 0}, none or unknown"
    ),
    "min_step2_ck_score": "a three-digit score, none or unknown",
    "us_clinical_experience": (
        "{months: 3, observership_counts: false} (observership_counts: true, false or "
        "unknown), none or unknown"
    ),
    "letters": "{count: 3, from_us: 2} or unknown",
    "stream": "img, cmg, all or unknown",
    "residence": "{rule: resident|connection|none, province: ON} or unknown",
    "language_test": "true (required), false or unknown",
    "return_of_service_years": "a number of years (0 when none) or unknown",
    "extra_documents": "a list of document names such as [FMProC] or unknown",
}


class Program(_Strict):
    """One program (or CaRMS stream) and its criteria."""

    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] = (
        Field(description="NRMP program code, ACGME id, or CaRMS program/stream id.")
    )
    name: str | None = None
    system: System
    specialty: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    track: str | None = Field(None, description="categorical, preliminary, ... or a stream.")
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    province: Province | None = None
    criteria: Criteria = Field(default_factory=Criteria)


class ProgramList(_Strict):
    """A program list file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_version: Literal[1] = Field(1, alias="schema")
    fictional: bool = Field(False, description="true for made-up examples (the samples).")
    season: Annotated[int, Field(ge=2000, le=2100)] | None = Field(
        None,
        description="The year training starts (2027 for July 2027); values checked before "
        "June 1 of the year before are stale. Default: the season of the date checked on.",
    )
    programs: list[Program]


def programs_json_schema() -> dict[str, Any]:
    """The JSON Schema of a program list file (``dossier schema programs``)."""
    from ..config.titled import titled_schema

    return titled_schema(ProgramList, "programs", "img-dossier program list")
