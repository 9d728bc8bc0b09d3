"""img-dossier: check, package and write the documents of an IMG's residency application."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
