"""The README's tour runs as written: the letters example has its CSV."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.errors import ExitCode

REPO = Path(__file__).resolve().parents[1]


def test_readme_lor_request_example_renders_one_letter_per_referee(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (line,) = re.findall(r"^dossier letters render lor-request .*$", readme, re.MULTILINE)
    args = shlex.split(line)[1:]
    args = [str(REPO / a) if a.startswith("samples/") else a for a in args]
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path)])
    assert result.exit_code == ExitCode.OK, result.output
    assert len(list(tmp_path.glob("lor-request-*.pdf"))) == 3
    assert len(list(tmp_path.glob("lor-request-*.docx"))) == 3
