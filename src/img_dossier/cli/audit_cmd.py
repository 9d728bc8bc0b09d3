"""`dossier audit PATH...`: one summary row per client folder, or an expiry calendar."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..audit.run import (
    AuditOptions,
    AuditRow,
    CalendarRow,
    ClientResult,
    check_clients,
    discover,
    is_step,
    sort_calendar,
    sort_rows,
    summarize,
)
from ..errors import ExitCode
from ..output.report import spreadsheet_cell
from ..progress import CLIENTS, ProgressCallback
from ..readers.cache import ReadCache

if TYPE_CHECKING:
    from ..programs.matrix import ClientScreen
from .options import (
    as_of_option,
    expiring_option,
    jobs_option,
    no_ocr_option,
    quiet_option,
    strict_option,
    track_option,
    use_color,
    verbose_option,
)
from .progress_bar import progress_for
from .streams import BROKEN_PIPE_EXIT, is_broken_pipe

FORMATS = ("table", "csv", "json", "jsonl", "ics")

ROW_FIELDS = (
    "folder",
    "status",
    "applicant",
    "track",
    "checklist",
    "complete",
    "missing",
    "insufficient",
    "invalid",
    "expired",
    "errors",
    "warnings",
    "expiry_item",
    "expiry_document",
    "expiry_what",
    "expiry_date",
    "expiry_days_left",
    "error",
)
CALENDAR_FIELDS = ("date", "days_left", "folder", "applicant", "item", "what", "document")
_STATUS_COLOURS = {"error": "red", "incomplete": "yellow", "complete": "green"}


@click.command("audit")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; csv, json, or jsonl (one object per line as clients finish); "
    "with --calendar also ics (iCalendar events for a calendar program).",
)
@click.option(
    "--calendar",
    is_flag=True,
    help="List what expires within --expiring-within days (already expired first), soonest first.",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Also write a dashboard: one self-contained HTML page (sortable rows, calendar).",
)
@click.option(
    "--xlsx",
    "xlsx_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Also write the rows and the calendar as an Excel workbook.",
)
@jobs_option
@expiring_option
@as_of_option
@track_option
@click.option(
    "--no-cache", is_flag=True, help="Read every document again (do not use the read cache)."
)
@click.option(
    "--programs",
    "programs_file",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Also screen every client against this program list: who can apply where.",
)
@strict_option
@no_ocr_option
@quiet_option
@verbose_option
@click.pass_context
def audit(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    calendar: bool,
    html_file: Path | None,
    xlsx_file: Path | None,
    jobs: int | None,
    expiring_within: int,
    as_of: date | None,
    track: str | None,
    no_cache: bool,
    programs_file: Path | None,
    strict: bool,
    no_ocr: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check many client folders: one row per client, worst first.

    Each PATH is a client folder (it holds a dossier.yaml or documents) or a folder whose
    subfolders are client folders. Exit 0 when every client is complete, 1 when any is
    incomplete or could not be checked, 3 when a PATH itself cannot be read.
    """
    if fmt == "ics" and not calendar:
        raise click.BadParameter("ics is a calendar format; add --calendar", param_hint="--format")
    clients = discover(list(paths))
    programs = None
    if programs_file is not None:
        from ..programs import load_programs

        programs = load_programs(
            programs_file, as_of=as_of, cache=None if no_cache else ReadCache()
        )
        if not quiet:
            for warning in programs.warnings:
                click.echo(f"warning: {warning}", err=True)
    options = AuditOptions(
        as_of=as_of or date.today(),
        track=track,
        expiring_within=expiring_within,
        strict=strict,
        cache=None if no_cache else ReadCache(),
        ocr=not no_ocr,
        programs=programs,
    )
    results = check_clients(clients, options, jobs=jobs)
    files = _Files(html_file, xlsx_file)
    try:
        with progress_for(ctx, quiet, verbose) as progress:
            code = _report(results, len(clients), fmt, calendar, options, quiet, progress, files)
    except OSError as exc:
        if not is_broken_pipe(exc):
            raise
        # The reader of stdout went away (`dossier audit ... | head`): stop quietly.
        results.close()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = BROKEN_PIPE_EXIT
    ctx.exit(int(code))


@dataclass(frozen=True)
class _Files:
    """The files an audit writes besides stdout."""

    html: Path | None = None
    xlsx: Path | None = None


def _report(
    results: Iterator[ClientResult],
    total: int,
    fmt: str,
    calendar: bool,
    options: AuditOptions,
    quiet: bool,
    progress: ProgressCallback | None = None,
    files: _Files = _Files(),
) -> int:
    """Write the rows (or the calendar) and the summary line; return the exit code."""
    rows: list[AuditRow] = []
    entries: list[CalendarRow] = []
    expiring: list[CalendarRow] = []
    deadlines: list[CalendarRow] = []
    out = sys.stdout

    screens: dict[str, ClientScreen | None] = {}
    for done, result in enumerate(results, 1):
        if progress is not None and total > 1:
            progress(CLIENTS, done, total)
        rows.append(result.row)
        screens[result.row.folder] = result.programs
        expiring.extend(c for c in result.calendar if not is_step(c))  # steps: deadlines
        deadlines.extend(result.deadlines)
        if calendar:
            if result.row.error is not None:
                error, folder = result.row.error, result.row.folder
                said = error.startswith(folder)  # the message names the folder already
                click.echo(f"dossier: {error if said else f'{folder}: {error}'}", err=True)
            if fmt == "jsonl":
                for entry in result.calendar:
                    out.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
                out.flush()
            else:
                entries.extend(result.calendar)
        elif fmt == "jsonl":
            row_json = _row_json(result.row, options, screens)
            out.write(json.dumps(row_json, ensure_ascii=False) + "\n")
            out.flush()

    summary = summarize(rows, options.expiring_within)
    ordered = sort_rows(rows)
    _write_files(files, ordered, expiring, deadlines, options, summary)
    if calendar and fmt == "ics":
        from ..audit.outputs import calendar_ics

        sys.stdout.flush()
        sys.stdout.buffer.write(calendar_ics(expiring, deadlines, as_of=options.as_of))
        sys.stdout.buffer.flush()
        line = _calendar_line(summary, len(expiring), options.expiring_within)
        if deadlines:
            line += f"; {len(deadlines)} deadline{'s' if len(deadlines) != 1 else ''}"
    elif calendar:
        entries = sort_calendar(entries)
        _write_calendar(fmt, entries, options, summary)
        line = _calendar_line(summary, len(entries), options.expiring_within)
    else:
        _write_rows(fmt, ordered, options, summary, screens)
        line = _summary_line(summary, options.expiring_within)
    if not quiet:
        click.echo(line, err=fmt != "table")
        for path in (files.html, files.xlsx):
            if path is not None:
                click.echo(f"dossier: wrote {path}", err=True)

    if any(r.internal for r in rows):
        return ExitCode.INTERNAL
    if summary["incomplete"] or summary["error"]:
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def _write_files(
    files: _Files,
    rows: Sequence[AuditRow],
    expiring: Sequence[CalendarRow],
    deadlines: Sequence[CalendarRow],
    options: AuditOptions,
    summary: dict[str, int],
) -> None:
    """The dashboard and the workbook, each written atomically (exit 4 when it cannot be)."""
    from ..output.outfile import write_output

    if files.html is not None:
        from ..audit.outputs import dashboard_html

        page = dashboard_html(
            rows,
            expiring,
            deadlines,
            as_of=options.as_of,
            expiring_within=options.expiring_within,
            summary=summary,
        )
        write_output(files.html, page.encode("utf-8"))
    if files.xlsx is not None:
        from ..audit.outputs import workbook_xlsx

        write_output(files.xlsx, workbook_xlsx(rows, expiring, deadlines, as_of=options.as_of))


# -- rows --------------------------------------------------------------------------------


def _write_rows(
    fmt: str,
    rows: Sequence[AuditRow],
    options: AuditOptions,
    summary: dict[str, int],
    screens: Mapping[str, ClientScreen | None],
) -> None:
    if fmt == "jsonl":
        return  # already streamed
    if fmt == "json":
        doc = _header(options) | {
            "summary": summary,
            "clients": [_row_json(r, options, screens) for r in rows],
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        if options.programs is None:
            _write_csv(ROW_FIELDS, (_csv_row(r) for r in rows))
        else:
            from ..programs.matrix import program_ids

            ids = program_ids(options.programs)
            _write_csv(
                (*ROW_FIELDS, *MATRIX_FIELDS, *ids),
                (_csv_row(r) + _matrix_cells(screens.get(r.folder), ids) for r in rows),
            )
    else:
        _write_table(
            ("STATUS", "FOLDER", "APPLICANT", "TRACK", "ERR/WARN", "EXPIRES", "BLOCKING"),
            [_table_row(r) for r in rows],
            status_column=True,
        )
        if options.programs is not None and rows:
            from ..programs.matrix import matrix_line

            fictional = ", FICTIONAL programs" if options.programs.fictional else ""
            click.echo(f"\nWho can apply where ({options.programs.path}{fictional}):")
            _write_table(
                ("FOLDER", "PROGRAMS"),
                [[r.folder, matrix_line(screens.get(r.folder))] for r in rows],
            )


#: Columns the CSV adds with --programs, before one column per program (its status).
MATRIX_FIELDS = ("programs_eligible", "programs_unknown", "programs_not_eligible")


def _matrix_cells(screened: ClientScreen | None, ids: Sequence[str]) -> list[Any]:
    if screened is None:
        return [""] * (len(MATRIX_FIELDS) + len(ids))
    s = screened.summary()
    return [
        s["eligible"], s["unknown"], s["not-eligible"],
        *(screened.status_of(i) or "not-screened" for i in ids),
    ]  # fmt: skip


def _row_json(
    row: AuditRow, options: AuditOptions, screens: Mapping[str, ClientScreen | None]
) -> dict[str, Any]:
    data = row.to_json()
    if options.programs is not None:
        screened = screens.get(row.folder)
        data["programs"] = screened.to_json() if screened is not None else None
    return data


def _csv_row(row: AuditRow) -> list[Any]:
    e = row.earliest_expiry
    return [
        row.folder,
        row.status,
        row.applicant or "",
        row.track or "",
        row.checklist or "",
        "true" if row.complete else "false",
        ";".join(row.missing),
        ";".join(row.insufficient),
        ";".join(row.invalid),
        ";".join(row.expired),
        row.errors,
        row.warnings,
        e.item or "" if e else "",
        e.document or "" if e else "",
        e.what if e else "",
        e.date.isoformat() if e else "",
        e.days_left if e else "",
        row.error or "",
    ]


def _table_row(row: AuditRow) -> list[str]:
    e = row.earliest_expiry
    expires = f"{e.item or e.what} {e.date.isoformat()} ({_days(e.days_left)})" if e else "-"
    if row.error is not None:
        lines = row.error.splitlines() or [""]
        note = lines[0] + (f" (+{len(lines) - 1} more)" if len(lines) > 1 else "")
        return [row.status, row.folder, "-", row.track or "-", "-", "-", note]
    parts = [
        f"{label}: {', '.join(ids)}"
        for label, ids in (
            ("missing", row.missing),
            ("insufficient", row.insufficient),
            ("invalid", row.invalid),
            ("expired", row.expired),
        )
        if ids
    ]
    return [
        row.status,
        row.folder,
        row.applicant or "-",
        row.track or "-",
        f"{row.errors}/{row.warnings}",
        expires,
        "; ".join(parts) or "-",
    ]


def _summary_line(summary: dict[str, int], within: int) -> str:
    n = summary["clients"]
    text = (
        f"{n} client{'s' if n != 1 else ''}: {summary['complete']} complete, "
        f"{summary['incomplete']} incomplete, {summary['error']} could not be checked"
    )
    if summary["expiring"]:
        text += f"; {summary['expiring']} with something expiring within {within} days"
    if summary.get("ocr_pages"):
        pages = summary["ocr_pages"]
        text += f"; {pages} page{'s' if pages != 1 else ''} of scans read by OCR"
    return text


# -- calendar ----------------------------------------------------------------------------


def _write_calendar(
    fmt: str, entries: Sequence[CalendarRow], options: AuditOptions, summary: dict[str, int]
) -> None:
    if fmt == "jsonl":
        return  # already streamed
    if fmt == "json":
        doc = _header(options) | {"summary": summary, "calendar": [e.to_json() for e in entries]}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        _write_csv(
            CALENDAR_FIELDS,
            (
                [
                    e.date.isoformat(),
                    e.days_left,
                    e.folder,
                    e.applicant or "",
                    e.item or "",
                    e.what,
                    e.document or "",
                ]
                for e in entries
            ),
        )
    else:
        _write_table(
            ("DATE", "DAYS", "FOLDER", "APPLICANT", "ITEM", "WHAT", "DOCUMENT"),
            [
                [
                    e.date.isoformat(),
                    _days(e.days_left),
                    e.folder,
                    e.applicant or "-",
                    e.item or "-",
                    e.what,
                    e.document or "-",
                ]
                for e in entries
            ],
        )


def _calendar_line(summary: dict[str, int], entries: int, within: int) -> str:
    n = summary["clients"]
    text = (
        f"{entries} expir{'ies' if entries != 1 else 'y'} within {within} days "
        f"across {n} client{'s' if n != 1 else ''}"
    )
    if summary["error"]:
        text += f"; {summary['error']} could not be checked"
    return text


# -- output helpers ----------------------------------------------------------------------


def _header(options: AuditOptions) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "tool": {"name": "img-dossier", "version": __version__},
        "as_of": options.as_of.isoformat(),
        "expiring_within": options.expiring_within,
    }


def _days(days_left: int) -> str:
    if days_left < 0:
        return f"expired {-days_left} d ago"
    return "today" if days_left == 0 else f"in {days_left} d"


def _write_csv(fields: Sequence[str], rows: Any) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([spreadsheet_cell(c) for c in row] for row in rows)
    click.echo(buffer.getvalue(), nl=False)


def _write_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, status_column: bool = False
) -> None:
    """Left-aligned columns; the last one runs free; the status word coloured on a terminal."""
    if not rows:
        return
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers) - 1)]
    colour = status_column and use_color()

    def line(cells: Sequence[str], header: bool = False) -> str:
        padded = [str(c).ljust(w) for c, w in zip(cells, widths, strict=False)]
        if colour and not header:
            padded[0] = click.style(padded[0], fg=_STATUS_COLOURS.get(str(cells[0])))
        return "  ".join([*padded, str(cells[-1])]).rstrip()

    click.echo(line(headers, header=True))
    for row in rows:
        click.echo(line(row))
