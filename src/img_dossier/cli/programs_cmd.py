"""``dossier programs check FILE`` and ``dossier programs screen DIR FILE``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from ..errors import ExitCode, OutputError
from .options import (
    as_of_option,
    jobs_option,
    json_option,
    no_cache_option,
    quiet_option,
    strict_option,
    track_option,
    verbose_option,
)

FORMATS = ("table", "json", "csv")


@click.group("programs")
def programs() -> None:
    """Program lists: validate one, or screen an applicant against one.

    A list (YAML, or CSV from a spreadsheet) holds programs and their criteria, each value
    with its source (a URL or "program e-mail") and the date it was checked. See
    samples/programs.yaml (fictional programs) and `dossier schema programs`.
    """


@programs.command("check")
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path))
@as_of_option
@json_option
@strict_option
@quiet_option
@verbose_option
@click.pass_context
def check(
    ctx: click.Context,
    file: Path,
    as_of: date | None,
    as_json: bool,
    strict: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Validate the program list FILE.

    Exit 0 when valid (warnings, such as values checked before this season, are listed),
    1 with --strict when there are warnings, 3 naming every wrong field.
    """
    from ..programs import load_programs

    loaded = load_programs(file, as_of=as_of)
    programs = loaded.programs.programs
    systems: dict[str, int] = {}
    for p in programs:
        systems[p.system] = systems.get(p.system, 0) + 1
    if as_json:
        doc = {
            "path": str(file),
            "valid": True,
            "programs": len(programs),
            "systems": systems,
            "season": loaded.season,
            "fictional": loaded.fictional,
            "warnings": list(loaded.warnings),
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        if not quiet:
            for warning in loaded.warnings:
                click.echo(f"warning: {warning}", err=True)
        shown = ", ".join(f"{n} {s}" for s, n in sorted(systems.items()))
        click.echo(
            f"{file}: valid: {len(programs)} program{'s' if len(programs) != 1 else ''} "
            f"({shown or 'none'}), season {loaded.season}"
            + (", FICTIONAL" if loaded.fictional else "")
            + (f"; {len(loaded.warnings)} warning{'s' if len(loaded.warnings) != 1 else ''}"
               if loaded.warnings else "")
        )  # fmt: skip
    failed = strict and bool(loaded.warnings)
    ctx.exit(int(ExitCode.INCOMPLETE if failed else ExitCode.OK))


@programs.command("screen")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="table for people; json or csv (one row per program, each criterion's source).",
)  # fmt: skip
@json_option
@click.option(
    "--html",
    "html_out",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the screen as one self-contained HTML page to this file.",
)
@click.option(
    "--group", "grouped", is_flag=True, help="Group the table by status (default: worst first)."
)
@track_option
@as_of_option
@jobs_option
@no_cache_option
@quiet_option
@verbose_option
@click.pass_context
def screen(
    ctx: click.Context,
    folder: Path,
    file: Path,
    fmt: str,
    as_json: bool,
    html_out: Path | None,
    grouped: bool,
    track: str | None,
    as_of: date | None,
    jobs: int | None,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Screen the applicant of DIR against the program list FILE.

    Each program is eligible, not-eligible (naming the criterion, the applicant's value and
    the program's) or unknown (naming what is missing, on which side). Exit 0 when screened,
    3 when DIR, its dossier.yaml or FILE cannot be used, 4 when --html cannot be written.
    """
    from ..programs import load_programs, screen_folder
    from ..programs.render import render_csv, render_html, render_json, render_table
    from ..readers.cache import ReadCache

    cache = None if no_cache else ReadCache()
    loaded = load_programs(file, as_of=as_of, cache=cache)
    if not quiet and fmt == "table" and not as_json:
        for warning in loaded.warnings:
            click.echo(f"warning: {warning}", err=True)
    result = screen_folder(folder, loaded, track=track, as_of=as_of, jobs=jobs, cache=cache)
    if html_out is not None:
        _write_html(html_out, render_html(result), folder)
    if as_json or fmt == "json":
        click.echo(render_json(result))
    elif fmt == "csv":
        click.echo(render_csv(result), nl=False)
    else:
        click.echo(render_table(result, grouped=grouped), nl=False)
    if html_out is not None and not quiet:
        click.echo(f"wrote {html_out}", err=True)
    ctx.exit(int(ExitCode.OK))


def _write_html(path: Path, text: str, folder: Path) -> None:
    """Write the page atomically; never over a file of the applicant's folder."""
    from ..starter import write_atomic

    target = path.resolve()
    try:
        inside = target.is_relative_to(folder.resolve())
    except OSError:
        inside = False
    if inside and target.exists():
        raise OutputError(f"{path}: a file of {folder}; write the page somewhere else")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name such as screen.html")
    if not target.parent.is_dir():
        raise OutputError(f"{path}: the folder {path.parent} does not exist; create it first")
    try:
        write_atomic(target, text)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
