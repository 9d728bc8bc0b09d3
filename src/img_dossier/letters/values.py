"""The values a letter is rendered with: dossier.yaml, then a CSV row, then --set.

Field names are dotted paths (``applicant.family_name``) into nested dicts, the same in the
template, the CSV header and ``--set``. Every missing required value of every row is
collected before anything is rendered, so the user fixes them all at once and no letter
ever carries a blank.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BadInputError
from ..isodate import iso_date

if TYPE_CHECKING:
    from .template import Template

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: Values every template gets without asking: the letter's date and the applicant's name.
COMPUTED = ("today", "applicant.full_name")

#: Where a value came from, so that a wrong one is reported against its source.
ROW, SET, BASE, DEFAULT = "row", "set", "dossier.yaml", "default"

#: Limits on a --data CSV: a mail merge, not a database.
MAX_CSV_BYTES = 10 * 1024 * 1024
MAX_CSV_ROWS = 10_000


def longdate(value: Any) -> str:
    """A date as a letter writes it, without locale: ``July 1, 2027``."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = parse_date(value)
    if not isinstance(value, date):
        raise TypeError(f"longdate: not a date: {value!r}")
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}"


def parse_date(value: Any) -> date:
    """``YYYY-MM-DD`` text or a date -> date; ValueError otherwise."""
    day = iso_date(value)
    if day is None:
        raise ValueError(f"not a date: {value!r}")
    return day


def get_path(values: Mapping[str, Any], name: str) -> Any:
    """The value at dotted ``name``, or None when any part of the path is absent."""
    current: Any = values
    for part in name.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def set_path(values: dict[str, Any], name: str, value: Any) -> None:
    """Set dotted ``name``, creating the dicts on the way; ValueError if a part is not a dict."""
    parts = name.split(".")
    current = values
    for i, part in enumerate(parts[:-1]):
        nxt = current.get(part)
        if nxt is None:
            nxt = {}
            current[part] = nxt
        elif not isinstance(nxt, dict):
            raise ValueError(f"{'.'.join(parts[: i + 1])} is a value, not a group of fields")
        current = nxt
    current[parts[-1]] = value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Rows:
    """The rows of a --data CSV (header -> cell), and the file they came from."""

    path: Path
    rows: tuple[dict[str, str], ...]


def read_csv(path: Path) -> Rows:
    """Read a UTF-8 CSV (a BOM is fine) whose header names fields; one letter per row."""
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise BadInputError(
                f"{path}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; "
                "split it into several files"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInputError(f'{path}: not UTF-8 text; save it as "CSV UTF-8"') from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise BadInputError(
                f"{path}: empty; the first line must name the fields "
                "(e.g. referee_name,referee_institution)"
            )
        names = [h.strip() for h in header]
        for i, name in enumerate(names, 1):
            if not name:
                raise BadInputError(f"{path}: column {i} of the header has no name")
            if names.count(name) > 1:
                raise BadInputError(f"{path}: column {name!r} appears twice in the header")
        rows: list[dict[str, str]] = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_CSV_ROWS:
                raise BadInputError(f"{path}: more than {MAX_CSV_ROWS} rows; split it")
            if len(cells) > len(names):
                raise BadInputError(
                    f"{path}: row {len(rows) + 1} has {len(cells)} cells but the header names "
                    f"{len(names)} columns; quote cells that contain commas"
                )
            cells = cells + [""] * (len(names) - len(cells))
            rows.append(dict(zip(names, cells, strict=True)))
    except csv.Error as exc:
        raise BadInputError(f"{path}: not valid CSV at line {reader.line_num} ({exc})") from None
    if not rows:
        raise BadInputError(f"{path}: has a header but no rows; add one row per letter")
    return Rows(path=path, rows=tuple(rows))


def _delimiter(text: str) -> str:
    """',' unless the header has none and uses ';' or a tab (Excel's CSV in many locales)."""
    header = text.split("\n", 1)[0]
    if "," not in header:
        for candidate in (";", "\t"):
            if candidate in header:
                return candidate
    return ","


def build_contexts(
    template: Template,
    base: Mapping[str, Any],
    *,
    rows: Rows | None = None,
    sets: Mapping[str, str] | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """One render context per row (or one without a CSV); BadInputError naming every gap."""
    sets = dict(sets or {})
    declared = {f.name for f in template.fields} | set(COMPUTED)
    unknown = sorted(k for k in sets if k not in declared)
    if unknown:
        raise BadInputError(
            f"{template.name}: --set {', '.join(unknown)}: not a field of this template; "
            f"its fields are: {', '.join(sorted(declared))}"
        )
    row_values: Sequence[Mapping[str, str]] = rows.rows if rows else ({},)
    contexts: list[dict[str, Any]] = []
    problems: list[str] = []
    shared: list[str] = []  # wrong values that are the same in every row: listed once, first
    for number, row in enumerate(row_values, 1):
        where = f"{rows.path.name} row {number}: " if rows else ""
        context, missing, wrong = _context(template, base, row, sets, today or date.today())
        if missing:
            problems.append(f"{where}missing {', '.join(missing)}")
        for origin, message in wrong:
            # a bad value from the CSV is that row's; one from --set, dossier.yaml or the
            # template's default is the same in every row: said once, naming its source
            if origin == ROW:
                problems.append(f"{where}{message}")
            elif (line := f"{_source(origin, template)}{message}") not in shared:
                shared.append(line)
        contexts.append(context)
    problems[:0] = shared
    if problems:
        how = (
            "give them in the CSV, with --set NAME=VALUE, or in dossier.yaml"
            if rows
            else "give them with --set NAME=VALUE, a --data CSV column, or in dossier.yaml"
        )
        unused = sorted({c for r in (rows.rows if rows else ()) for c in r} - declared)
        if unused:
            problems.append(
                f"{rows.path.name if rows else 'CSV'}: column(s) {', '.join(unused)} "
                "not used by this template (a misspelt field name?)"
            )
        raise BadInputError(
            f"{template.name}: values are missing or wrong (a letter never gets a blank):\n  "
            + "\n  ".join(problems)
            + f"\n{how}; `dossier letters show {template.name}` lists the fields"
        )
    return contexts


def _context(
    template: Template,
    base: Mapping[str, Any],
    row: Mapping[str, str],
    sets: Mapping[str, str],
    today: date,
) -> tuple[dict[str, Any], list[str], list[tuple[str, str]]]:
    """The context of one letter, the required fields nobody gave, and (origin, message) for
    each wrong value: origin is ROW, SET, BASE (dossier.yaml) or DEFAULT (the template's)."""
    context: dict[str, Any] = copy.deepcopy(dict(base))
    wrong: list[tuple[str, str]] = []
    origins: dict[str, str] = {}  # field name -> the layer its value came from
    for origin, layer in ((ROW, row), (SET, sets)):
        for name, value in layer.items():
            if _blank(value):
                continue
            try:
                set_path(context, name, value.strip())
                origins[name] = origin
            except ValueError as exc:
                wrong.append((origin, f"{name}: {exc}"))
    if get_path(context, "today") is None:
        context["today"] = today
    else:
        try:
            context["today"] = parse_date(context["today"])
        except ValueError:
            wrong.append(
                (
                    origins.get("today", BASE),
                    f'today: not a date (got "{context["today"]}"); write it as YYYY-MM-DD',
                )
            )
    if _blank(get_path(context, "applicant.full_name")):
        parts = [get_path(context, f"applicant.{k}") for k in ("given_names", "family_name")]
        full = " ".join(str(p).strip() for p in parts if not _blank(p))
        if full and isinstance(context.get("applicant", {}), dict):
            set_path(context, "applicant.full_name", full)
    missing: list[str] = []
    for field in template.fields:
        current: Any = get_path(context, field.name)
        origin = origins.get(field.name, BASE)
        if _blank(current):
            if field.required:
                missing.append(field.name)
                continue
            current, origin = field.default, DEFAULT
        if field.type == "date" and current is not None:
            try:
                current = parse_date(current)
            except ValueError:
                wrong.append(
                    (origin, f'{field.name}: not a date (got "{current}"); write it as YYYY-MM-DD')
                )
                continue
        try:
            set_path(context, field.name, current)
        except ValueError as exc:
            wrong.append((origin, f"{field.name}: {exc}"))
    return context, missing, wrong


def _source(origin: str, template: Template) -> str:
    """The prefix naming where a value that is the same in every row came from."""
    if origin == SET:
        return "--set "
    if origin == DEFAULT:
        return f"{template.name} template default: "
    return "dossier.yaml: "
