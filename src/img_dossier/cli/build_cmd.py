"""``dossier build DIR``: check the folder, then assemble one PDF dossier with a cover index."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path

import click

from ..errors import ExitCode
from ..model import Report
from ..pathtext import clean, escaped
from ..sizes import format_size
from .options import (
    as_of_option,
    json_option,
    no_cache_option,
    no_ocr_option,
    quiet_option,
    strict_option,
    track_option,
    use_color,
    verbose_option,
)
from .progress_bar import progress_for, warn_missing_glyphs
from .quick_exit import keep
from .timings import print_timings, timing_start, timings_wanted


@click.command("build")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Where to write the dossier (default: ./<family-name>-dossier.pdf).",
)
@track_option
@as_of_option
@click.option(
    "--page-size",
    type=click.Choice(["letter", "a4"], case_sensitive=False),
    default="letter",
    show_default=True,
    help="Page size of the cover, index and converted documents.",
)
@click.option(
    "--stamp/--no-stamp",
    default=True,
    show_default=True,
    help="Print the applicant's name and the page number in the bottom margin of each page.",
)
@click.option(
    "--include-unclassified",
    is_flag=True,
    default=False,
    help="Also put documents not recognised as a checklist item in an 'Other documents' "
    "section (by default they stay private: left out and listed).",
)
@strict_option
@json_option
@no_cache_option
@no_ocr_option
@quiet_option
@verbose_option
@click.pass_context
def build(
    ctx: click.Context,
    folder: Path,
    output: Path | None,
    track: str | None,
    as_of: date | None,
    page_size: str,
    stamp: bool,
    include_unclassified: bool,
    strict: bool,
    as_json: bool,
    no_cache: bool,
    no_ocr: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check DIR, then write one PDF dossier: cover, linked index, documents in order.

    Exit 0 when the dossier is written and the folder complete, 1 when something is
    missing (the dossier is still written, unless --strict), 3 when DIR or its
    dossier.yaml cannot be used, 4 when the dossier cannot be written.
    """
    from ..readers import reader_limits
    from ..readers.cache import ReadCache

    started = timing_start()
    held: list[object] = []
    keep(held)  # the PDFs are dropped with the process, not freed one by one
    cache = None if no_cache else ReadCache()
    limits = reader_limits(ocr=not no_ocr)
    # the child that prepares documents while the folder is checked starts first, before
    # this process loads the check and the PDF libraries: it uses the other core while they
    # load (it loads only what preparing needs)
    with _early(folder, output, page_size, limits, cache) as early:
        from ..timing import stage

        with stage("load the check and the PDF libraries"):
            from ..checking.pipeline import run_check
            from ..output.assemble import IncompleteError, assemble, default_output_name
            from ..output.glyphs import collect_missing

        try:
            with progress_for(ctx, quiet, verbose) as progress:
                with stage("check (read in workers, OCR, classify, facts)"):
                    run = run_check(
                        folder,
                        track=track,
                        as_of=as_of,
                        strict=strict,
                        cache=cache,
                        progress=progress,
                        limits=limits,
                    )
                report = run.report
                out = output or Path.cwd() / default_output_name(run.profile.applicant.family_name)
                with collect_missing() as missing:
                    result = assemble(
                        run,
                        out,
                        page_size=page_size.lower(),
                        stamp=stamp,
                        strict=strict,
                        track=run.checklist.track,
                        include_unclassified=include_unclassified,
                        cache=cache,
                        limits=limits,
                        progress=progress,
                        hold=held,
                        early=early,
                    )
                _remember(folder, page_size, cache, report)
        except IncompleteError:
            if as_json:
                data = report.to_json()
                data["dossier"] = None
                data["conversions"] = {}
                click.echo(json.dumps(clean(data), indent=2, ensure_ascii=False))
            else:
                if not quiet:
                    click.echo(_text(report, verbose, ctx), nl=False, color=use_color())
                click.echo(f"dossier: {folder} is incomplete; nothing written (--strict)", err=True)
            ctx.exit(int(ExitCode.INCOMPLETE))
    if as_json:
        data = report.to_json()
        data["dossier"] = result.to_json()
        data["conversions"] = dict(result.conversions)
        click.echo(json.dumps(clean(data), indent=2, ensure_ascii=False))
    else:
        if not quiet:
            click.echo(_text(report, verbose, ctx), nl=False, color=use_color())
            if result.left_out:
                click.echo(f"\nLeft out of the dossier ({len(result.left_out)}):")
                for rel, why in result.left_out:
                    click.echo(f"  {rel}: {why}")
        else:
            for rel, why in result.left_out:
                click.echo(f"dossier: left out {rel}: {why}", err=True)
        shown = escaped(str(result.path))
        click.echo(f"{shown}: {result.pages} pages, {format_size(result.bytes)}")
    if missing:
        warn_missing_glyphs(result.path, missing)
    if verbose or timings_wanted():
        print_timings(started)
    ctx.exit(int(ExitCode.OK if report.complete else ExitCode.INCOMPLETE))


def _early(
    folder: Path, output: Path | None, page_size: str, limits: object, cache: object | None
) -> contextlib.AbstractContextManager[object | None]:
    """The folder's documents prepared while it is checked (``output.early``), or nothing."""
    from ..output.early import MIN_FILES, early_prepare, forced
    from ..output.pagesize import page_size as size_of
    from ..readers import Limits

    try:
        size = size_of(page_size.lower())
    except ValueError:  # assemble says what is wrong with it
        return contextlib.nullcontext()
    assert isinstance(limits, Limits)
    fewest = 1 if forced() else MIN_FILES  # a small folder: the workers prepare it after
    return early_prepare(folder, size, limits, cache, skip=output, min_files=fewest)


def _remember(folder: Path, page_size: str, cache: object | None, report: Report) -> None:
    """The folder's files as this build saw them (the next build's child skips them)."""
    from ..output.early import remember
    from ..output.pagesize import page_size as size_of

    remember(folder, size_of(page_size), cache, [(d.rel, d.path) for d in report.documents])


def _text(report: Report, verbose: bool, ctx: click.Context) -> str:
    from ..output.report import render_text

    return render_text(
        report,
        color=use_color(),
        verbose=verbose or bool(ctx.meta.get("verbose")),
        quiet=False,
    )
