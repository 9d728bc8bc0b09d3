"""The configuration files as pydantic models: checklists, dossier.yaml, letter templates.

These models ARE the loaders' validation: each file is read by ruamel.yaml (YAML 1.2,
duplicate keys refused) and validated by its model here; ``config.typed`` turns what is
wrong into messages naming the file, line and field. ``dossier schema checklist`` and
``dossier schema dossier`` print the JSON Schemas generated from the same models (committed
in ``schemas/`` for editors: with the YAML extension of VS Code, ``# yaml-language-server:
$schema=...`` at the top of a file gives completion and checks as you type), so the schemas
and the loaders cannot disagree. What a schema cannot say (an item's portal is defined, a
``files:`` entry names an item of the checklist) the loaders check on the same data and
say with the model's errors (``config.typed.Found``), so a file's errors come in one go.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..isodate import iso_date
from .dossier_models import DossierFile
from .model_base import Closed, Day
from .portals import Portal
from .roles import ROLES
from .rule_models import AnyRule, Conditions, When
from .titled import titled_schema

__all__ = [
    "ChecklistFile",
    "Conditions",
    "DossierFile",
    "FullChecklist",
    "Item",
    "ReadPages",
    "TemplateFile",
    "json_schema",
]

#: Text with something in it (the loaders strip it).
_Text = Annotated[str, Strict(), Field(pattern=r"\S")]
_Count = Annotated[int, Strict(), Field(ge=0)]
_Date = Day
_Version = StrictStr | StrictInt | StrictFloat
#: An evidence group: one phrase, or phrases that must all appear.
_Phrases = _Text | Annotated[list[_Text], Field(min_length=1)]

_UNCONFIRMED_NEEDS_NOTE: dict[str, Any] = {
    "if": {"properties": {"confirmed": {"const": False}}, "required": ["confirmed"]},
    "then": {"required": ["note"]},
}


def _unconfirmed_needs_note(confirmed: bool | None, note: str | None, what: str) -> None:
    if confirmed is False and not (note and note.strip()):
        raise ValueError(f"{what} with confirmed: false needs a note saying what is not")


class ReadPages(Closed):
    """Which pages of a document of this item are read when a rule of the item lacks a fact
    in the first pages (a scanned passport booklet whose data page is page 3, a letter
    signed and dated on its last page). Classification needs the first pages only; these
    further pages (text layer, or OCR on a scan) are read after it, for documents of this
    item only, at most ``Limits.more_pages`` pages in all."""

    first: Annotated[int, Strict(), Field(ge=1)] | Literal["all"] | None = Field(
        None,
        description='Pages read from the start (e.g. 4), or "all" (every page, up to the '
        "tool's limit of pages per document).",
    )
    last: Annotated[int, Strict(), Field(ge=0)] = Field(
        0, description="Pages read from the end (e.g. 1: the signature page)."
    )
    source: _Text = Field(
        description="Why the fact a rule needs may be on these pages, with a public source."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["first"]},
                {"required": ["last"], "properties": {"last": {"minimum": 1}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _some_pages(self) -> ReadPages:
        if self.first is None and not self.last:
            raise ValueError('give first (a number of pages, or "all") or last (a number)')
        return self


class Item(Closed):
    """One checklist item: a document (or step) the application needs. In a checklist with
    ``extends``, an item of the base is changed by giving its id and the keys to change."""

    id: _Text = Field(description="Stable id, lower-case with hyphens (e.g. passport).")
    title: _Text | None = Field(None, description="What the document is.")
    required: StrictBool = False
    source: _Text | None = Field(None, description="Public page the requirement comes from.")
    when: When | None = Field(
        None,
        description="Conditions, e.g. {visa: [J-1]}; {not: [...]} negates; a list: any group.",
    )
    min: _Count = 1
    max: _Count | None = None
    advice: StrictStr | None = None
    names: list[_Text] | None = Field(default_factory=list, description="Words of a file name.")
    evidence: list[_Phrases] | None = Field(
        default_factory=list, description="Phrase groups; all phrases of one group must appear."
    )
    rules: list[AnyRule] | None = Field(default_factory=list, description="Deeper checks.")
    portal: _Text | None = Field(None, description="The portal (under portals:) it goes to.")
    facts: list[_Text] | None = Field(
        default_factory=list, description="Facts its documents carry besides those rules read."
    )
    count_note: _Text | None = Field(None, description="Why min/max are what they are.")
    confirmed: StrictBool | None = Field(None, description="false: not confirmed at its source.")
    note: StrictStr | None = Field(None, description="What could not be confirmed, and why.")
    portrait: StrictBool = Field(
        False, description="An image with no text, taller than wide (a photo), is this item."
    )
    roles: list[Literal[tuple(ROLES)]] | None = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="What the tool does with it besides checking: "
        + "; ".join(f"{k}: {v}" for k, v in ROLES.items()),
    )
    read_pages: ReadPages | None = Field(
        None,
        description="Pages read beyond the first ones when a rule of the item lacks a fact "
        "there (e.g. {last: 1, source: ...} for a date on the signature page).",
    )

    model_config = ConfigDict(json_schema_extra=_UNCONFIRMED_NEEDS_NOTE)

    @field_validator("max")
    @classmethod
    def _max_at_least_min(cls, hi: int | None, info: ValidationInfo) -> int | None:
        lo = info.data.get("min", 1)
        if hi is not None and hi < max(lo, 1):
            raise ValueError(f"must be a whole number >= min ({max(lo, 1)})")
        return hi

    @model_validator(mode="after")
    def _note(self) -> Item:
        _unconfirmed_needs_note(self.confirmed, self.note, "an item")
        return self


class Step(Closed):
    """A dated step of the application that is not a document (e.g. NRMP registration)."""

    id: _Text
    title: _Text | None = None
    source: _Text | None = None
    date: _Date | None = Field(None, description="Its published date, when known.")
    confirmed: StrictBool | None = Field(None, description="false: the date is not confirmed.")
    note: StrictStr | None = None
    when: Conditions | None = None
    advice: StrictStr | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"confirmed": {"const": True}}, "required": ["confirmed"]},
            "then": {"required": ["date"]},
        }
    )

    @field_validator("confirmed")
    @classmethod
    def _dated_if_confirmed(cls, confirmed: bool | None, info: ValidationInfo) -> bool | None:
        if confirmed and info.data.get("date") is None:
            raise ValueError("a step without a date cannot be confirmed; give its published date")
        return confirmed


class Notice(Closed):
    """A notice shown to applicants it applies to (e.g. a provincial rule)."""

    id: _Text
    text: _Text | None = None
    source: _Text | None = None
    when: Conditions | None = None
    confirmed: StrictBool | None = None
    note: StrictStr | None = None


#: Every checklist without ``extends`` gives these (a custom one takes them from its base).
_HEADER = ("id", "title", "version", "track")


class ChecklistFile(Closed):
    """A checklist file (checklists/*.yaml, or a custom one with ``extends``)."""

    schema_: Literal[1] = Field(1, alias="schema", description="Format version (1).")
    id: _Text | None = None
    title: _Text | None = None
    version: _Version | None = Field(None, description='Quote it: "2026.1".')
    track: _Text | None = Field(None, description="us or canada (or a custom track).")
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=lambda: ["en"], description="Languages accepted without translation."
    )
    extends: _Text | None = Field(None, description="A built-in checklist id or a path.")
    drop: list[_Text] | None = Field(
        default_factory=list, description="With extends: ids to remove."
    )
    sources: dict[str, StrictStr] | None = Field(
        default_factory=dict, description="Source grades used in citations, e.g. O: official."
    )
    portals: dict[str, Portal] | None = Field(default_factory=dict)
    items: list[Item] = Field(default_factory=list)
    steps: list[Step] | None = Field(default_factory=list)
    notices: list[Notice] | None = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete_without_extends(self) -> ChecklistFile:
        if self.extends is None and "items" not in self.model_fields_set:
            raise ValueError("a checklist without extends needs a list of items")
        missing = _missing_without_extends(self) if self.extends is None else []
        if missing:
            raise ValueError(
                f"a checklist without extends needs {', '.join(missing)}: every checklist has "
                "an id, a title, a version and a track, and every item a title and a source"
            )
        return self

    # without extends: the header, and each item's title and source (FullChecklist)
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"not": {"required": ["extends"]}},
            "then": {
                "required": [*_HEADER, "items"],
                "properties": {
                    "items": {"items": {"required": ["title", "source"]}},
                    "steps": {"items": {"required": ["title", "source"]}},
                    "notices": {"items": {"required": ["text", "source"]}},
                },
            },
        }
    )


def _missing_without_extends(c: ChecklistFile) -> list[str]:
    """What a checklist without ``extends`` lacks (a custom one takes it from its base)."""
    missing = [k for k in _HEADER if getattr(c, k) is None]
    missing += [
        f"items[{n}].{k}"
        for n, i in enumerate(c.items or [], 1)
        for k in ("title", "source")
        if getattr(i, k) is None
    ]
    return missing


class FullItem(Item):
    """An item as the tool uses it: with its title and source."""

    title: _Text = Field(description="What the document is.")
    source: _Text = Field(description="Public page the requirement comes from.")


class FullStep(Step):
    title: _Text
    source: _Text


class FullNotice(Notice):
    text: _Text
    source: _Text


class FullChecklist(ChecklistFile):
    """A checklist as the tool uses it: a file without ``extends``, or a custom one merged
    into its base (the loaders validate that; the file's own schema is ChecklistFile's)."""

    id: _Text
    title: _Text
    version: _Version
    track: _Text
    items: list[FullItem]  # type: ignore[assignment]
    steps: list[FullStep] | None = Field(default_factory=list)  # type: ignore[assignment]
    notices: list[FullNotice] | None = Field(default_factory=list)  # type: ignore[assignment]

    @field_validator("version")
    @classmethod
    def _version_text(cls, value: str | int | float) -> str | int | float:
        if not str(value).strip():
            raise ValueError("must be non-empty text")
        return value


# -- letter templates (NAME.yaml beside NAME.docx) ------------------------------------------

_Value = StrictStr | StrictInt | StrictFloat | date


class TemplateField(Closed):
    """A value the template uses."""

    name: Annotated[
        str, Strict(), Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$")
    ] = Field(description="A dotted name such as referee_name or applicant.family_name.")
    description: _Text
    required: StrictBool | None = Field(None, description="Default: true unless a default.")
    default: _Value | None = None
    example: _Value = Field(description="Shown by `dossier letters show`.")
    type: Literal["text", "date"] = "text"

    @model_validator(mode="after")
    def _required_has_no_default(self) -> TemplateField:
        if self.required and self.default is not None:
            raise ValueError("a required field has no default; drop default or set required: false")
        if self.type == "date":
            for key in ("default", "example"):
                value = getattr(self, key)
                if value is not None and not _is_date(value):
                    raise ValueError(f"{key}: not a date (got {value!r}); write it as YYYY-MM-DD")
        return self


def _is_date(value: object) -> bool:
    return iso_date(value) is not None


class TemplateFile(Closed):
    """A letter template's NAME.yaml: what it is for, its fields, the file-name field."""

    description: _Text = Field(description="What the letter is for, one line.")
    fields: Annotated[list[TemplateField], Field(min_length=1)]
    filename_field: _Text | None = Field(None, description="The field naming each letter.")

    model_config = ConfigDict(
        json_schema_extra={"required": ["description", "fields", "filename_field"]}
    )

    @model_validator(mode="after")
    def _names(self) -> TemplateFile:
        problems = template_name_errors([f.name for f in self.fields], self.filename_field)
        if problems:
            raise ValueError(": ".join(problems[0][:2]))
        return self


def template_name_errors(
    names: list[Any], filename_field: Any
) -> list[tuple[str, str, tuple[str | int, ...]]]:
    """What a template's field names must agree on: each declared once, none under a value,
    filename_field one of them, as (field, what is wrong, its place in the file). The model
    says the first; the loader says them all, with the model's other errors."""
    found: list[tuple[str, str, tuple[str | int, ...]]] = []
    text = [n for n in names if isinstance(n, str)]
    for n, name in enumerate(names):
        if not isinstance(name, str):
            continue
        if name in names[:n]:
            found.append(("fields", f"{name} is declared twice", ("fields", n)))
            continue
        for other in text:
            if other.startswith(name + "."):
                what = f"{name} is a value, so {other} cannot be declared under it"
                found.append(("fields", what, ("fields", n)))
    if filename_field not in text:
        given = "missing" if filename_field is None else f"got {filename_field!r}"
        found.append(
            (
                "filename_field",
                "must name the field whose value names each letter's file, "
                f"one of: {', '.join(dict.fromkeys(text))} ({given})",
                ("filename_field",),
            )
        )
    return found


_TITLES: dict[str, tuple[type[BaseModel], str]] = {
    "checklist": (ChecklistFile, "img-dossier checklist"),
    "dossier": (DossierFile, "img-dossier dossier.yaml"),
    "letter-template": (TemplateFile, "img-dossier letter template fields (NAME.yaml)"),
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of ``checklist``, ``dossier`` or ``letter-template``."""
    model, title = _TITLES[name]
    return titled_schema(model, name, title)
