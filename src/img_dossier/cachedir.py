"""Where the tool keeps what it caches: one folder, private to the user (see readers/cache.py
for readings and conversions, config/validated.py for validated configuration)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import __version__

#: Environment variable that moves the cache (tests and CI use it).
ENV_DIR = "IMG_DOSSIER_CACHE_DIR"


def default_directory() -> Path:
    """``$IMG_DOSSIER_CACHE_DIR``, else the user's cache folder for img-dossier."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("img-dossier", appauthor=False))


def version_folder(root: Path, version: str = __version__) -> Path:
    """The folder of one tool version's entries in the cache folder ``root``."""
    return root / ("v" + re.sub(r"[^A-Za-z0-9._+-]", "_", version))


def mkdir_private(path: Path) -> None:
    """Create ``path`` and any missing parents with mode 0700 (whatever the umask)."""
    missing: list[Path] = []
    p = path
    while not p.is_dir():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(0o700)
        except FileExistsError:
            if not d.is_dir():
                raise
            continue
        d.chmod(0o700)
