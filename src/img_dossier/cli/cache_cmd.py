"""`dossier cache info|clear`: where the read cache lives, how large it is; empty it."""

from __future__ import annotations

import json

import click

from ..readers.cache import ENV_DIR, ReadCache
from ..sizes import format_size
from .options import json_option, quiet_option


@click.group("cache")
def cache() -> None:
    """The read cache: what was read from documents, by content, private to you.

    It holds personal data (names, passport numbers, scores), in a folder only you can
    read. Move it with the environment variable IMG_DOSSIER_CACHE_DIR.
    """


@cache.command("info")
@json_option
def info(as_json: bool) -> None:
    """Print where the cache is, how many entries it holds and their size."""
    found = ReadCache().info()
    if as_json:
        click.echo(json.dumps(found.to_json()))
        return
    click.echo(f"path:    {found.path}")
    click.echo(f"entries: {found.entries}")
    click.echo(f"size:    {format_size(found.bytes)}")
    click.echo(f"(set {ENV_DIR} to move it; `dossier cache clear` empties it)", err=True)


@cache.command("clear")
@quiet_option
def clear(quiet: bool) -> None:
    """Remove every entry of the cache (documents are read again on the next run)."""
    store = ReadCache()
    removed = store.clear()
    if not quiet:
        click.echo(f"removed {removed} entr{'ies' if removed != 1 else 'y'} from {store.root}")
