"""Every command and subcommand answers --help and --version (INTERFACE.md: common options)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from img_dossier import __version__
from img_dossier.cli import COMMANDS, cli
from img_dossier.errors import ExitCode


def _paths() -> list[list[str]]:
    paths: list[list[str]] = [[]]
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, f"command {name} is not built"
        paths.append([name])
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in command.commands)
    return paths


@pytest.mark.parametrize("path", _paths(), ids=lambda p: " ".join(p) or "dossier")
def test_every_command_has_help_and_version(path: list[str]) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, [*path, "--help"])
    assert shown.exit_code == ExitCode.OK, shown.output
    assert "Usage: " in shown.output
    version = runner.invoke(cli, [*path, "--version"])
    assert version.exit_code == ExitCode.OK, version.output
    assert version.output.strip() == f"dossier, version {__version__}"


# From a review pass: A missing file or folder given on the command line says what to give
# instead (exit 3).


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
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert str(tmp_path) in result.output
    assert said in result.output


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["init", "{out}", "--track", "us"], "you may write in its parent folder"),
        (["pack", "{docs}", "--portal", "carms", "--out", "{out}"], "another output with --out"),
        (["letters", "render", "interview-thank-you", "--out", "{out}"], "another folder"),
    ],
)
def test_an_output_folder_that_cannot_be_made_says_what_to_do(
    tmp_path: Path, command: list[str], said: str
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dossier.yaml").write_text("schema: 1\ntrack: canada\n", encoding="utf-8")
    (docs / "cv.txt").write_text("Curriculum vitae\n", encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    out = blocker / "sub"  # a folder cannot be made inside a file, even by root
    args = [a.format(out=out, docs=docs) for a in command]
    if command[0] == "letters":
        args += ["--set", "interviewer_name=Dr. Q", "--set", "applicant.full_name=A B"]
        args += ["--set", "training.specialty=Pediatrics", "--set", "program_name=P"]
        args += ["--set", "interview_date=2026-11-01", "--set", "sender_email=a@example.org"]
        args += ["--set", "conversation_topic=care"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert str(out) in result.output and said in result.output
