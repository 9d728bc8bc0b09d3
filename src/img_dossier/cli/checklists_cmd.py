"""``dossier checklists list|show|validate``: the built-in and custom checklists."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Sequence
from typing import Any

import click

from ..config.checklist import (
    Checklist,
    Item,
    ReadPages,
    builtin_dir,
    builtin_ids,
    item_to_raw,
    load,
)
from ..config.sources import public_source_errors, unconfirmed
from ..errors import BadInputError, ExitCode
from .options import json_option, verbose_option


def _load_checked(ref: str) -> Checklist:
    """Load a checklist: its models check everything, rules and their parameters too (exit 3)."""
    return load(ref)


def _origin(checklist: Checklist) -> str:
    """``built-in`` for the tool's own checklists, else the file's path."""
    path = checklist.path
    if path is not None and path.resolve().parent == builtin_dir().resolve():
        return "built-in"
    return str(path) if path is not None else "built-in"


def _summary(checklist: Checklist) -> dict[str, Any]:
    return {
        "id": checklist.id,
        "title": checklist.title,
        "version": checklist.version,
        "track": checklist.track,
        "items": len(checklist.items),
        "source": _origin(checklist),
        "path": str(checklist.path) if checklist.path else None,
    }


def _item_json(item: Item) -> dict[str, Any]:
    raw = item_to_raw(item)
    return {
        "id": item.id,
        "title": item.title,
        "required": item.required,
        "when": raw["when"],
        "conditions": [c.describe() for c in item.when],
        "min": item.min,
        "max": item.max,
        "portal": item.portal,
        "source": item.source,
        "advice": item.advice,
        "names": list(item.names),
        "evidence": [list(g) for g in item.evidence],
        "rules": raw["rules"],
        "read_pages": raw.get("read_pages"),
    }


def _pages_words(pages: ReadPages) -> str:
    """``reads further: the first 4 and the last 2 pages`` (when a rule lacks a fact)."""
    parts = []
    if pages.first is None:
        parts.append("every page")
    elif pages.first:
        parts.append(f"the first {pages.first}")
    if pages.last:
        parts.append(f"the last {pages.last}")
    return f"reads further, when a rule lacks a fact: {' and '.join(parts)} pages"


def _plain(value: Any) -> Any:
    """JSON values for what YAML may hold (dates in rules and portals, tuples)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _width() -> int:
    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 100))


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text,
        width=_width(),
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
    ) or [indent]


def _requirement(item: Item) -> str:
    if not item.required:
        words = "optional"
    elif item.when or item.when_any:
        groups = [" and ".join(c.describe() for c in g) for g in item.when_any]
        either = " or ".join(f"({g})" if len(groups) > 1 else g for g in groups)
        alone = " and ".join(c.describe() for c in item.when)
        words = "required when " + " and ".join(w for w in (alone, either) if w)
    else:
        words = "required"
    if item.max is not None and item.max == item.min:
        words += f", exactly {item.min}"
    elif item.max is not None:
        words += f", {item.min} to {item.max}"
    elif item.min != 1:
        words += f", at least {item.min}"
    if item.portal:
        words += f"; portal {item.portal}"
    return words


def _show_text(checklist: Checklist, verbose: bool) -> str:
    lines = [
        f"{checklist.id} {checklist.version}: {checklist.title}",
        f"track {checklist.track}; documents accepted without translation in: "
        f"{', '.join(checklist.languages)}; from {_origin(checklist)}",
        "",
    ]
    for item in checklist.items:
        lines.append(f"{item.id}: {item.title}")
        lines.extend(_wrap(_requirement(item), "  "))
        lines.extend(_wrap(f"source: {item.source}", "  "))
        if item.rules:
            lines.extend(_wrap("rules: " + ", ".join(r.type for r in item.rules), "  "))
        if verbose:
            if item.advice:
                lines.extend(_wrap(f"if missing: {item.advice}", "  "))
            if item.names:
                lines.extend(_wrap("file names: " + ", ".join(item.names), "  "))
            for group in item.evidence:
                lines.extend(_wrap("evidence: " + " + ".join(group), "  "))
            for rule in item.rules:
                params = ", ".join(f"{k}={v}" for k, v in rule.params.items())
                lines.extend(_wrap(f"rule {rule.type}({params}): {rule.source}", "  "))
            if item.read_pages is not None:
                lines.extend(
                    _wrap(f"{_pages_words(item.read_pages)}: {item.read_pages.source}", "  ")
                )
        lines.append("")
    if checklist.portals:
        lines.append("portals:")
        for pid, spec in checklist.portals.items():
            title = spec.get("title", pid)
            params = "; ".join(
                f"{k} {_show_value(v)}" for k, v in spec.items() if k not in ("title", "source")
            )
            lines.extend(_wrap(f"{pid}: {title}" + (f": {params}" if params else ""), "  "))
            lines.extend(_wrap(f"source: {spec.get('source', '')}", "    "))
    if checklist.steps:
        lines += ["", "steps (not documents):"]
        for step in checklist.steps:
            when = str(step.date) if step.date else "date not confirmed"
            lines.extend(_wrap(f"{step.id}: {when}: {step.title}", "  "))
            lines.extend(_wrap(f"source: {step.source}", "    "))
    if checklist.notices:
        lines += ["", "notices:"]
        for notice in checklist.notices:
            cond = " and ".join(c.describe() for c in notice.when) or "always"
            lines.extend(_wrap(f"{notice.id} (when {cond}): {notice.text}", "  "))
            lines.extend(_wrap(f"source: {notice.source}", "    "))
    open_values = unconfirmed(checklist)
    if open_values:
        lines += ["", "not confirmed for this cycle (a custom checklist can change them):"]
        for where, note in open_values:
            lines.extend(_wrap(f"{where}: {note}", "  "))
    return "\n".join(lines).rstrip("\n") + "\n"


def _show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _table(rows: Sequence[dict[str, Any]]) -> str:
    columns = ("id", "version", "track", "items", "source", "title")
    cells = [[c.upper() for c in columns]] + [[str(r[c]) for c in columns] for r in rows]
    widths = [max(len(row[n]) for row in cells) for n in range(len(columns) - 1)]
    out = []
    for row in cells:
        left = "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True))
        out.append(f"{left}  {row[-1]}".rstrip())
    return "\n".join(out) + "\n"


@click.group("checklists")
def checklists() -> None:
    """The checklists a folder is checked against: built-in (us-eras, canada-carms) or custom.

    A custom checklist is a YAML file that can start from a built-in one with
    `extends: us-eras`, change items key by key, add items and `drop:` others.
    """


@checklists.command("list", short_help="List the checklists: id, version, track, title.")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@json_option
@click.pass_context
def list_(ctx: click.Context, files: tuple[str, ...], as_json: bool) -> None:
    """List the built-in checklists (and the custom FILEs given): id, version, track, title."""
    rows = [_summary(_load_checked(ref)) for ref in (*builtin_ids(), *files)]
    if as_json:
        click.echo(json.dumps({"checklists": rows}, indent=2, ensure_ascii=False))
    else:
        click.echo(_table(rows), nl=False)
    ctx.exit(int(ExitCode.OK))


@checklists.command("show", short_help="Show a checklist's items and their sources.")
@click.argument("ref", metavar="ID|FILE")
@json_option
@verbose_option
@click.pass_context
def show(ctx: click.Context, ref: str, as_json: bool, verbose: bool) -> None:
    """Show a checklist's items: required or under which conditions, counts, portal, source.

    ID is us, canada or a built-in id; FILE a custom checklist (its extends resolved).
    With -v also the advice, the file names and the content evidence of each item.
    """
    checklist = _load_checked(ref)
    if as_json:
        data = {
            **_summary(checklist),
            "languages": list(checklist.languages),
            "items": [_item_json(i) for i in checklist.items],
            "portals": {k: dict(v) for k, v in checklist.portals.items()},
        }
        click.echo(json.dumps(_plain(data), indent=2, ensure_ascii=False))
    else:
        click.echo(_show_text(checklist, verbose or bool(ctx.meta.get("verbose"))), nl=False)
    ctx.exit(int(ExitCode.OK))


@checklists.command("validate", short_help="Check a checklist file; exit 3 naming each error.")
@click.argument("ref", metavar="FILE")
@click.pass_context
def validate(ctx: click.Context, ref: str) -> None:
    """Check a checklist file (and what it extends); exit 0 when valid, 3 naming every error.

    Every rule, item, portal, step and notice needs a source that names a public page (a web
    address); no text may cite a file of the project, an issue or a notes index. Values
    marked ``confirmed: false`` are counted (``checklists show`` lists them).
    """
    checklist = _load_checked(ref)
    errors = public_source_errors(checklist)
    if errors:
        raise BadInputError("\n".join(errors))
    where = checklist.path if checklist.path is not None else ref
    open_values = unconfirmed(checklist)
    click.echo(
        f"{where}: valid: {len(checklist.items)} items "
        f"({checklist.id} {checklist.version}, track {checklist.track})"
        + (f"; {len(open_values)} values not confirmed" if open_values else "")
    )
    ctx.exit(int(ExitCode.OK))
