"""Where LibreOffice is: ``IMG_DOSSIER_SOFFICE``, then PATH, then its usual install folders.

On Windows and macOS the installer does not put ``soffice`` on PATH, so the standard
folders are looked in too. ``IMG_DOSSIER_SOFFICE`` names the executable explicitly (and an
empty value turns LibreOffice off: the built-in renderer is used).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ENV = "IMG_DOSSIER_SOFFICE"


def find_soffice() -> str | None:
    """The LibreOffice executable to run, or None when there is none."""
    if ENV in os.environ:
        named = os.environ[ENV].strip()
        if not named:
            return None
        return shutil.which(named) or (named if Path(named).is_file() else None)
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    for candidate in _install_folders():
        if candidate.is_file():
            return str(candidate)
    return None


def _install_folders() -> list[Path]:
    if sys.platform == "win32":
        roots = [
            os.environ.get(name)
            for name in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)", "LOCALAPPDATA")
        ]
        bases = [Path(r) for r in roots if r] + [Path(r"C:\Program Files")]
        return [b / "LibreOffice" / "program" / "soffice.exe" for b in bases]
    if sys.platform == "darwin":
        apps = [Path("/Applications"), Path.home() / "Applications"]
        return [a / "LibreOffice.app" / "Contents" / "MacOS" / "soffice" for a in apps]
    return [Path("/usr/lib/libreoffice/program/soffice"), Path("/opt/libreoffice/program/soffice")]
