"""The ``dossier`` command: click commands only; the library does the work.

Each command lives in its own module and is loaded when used. Errors are converted to
exit codes at one boundary (``DossierGroup.invoke``): a DossierError prints its message and
exits with its code; anything else is a bug (exit 5) whose traceback ``-v`` shows.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any

import click

from .. import __version__, collector
from ..errors import DossierError, ExitCode
from .streams import BROKEN_PIPE_EXIT, configure_streams, is_broken_pipe

#: command name -> "module:attribute" inside this package, loaded on first use.
COMMANDS = {
    "init": "init_cmd:init",
    "check": "check_cmd:check",
    "build": "build_cmd:build",
    "letters": "letters_cmd:letters",
    "audit": "audit_cmd:audit",
    "pack": "pack_cmd:pack",
    "checklists": "checklists_cmd:checklists",
    "cache": "cache_cmd:cache",
    "programs": "programs_cmd:programs",
    "schema": "schema_cmd:schema",
    "samples": "samples_cmd:samples",
}


#: Commands that turn the garbage collector back on themselves, once their readers are
#: imported (see ``collector``); every other command does before it starts.
SETTLE_LATER = frozenset({"check", "audit"})


#: command name -> the first paragraph of its help, so that ``dossier --help`` lists the
#: commands without importing them (tests/test_startup.py keeps this in step with the
#: commands; a command missing here is imported to read its help).
SHORT_HELP = {
    "init": "Write DIR/dossier.yaml (DIR is created if missing), every key explained.",
    "check": "Check the documents in DIR against the checklist of its track.",
    "build": "Check DIR, then write one PDF dossier: cover, linked index, documents in order.",
    "letters": "Letter templates: list them, show their fields, render letters (DOCX, PDF).",
    "audit": "Check many client folders: one row per client, worst first.",
    "pack": "Write one upload-ready file per portal slot, fitted to its format and size rules.",
    "checklists": "The checklists a folder is checked against: built-in (us-eras, "
    "canada-carms) or custom.",
    "cache": "The read cache: what was read from documents, by content, private to you.",
    "schema": "Print the JSON Schema of NAME: checklist, dossier (dossier.yaml), letter-template "
    "(a template's NAME.yaml), report (check --json) or programs.",
    "samples": "The sample applicant folders of the README's tour.",
}


class DossierGroup(click.Group):
    """Loads commands lazily and converts errors to exit codes in one place."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._load(name) is not None]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from SHORT_HELP where it has the command."""
        rows = []
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        for name in COMMANDS:
            text = SHORT_HELP.get(name)
            if text is None:
                command = self._load(name)
                if command is None or command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, click.Command(name, help=text).get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    def _load(self, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                return None  # not built yet
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        _add_version(command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        if _console:  # a command is about to run (not --help): the signal module's turn
            from . import signals

            signals.install()  # SIGTERM and SIGHUP unwind like Ctrl-C: temp files removed
            _run_folder()
        try:
            return super().invoke(ctx)
        except DossierError as exc:
            click.echo(f"dossier: {exc}", err=True)
            ctx.exit(int(exc.exit_code))
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # stdout closed early (`dossier check --json | head`): not an error of ours.
            _silence_stdout()
            ctx.exit(BROKEN_PIPE_EXIT)
        except OSError as exc:
            if not is_broken_pipe(exc):
                raise
            _silence_stdout()
            ctx.exit(BROKEN_PIPE_EXIT)
        except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP (signals.py): one line
            from . import signals

            click.echo(f"dossier: {signals.describe(exc)}", err=True)
            ctx.exit(signals.exit_code(exc))
        except Exception as exc:  # a bug: one line, the traceback only on request
            if ctx.meta.get("verbose"):
                import traceback  # only for a bug, shown with -v

                click.echo(traceback.format_exc(), err=True)
            click.echo(
                f"dossier: internal error: {type(exc).__name__}: {exc} (a bug; "
                "run with -v for the traceback and report it)",
                err=True,
            )
            ctx.exit(int(ExitCode.INTERNAL))


@click.group(cls=DossierGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dossier")
@click.option(
    "-v", "--verbose", is_flag=True, help="Show more detail (and tracebacks of internal errors)."
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Check, package and write the documents of an IMG's residency application.

    Start with `dossier init DIR --track us` (or canada), then `dossier check DIR`.
    """
    if ctx.invoked_subcommand not in SETTLE_LATER:
        collector.settle()
    if verbose:
        ctx.meta["verbose"] = True
        from .options import show_native_stderr

        show_native_stderr(ctx)


def _add_version(command: click.Command) -> None:
    """``--version`` on every command and subcommand, as on ``dossier`` itself."""
    if not any("--version" in p.opts for p in command.params):
        click.version_option(__version__, "--version", prog_name="dossier")(command)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_version(sub)


def _run_folder() -> None:
    """The run's temporary files go into one folder of its own, removed at the end (after
    the workers are stopped: exit handlers run last first); a killed run's is removed by the
    next command (``leftovers``)."""
    import atexit

    from .. import leftovers

    if leftovers.start_run_folder() is not None:
        atexit.register(leftovers.end_run_folder)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit-time flush does not fail again."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


#: True in the console process (``main``): only there are signal handlers installed.
_console = False


def main() -> None:
    """Console entry point."""
    collector.pause()  # until the command's start-up is over (collector.settle)
    configure_streams()
    global _console
    _console = True  # the command's signal handlers are installed (DossierGroup.invoke)
    try:
        cli(prog_name="dossier")
    except SystemExit as done:
        from . import quick_exit

        if quick_exit.holding() and isinstance(done.code, int | None):
            # what the command built is dropped with the process, not freed; a stream that
            # cannot be flushed (a closed pipe) ends the ordinary way
            with contextlib.suppress(OSError, ValueError):
                quick_exit.exit_now(done.code or 0)
        raise
