"""Progress for people: a bar on stderr when it is a terminal, nothing on stdout, ever.

On a terminal each stage gets click's progress bar (documents, pages, clients counted).
Off a terminal, ``-v`` gives one plain line about every ten seconds; ``-q`` silences both.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any

import click

from ..progress import ProgressCallback

#: Seconds between two plain progress lines off a terminal (with -v).
LINE_EVERY = 10.0


class _Reporter:
    """Receives the library's ``progress(stage, done, total)`` calls and shows them."""

    def __init__(self, terminal: bool, verbose: bool) -> None:
        self.terminal = terminal
        self.verbose = verbose
        self.stage: str | None = None
        self.bar: Any = None
        self.shown = 0
        self.last_line = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.terminal:
            self._bar(stage, done, total)
        elif self.verbose:
            now = time.monotonic()
            if now - self.last_line >= LINE_EVERY:
                self.last_line = now
                click.echo(f"dossier: {stage}: {done} of {total}", err=True)

    def _bar(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage or self.bar is None:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(
                length=max(total, 1),
                label=stage.capitalize(),
                file=sys.stderr,
                show_pos=True,
                show_eta=False,
                width=24,
            )
            self.bar.__enter__()
            self.shown = 0
        step = min(done, total) - self.shown
        if step > 0:
            self.bar.update(step)
            self.shown += step
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            bar, self.bar = self.bar, None
            bar.__exit__(None, None, None)
            self.stage = None


class Progress:
    """A context manager giving the callback to pass to the library (None when silenced)."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False) -> None:
        terminal = bool(getattr(sys.stderr, "isatty", lambda: False)())
        self.reporter = None if quiet or not (terminal or verbose) else _Reporter(terminal, verbose)

    @property
    def callback(self) -> ProgressCallback | None:
        return self.reporter

    def __enter__(self) -> ProgressCallback | None:
        return self.reporter

    def __exit__(self, *exc: object) -> None:
        if self.reporter is not None:
            self.reporter.close()


def progress_for(ctx: click.Context, quiet: bool, verbose: bool) -> Progress:
    """The progress of a command, from its -q/-v and the group's -v."""
    return Progress(quiet=quiet, verbose=verbose or bool(ctx.meta.get("verbose")))


def warn_missing_glyphs(path: object, chars: Iterable[str]) -> None:
    """``dossier: warning: FILE: no font draws '𓀀' (U+13000 ...); install ...`` on stderr."""
    from ..output.glyphs import INSTALL_HINT, describe_missing

    shown = describe_missing(set(chars))
    click.echo(
        f"dossier: warning: {path}: no font draws {shown}; these show as empty boxes. "
        f"To fix it, {INSTALL_HINT}",
        err=True,
    )
