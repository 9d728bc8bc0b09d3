"""``dossier pack DIR --portal carms|mcc|ecfmg|evsp``: upload-ready files with a manifest."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from ..errors import ExitCode
from ..output.pack import PORTALS, PackResult, UnknownPortalError
from ..output.pack import pack as pack_folder
from .options import (
    as_of_option,
    jobs_option,
    json_option,
    no_ocr_option,
    quiet_option,
    track_option,
    use_color,
    verbose_option,
)
from .progress_bar import progress_for

_MARK = {
    "packed": "ok",
    "missing": "MISSING",
    "too-large": "TOO LARGE",
    "not-packed": "REFUSED",
    "failed": "FAILED",
}


@click.command("pack")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--portal",
    required=True,
    metavar="|".join(PORTALS),
    help="The portal to prepare uploads for (a portal of the folder's checklist).",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: ./<family-name>-<portal>/); must be new or empty.",
)
@click.option("--force", is_flag=True, help="Replace an existing, non-empty output folder.")
@track_option
@as_of_option
@jobs_option
@json_option
@no_ocr_option
@quiet_option
@verbose_option
@click.pass_context
def pack(
    ctx: click.Context,
    folder: Path,
    portal: str,
    out: Path | None,
    force: bool,
    track: str | None,
    as_of: date | None,
    jobs: int | None,
    as_json: bool,
    no_ocr: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Write one upload-ready file per portal slot, fitted to its format and size rules.

    Documents are converted (images, Word and text to PDF; photos to JPEG), joined where
    the portal takes them as one file, and made small enough without going below 150 dpi
    (or the portal's floors). manifest.csv and manifest.json say what was done. Exit 1
    when a slot could not be filled or fitted, or a document was refused.
    """
    try:
        with progress_for(ctx, quiet, verbose) as progress:
            result = pack_folder(
                folder,
                portal,
                out=out,
                force=force,
                track=track,
                as_of=as_of,
                jobs=jobs,
                progress=progress,
                ocr=not no_ocr,
            )
    except UnknownPortalError as exc:
        raise click.BadParameter(
            str(exc).removeprefix(f"--portal {portal}: "), param_hint="--portal"
        ) from exc
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(result, quiet=quiet, verbose=verbose)
    ctx.exit(int(ExitCode.OK if result.complete else ExitCode.INCOMPLETE))


def _print(result: PackResult, *, quiet: bool, verbose: bool) -> None:
    color = use_color()
    for s in result.slots:
        if quiet and s.status == "packed":
            continue
        mark = _MARK.get(s.status, s.status)
        if color:
            mark = click.style(mark, fg="green" if s.status == "packed" else "red", bold=True)
        if s.status == "packed":
            size = (
                f"{(s.bytes or 0) / 1_000_000:.2f} MB"
                if (s.bytes or 0) >= 100_000
                else (f"{(s.bytes or 0) / 1000:.0f} KB")
            )
            pages = f", {s.pages} page{'s' if s.pages != 1 else ''}" if s.format == "pdf" else ""
            line = f"{mark:>9}  {s.file}  {size}{pages}  <- {', '.join(s.sources)}"
            if verbose and s.actions:
                line += f"\n           {'; '.join(s.actions)}"
            if s.message:
                line += f"\n           {s.message}"
        else:
            line = f"{mark:>9}  {s.slot} ({s.portal}): {s.message}"
            if verbose and s.advice:
                line += f"\n           what to do: {s.advice}"
        click.echo(line)
    for r in result.refused:
        click.echo(f"{'REFUSED':>9}  {r.reason}")
    for note in result.notes:
        click.echo(f"{'note':>9}  {note}", err=True)
    packed = sum(1 for s in result.slots if s.status == "packed")
    click.echo(f"{packed} of {len(result.slots)} uploads written to {result.output}")
