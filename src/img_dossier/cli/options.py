"""Option bundles shared by commands, and terminal helpers (colour, stderr)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TextIO, TypeVar

import click

from ..isodate import iso_date
from ..readers.limits import MAX_JOBS, WINDOWS_MAX_JOBS

F = TypeVar("F", bound=Callable[..., Any])


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta["verbose"] = True
        show_native_stderr(ctx)
    return value


#: ctx.meta key: the value IMG_DOSSIER_NATIVE_STDERR had before -v set it (None: unset).
_NATIVE_BEFORE = "img_dossier.native_stderr_before"


def show_native_stderr(ctx: click.Context) -> None:
    """-v: let native libraries (libtiff, qpdf, LibreOffice) write to stderr, workers too,
    for this command only: when it ends, however it ends, the variable is as it was before
    (a program or test running commands in its own process gets no noise in later ones)."""
    from ..readers.quiet import SHOW_ENV

    root = ctx.find_root()  # closed last, also on an error or an exit
    if _NATIVE_BEFORE not in root.meta:
        before = os.environ.get(SHOW_ENV)
        root.meta[_NATIVE_BEFORE] = before
        root.call_on_close(lambda: _set_env(SHOW_ENV, before))
    os.environ[SHOW_ENV] = "1"


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def verbose_option(f: F) -> F:
    return click.option(
        "-v",
        "--verbose",
        is_flag=True,
        callback=_set_verbose,
        expose_value=True,
        help="Show more detail (and tracebacks of internal errors).",
    )(f)


def quiet_option(f: F) -> F:
    return click.option("-q", "--quiet", is_flag=True, help="Print only errors and the result.")(f)


def json_option(f: F) -> F:
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Machine-readable JSON on stdout (nothing else on stdout).",
    )(f)


def strict_option(f: F) -> F:
    return click.option("--strict", is_flag=True, help="Warnings count as failures.")(f)


def track_option(f: F) -> F:
    return click.option(
        "--track",
        metavar="us|canada|FILE",
        help="Checklist to verify against (overrides dossier.yaml): "
        "us, canada, a built-in id or a checklist file.",
    )(f)


class _DateType(click.ParamType):  # type: ignore[type-arg]  # click 8.2+ made ParamType generic
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        day = iso_date(value if isinstance(value, date) else str(value))
        if day is None:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD", param, ctx)
        return day


DATE = _DateType()


def as_of_option(f: F) -> F:
    return click.option(
        "--as-of", type=DATE, default=None, help="Judge validity on this date (default: today)."
    )(f)


def expiring_option(f: F) -> F:
    return click.option(
        "--expiring-within",
        type=click.IntRange(0, 3650),
        default=90,
        show_default=True,
        metavar="DAYS",
        help="Warn about documents that expire within this many days.",
    )(f)


def jobs_option(f: F) -> F:
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, MAX_JOBS, clamp=True),
        default=None,
        help="Worker processes (default: up to the number of CPUs, fewer for a small folder; "
        f"at most {MAX_JOBS} on this system, {WINDOWS_MAX_JOBS} on Windows, which waits on few "
        "processes at once).",
    )(f)


def no_ocr_option(f: F) -> F:
    return click.option(
        "--no-ocr",
        is_flag=True,
        help="Do not read scans and photos by OCR (they stay unverified).",
    )(f)


def no_cache_option(f: F) -> F:
    return click.option(
        "--no-cache",
        is_flag=True,
        help="Read and convert every document again (do not use the cache).",
    )(f)


def use_color(stream: TextIO | None = None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set (any value)."""
    if "NO_COLOR" in os.environ:
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def progress_enabled() -> bool:
    """Progress bars go to stderr, and only on a terminal."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)())
