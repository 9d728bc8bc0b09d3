"""docs/commands.md is the commands' own help as it is now (not a stale copy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"

# In a fresh interpreter: other tests leave click commands in states that change their help.
RENDER = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('make_commands', sys.argv[1])\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(module)\n"
    "sys.stdout.buffer.write(module.render().encode('utf-8'))\n"
)


@pytest.mark.skipif(
    sys.platform != "linux", reason="the help names this system's -j cap; the page is made on Linux"
)
def test_the_command_reference_matches_the_commands_help() -> None:
    made = subprocess.run(
        [sys.executable, "-c", RENDER, str(DOCS / "make_commands.py")],
        capture_output=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    written = (DOCS / "commands.md").read_text(encoding="utf-8")
    assert written == made.stdout.decode("utf-8"), (
        "docs/commands.md is out of date: run `python docs/make_commands.py`"
    )
