"""Screen an applicant against a program list: each program eligible, not-eligible or unknown.

Each criterion of a program is compared with the applicant's fact: ``pass``, ``fail``
(naming the program's value and the applicant's), ``unknown`` (naming the side that does
not say: ``program`` or ``applicant``), or ``note`` (something to prepare, such as an extra
document, that does not decide eligibility). A program is ``not-eligible`` when a criterion
fails, ``unknown`` when none fails and one is unknown, else ``eligible``. A criterion the
list leaves out is unknown: a false "eligible" costs an application fee and a season.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..config import exams as exams_data
from ..config import tracks as tracks_data
from .applicant import ApplicantFacts, ExamHistory, Fact, unknown_hint
from .load import LoadedList
from .model import CRITERIA, SYSTEM_TRACK, UNKNOWN, AttemptLimits, Program

STATUSES = ("not-eligible", "unknown", "eligible")
RESULTS = ("fail", "unknown", "pass", "note")
_RANK = {s: n for n, s in enumerate(STATUSES)}


@dataclass(frozen=True)
class CriterionVerdict:
    """One criterion of one program against the applicant."""

    criterion: str
    result: str
    message: str
    missing: str | None = None  # "program" or "applicant" when the result is unknown
    program: Any = None  # the Sourced value of the list, None when the list leaves it out
    applicant: Fact | None = None

    def to_json(self) -> dict[str, Any]:
        program = None
        if self.program is not None:
            program = self.program.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {
            "criterion": self.criterion,
            "result": self.result,
            "message": self.message,
            "missing": self.missing,
            "program": program,
            "applicant": self.applicant.to_json() if self.applicant is not None else None,
        }


@dataclass(frozen=True)
class ProgramVerdict:
    """A program and the verdict on each of its criteria."""

    program: Program
    status: str
    criteria: tuple[CriterionVerdict, ...]

    @property
    def reasons(self) -> tuple[CriterionVerdict, ...]:
        """What decides the status: the failures, else the unknowns."""
        wanted = {"not-eligible": "fail", "unknown": "unknown"}.get(self.status)
        return tuple(c for c in self.criteria if c.result == wanted)

    @property
    def notes(self) -> tuple[CriterionVerdict, ...]:
        return tuple(c for c in self.criteria if c.result == "note")

    def to_json(self) -> dict[str, Any]:
        p = self.program
        return {
            "id": p.id,
            "name": p.name,
            "system": p.system,
            "specialty": p.specialty,
            "track": p.track,
            "state": p.state,
            "province": p.province,
            "status": self.status,
            "reasons": [f"{c.criterion}: {c.message}" for c in self.reasons],
            "criteria": [c.to_json() for c in self.criteria],
        }


@dataclass(frozen=True)
class Screen:
    """One applicant screened against one list."""

    folder: str
    applicant_name: str | None
    facts: ApplicantFacts
    programs: LoadedList
    verdicts: tuple[ProgramVerdict, ...]
    skipped: tuple[Program, ...]

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for v in self.verdicts:
            counts[v.status] += 1
        return {"programs": len(self.verdicts), **counts, "skipped": len(self.skipped)}

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "tool": {"name": "img-dossier", "version": __version__},
            "folder": self.folder,
            "as_of": self.facts.as_of.isoformat(),
            "applicant": {"name": self.applicant_name, "track": self.facts.track}
            | {"facts": self.facts.to_json()},
            "list": {
                "path": str(self.programs.path),
                "fictional": self.programs.fictional,
                "season": self.programs.season,
                "warnings": list(self.programs.warnings),
            },
            "summary": self.summary(),
            "programs": [v.to_json() for v in self.verdicts],
            "skipped": [
                {"id": p.id, "system": p.system, "reason": _skip_reason(p, self.facts.track)}
                for p in self.skipped
            ],
        }


def _skip_reason(program: Program, track: str | None) -> str:
    return f"a {program.system} program; the applicant's track is {track}"


def screen(
    facts: ApplicantFacts,
    programs: LoadedList,
    *,
    folder: str = "",
    applicant_name: str | None = None,
    order: str = "worst",
) -> Screen:
    """Every program of the list against the applicant; programs of the other country's
    system are skipped. ``order``: ``worst`` (not-eligible, unknown, eligible; fewest
    reasons first within each) or ``list`` (as listed)."""
    verdicts: list[ProgramVerdict] = []
    skipped: list[Program] = []
    for program in programs.programs.programs:
        if facts.track is not None and SYSTEM_TRACK[program.system] != facts.track:
            skipped.append(program)
            continue
        verdicts.append(judge(program, facts))
    if order == "worst":
        verdicts.sort(key=lambda v: (_RANK[v.status], len(v.reasons)))
    return Screen(folder, applicant_name, facts, programs, tuple(verdicts), tuple(skipped))


def judge(program: Program, facts: ApplicantFacts) -> ProgramVerdict:
    """One program's verdict."""
    other = tracks_data.criteria_elsewhere(SYSTEM_TRACK[program.system])
    found: list[CriterionVerdict] = []
    for criterion in CRITERIA:
        if criterion in other:
            continue
        sourced = getattr(program.criteria, criterion)
        if sourced is None:
            if criterion == "extra_documents":
                continue  # nothing to prepare that the list knows of; decides nothing
            found.append(CriterionVerdict(criterion, "unknown", "the list does not say", "program"))
            continue
        if sourced.value == UNKNOWN and criterion == "extra_documents":
            said = f"extra documents not known ({sourced.source}, checked {sourced.checked})"
            found.append(CriterionVerdict(criterion, "note", said, None, sourced))
            continue
        if sourced.value == UNKNOWN:
            found.append(
                CriterionVerdict(
                    criterion,
                    "unknown",
                    f"the source does not say ({sourced.source}, checked {sourced.checked})",
                    "program",
                    sourced,
                )
            )
            continue
        result, message, missing, fact = _CHECKS[criterion](program, sourced.value, facts)
        found.append(CriterionVerdict(criterion, result, message, missing, sourced, fact))
    results = {c.result for c in found}
    status = (
        "not-eligible" if "fail" in results else "unknown" if "unknown" in results else ("eligible")
    )
    return ProgramVerdict(program, status, tuple(found))


# -- the criteria ------------------------------------------------------------------------

Outcome = tuple[str, str, str | None, Fact | None]


def _passes(message: str, fact: Fact | None = None) -> Outcome:
    return "pass", message, None, fact


def _fails(message: str, fact: Fact | None) -> Outcome:
    return "fail", message, None, fact


def _not_known(name: str, what: str, fact: Fact | None = None) -> Outcome:
    shown = fact if fact is not None else Fact(None)
    hint = f": {unknown_hint(name)}" if not (fact and fact.note) else f" ({fact.note})"
    return "unknown", f"{what}{hint}", "applicant", shown


def _from(fact: Fact) -> str:
    return f" ({fact.source})" if fact.source else ""


def _accepts_imgs(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.img
    if value is True:
        return _passes("takes IMGs", fact)
    if fact.value is None:
        return _not_known("img", "takes no IMGs; where the applicant graduated is not known", fact)
    if fact.value:
        return _fails(f"takes no IMGs; the applicant is one{_from(fact)}", fact)
    return _passes("takes no IMGs; the applicant is not one", fact)


def _visas(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.visa
    offered = " and ".join(value) if value else "no visa"
    if fact.value == "none":
        return _passes(f"sponsors {offered}; the applicant needs none{_from(fact)}", fact)
    if fact.value is None:
        if {"J-1", "H-1B"} <= set(value):
            return _passes("sponsors J-1 and H-1B", fact)
        return _not_known("visa", f"sponsors {offered}; the visa the applicant needs is not known")
    if fact.value in value:
        return _passes(f"sponsors {fact.value}", fact)
    return _fails(
        f"sponsors {offered}{' only' if value else ''}; the applicant needs {fact.value}"
        f"{_from(fact)}",
        fact,
    )


_BY = {
    "application": "when applying",
    "rank-deadline": "by the rank deadline",
    "start": "by the start",
}


def _certification(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.ecfmg_certified
    when = _BY[value]
    if fact.value is True:
        return _passes(
            f"requires ECFMG certification {when}; the applicant is certified{_from(fact)}", fact
        )
    if fact.value is None:
        return _not_known(
            "ecfmg_certified",
            f"requires ECFMG certification {when}; whether the applicant is certified is not known",
            fact,
        )
    if value == "application":
        return _fails(
            "requires ECFMG certification when applying; the applicant is not certified"
            + _from(fact),
            fact,
        )
    return (
        "unknown",
        f"requires ECFMG certification {when}; the applicant is not certified yet{_from(fact)}: "
        "eligible only if certified in time",
        "applicant",
        fact,
    )


def _max_years(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.graduation_year
    if value == "none":
        return _passes("no limit on years since graduation", fact)
    if fact.value is None:
        return _not_known(
            "graduation_year",
            f"at most {value} years since graduation; the graduation year is not known",
            fact,
        )
    years = facts.as_of.year - int(fact.value)
    plural = "s" if years != 1 else ""
    said = f"graduated {fact.value}{_from(fact)}, {years} year{plural} before {facts.as_of.year}"
    if years <= value:
        return _passes(f"at most {value} years since graduation; {said}", fact)
    return _fails(f"at most {value} years since graduation; the applicant {said}", fact)


def _limits(value: Any) -> dict[str, int]:
    if isinstance(value, AttemptLimits):
        return value.limits()
    return {"any": int(value)}


def _failures(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    if value == "none":
        return _passes("no limit on failed attempts")
    exams = exams_data.of_track(SYSTEM_TRACK[program.system])  # checklists/exams.yaml
    shown: list[str] = []
    unknown: list[str] = []
    failing: list[str] = []
    sources: list[str] = []
    for key, limit in _limits(value).items():
        wanted = exams if key == "any" else (key,)
        total = 0
        open_ended = False
        for exam in wanted:
            fact = facts.exams.get(exam)
            history = fact.value if fact is not None else None
            if not isinstance(history, ExamHistory) or history.failures is None:
                if key != "any" or fact is not None:
                    unknown.append(f"{exam}: {fact.note if fact and fact.note else 'no record'}")
                continue
            total += history.failures
            open_ended = open_ended or history.at_least
            if fact is not None and fact.source:
                sources.append(f"{exam}: {fact.source}")
        if key == "any" and not any(facts.exams.get(e) for e in exams):
            unknown.append("no exam result in the folder or dossier.yaml")
        label = "any exam" if key == "any" else key
        count = f"{'at least ' if open_ended else ''}{total} failed"
        if total > limit:
            failing.append(
                f"at most {limit} failed attempt{'s' if limit != 1 else ''} ({label}); "
                f"the applicant has {count}"
            )
        elif open_ended:
            unknown.append(f"{label}: {count}, earlier attempts not known")
        else:
            shown.append(f"at most {limit} ({label}): {count}")
    fact = Fact(None, "; ".join(sources) or None)
    if failing:
        return "fail", "; ".join(failing), None, fact
    if unknown:
        return (
            "unknown",
            "failed attempts not known: "
            + "; ".join(unknown)
            + " (set exams.<exam>.failures in dossier.yaml)",
            "applicant",
            fact,
        )
    return "pass", "; ".join(shown), None, fact


def _step2(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.step2_ck_score
    if value == "none":
        return _passes("no minimum Step 2 CK score", fact)
    if fact.value is None:
        return _not_known(
            "step2_ck_score",
            f"Step 2 CK at least {value}; the applicant's score is not known",
            fact,
        )
    if fact.value >= value:
        return _passes(
            f"Step 2 CK at least {value}; the applicant has {fact.value}{_from(fact)}", fact
        )
    return _fails(f"Step 2 CK at least {value}; the applicant has {fact.value}{_from(fact)}", fact)


def _clinical(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.us_clinical_experience
    if value == "none" or value.months == 0:
        return _passes("no US clinical experience required", fact)
    need = f"{value.months:g} month{'s' if value.months != 1 else ''} of US clinical experience"
    hands = facts.clinical_months(observership_counts=False)
    every = facts.clinical_months(observership_counts=True)
    if hands is None or every is None:
        return _not_known("us_clinical_experience", f"{need}; the applicant's is not known", fact)
    have = f"the applicant has {hands:.1f} hands-on, {every:.1f} with observerships{_from(fact)}"
    if hands >= value.months:
        return _passes(f"{need}; {have}", fact)
    if every < value.months or value.observership_counts is False:
        kind = "" if value.observership_counts is not True else " (observerships count)"
        return _fails(f"{need}{kind}; {have}", fact)
    if value.observership_counts is True:
        return _passes(f"{need} (observerships count); {have}", fact)
    return "unknown", f"{need}; whether observerships count is not said; {have}", "program", fact


def _letters(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    count, local = facts.letters, facts.letters_from_us
    if value.count and count.value is None:
        return _not_known("letters", f"{value.count} letters; the applicant's are not known", count)
    need = f"{value.count} letters" + (f", {value.from_us} from the US" if value.from_us else "")
    if value.count and count.value < value.count:
        return _fails(f"{need}; {count.value} in the folder", count)
    if value.from_us:
        if local.value is None:
            return _not_known("letters", f"{need}; how many come from the US is not known", local)
        if local.value < value.from_us:
            return _fails(
                f"{need}; {local.value} of the letters in the folder come from the US", local
            )
    return _passes(f"{need}; the folder has {count.value}", count)


def _stream(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.img
    if value == "all":
        return _passes("open to IMGs and CMGs", fact)
    if fact.value is None:
        return _not_known(
            "img", f"the {value.upper()} stream; where the applicant graduated is not known", fact
        )
    theirs = "img" if fact.value else "cmg"
    if theirs == value:
        return _passes(f"the {value.upper()} stream; the applicant is an {theirs.upper()}", fact)
    return _fails(
        f"the {value.upper()} stream only; the applicant is an {theirs.upper()}{_from(fact)}", fact
    )


def _residence(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.residence_province
    if value.rule == "none":
        return _passes("no residence rule", fact)
    province = value.province or program.province
    if province is None:
        return "unknown", f"a {value.rule} rule, but not for which province", "program", fact
    rule = f"resident of {province}" if value.rule == "resident" else f"a connection to {province}"
    if fact.value is None:
        return _not_known(
            "residence_province", f"{rule}; where the applicant lives is not known", fact
        )
    if fact.value == province:
        return _passes(f"{rule}; the applicant lives in {fact.value}{_from(fact)}", fact)
    if value.rule == "resident":
        return _fails(f"{rule}; the applicant lives in {fact.value}{_from(fact)}", fact)
    return (
        "unknown",
        f"{rule}; the applicant lives in {fact.value}{_from(fact)}: another tie is for the "
        "program to judge",
        "applicant",
        fact,
    )


def _language(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.language
    if value is False:
        return _passes("no language test required", fact)
    if fact.value is None:
        return _not_known(
            "language", "a language test result or exemption; the applicant's is not known", fact
        )
    if fact.value:
        return _passes(
            f"a language test result or exemption; the applicant has one{_from(fact)}", fact
        )
    return _fails(f"a language test result or exemption; {fact.source}", fact)


def _return_of_service(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    fact = facts.accepts_return_of_service
    if value == 0:
        return _passes("no return of service", fact)
    need = f"{value} year{'s' if value != 1 else ''} of return of service"
    if fact.value is None:
        return _not_known(
            "accepts_return_of_service",
            f"{need}; whether the applicant accepts it is not known",
            fact,
        )
    if fact.value:
        return _passes(f"{need}; the applicant accepts it{_from(fact)}", fact)
    return _fails(f"{need}; the applicant does not accept it{_from(fact)}", fact)


def _extra_documents(program: Program, value: Any, facts: ApplicantFacts) -> Outcome:
    if not value:
        return _passes("no extra documents")
    return "note", "also asks for " + ", ".join(value), None, None


_CHECKS: dict[str, Callable[[Program, Any, ApplicantFacts], Outcome]] = {
    "accepts_imgs": _accepts_imgs,
    "visas": _visas,
    "ecfmg_certification_by": _certification,
    "max_years_since_graduation": _max_years,
    "max_failed_attempts": _failures,
    "min_step2_ck_score": _step2,
    "us_clinical_experience": _clinical,
    "letters": _letters,
    "stream": _stream,
    "residence": _residence,
    "language_test": _language,
    "return_of_service_years": _return_of_service,
    "extra_documents": _extra_documents,
}
assert set(_CHECKS) == set(CRITERIA)


def group(verdicts: Iterable[ProgramVerdict]) -> dict[str, list[ProgramVerdict]]:
    """Verdicts by status, in the order of STATUSES."""
    found: dict[str, list[ProgramVerdict]] = {s: [] for s in STATUSES}
    for v in verdicts:
        found[v.status].append(v)
    return found
