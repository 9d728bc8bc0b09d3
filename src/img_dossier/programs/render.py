"""A screen for people (a table), spreadsheets (CSV), scripts (JSON) and browsers (HTML).

No click here: the CLI decides where the text goes. The HTML page is self-contained (inline
style, a Content-Security-Policy that forbids every request) and escapes every value
(Jinja2 autoescape); a source becomes a link only when it is an https URL.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..output.report import spreadsheet_cell
from .model import CRITERIA
from .screen import CriterionVerdict, ProgramVerdict, Screen, group

if TYPE_CHECKING:
    import jinja2

STATUS_WORDS = {"eligible": "Eligible", "not-eligible": "Not eligible", "unknown": "Unknown"}
STATUS_TITLES = {
    "not-eligible": "Not eligible",
    "unknown": "Unknown: something is missing",
    "eligible": "Eligible",
}


def summary_line(result: Screen) -> str:
    """``10 programs: 2 eligible, 5 not eligible, 3 unknown; 5 carms programs not screened``."""
    s = result.summary()
    n = s["programs"]
    text = (
        f"{n} program{'s' if n != 1 else ''}: {s['eligible']} eligible, "
        f"{s['not-eligible']} not eligible, {s['unknown']} unknown"
    )
    if s["skipped"]:
        systems = sorted({p.system for p in result.skipped})
        text += (
            f"; {s['skipped']} {'/'.join(systems)} program{'s' if s['skipped'] != 1 else ''} "
            f"not screened (track {result.facts.track})"
        )
    if result.programs.fictional:
        text += " (FICTIONAL programs)"
    return text


def render_json(result: Screen) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False)


def _where(v: ProgramVerdict) -> str:
    return v.program.state or v.program.province or ""


def _why(v: ProgramVerdict) -> str:
    parts = [f"{c.criterion}: {c.message}" for c in v.reasons]
    parts += [c.message for c in v.notes]
    return "; ".join(parts) or "every criterion the list gives is met"


def render_table(result: Screen, *, grouped: bool = False) -> str:
    """Aligned columns: status, program id, specialty, where, and why (runs free)."""
    name = result.applicant_name or "the applicant"
    lines = [
        f"{name} ({result.folder}) against {result.programs.path}, season "
        f"{result.programs.season}, as of {result.facts.as_of}"
    ]
    if result.programs.fictional:
        lines.append("FICTIONAL: this list is marked fictional; its programs are made up.")
    headers = ("STATUS", "PROGRAM", "SPECIALTY", "WHERE", "WHY")

    def rows(verdicts: Sequence[ProgramVerdict]) -> list[list[str]]:
        return [[v.status, v.program.id, v.program.specialty, _where(v), _why(v)] for v in verdicts]

    if grouped:
        for status, verdicts in group(result.verdicts).items():
            if verdicts:
                lines += ["", f"{STATUS_TITLES[status]} ({len(verdicts)})"]
                lines += _table(headers, rows(verdicts))
    elif result.verdicts:
        lines.append("")
        lines += _table(headers, rows(result.verdicts))
    lines += ["", summary_line(result)]
    return "\n".join(lines) + "\n"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers) - 1)]

    def line(cells: Sequence[str]) -> str:
        padded = [str(c).ljust(w) for c, w in zip(cells, widths, strict=False)]
        return "  ".join([*padded, " ".join(str(cells[-1]).split())]).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def csv_fields() -> list[str]:
    fields = ["folder", "applicant", "status", "id", "name", "system", "specialty", "track"]
    fields += ["state", "province", "reasons", "notes"]
    for c in CRITERIA:
        fields += [c, f"{c}_detail", f"{c}_source", f"{c}_checked"]
    return fields


def csv_rows(result: Screen) -> list[list[Any]]:
    """One row per program: its status and reasons, then each criterion's result, detail
    and the program's source for it (spreadsheet formulas defused)."""
    rows: list[list[Any]] = []
    for v in result.verdicts:
        p = v.program
        by = {c.criterion: c for c in v.criteria}
        row: list[Any] = [
            result.folder, result.applicant_name or "", v.status, p.id, p.name or "", p.system,
            p.specialty, p.track or "", p.state or "", p.province or "",
            "; ".join(f"{c.criterion}: {c.message}" for c in v.reasons),
            "; ".join(c.message for c in v.notes),
        ]  # fmt: skip
        for c in CRITERIA:
            found = by.get(c)
            source = found.program if found is not None else None
            row += [
                found.result if found else "",
                found.message if found else "",
                source.source if source is not None else "",
                source.checked.isoformat() if source is not None else "",
            ]
        rows.append([spreadsheet_cell(cell) for cell in row])
    return rows


def render_csv(result: Screen, *, header: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(csv_fields())
    writer.writerows(csv_rows(result))
    return buffer.getvalue()


# -- HTML --------------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("img_dossier.programs", "html"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css() -> str:
    """The stylesheet of the HTML report (``check --html``), so both pages look alike."""
    return (resources.files("img_dossier.output") / "html" / "base.css").read_text("utf-8")


def _criterion(c: CriterionVerdict) -> dict[str, Any]:
    source = c.program.source if c.program is not None else None
    href = source if source and source.lower().startswith("https://") else None
    return {
        "criterion": c.criterion,
        "result": c.result,
        "message": c.message,
        "source": source,
        "href": href,
        "checked": c.program.checked.isoformat() if c.program is not None else None,
    }


def render_html(result: Screen) -> str:
    """The screen as one self-contained HTML page, grouped by status (worst first)."""
    sections = [
        (
            STATUS_TITLES[status],
            [
                {
                    "id": v.program.id,
                    "name": v.program.name,
                    "status": v.status,
                    "specialty": v.program.specialty,
                    "track": v.program.track,
                    "where": _where(v),
                    "system": v.program.system,
                    "reasons": [_criterion(c) for c in v.reasons],
                    "notes": [_criterion(c) for c in v.notes],
                    "criteria": [_criterion(c) for c in v.criteria],
                }
                for v in verdicts
            ],
        )
        for status, verdicts in group(result.verdicts).items()
    ]
    from .. import __version__

    return (
        _environment()
        .get_template("screen.html")
        .render(
            css=_css(),
            tool_version=__version__,
            applicant=result.applicant_name,
            track=result.facts.track,
            as_of=result.facts.as_of.isoformat(),
            season=result.programs.season,
            folder=result.folder,
            list_path=str(result.programs.path),
            fictional=result.programs.fictional,
            summary_line=summary_line(result),
            counts=result.summary(),
            sections=sections,
            status_words=STATUS_WORDS,
            warnings=list(result.programs.warnings),
            skipped=[f"{p.id} ({p.system})" for p in result.skipped],
        )
    )
