"""A client's audit result, kept in the read cache while nothing it depends on changed.

A warm ``dossier audit`` would otherwise classify, extract and judge every client again
(the read cache spares only the parsing). The result of one client is stored under a key
made of:

- the folder's own state (checking/report_cache.py ``folder_state``): every file ``scan``
  lists or ignores, with its device, inode, size, modification and change times
  (``st_ctime_ns`` changes on any write, even one that restores the modification time);
  the links that leave the folder; the content of dossier.yaml;
- the options of the audit (as-of date, track, window, strict, OCR and its engine);
- the tool version and a fingerprint of its code and built-in checklists (size and
  modification time of each file), so that an upgrade or an edit never reuses a result;
  like every entry of the read cache, it is filed under the versions of Python and the
  libraries too (libversions.py).

Only results judged against a built-in checklist are stored (a custom checklist file may
extend others the key does not see), never an internal error, never one with a program
screen. A file changed in any way is a new key, so the client is checked again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..codeprint import code_fingerprint as code_fingerprint
from ..isodate import iso_date

if TYPE_CHECKING:
    from .rows import AuditOptions, AuditRow, CalendarRow, Client, ClientResult, Expiry

#: Bump when what a stored result holds changes.
FORMAT = 1

_NAMESPACE = "audit-client"


def client_key(client: Client, options: AuditOptions) -> str | None:
    """The cache key of this client's result, or None when it cannot be cached."""
    if options.cache is None or options.programs is not None:
        return None
    from ..checking.report_cache import folder_state

    try:
        listed, _ = folder_state(client.path)
    except Exception:  # an unreadable folder: checked (and its error reported) every time
        return None
    engine = "-"
    if options.ocr:
        from ..readers.ocr_tag import cache_tag

        engine = cache_tag()
    state = {
        "format": FORMAT,
        "version": __version__,
        "code": code_fingerprint(),
        "client": [client.folder, str(client.path.resolve())],
        "options": [
            options.as_of.isoformat(),
            options.track,
            options.expiring_within,
            options.strict,
            options.ocr,
            engine,
        ],
        "listed": listed,
    }
    digest = hashlib.sha256(json.dumps(state, separators=(",", ":")).encode()).hexdigest()
    return f"{_NAMESPACE}:{digest}"


def storable(result: ClientResult, builtin_checklist: bool) -> bool:
    """Whether a result may be stored (see the module's docstring)."""
    return builtin_checklist and not result.row.internal and result.programs is None


def to_cache(result: ClientResult) -> dict[str, Any]:
    """A ClientResult (without a program screen) as JSON-able data."""
    return {
        "row": _plain(dataclasses.asdict(result.row)),
        "calendar": [_plain(dataclasses.asdict(c)) for c in result.calendar],
        "deadlines": [_plain(dataclasses.asdict(c)) for c in result.deadlines],
    }


def from_cache(value: dict[str, Any]) -> ClientResult:
    """The ClientResult stored by ``to_cache``; ValueError (or TypeError) when it is garbage."""
    from .rows import AuditRow, ClientResult

    raw = dict(value["row"])
    for name in ("missing", "insufficient", "invalid", "expired"):
        raw[name] = tuple(str(v) for v in raw[name])
    for name in ("earliest_expiry", "next_deadline"):
        raw[name] = _expiry(raw[name]) if raw[name] is not None else None
    row: AuditRow = AuditRow(**raw)
    return ClientResult(
        row,
        tuple(_calendar_row(c) for c in value["calendar"]),
        None,
        deadlines=tuple(_calendar_row(c) for c in value["deadlines"]),
    )


def _expiry(raw: dict[str, Any]) -> Expiry:
    from .rows import Expiry

    return Expiry(**{**raw, "date": _day(raw["date"])})


def _calendar_row(raw: dict[str, Any]) -> CalendarRow:
    from .rows import CalendarRow

    return CalendarRow(**{**raw, "date": _day(raw["date"])})


def _day(value: object) -> date:
    day = iso_date(value, strict=True)
    if day is None:
        raise ValueError(f"not a date: {value!r}")
    return day


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
