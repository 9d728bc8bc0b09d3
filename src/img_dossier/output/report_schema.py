"""The JSON report (``check --json``, schema_version 1) as a pydantic model, for its schema.

``dossier schema report`` prints the JSON Schema generated from this model (committed as
``schemas/report.schema.json``); the tests validate every report they produce against it.
The report itself is written by ``model.Report.to_json``: this model describes it, it does
not build it. New keys may be added to the report (consumers must ignore keys they do not
know); a key's meaning or type never changes within one ``schema_version``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..isodate import ISO_DAY
from ..model import DOCUMENT_FORMATS, ITEM_STATUSES

__all__ = ["ReportJson", "report_json_schema"]

_Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", description="A problem code.")]


class _Open(BaseModel):
    """Later versions may add keys: consumers ignore the ones they do not know."""

    model_config = ConfigDict(extra="allow")


class ProblemJson(_Open):
    code: _Code
    severity: Literal["error", "warning"]
    message: str


class ToolJson(_Open):
    name: Literal["img-dossier"]
    version: str


class ChecklistJson(_Open):
    id: str
    title: str
    version: str


class ApplicantJson(_Open):
    name: str | None


class ItemJson(_Open):
    id: str
    title: str
    required: bool
    status: Literal[ITEM_STATUSES]  # type: ignore[valid-type]
    documents: list[str]
    messages: list[str]
    problems: list[ProblemJson]


class DocumentJson(_Open):
    path: str = Field(description="Relative to the folder; see path_bytes for non-UTF-8 names.")
    format: Literal[DOCUMENT_FORMATS] | None  # type: ignore[valid-type]
    bytes: Annotated[int, Field(ge=0)]
    pages: Annotated[int, Field(ge=0)] | None
    sha256: str
    item: str | None
    classified_by: Literal["manifest", "filename", "content"] | None
    evidence: list[str]
    facts: dict[str, Any]
    problems: list[ProblemJson]


class ReportJson(_Open):
    """The report of one folder (``dossier check --json``)."""

    schema_version: Literal[1]
    tool: ToolJson
    folder: str
    checklist: ChecklistJson
    as_of: str = Field(pattern=ISO_DAY.pattern)
    applicant: ApplicantJson
    complete: bool
    summary: dict[str, int]
    items: list[ItemJson]
    documents: list[DocumentJson]
    ignored: list[str]


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``check --json`` (``dossier schema report``)."""
    schema = ReportJson.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://img-dossier.invalid/schemas/report.schema.json"
    schema["title"] = "img-dossier check report (schema_version 1)"
    return schema
