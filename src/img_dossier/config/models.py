"""The configuration files as pydantic models: checklists and dossier.yaml.

These models say what each file may hold; ``dossier schema checklist`` and ``dossier schema
dossier`` print the JSON Schemas generated from them (committed in ``schemas/`` for editors:
with the YAML extension of VS Code, ``# yaml-language-server: $schema=...`` at the top of a
file gives completion and checks as you type). A checklist's portals are validated with
these models when it is loaded (``config.portals``); the other fields are validated by the
loaders, with the same names, and the tests hold the models and the loaders to each other
(every built-in checklist and sample dossier.yaml validates against both).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from .portals import Portal
from .profile import CANADA_STATUSES, PROVINCES, US_STATUSES, VISAS
from .roles import ROLES

__all__ = ["ChecklistFile", "DossierFile", "Item", "Rule", "json_schema"]

_Text = Annotated[str, Field(min_length=1)]
_Count = Annotated[int, Strict(), Field(ge=0)]
_ConditionValue = str | bool | int
_Date = Annotated[date, Field(description="YYYY-MM-DD")]
_Conditions = dict[str, _ConditionValue | list[_ConditionValue] | dict[Literal["not"], Any]]
#: One group of conditions (all must hold), or a list of groups (any one must hold).
_When = _Conditions | list[_Conditions]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rule(BaseModel):
    """One rule of an item: its ``type``, the public ``source`` it comes from, and the
    parameters of that type (``dossier checklists validate`` checks them per type)."""

    model_config = ConfigDict(extra="allow")

    type: _Text = Field(description="The rule type, e.g. expiry, max-age, min-scores.")
    source: _Text = Field(description="Public page (URL or citation) the rule comes from.")


class Item(_Closed):
    """One checklist item: a document (or step) the application needs."""

    id: _Text = Field(description="Stable id, lower-case with hyphens (e.g. passport).")
    title: _Text | None = Field(None, description="What the document is.")
    required: bool = False
    source: _Text | None = Field(None, description="Where the requirement comes from.")
    when: _When = Field(
        default_factory=dict,
        description="Conditions, e.g. {visa: [J-1]}; {not: [...]} negates; a list: any group.",
    )
    min: _Count = 1
    max: _Count | None = None
    advice: str | None = None
    names: list[_Text] = Field(default_factory=list, description="Words of a file name.")
    evidence: list[_Text | list[_Text]] = Field(
        default_factory=list, description="Phrase groups; all phrases of one group must appear."
    )
    rules: list[Rule] = Field(default_factory=list)
    portal: str | None = Field(None, description="The portal (under portals:) it is uploaded to.")
    facts: list[_Text] = Field(
        default_factory=list, description="Facts its documents carry besides those rules read."
    )
    count_note: _Text | None = Field(None, description="Why min/max are what they are.")
    confirmed: bool | None = Field(None, description="false: not confirmed at its source.")
    note: str | None = Field(None, description="What could not be confirmed, and why.")
    portrait: bool = Field(
        False, description="An image with no text, taller than wide (a photo), is this item."
    )
    roles: list[Literal[tuple(ROLES)]] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="What the tool does with it besides checking: "
        + "; ".join(f"{k}: {v}" for k, v in ROLES.items()),
    )


class Step(_Closed):
    """A dated step of the application that is not a document (e.g. NRMP registration)."""

    id: _Text
    title: _Text | None = None
    source: _Text | None = None
    date: _Date | None = Field(None, description="Its published date, when known.")
    confirmed: bool | None = Field(None, description="false: the date is not confirmed.")
    note: str | None = None
    when: _When = Field(default_factory=dict)
    advice: str | None = None


class Notice(_Closed):
    """A notice shown to applicants it applies to (e.g. a provincial rule)."""

    id: _Text
    text: _Text | None = None
    source: _Text | None = None
    when: _When = Field(default_factory=dict)
    confirmed: bool | None = None
    note: str | None = None


class ChecklistFile(_Closed):
    """A checklist file (checklists/*.yaml, or a custom one with ``extends``)."""

    schema_: Literal[1] = Field(1, alias="schema", description="Format version (1).")
    id: _Text | None = None
    title: _Text | None = None
    version: _Text | float | None = Field(None, description='Quote it: "2026.1".')
    track: _Text | None = Field(None, description="us or canada (or a custom track).")
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=lambda: ["en"], description="Languages accepted without translation."
    )
    extends: _Text | None = Field(None, description="A built-in checklist id or a path.")
    drop: list[_Text] = Field(default_factory=list, description="With extends: ids to remove.")
    sources: dict[str, str] = Field(
        default_factory=dict, description="Source grades used in citations, e.g. O: official."
    )
    portals: dict[str, Portal] = Field(default_factory=dict)
    items: list[Item] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)


# -- dossier.yaml -------------------------------------------------------------------------


class Applicant(_Closed):
    given_names: str | None = None
    family_name: str | None = None
    other_names: str | list[str] = Field(default_factory=list)
    citizenship: str | list[str] = Field(default_factory=list)
    status: Literal[tuple(dict.fromkeys(US_STATUSES + CANADA_STATUSES))] | None = None  # type: ignore[valid-type]


class MedicalSchool(_Closed):
    name: str | None = None
    country: str | None = None
    graduation_year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    language: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None = Field(
        None, description="ISO 639-1 code of the school's documents, e.g. es."
    )


class Training(_Closed):
    specialty: str | None = None
    start: _Date | None = None
    end: _Date | None = None
    visa: Literal[VISAS] | None = None  # type: ignore[valid-type]
    province: Literal[PROVINCES] | None = None  # type: ignore[valid-type]
    accepts_return_of_service: bool | None = None
    ds2019_end: _Date | None = Field(None, description="J-1 only: end of the DS-2019 period.")


class ExamRecord(_Closed):
    attempts: Annotated[int, Field(ge=0, le=20)] | None = None
    failures: Annotated[int, Field(ge=0, le=20)] | None = None
    score: Annotated[int, Field(ge=0, le=999)] | None = None


class Rotation(_Closed):
    kind: Literal["clerkship", "sub-internship", "elective", "externship", "observership"]
    start: _Date
    end: _Date
    where: str | None = None


class Residence(_Closed):
    province: Literal[PROVINCES] | None = None  # type: ignore[valid-type]
    since: _Date | None = None


class DossierFile(_Closed):
    """An applicant folder's dossier.yaml: what the documents cannot say for themselves."""

    schema_: Literal[1] = Field(1, alias="schema", description="Format version (1).")
    track: str | None = Field(None, description="us or canada (or a checklist id or path).")
    applicant: Applicant = Applicant()
    medical_school: MedicalSchool = MedicalSchool()
    training: Training = Training()
    ecfmg_certified: bool | None = None
    language_exempt: bool | None = None
    dates: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], _Date] = Field(
        default_factory=dict, description="Dates a scan may not show, e.g. passport_expiry."
    )
    files: dict[str, str] = Field(
        default_factory=dict, description='File (or glob) -> item id, or "ignore".'
    )
    exams: dict[str, ExamRecord] = Field(
        default_factory=dict, description="Attempts per exam id, e.g. usmle-step1."
    )
    us_clinical_experience: list[Rotation] | None = Field(
        None, description="US rotations ([] when none)."
    )
    residence: Residence = Residence()


_TITLES: dict[str, tuple[type[BaseModel], str]] = {
    "checklist": (ChecklistFile, "img-dossier checklist"),
    "dossier": (DossierFile, "img-dossier dossier.yaml"),
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of ``checklist`` or ``dossier``."""
    model, title = _TITLES[name]
    schema: dict[str, Any] = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://img-dossier.invalid/schemas/{name}.schema.json"
    schema["title"] = title
    return schema
