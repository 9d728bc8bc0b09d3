"""Write docs/commands.md from the commands' own help (run it after changing a command).

python docs/make_commands.py
"""

from __future__ import annotations

from pathlib import Path

import click

from img_dossier.cli import COMMANDS, cli

OUT = Path(__file__).resolve().parent / "commands.md"


def _help(command: click.Command, path: list[str]) -> str:
    ctx = click.Context(command, info_name=" ".join(path), terminal_width=100)
    return command.get_help(ctx)


def _walk(command: click.Command, path: list[str]) -> list[str]:
    parts = [
        f"{'#' * min(len(path), 4)} `{' '.join(path)}`\n",
        "```text",
        _help(command, path),
        "```\n",
    ]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            parts += _walk(command.commands[name], [*path, name])
    return parts


def render() -> str:
    """The text of docs/commands.md, from the commands' help as they are now."""
    group = cli
    lines = [
        "# Command reference",
        "",
        "Generated from the commands' `--help` by `docs/make_commands.py`; exit codes are in",
        "the README (0 ok, 1 incomplete, 2 usage, 3 bad input, 4 output, 5 a bug).",
        "",
    ]
    ctx = click.Context(group, info_name="dossier")
    lines += ["## `dossier`\n", "```text", _help(group, ["dossier"]), "```\n"]
    for name in COMMANDS:
        command = group.get_command(ctx, name)
        if command is not None:
            lines += _walk(command, ["dossier", name])
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
