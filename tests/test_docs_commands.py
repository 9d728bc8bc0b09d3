"""docs/commands.md is the commands' own help as it is now (not a stale copy)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.skipif(
    sys.platform != "linux", reason="the help names this system's -j cap; the page is made on Linux"
)
def test_the_command_reference_matches_the_commands_help() -> None:
    spec = importlib.util.spec_from_file_location("make_commands", DOCS / "make_commands.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = (DOCS / "commands.md").read_text(encoding="utf-8")
    assert written == module.render(), (
        "docs/commands.md is out of date: run `python docs/make_commands.py`"
    )
