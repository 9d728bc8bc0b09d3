"""Writing one output file (HTML report, dashboard, spreadsheet, calendar) atomically.

The file is written beside its target and renamed into place, so a reader never sees half
a file and a failed run leaves the old one. A target that is one of the checked documents
is refused (exit 4): an output never replaces a source.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputError
from ..leftovers import file_beside


def write_output(path: Path, data: bytes, *, sources: Iterable[Path] = ()) -> None:
    """Write ``data`` to ``path`` atomically; OutputError (exit 4) saying what to do."""
    path = Path(path)
    target = path.resolve()
    if any(target == Path(s).resolve() for s in sources):
        raise OutputError(
            f"{path}: is one of the documents being checked; write the output somewhere else"
        )
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name (for example {path / 'x'})")
    parent = path.parent if str(path.parent) else Path()
    if not parent.is_dir():
        raise OutputError(f"{path}: the folder {parent} does not exist; create it first")
    try:
        fd, tmp = file_beside(parent / path.name)  # a killed run's temporary goes here
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot be written ({exc.strerror or exc}); check that you may write in "
            f"{parent}"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(0o644 & ~_umask())
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
