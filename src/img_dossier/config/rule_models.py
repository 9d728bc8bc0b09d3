"""The conditions (``when:``) and rules (``rules:``) of checklist items, as pydantic models.

One model per rule type holds that type's parameters; a rule is validated by the model its
``type`` names (a discriminated union), so a typo in a parameter, a parameter of another
type or ``max_bytes: "5 MB"`` is an error when the checklist is loaded, naming the file,
item, rule and parameter. The rule engine (checking/rules/) has one function per type here.
To add a rule type: a model here (in ``RULE_MODELS``) and its function in the engine.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)

from .choices import PROVINCES, STATUSES, VISAS
from .model_base import Closed, Day, _canonical

#: Text with something in it (the loaders strip it).
_Text = Annotated[str, Strict(), Field(pattern=r"\S")]
_Texts = Annotated[list[_Text], Field(min_length=1)]
_Count = Annotated[int, Strict(), Field(ge=0)]
_PositiveInt = Annotated[int, Strict(), Field(gt=0)]
_Positive = Annotated[StrictInt | StrictFloat, Field(gt=0)]
_Pair = tuple[_Positive, _Positive]


#: A date of a configuration file: YYYY-MM-DD (model_base.py).
_Day = Day


_Visa = Annotated[Literal[VISAS], BeforeValidator(_canonical(VISAS))]  # type: ignore[valid-type]
_Status = Annotated[Literal[STATUSES], BeforeValidator(_canonical(STATUSES))]  # type: ignore[valid-type]
_Province = Annotated[Literal[PROVINCES], BeforeValidator(_canonical(PROVINCES))]  # type: ignore[valid-type]


# -- conditions ------------------------------------------------------------------------------


class NotText(Closed):
    not_: _Text | _Texts = Field(alias="not")


class NotFlag(Closed):
    not_: StrictBool | Annotated[list[StrictBool], Field(min_length=1)] = Field(alias="not")


class NotVisa(Closed):
    not_: _Visa | Annotated[list[_Visa], Field(min_length=1)] = Field(alias="not")


class NotStatus(Closed):
    not_: _Status | Annotated[list[_Status], Field(min_length=1)] = Field(alias="not")


class NotProvince(Closed):
    not_: _Province | Annotated[list[_Province], Field(min_length=1)] = Field(alias="not")


_TextIs = _Text | _Texts | NotText
_FlagIs = StrictBool | Annotated[list[StrictBool], Field(min_length=1)] | NotFlag
_VisaIs = _Visa | Annotated[list[_Visa], Field(min_length=1)] | NotVisa
_StatusIs = _Status | Annotated[list[_Status], Field(min_length=1)] | NotStatus
_ProvinceIs = _Province | Annotated[list[_Province], Field(min_length=1)] | NotProvince


class Conditions(Closed):
    """Conditions on the applicant (all must hold): a value, a list (any of them), or
    ``{not: [...]}``. Strings compare without case and punctuation ("OB/GYN" is "obgyn")."""

    track: _TextIs | None = Field(None, description="us, canada, or a custom track.")
    visa: _VisaIs | None = None
    ecfmg_certified: _FlagIs | None = None
    language_exempt: _FlagIs | None = None
    status: _StatusIs | None = None
    province: _ProvinceIs | None = None
    specialty: _TextIs | None = None
    school_language: _TextIs | None = Field(None, description="ISO 639-1 code, e.g. es.")
    school_country: _TextIs | None = None
    needs_translation: _FlagIs | None = Field(
        None, description="A document of the item is not in an accepted language."
    )


class ConditionGroup(Conditions):
    """One group of a list of groups (any one group makes it apply): never empty."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data:
            raise ValueError("an empty group of conditions; give one such as {visa: [J-1]}")
        return data


#: The variables a condition may test (the profile's plus those verify derives).
CONDITION_VARIABLES = frozenset(Conditions.model_fields)
When = Conditions | Annotated[list[ConditionGroup], Field(min_length=1)]


# -- rules -----------------------------------------------------------------------------------

_UNCONFIRMED_NEEDS_NOTE: dict[str, Any] = {
    "if": {"properties": {"confirmed": {"const": False}}, "required": ["confirmed"]},
    "then": {"required": ["note"]},
}


class _Rule(Closed):
    source: _Text = Field(description="Public page (URL) the rule comes from.")
    why: _Text | None = Field(None, description='A few words naming it, e.g. "J-1 rule".')
    confirmed: StrictBool | None = Field(None, description="false: not confirmed at its source.")
    note: _Text | None = Field(None, description="What could not be confirmed, and why.")
    when: ConditionGroup | None = Field(None, description="The rule applies only then.")

    model_config = ConfigDict(json_schema_extra=_UNCONFIRMED_NEEDS_NOTE)

    @model_validator(mode="after")
    def _note_if_unconfirmed(self) -> _Rule:
        if self.confirmed is False and self.note is None:
            raise ValueError("a rule with confirmed: false needs a note saying what is not")
        return self


_Facts = _Text | _Texts
_Reference = Literal["as_of", "training.start", "training.end", "training.ds2019_end"]


class ValidUntil(_Rule):
    """A date fact must be on or after ``reference`` plus ``months``."""

    type: Literal["valid-until"]
    fact: _Facts | None = Field(None, description="expiry (default), or a list of facts.")
    reference: _Reference | None = Field(None, description="as_of (default) or a training date.")
    months: _Count | None = None
    default_months: _Count | None = Field(
        None, description="The DS-2019 period when training.ds2019_end is unset."
    )
    declared: _Text | None = Field(None, description="dossier.yaml dates: key standing in.")
    required: StrictBool | None = Field(None, description="false: no date passes.")


def _one_of(*keys: str) -> dict[str, Any]:
    return {"anyOf": [{"required": [k]} for k in keys]}


class DateWindow(_Rule):
    """A date fact must fall on or after ``on_or_after`` and/or before ``before``."""

    type: Literal["date-window"]
    fact: _Facts | None = None
    on_or_after: _Day | None = None
    before: _Day | None = None
    declared: _Text | None = None

    model_config = ConfigDict(
        json_schema_extra={**_one_of("on_or_after", "before"), **_UNCONFIRMED_NEEDS_NOTE}
    )

    @model_validator(mode="after")
    def _a_bound(self) -> DateWindow:
        if self.on_or_after is None and self.before is None:
            raise ValueError("needs on_or_after or before")
        return self


class MaxAge(_Rule):
    """A date fact (test_date by default) no older than ``years`` or ``days``."""

    type: Literal["max-age"]
    fact: _Facts | None = None
    years: _Count | None = None
    days: _Count | None = None
    declared: _Text | None = None

    model_config = ConfigDict(
        json_schema_extra={**_one_of("years", "days"), **_UNCONFIRMED_NEEDS_NOTE}
    )

    @model_validator(mode="after")
    def _an_age(self) -> MaxAge:
        if self.years is None and self.days is None:
            raise ValueError("needs years or days")
        return self


class MinScores(_Rule):
    """Minimum scores, all from one document (one sitting)."""

    type: Literal["min-scores"]
    scores: Annotated[dict[str, StrictInt | StrictFloat], Field(min_length=1)] = Field(
        description="Component -> minimum, e.g. {writing: 300}."
    )
    exam: _Text | None = Field(None, description="Only documents of this exam, e.g. oet.")
    one_sitting: StrictBool | None = None
    taken_before: _Day | None = None
    taken_on_or_after: _Day | None = None


class Outcome(_Rule):
    type: Literal["outcome"]
    expect: Literal["pass", "fail"] | None = Field(None, description="pass (default) or fail.")


class RequiredElements(_Rule):
    """Every element of a Statement of Need, its specialty the applicant's."""

    type: Literal["required-elements"]
    specialty_from: list[_Text] | None = Field(None, description="Item ids to compare with.")


class NameMatch(_Rule):
    type: Literal["name-match"]


class Translation(_Rule):
    type: Literal["translation"]
    translation_items: list[_Text] | None = Field(None, description="Items that translate.")


class PortalFile(_Rule):
    """The file rules of a portal (default: the item's); keys given here override its."""

    type: Literal["portal-file"]
    portal: _Text | None = Field(None, description="A portal id defined under portals:.")
    formats: list[_Text] | None = None
    max_bytes: _PositiveInt | None = Field(None, description="Bytes (5 MB is 5000000).")
    encryption: StrictBool | None = None
    digital_signatures: StrictBool | None = None
    page_size_pt: _Pair | None = None
    forbidden_filename_chars: _Text | None = None
    max_chars: _PositiveInt | None = None
    aspect: _Pair | None = None
    min_pixels: tuple[_Count, _Count] | None = None


class LocalReferee(_Rule):
    type: Literal["local-referee"]
    countries: list[_Text] | None = Field(None, description="Default [US, CA].")


RULE_MODELS: tuple[type[_Rule], ...] = (
    ValidUntil,
    DateWindow,
    MaxAge,
    MinScores,
    Outcome,
    RequiredElements,
    NameMatch,
    Translation,
    PortalFile,
    LocalReferee,
)

#: rule type -> its model
RULE_TYPES: dict[str, type[_Rule]] = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in RULE_MODELS
}

AnyRule = Annotated[
    Union[  # noqa: UP007 (the discriminated union reads better spelled out)
        ValidUntil,
        DateWindow,
        MaxAge,
        MinScores,
        Outcome,
        RequiredElements,
        NameMatch,
        Translation,
        PortalFile,
        LocalReferee,
    ],
    Field(discriminator="type"),
]
