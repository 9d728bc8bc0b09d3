"""pydantic's validation errors as this tool's messages: file, line, field, what, the fix."""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from .yamlfile import line_of

__all__ = ["errors_of"]

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60


def errors_of(
    exc: ValidationError, name: str, path: Path | None, prefix: Sequence[str | int] = ()
) -> list[str]:
    """One message per error: ``FILE: line N: a.b[2].c: what was wrong (got VALUE)``."""
    out = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *(p for p in err["loc"] if not _is_branch(p)))
        line = line_of(path, loc)
        at = f"line {line}: " if line is not None else ""
        field = _dotted(loc)
        if err["type"] == "extra_forbidden":
            what = "unknown key (a typo?); see `dossier schema checklist` for the keys"
        elif err["type"] == "missing":
            what = "missing; it is required"
        else:
            what = f"{_message(err['msg'])} (got {_repr.repr(err.get('input'))})"
        out.append(f"{name}: {at}{field}: {what}")
    return out


def _is_branch(part: str | int) -> bool:
    """pydantic names the union branch it tried (``int``, ``function-after[...]``): not a field."""
    return isinstance(part, str) and (part in {"int", "float", "str", "bool"} or "[" in part)


def _dotted(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(msg: str) -> str:
    msg = msg.replace("Input should be", "must be").replace("input should be", "must be")
    return msg[:1].lower() + msg[1:]
