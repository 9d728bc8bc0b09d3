"""``dossier samples copy DIR``: the sample applicant folders, where a user can try the tour.

The samples ship inside the package (``data/samples`` in a wheel); after ``pipx install``
no path reaches them, so this copies them out. The generator scripts stay behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .config.resources import data_dir
from .errors import BadInputError, OutputError
from .outdir import make_folder

__all__ = ["copy_samples"]

#: Left behind: the scripts that make the samples, and Python's caches.
_SKIP = shutil.ignore_patterns("*.py", "__pycache__", "*.pyc")


def copy_samples(dest: Path) -> list[Path]:
    """Copy every sample folder and file into ``dest`` (made if missing); return what was
    written. Nothing already in ``dest`` is replaced."""
    source = data_dir("samples")
    if not source.is_dir():
        raise BadInputError(f"{source}: the samples are not installed with this copy")
    entries = sorted(p for p in source.iterdir() if p.suffix != ".py" and p.name != "__pycache__")
    clashes = [dest / p.name for p in entries if (dest / p.name).exists()]
    if clashes:
        raise OutputError(
            f"{clashes[0]}: already exists; choose an empty folder, or remove the old samples"
        )
    make_folder(dest, fix="choose another folder")
    written = []
    for entry in entries:
        target = dest / entry.name
        try:
            if entry.is_dir():
                shutil.copytree(entry, target, ignore=_SKIP)
            else:
                shutil.copy2(entry, target)
        except OSError as exc:
            raise OutputError(f"{target}: cannot be written ({exc.strerror or exc})") from None
        written.append(target)
    return written
