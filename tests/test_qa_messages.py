"""A missing file or folder given on the command line says what to give instead (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from img_dossier.cli import cli


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["checklists", "validate", "{x}/nope.yaml"], "`dossier checklists list` shows them"),
        (["letters", "list", "--templates", "{x}/nodir"], "NAME.docx and NAME.yaml"),
        (["letters", "render", "lor-request", "{x}/nodir"], "leave DIR out"),
    ],
)
def test_missing_path_says_what_to_give(tmp_path: Path, args: list[str], said: str) -> None:
    result = CliRunner().invoke(cli, [a.format(x=tmp_path) for a in args])
    assert result.exit_code == 3, result.output
    assert str(tmp_path) in result.output
    assert said in result.output
