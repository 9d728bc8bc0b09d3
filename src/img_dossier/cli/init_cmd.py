"""``dossier init DIR --track us|canada``: write a commented DIR/dossier.yaml."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode
from .options import quiet_option


@click.command("init")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--track",
    required=True,
    metavar="us|canada|FILE",
    help="The checklist the folder is checked against: us, canada or a custom checklist file.",
)
@click.option("--force", is_flag=True, help="Replace an existing dossier.yaml.")
@click.option(
    "--no-read",
    is_flag=True,
    help="Do not read the folder's documents to infer the applicant's name.",
)
@quiet_option
@click.pass_context
def init(
    ctx: click.Context, folder: Path, track: str, force: bool, no_read: bool, quiet: bool
) -> None:
    """Write DIR/dossier.yaml (DIR is created if missing), every key explained.

    The applicant's name is filled in from a passport in DIR whose machine-readable zone
    is readable and checks out; everything else is left for you to fill in. An existing
    dossier.yaml is kept unless --force is given.
    """
    from ..starter import init_folder

    result = init_folder(folder, track, force=force, read_documents=not no_read)
    click.echo(str(result.path))
    if not quiet:
        inferred = result.inferred
        if inferred.source:
            name = " ".join(p for p in (inferred.given_names, inferred.family_name) if p)
            click.echo(f"applicant name {name!r} read from {inferred.source}; check it", err=True)
        verb = "replaced" if result.replaced else "wrote"
        click.echo(
            f"{verb} {result.path} for {result.checklist.id} {result.checklist.version}; "
            "fill in the lines marked FILL IN, then run: dossier check "
            f"{click.format_filename(str(folder))}",
            err=True,
        )
    ctx.exit(int(ExitCode.OK))
