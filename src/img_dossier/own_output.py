"""How the tool knows its own outputs: the PDF marker, ``dossier pack``'s marker and manifest.

Every PDF the tool writes carries ``OWN_OUTPUT_KEY`` in its document info (the scanner
leaves such files out); a pack PDF's value ends in ``(pack)`` and its folder's
manifest.json lists what an earlier pack wrote.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from . import __version__
from .model import OWN_OUTPUT_KEY

__all__ = ["OWN_OUTPUT_KEY", "PACK_MARKER", "previous_outputs"]

#: The own-output marker value of ``dossier pack``'s PDFs: copies of the user's documents,
#: which count as documents when moved out of their pack folder (dossiers and letters never).
PACK_MARKER = f"img-dossier {__version__} (pack)"


def previous_outputs(folder: Path) -> set[Path]:
    """The files an earlier pack wrote into ``folder``, as its manifest.json lists them."""
    manifest = folder / "manifest.json"
    try:
        if not manifest.is_file() or manifest.stat().st_size > 5_000_000:
            return set()
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(data, dict) or (data.get("tool") or {}).get("name") != "img-dossier":
        return set()
    names = {"manifest.json", "manifest.csv"}
    for s in data.get("slots") or []:
        name = s.get("file") if isinstance(s, dict) else None
        if isinstance(name, str) and name == PurePosixPath(name).name:
            names.add(name)
    return {(folder / n).resolve() for n in names}
