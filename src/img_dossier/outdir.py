"""Making an output folder, or saying why it cannot be made (one policy for every command).

The folder and its missing parents are created; when that fails, the message names the
folder, what stood in the way (a file where a folder should be, no permission, a full or
read-only disk) and the option that chooses another place.
"""

from __future__ import annotations

from pathlib import Path

from .errors import OutputError

__all__ = ["make_folder"]


def make_folder(folder: Path, *, fix: str) -> None:
    """Create ``folder`` (and its parents) unless it exists; OutputError saying why not,
    ending with ``fix`` (e.g. "choose another folder with --out")."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{folder}: a file is in the way of the folder; {fix}") from None
    except OSError as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
        why = exc.strerror or str(exc)
        if blocker is not None and not blocker.is_dir():
            why = f"{blocker} is a file, not a folder"
        raise OutputError(f"{folder}: cannot create the folder ({why}); {fix}") from None
