"""A letter template as loaded: its fields and where it lives (used by render and values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


def jsonable(value: Any) -> Any:
    """A field's default or example as JSON: dates as ISO strings."""
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class Field:
    """A value a template uses: dotted name, what it is, required or its default, an example."""

    name: str
    description: str
    required: bool
    default: Any
    example: Any
    type: str = "text"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "required": self.required,
            "default": jsonable(self.default),
            "example": jsonable(self.example),
        }


@dataclass(frozen=True)
class Template:
    """A letter template: where it lives, what it is for, its fields and file-name field."""

    name: str
    description: str
    source: str  # "built-in" or the path of the user's .docx
    docx_path: Path
    yaml_path: Path
    fields: tuple[Field, ...]
    filename_field: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "fields": [f.to_json() for f in self.fields],
            "filename_field": self.filename_field,
        }
