"""A model's JSON Schema as ``dossier schema NAME`` publishes it (draft 2020-12, its id and
title): one form for every schema made from a pydantic model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel


def titled_schema(model: type[BaseModel], name: str, title: str) -> dict[str, Any]:
    """``model``'s JSON Schema, published as ``schemas/NAME.schema.json``."""
    schema: dict[str, Any] = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://img-dossier.invalid/schemas/{name}.schema.json"
    schema["title"] = title
    return schema
