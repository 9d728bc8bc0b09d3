"""A checklist's ``portals:``: the upload rules of each portal, typed and validated at load.

``check`` (rule ``portal-file``) and ``pack`` read the same validated values: a
``max_bytes: "5 MB"`` is an error when the checklist is loaded (``checklists validate``
names the file, line and field), never a limit that one command skips and another refuses.
To add a key, add a field here with its type and a comment saying who reads it.
"""

from __future__ import annotations

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
)

__all__ = ["Portal"]

_PositiveInt = Annotated[int, Strict(), Field(gt=0)]
_Count = Annotated[int, Strict(), Field(ge=0)]
_Dpi = Annotated[int, Strict(), Field(ge=72, le=1200)]
_Positive = Annotated[StrictInt | StrictFloat, Field(gt=0)]  # 5 stays 5 (messages show it)
_Text = Annotated[str, Strict(), Field(pattern=r"\S")]


class Portal(BaseModel):
    """One portal's upload rules (``portals.<id>`` of a checklist)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    source: _Text = Field(description="Public page the rules come from (required).")
    title: StrictStr | None = Field(None, description="The portal's name, as users know it.")
    pack_source: StrictStr | None = Field(None, description="Source of pack's own choices.")
    # which items go where (pack)
    items: list[StrictStr] = Field(default_factory=list, description="Item ids it takes.")
    part_of: StrictStr | None = Field(None, description="A larger portal it belongs to.")
    pack_with: StrictStr | None = Field(None, description="A portal packed together with it.")
    one_file_each: list[StrictStr] = Field(
        default_factory=list, description="Items uploaded one file per document."
    )
    referee_uploads: list[StrictStr] = Field(
        default_factory=list, description="Items the referees upload themselves."
    )
    slots: list[dict[str, Any]] | None = Field(
        None, description="Explicit uploads: {id, items, join} (pack checks them)."
    )
    translations: StrictStr | None = Field(
        None, description="How translations go: with-original or unaltered (pack)."
    )
    # file rules (rule portal-file in check; pack obeys them)
    formats: list[StrictStr] = Field(
        default_factory=list, description="File formats it takes: pdf, jpeg, png, ..."
    )
    max_bytes: _PositiveInt | None = Field(
        None, description="Largest file, in bytes (a whole number: 5 MB is 5000000)."
    )
    max_chars: _PositiveInt | None = Field(None, description="Most characters of text.")
    encryption: StrictBool | None = Field(None, description="false: encrypted files refused.")
    digital_signatures: StrictBool | None = Field(
        None, description="false: digitally signed PDFs refused."
    )
    page_size_pt: tuple[_Positive, _Positive] | None = Field(
        None, description="[width, height] of every page, in points."
    )
    forbidden_filename_chars: StrictStr | None = Field(
        None, description="Characters a file name may not contain."
    )
    one_document_per_file: StrictBool | None = None
    english_only: StrictBool | None = None
    plain_text: StrictBool | None = None
    severity: Literal["error", "warning"] | None = Field(
        None, description="warning when the source is secondary."
    )
    confirmed: StrictBool | None = Field(
        None, description="false: the rules could not be confirmed at their source."
    )
    note: StrictStr | None = Field(None, description="What could not be confirmed, and why.")
    # photos
    aspect: tuple[_Positive, _Positive] | None = Field(None, description="[width, height] ratio.")
    size_in: tuple[_Positive, _Positive] | None = Field(None, description="Print size, inches.")
    min_pixels: tuple[_Count, _Count] | None = Field(None, description="[width, height].")
    dpi: _Dpi | None = None
    # how far pack may shrink a file to fit max_bytes
    min_dpi: _Dpi | None = None
    min_jpeg_quality: Annotated[int, Strict(), Field(ge=10, le=95)] | None = None
