"""``dossier schema NAME``: print a JSON Schema (for editors and scripts)."""

from __future__ import annotations

import json

import click

from ..schema import SCHEMAS


@click.command()
@click.argument("name", type=click.Choice(list(SCHEMAS)))
def schema(name: str) -> None:
    """Print the JSON Schema of NAME: checklist, dossier (dossier.yaml), letter-template
    (a template's NAME.yaml), report (check --json) or programs.

    Save it and point your editor at it, e.g. `dossier schema checklist >
    checklist.schema.json`, then start a checklist with `# yaml-language-server:
    $schema=checklist.schema.json` for completion in VS Code.
    """
    from ..schema import json_schema

    click.echo(json.dumps(json_schema(name), indent=2, ensure_ascii=False))
