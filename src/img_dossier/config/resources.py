"""Where the built-in data lives: checklists, letter templates and sample folders.

In a wheel they are packaged under ``img_dossier/data``; in a source checkout (editable
install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path


def data_dir(name: str) -> Path:
    """Return the folder of built-in data ``name`` (``checklists``, ``templates``, ``samples``)."""
    # the package's folder, as importlib.resources.files("img_dossier") names it for an
    # installed package (without importing importlib.resources, which costs a start-up)
    packaged = Path(__file__).resolve().parents[1] / "data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name  # a source checkout
