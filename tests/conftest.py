"""Shared test set-up.

Every test gets its own empty cache folder (commands use the cache by default), and every
JSON report a test produces is checked against schemas/report.schema.json.

``fork_only``: a test that patches code the worker processes must inherit. Under the spawn
start method (Windows and macOS; ``IMG_DOSSIER_START_METHOD=spawn`` here) a worker imports
the library afresh and never sees the patch, so such tests are skipped in the spawn run of
the suites (tests/readers/test_platforms.py), which has script-based counterparts for them.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = tmp_path_factory.mktemp("dossier-cache")
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(path))
    # not from the shell pytest runs in: its commands would show native libraries' noise on
    # stderr (an in-process `dossier -v` no longer leaves it set: tests/cli/test_verbose_env)
    monkeypatch.delenv("IMG_DOSSIER_NATIVE_STDERR", raising=False)
    return path


@pytest.fixture
def fresh_pool() -> Iterator[None]:
    """No reader worker from an earlier test: the ones a test starts are forked with its
    patches (and stopped after it)."""
    from img_dossier.readers import pool

    pool.shutdown()
    yield
    pool.shutdown()


@pytest.fixture
def ocr_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None) -> Path:
    """A file that gets the pid of every process that loads the OCR engine (the engine's
    load is replaced by this record; workers are forked after the patch)."""
    from img_dossier.readers import ocr

    loads = tmp_path / "loads.txt"

    def recording_load() -> None:
        with open(loads, "a") as fh:
            fh.write(f"{os.getpid()}\n")

    monkeypatch.setattr(ocr, "_load", recording_load)
    return loads


def spawn_mode() -> bool:
    return os.environ.get("IMG_DOSSIER_START_METHOD", "").strip().lower() == "spawn"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not spawn_mode():
        return
    skip = pytest.mark.skip(reason="patches code that spawned workers do not inherit")
    for item in items:
        # test_audit's `fake` fixture patches the check that audit's workers run
        if item.get_closest_marker("fork_only") or "fake" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


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
