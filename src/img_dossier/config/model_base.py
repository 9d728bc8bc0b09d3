"""What every configuration model shares: a closed mapping, a configured date, a fixed
choice in any case (kept apart so that validating dossier.yaml builds no checklist model)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from ..isodate import iso_date


def _iso(value: Any) -> Any:
    """A date as the tool reads every configured date (``isodate``: YYYY-MM-DD text or a YAML
    date; never a number); anything else stays as it is, for the date check to refuse."""
    day = iso_date(value)
    return value if day is None else day


#: A date of a configuration file: YYYY-MM-DD (the strict check refuses the rest).
Day = Annotated[date, Strict(), BeforeValidator(_iso), Field(description="YYYY-MM-DD")]


class Closed(BaseModel):
    """A mapping whose keys are all known: any other key is an error (a typo)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


def _canonical(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    """Case does not matter in a fixed choice (``j-1`` is ``J-1``); the canonical spelling
    is kept."""
    by_folded = {c.lower(): c for c in choices}

    def canon(value: Any) -> Any:
        return by_folded.get(value.strip().lower(), value) if isinstance(value, str) else value

    return canon
