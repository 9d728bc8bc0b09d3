"""Program lists and the eligibility screen: which programs can take this applicant?

``load_programs`` reads and validates a list (YAML or CSV; every criterion value with its
source and the date it was checked), ``applicant_facts`` gathers the applicant's side from a
checked folder, ``screen`` compares them; ``programs_json_schema`` is the list's JSON Schema.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from .applicant import ApplicantFacts, Fact, applicant_facts
from .load import LoadedList, csv_columns, load_programs, season_of, validate_programs
from .model import CRITERIA, Program, ProgramList, programs_json_schema
from .screen import CriterionVerdict, ProgramVerdict, Screen, judge, screen

__all__ = [
    "CRITERIA",
    "ApplicantFacts",
    "CriterionVerdict",
    "Fact",
    "LoadedList",
    "Program",
    "ProgramList",
    "ProgramVerdict",
    "Screen",
    "applicant_facts",
    "csv_columns",
    "judge",
    "load_programs",
    "programs_json_schema",
    "screen",
    "screen_folder",
    "season_of",
    "validate_programs",
]


def screen_folder(
    folder: Path,
    programs: LoadedList,
    *,
    track: str | None = None,
    as_of: date | None = None,
    order: str = "worst",
    **check_options: Any,
) -> Screen:
    """Check ``folder`` (as ``dossier check`` does) and screen its applicant against
    ``programs``; BadInputError when the folder or its dossier.yaml is unusable."""
    from ..checking.pipeline import run_check

    run = run_check(Path(folder), track=track, as_of=as_of, **check_options)
    return screen(
        applicant_facts(run),
        programs,
        folder=str(folder),
        applicant_name=run.report.applicant,
        order=order,
    )
