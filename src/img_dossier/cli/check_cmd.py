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
    from ..readers import reader_limits
    from ..readers.cache import ReadCache

    cache = None if no_cache else ReadCache()
    limits = reader_limits(ocr=not no_ocr)
    as_of = as_of or date.today()
    color = use_color()
    verbose = verbose or bool(ctx.meta.get("verbose"))
    found = None
    if cache is not None and html_file is None and not verbose:
        # what an unchanged folder printed last time (checking/report_cache.py)
        from ..checking import report_cache

        found = report_cache.lookup(
            cache,
            folder,
            track=track,
            as_of=as_of,
            strict=strict,
            expiring_within=expiring_within,
            limits=limits,
            mode=(as_json, color, quiet),
        )
        if found is not None and found.hit is not None:
            click.echo(found.hit["output"], nl=False, color=color)
            ctx.exit(int(found.hit["code"]))
    from ..checking.pipeline import run_check
    from ..output.report import render_json, render_text
    from ..readers import transient_results

    transient = transient_results()
    with progress_for(ctx, quiet, verbose) as progress:
        run = run_check(
            folder,
            track=track,
            as_of=as_of,
            strict=strict,
            expiring_within=expiring_within,
            jobs=jobs,
            cache=cache,
            progress=progress,
            limits=limits,
        )
        report = run.report
        keep([run])  # dropped with the process at exit, not freed (cli.quick_exit)
        if html_file is not None:
            from ..output.report_html import write_html_report  # only for --html

            write_html_report(run, html_file, progress=progress)
    if as_json:
        text = render_json(report) + "\n"
    else:
        text = render_text(report, color=color, verbose=verbose, quiet=quiet)
    code = int(ExitCode.OK if report.complete else ExitCode.INCOMPLETE)
    if found is not None and transient_results() == transient:
        from ..checking import report_cache

        report_cache.store(cache, found, text, code, run.config_files)
    click.echo(text, nl=False, color=color)
    ctx.exit(code)
