"""Every test gets its own empty cache folder (commands use the cache by default)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = tmp_path_factory.mktemp("dossier-cache")
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(path))
    return path
