"""``dossier check DIR``: inventory, classify and verify a folder; print the report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..errors import ExitCode
from .options import (
    as_of_option,
    expiring_option,
    jobs_option,
    json_option,
    no_cache_option,
    no_ocr_option,
    quiet_option,
    strict_option,
    track_option,
    use_color,
    verbose_option,
)
from .progress_bar import progress_for
from .quick_exit import keep


@click.command("check")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@track_option
@as_of_option
@json_option
@strict_option
@expiring_option
@jobs_option
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="Also write the report as one self-contained HTML page (opens offline, e-mailable).",
)
@no_cache_option
@no_ocr_option
@quiet_option
@verbose_option
@click.pass_context
def check(
    ctx: click.Context,
    folder: Path,
    track: str | None,
    as_of: date | None,
    as_json: bool,
    strict: bool,
    expiring_within: int,
    jobs: int | None,
    html_file: Path | None,
    no_cache: bool,
    no_ocr: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check the documents in DIR against the checklist of its track.

    Exit 0 when every required item is there and valid, 1 when something is missing,
    insufficient, invalid or expired, 3 when DIR or its dossier.yaml cannot be used.
    """
    from ..checking.pipeline import run_check
    from ..output.report import render_json, render_text
    from ..readers import reader_limits
    from ..readers.cache import ReadCache

    with progress_for(ctx, quiet, verbose) as progress:
        run = run_check(
            folder,
            track=track,
            as_of=as_of,
            strict=strict,
            expiring_within=expiring_within,
            jobs=jobs,
            cache=None if no_cache else ReadCache(),
            progress=progress,
            limits=reader_limits(ocr=not no_ocr),
        )
        report = run.report
        keep([run])  # dropped with the process at exit, not freed (cli.quick_exit)
        if html_file is not None:
            from ..output.report_html import write_html_report  # only for --html

            write_html_report(run, html_file, progress=progress)
    if as_json:
        click.echo(render_json(report))
    else:
        text = render_text(
            report, color=use_color(), verbose=verbose or bool(ctx.meta.get("verbose")), quiet=quiet
        )
        click.echo(text, nl=False, color=use_color())
    ctx.exit(int(ExitCode.OK if report.complete else ExitCode.INCOMPLETE))
