"""``dossier samples copy DIR``."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode
from .options import quiet_option


@click.group()
def samples() -> None:
    """The sample applicant folders of the README's tour."""


@samples.command("copy")
@click.argument("dest", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@quiet_option
@click.pass_context
def copy(ctx: click.Context, dest: Path, quiet: bool) -> None:
    """Copy the sample folders (us-j1, canada, problems, ...) into DIR, made if missing."""
    from ..samples import copy_samples

    written = copy_samples(dest)
    if not quiet:
        for path in written:
            click.echo(str(path))
        click.echo(f"next: dossier check {dest / 'us-j1'}", err=True)
    ctx.exit(int(ExitCode.OK))
