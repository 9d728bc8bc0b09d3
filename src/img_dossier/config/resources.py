"""Where the built-in data lives: checklists, letter templates and sample folders.

In a wheel they are packaged under ``img_dossier/data``; in a source checkout (editable
install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_dir(name: str) -> Path:
    """Return the folder of built-in data ``name`` (``checklists``, ``templates``, ``samples``)."""
    packaged = Path(str(resources.files("img_dossier"))) / "data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name  # a source checkout
