"""Every test gets its own empty cache folder (commands use the cache by default), and every
JSON report a test produces is checked against schemas/report.schema.json."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = tmp_path_factory.mktemp("dossier-cache")
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(path))
    return path


_REPORT_SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "report.schema.json"


@functools.cache
def _report_validator() -> Any:
    import jsonschema

    schema = json.loads(_REPORT_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(autouse=True)
def _reports_fit_their_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON report a test produces in this process (``Report.to_json``, behind
    ``check --json``, ``build --json`` and the library) is validated against the committed
    schemas/report.schema.json: a report that does not fit its schema fails the test."""
    from img_dossier.model import Report

    original = Report.to_json

    def checked(self: Report) -> dict[str, Any]:
        data = original(self)
        _report_validator().validate(json.loads(json.dumps(data)))
        return data

    monkeypatch.setattr(Report, "to_json", checked)
