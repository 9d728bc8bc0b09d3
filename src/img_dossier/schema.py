"""JSON Schemas of the files the tool reads and writes (``dossier schema NAME``).

``checklist``, ``dossier`` (dossier.yaml) and ``letter-template`` (a template's NAME.yaml)
come from the models in ``config.models``, which are also what the loaders validate with;
``report`` (``check --json``) from ``output.report_schema``, ``programs`` from the program
list's model, ``tracks`` (checklists/tracks.yaml) from ``config.tracks``. The same schemas
are committed in the repository's ``schemas/`` folder.
"""

from __future__ import annotations

from typing import Any

from .errors import BadInputError

__all__ = ["SCHEMAS", "json_schema"]

#: name -> what it describes
SCHEMAS = {
    "checklist": "a checklist file (checklists/*.yaml, or a custom one)",
    "dossier": "an applicant folder's dossier.yaml",
    "letter-template": "the NAME.yaml declaring a letter template's fields",
    "report": "the JSON report of `dossier check --json`",
    "programs": "a program list (`dossier programs`)",
    "tracks": "the applicant tracks (checklists/tracks.yaml: what differs by track)",
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name`` (one of SCHEMAS)."""
    if name in ("checklist", "dossier", "letter-template"):
        from .config.models import json_schema as config_schema

        return config_schema(name)
    if name == "report":
        from .output.report_schema import report_json_schema

        return report_json_schema()
    if name == "programs":
        from .programs.model import programs_json_schema

        return programs_json_schema()
    if name == "tracks":
        from .config.tracks import tracks_json_schema

        return tracks_json_schema()
    raise BadInputError(f"unknown schema {name!r}; expected one of: {', '.join(SCHEMAS)}")
