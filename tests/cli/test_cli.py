"""Every command and subcommand answers --help and --version (INTERFACE.md: common options)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from img_dossier import __version__
from img_dossier.cli import COMMANDS, cli


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
    assert shown.exit_code == 0, shown.output
    assert "Usage: " in shown.output
    version = runner.invoke(cli, [*path, "--version"])
    assert version.exit_code == 0, version.output
    assert version.output.strip() == f"dossier, version {__version__}"
