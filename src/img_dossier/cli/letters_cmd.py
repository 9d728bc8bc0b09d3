"""`dossier letters list|show|render`: the letter templates and their rendering."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import ExitCode
from ..letters import render as lib
from .options import json_option, quiet_option, verbose_option
from .progress_bar import progress_for, warn_missing_glyphs

F = TypeVar("F", bound=Callable[..., Any])


def templates_option(f: F) -> F:
    return click.option(
        "--templates",
        "templates_dir",
        type=click.Path(path_type=Path),
        default=None,
        metavar="DIR",
        help="A folder of your own templates (NAME.docx + NAME.yaml); they override built-ins "
        "of the same name.",
    )(f)


def _parse_sets(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    sets: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(
                f"{item!r}: write it as NAME=VALUE, e.g. referee_name='Dr. Smith'"
            )
        sets[key.strip()] = value
    return sets


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@click.group("letters")
def letters() -> None:
    """Letter templates: list them, show their fields, render letters (DOCX, PDF).

    Values come from DIR/dossier.yaml, then one CSV row per letter (--data), then --set.
    """


@letters.command("list")
@templates_option
@json_option
@verbose_option
def list_cmd(templates_dir: Path | None, as_json: bool, verbose: bool) -> None:
    """List the templates: name, what each is for, where it comes from."""
    templates = lib.list_templates(templates_dir)
    if as_json:
        _echo_json(
            [{"name": t.name, "description": t.description, "source": t.source} for t in templates]
        )
        return
    width = max((len(t.name) for t in templates), default=4)
    columns = shutil.get_terminal_size((100, 24)).columns
    for t in templates:
        source = "" if t.source == lib.BUILTIN else f" [{t.source}]"
        text = textwrap.wrap(t.description + source, max(40, columns - width - 3))
        click.echo(f"{t.name:<{width}}  {text[0] if text else ''}")
        for line in text[1:]:
            click.echo(f"{'':<{width}}  {line}")


@letters.command("show")
@click.argument("name")
@templates_option
@json_option
@verbose_option
def show_cmd(name: str, templates_dir: Path | None, as_json: bool, verbose: bool) -> None:
    """Show a template's fields: required ones, defaults, examples."""
    template = lib.load_template(name, templates_dir)
    if as_json:
        _echo_json(template.to_json())
        return
    click.echo(f"{template.name}: {template.description}")
    click.echo(f"source: {template.source}")
    click.echo(f"file names from: {template.filename_field}")
    click.echo("fields:")
    for field in template.fields:
        data = field.to_json()
        if field.required:
            need = "required"
        elif field.default is None:
            need = "optional"
        else:
            need = f"default {data['default']}"
        if field.type == "date":
            need += ", date YYYY-MM-DD"
        click.echo(f"  {field.name} ({need})")
        click.echo(f"      {field.description}")
        click.echo(f"      e.g. {data['example']}")


@letters.command("render")
@click.argument("name")
@click.argument("folder", required=False, type=click.Path(path_type=Path), metavar="[DIR]")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    metavar="FILE.csv",
    help="One letter per row; the header names the fields (UTF-8).",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_parse_sets,
    help="A value for a field (dotted name); repeat for several; wins over all else.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("letters"),
    show_default=True,
    help="The folder to write the letters into.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(lib.FORMATS),
    default="docx",
    show_default=True,
    help="Word, PDF, or both.",
)
@click.option("--force", is_flag=True, help="Overwrite letters that already exist.")
@templates_option
@json_option
@quiet_option
@verbose_option
@click.pass_context
def render_cmd(
    ctx: click.Context,
    name: str,
    folder: Path | None,
    data: Path | None,
    sets: dict[str, str],
    out_dir: Path,
    fmt: str,
    force: bool,
    templates_dir: Path | None,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Render letters from template NAME, one per CSV row.

    DIR is an applicant folder whose dossier.yaml gives the applicant's values. A value the
    template needs and nobody gave stops the run (exit 3) naming every missing field of
    every row; nothing is overwritten without --force (exit 4). Example:

    \b
      dossier letters render lor-request ~/clients/quispe --data referees.csv \\
        --set sender_email=lucia@example.org --format both
    """
    with progress_for(ctx, quiet, verbose) as progress:
        written = lib.render(
            name,
            folder,
            data=data,
            sets=sets,
            out_dir=out_dir,
            fmt=fmt,
            force=force,
            user_dir=templates_dir,
            progress=progress,
        )
    for w in written:
        if w.missing_glyphs:
            warn_missing_glyphs(w.path, w.missing_glyphs)
    if as_json:
        _echo_json([w.to_json() for w in written])
    else:
        for w in written:
            click.echo(str(w.path))
        if not quiet:
            letters_count = len({w.path.stem for w in written})
            engines = sorted({w.engine for w in written if w.engine})
            via = f" (PDF by the {', '.join(engines)} renderer)" if engines else ""
            click.echo(
                f"dossier: {letters_count} letter(s) from {name} in {out_dir}{via}", err=True
            )
    ctx.exit(int(ExitCode.OK))
