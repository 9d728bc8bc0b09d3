"""Read a program list (YAML, or CSV for spreadsheet users) into a validated ProgramList.

Every wrong field is named at once, by its place in the file (``programs[3] (IM-0004):
criteria.visas.source`` and its line in YAML, ``row 5 (IM-0004): column visas_source`` in
CSV), in the shape of every configuration file's errors (config/typed.py), ids given twice
with the model's errors; values checked before the season opened are warnings, so the list
can be used while it is updated.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..config import tracks as tracks_data
from ..config import typed
from ..config.profile import read_yaml
from ..errors import BadInputError
from .model import CRITERIA, EXPECTED, SYSTEM_TRACK, ProgramList

#: CSV columns of a program itself; each criterion C has C, C_source, C_checked, C_note.
PROGRAM_COLUMNS = ("id", "name", "system", "specialty", "track", "state", "province")
CRITERION_SUFFIXES = ("", "_source", "_checked", "_note")


@dataclass(frozen=True)
class LoadedList:
    """A validated program list, with the warnings it deserves and the season it is for."""

    path: Path
    programs: ProgramList
    warnings: tuple[str, ...]
    season: int

    @property
    def fictional(self) -> bool:
        return self.programs.fictional


def season_of(day: date) -> int:
    """The season (training start year) being applied for on ``day``: applications open
    in June for the July of the next year."""
    return day.year + 1 if day >= date(day.year, 6, 1) else day.year


def season_opens(season: int) -> date:
    """The day a season's program information is taken to be current from (June 1 before)."""
    return date(season - 1, 6, 1)


def csv_columns() -> list[str]:
    """The columns of a program list CSV, in order (a header users can start from)."""
    return [*PROGRAM_COLUMNS, *(c + s for c in CRITERIA for s in CRITERION_SUFFIXES)]


def load_programs(
    path: Path, *, as_of: date | None = None, cache: object | None = None
) -> LoadedList:
    """Read and validate ``path`` (.csv or .json by its name, else YAML); BadInputError lists
    every wrong field."""
    path = Path(path)
    if not path.exists():
        raise BadInputError(f"{path}: no such file; give a program list (.yaml or .csv)")
    if not path.is_file():
        raise BadInputError(f"{path}: not a file; give a program list (.yaml or .csv)")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _load_json(path, as_of)
    if suffix == ".csv":
        data, rows = _read_csv(path)
        return validate_programs(data, name=str(path), path=path, csv_rows=rows, as_of=as_of)
    if cache is not None:
        return _load_yaml_cached(path, as_of, cache)
    return validate_programs(read_yaml(path), name=str(path), path=path, as_of=as_of)


def _load_yaml_cached(path: Path, as_of: date | None, cache: object) -> LoadedList:
    """A YAML list through the read cache: parsing YAML is most of the cost of a long list,
    so a list already validated (same bytes, same code) is read back as the model's JSON."""
    from ..config import profile
    from ..readers.cache import memoized
    from . import model

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return validate_programs(read_yaml(path), name=str(path), path=path, as_of=as_of)

    def parse() -> dict[str, Any]:
        loaded = validate_programs(read_yaml(path), name=str(path), path=path, as_of=as_of)
        return {"model": loaded.programs.model_dump_json(by_alias=True)}

    hit = memoized(cache, "program-list", (sys.modules[__name__], profile, model), text, parse)
    validated = ProgramList.model_validate_json(hit["model"])
    return _checked(validated, str(path), path, None, as_of)


def _load_json(path: Path, as_of: date | None) -> LoadedList:
    """A JSON list: parsed and validated in one pass by pydantic (much faster than YAML for
    long lists); on an error, read again to name every wrong field as for YAML."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        model = ProgramList.model_validate_json(raw)
    except ValidationError:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise BadInputError(f"{path}: not valid JSON ({exc})") from None
        return validate_programs(data, name=str(path), path=path, as_of=as_of)
    return _checked(model, str(path), path, None, as_of)


def validate_programs(
    data: Any,
    *,
    name: str,
    path: Path | None = None,
    csv_rows: Sequence[int] | None = None,
    as_of: date | None = None,
) -> LoadedList:
    """Validate parsed data (from YAML, or from CSV with its row numbers)."""
    if not isinstance(data, Mapping):
        raise BadInputError(
            f"{name}: must be a mapping with a programs: list (see samples/programs.yaml)"
        )
    data = dict(data)
    try:
        model = ProgramList.model_validate(data)
    except ValidationError as exc:
        raw = data.get("programs")
        ids = [p.get("id") if isinstance(p, Mapping) else None for p in raw or ()]
        found = _messages(exc, data, csv_rows)
        found += _ids_twice(ids if isinstance(raw, list) else [], csv_rows)
        raise BadInputError("\n".join(_said(name, path, csv_rows, found))) from None
    return _checked(model, name, path, csv_rows, as_of)


def _said(
    name: str, path: Path | None, rows: Sequence[int] | None, found: Sequence[typed.Found]
) -> list[str]:
    """The errors as every configuration file's (config/typed.py): ``FILE: field: what (line
    N)``; a CSV's rows are its lines, so its messages name the row and the column instead."""
    return typed.messages(name, path if rows is None else None, found)


def _ids_twice(ids: Sequence[Any], rows: Sequence[int] | None) -> list[typed.Found]:
    """An id given to a second program (ids compared as the model reads them: stripped)."""
    found = []
    seen: dict[str, int] = {}
    for n, pid in enumerate(ids):
        if not isinstance(pid, str) or not pid.strip():
            continue
        key = pid.strip()
        if key in seen:
            first = _where(seen[key], key, rows)
            found.append(
                typed.Found(
                    f"{_where(n, key, rows)}: id",
                    f"the same id as {first}; each program once",
                    ("programs", n, "id"),
                )
            )
        seen.setdefault(key, n)
    return found


def _checked(
    model: ProgramList,
    name: str,
    path: Path | None,
    csv_rows: Sequence[int] | None,
    as_of: date | None,
) -> LoadedList:
    """What the model cannot say: ids used twice (errors), stale values (warnings)."""
    found = _ids_twice([p.id for p in model.programs], csv_rows)
    if found:
        raise BadInputError("\n".join(_said(name, path, csv_rows, found)))
    today = as_of or date.today()
    season = model.season or season_of(today)
    warnings = _warnings(model, name, csv_rows, season, today)
    return LoadedList(path or Path(name), model, tuple(warnings), season)


def _warnings(
    model: ProgramList, name: str, rows: Sequence[int] | None, season: int, today: date
) -> list[str]:
    opens = season_opens(season)
    found: list[str] = []
    for n, program in enumerate(model.programs):
        where = _where(n, program.id, rows)
        track = SYSTEM_TRACK[program.system]
        # what only one side of the border has is data (checklists/tracks.yaml)
        other = tracks_data.criteria_elsewhere(track)
        mine = tracks_data.track(track)
        for key, why in (mine.program_fields if mine is not None else {}).items():
            if getattr(program, key, None) is None:
                found.append(f"{name}: {where}: {key}: not given; {why}")
        for criterion in CRITERIA:
            value = getattr(program.criteria, criterion)
            if value is None:
                continue
            field = _field(criterion, "", rows)
            if criterion in other:
                found.append(
                    f"{name}: {where}: {field}: a {other[criterion].adjective} "
                    f"criterion on a {program.system} program; it is not screened"
                )
            checked = _field(criterion, "_checked", rows)
            if value.checked < opens:
                found.append(
                    f"{name}: {where}: {checked}: checked {value.checked}, before the {season} "
                    f"season (from {opens}); check {value.source} again"
                )
            elif value.checked > today:
                found.append(
                    f"{name}: {where}: {checked}: {value.checked} is after today ({today}); a typo?"
                )
    return found


# -- messages ----------------------------------------------------------------------------


def _where(n: int, program_id: Any, rows: Sequence[int] | None) -> str:
    shown = f" ({program_id})" if isinstance(program_id, str) and program_id.strip() else ""
    if rows is not None:
        return f"row {rows[n]}{shown}"
    return f"programs[{n}]{shown}"


def _field(criterion: str, suffix: str, rows: Sequence[int] | None) -> str:
    if rows is not None:
        return f"column {criterion}{suffix}"
    part = suffix.lstrip("_") or "value"
    return f"criteria.{criterion}.{part}"


_got = typed.got


def _lookup(data: Any, loc: Sequence[Any]) -> Any:
    for key in loc:
        in_list = isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        if in_list or (isinstance(data, Mapping) and key in data):
            data = data[key]
        else:
            return None
    return data


_SOURCE_FIX = 'a URL (https://...) or "program e-mail"'


def _messages(
    exc: ValidationError, data: Mapping[str, Any], rows: Sequence[int] | None
) -> list[typed.Found]:
    """One error per wrong field; a union's alternatives are said once, as what is expected."""
    lines: list[typed.Found] = []
    for error in exc.errors():
        loc = list(error["loc"])
        kind = error["type"]
        at = tuple(p for p in loc if isinstance(p, str | int))  # the field's place, for its line
        if len(loc) >= 2 and loc[0] == "programs" and isinstance(loc[1], int):
            n = loc[1]
            program = _lookup(data, ["programs", n])
            pid = program.get("id") if isinstance(program, Mapping) else None
            where = _where(n, pid, rows)
            rest = loc[2:]
            if len(rest) >= 2 and rest[0] == "criteria" and isinstance(rest[1], str):
                criterion = rest[1]
                if criterion not in CRITERIA:
                    text = f"unknown criterion; expected one of: {', '.join(CRITERIA)}"
                    field = f"column {criterion}" if rows is not None else f"criteria.{criterion}"
                    lines.append(typed.Found(f"{where}: {field}", text, at))
                    continue
                part = rest[2] if len(rest) > 2 else None
                if part is None:
                    got = _lookup(data, loc)
                    text = (
                        f"must be a mapping of value, source and checked {_got(got)}"
                        if kind != "missing"
                        else "missing"
                    )
                    field = f"column {criterion}" if rows is not None else f"criteria.{criterion}"
                    lines.append(typed.Found(f"{where}: {field}", text, at))
                    continue
                suffix = "" if part == "value" else f"_{part}"
                field = (
                    _field(criterion, suffix, rows)
                    if part in ("value", "source", "checked", "note")
                    else f"criteria.{criterion}.{part}"
                )
                got = _lookup(data, [*loc[:5]])
                if part == "value":
                    text = (
                        "missing" if kind == "missing" else f"not a valid value {_got(got)}"
                    ) + f"; expected {EXPECTED[criterion]}"
                elif part == "source":
                    text = (
                        f"missing: every value needs its source, {_SOURCE_FIX}"
                        if kind == "missing"
                        else f"must be {_SOURCE_FIX} {_got(got)}"
                    )
                elif part == "checked":
                    text = (
                        "missing: every value needs the date its source was checked (YYYY-MM-DD)"
                        if kind == "missing"
                        else f"not a date {_got(got)}; write it as YYYY-MM-DD"
                    )
                elif kind == "extra_forbidden":
                    text = "unknown key; a criterion has value, source, checked and note"
                else:
                    text = f"{error['msg']} {_got(got)}"
                line = typed.Found(f"{where}: {field}", text, tuple(at[:5]))
                if line not in lines:
                    lines.append(line)
                continue
            field_name = ".".join(str(p) for p in rest) or "(the program)"
            if rows is not None and rest:
                field_name = f"column {rest[0]}"
            lines.append(typed.Found(f"{where}: {field_name}", _program_text(error, data, loc), at))
            continue
        field_name = ".".join(str(p) for p in loc) or "(the file)"
        if loc == ["schema"]:
            text = f"this version of the tool reads schema 1 {_got(_lookup(data, loc))}"
        elif kind == "extra_forbidden":
            text = "unknown key; expected schema, fictional, season and programs"
        elif loc == ["programs"] and kind == "missing":
            text = "missing: the list of programs"
        else:
            text = f"{error['msg'].lower()} {_got(_lookup(data, loc))}"
        lines.append(typed.Found(field_name, text, at))
    return lines


_PROGRAM_FIELDS = {
    "id": "an NRMP program code, ACGME id or CaRMS program/stream id",
    "system": tracks_data.either(tracks_data.systems()),
    "specialty": "the specialty, such as Internal Medicine",
    "state": "a two-letter US state code such as NY",
    "province": "a two-letter province code such as ON",
}


def _program_text(error: Any, data: Mapping[str, Any], loc: list[Any]) -> str:
    kind = error["type"]
    key = str(loc[2]) if len(loc) > 2 else ""
    if kind == "missing":
        return f"missing; give {_PROGRAM_FIELDS.get(key, 'it')}"
    if kind == "extra_forbidden":
        return (
            "unknown key; a program has id, name, system, specialty, track, state, province "
            "and criteria"
        )
    expected = _PROGRAM_FIELDS.get(key)
    got = _got(_lookup(data, loc[:3]))
    return f"must be {expected} {got}" if expected else f"{error['msg'].lower()} {got}"


# -- CSV ---------------------------------------------------------------------------------

_SPLIT = re.compile(r"\s*[;,]\s*")
_PAIR = re.compile(r"^\s*([\w-]+)\s*[=:]\s*(.*?)\s*$")


def _read_csv(path: Path) -> tuple[dict[str, Any], list[int]]:
    """A CSV with one program per row -> the same data as the YAML form, with row numbers."""
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        raise BadInputError(f"{path}: not UTF-8 text; save it as CSV UTF-8") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise BadInputError(
            f"{path}: empty; the first row names the columns: id, system, ..."
        ) from None
    except csv.Error as exc:
        raise BadInputError(f"{path}: not valid CSV ({exc})") from None
    known = set(csv_columns())
    errors = [
        typed.Found(
            f"column {h or '(empty)'}",
            "unknown column; expected id, name, system, specialty, track, state, province, "
            "and per criterion C: C, C_source, C_checked, C_note "
            f"(criteria: {', '.join(CRITERIA)})",
        )
        for h in header
        if h not in known
    ]
    for needed in ("id", "system", "specialty"):
        if needed not in header:
            errors.append(typed.Found(f"column {needed}", "missing; every program needs one"))
    if errors:
        raise BadInputError("\n".join(typed.messages(str(path), None, errors)))
    programs: list[dict[str, Any]] = []
    rows: list[int] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            row = {h: c.strip() for h, c in zip(header, cells, strict=False) if c.strip()}
            program, problems = _csv_program(row, number)
            errors.extend(problems)
            programs.append(program)
            rows.append(number)
    except csv.Error as exc:
        raise BadInputError(f"{path}: not valid CSV at row {reader.line_num} ({exc})") from None
    if errors:
        raise BadInputError("\n".join(typed.messages(str(path), None, errors)))
    return {"programs": programs}, rows


def _csv_program(row: dict[str, str], number: int) -> tuple[dict[str, Any], list[typed.Found]]:
    program: dict[str, Any] = {k: row[k] for k in PROGRAM_COLUMNS if k in row}
    criteria: dict[str, Any] = {}
    problems: list[typed.Found] = []
    for criterion in CRITERIA:
        cells = {s: row.get(criterion + s) for s in CRITERION_SUFFIXES}
        if not any(cells.values()):
            continue
        field = (
            f"row {number}" + (f" ({row['id']})" if "id" in row else "") + f": column {criterion}"
        )
        if cells[""] is None:
            problems.append(
                typed.Found(
                    field,
                    f"missing, but its source or date is given; expected {EXPECTED[criterion]}",
                )
            )
            continue
        try:
            value = _cell(criterion, cells[""])
        except ValueError as exc:
            problems.append(typed.Found(field, f"{exc}; expected {EXPECTED[criterion]}"))
            continue
        entry: dict[str, Any] = {"value": value}
        for suffix in ("_source", "_checked", "_note"):
            if cells[suffix] is not None:
                entry[suffix[1:]] = cells[suffix]
        criteria[criterion] = entry
    if criteria:
        program["criteria"] = criteria
    return program, problems


_LISTS = {"visas", "extra_documents"}
_SHAPES = {"max_failed_attempts": "any", "us_clinical_experience": "months",
           "letters": "count", "residence": "rule"}  # fmt: skip


def _cell(criterion: str, text: str) -> Any:
    """A CSV cell in the shape the YAML form has: lists split on ; and mappings written
    ``key=value; key=value`` (a bare value fills the criterion's main key)."""
    word = text.strip().lower()
    if word == "unknown":
        return "unknown"
    if criterion in _LISTS:
        return [] if word in ("none", "no", "-") else [p for p in _SPLIT.split(text) if p]
    main = _SHAPES.get(criterion)
    if main is None or word == "none":
        return text.strip()
    pairs = [p for p in re.split(r"\s*;\s*", text) if p]
    if len(pairs) == 1 and not _PAIR.match(pairs[0]):
        return {main: pairs[0]}
    found: dict[str, str] = {}
    for pair in pairs:
        m = _PAIR.match(pair)
        if m is None:
            raise ValueError(f'not key=value: "{pair}"')
        found[m.group(1)] = m.group(2)
    return found
