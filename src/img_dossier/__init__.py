"""img-dossier: check, package and write the documents of an IMG's residency application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["CheckRun", "__version__", "run_check"]

if TYPE_CHECKING:
    from .checking.pipeline import CheckRun, run_check


def __getattr__(name: str) -> Any:
    """Import the pipeline on first use, so that ``dossier --help`` stays quick."""
    if name in ("run_check", "CheckRun"):
        from .checking import pipeline as check

        return getattr(check, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
