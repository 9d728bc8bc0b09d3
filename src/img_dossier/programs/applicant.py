"""The applicant's side of a screen: facts read from the checked folder and dossier.yaml.

Each fact says where it came from (a document, or the dossier.yaml field) and is None when
neither says: unknown, never guessed. A document counts only when it is the applicant's
(no ``name-mismatch``), and a reading that differs from what dossier.yaml declares is kept
as a note, as with dates: dossier.yaml wins, except that failures a document shows are
never hidden by a smaller declared count.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..config import exams as exams_data
from ..config import tracks as tracks_data
from ..config.checklist import Checklist
from ..config.profile import Profile, Rotation
from ..facts.origin import letter_origin
from ..model import Document

if TYPE_CHECKING:
    from ..checking.pipeline import CheckRun

#: Item statuses that mean the item is there and passes its rules.
_HELD = frozenset({"ok", "expiring"})
#: Average days in a month, for months of clinical experience.
_MONTH_DAYS = 30.44


@dataclass(frozen=True)
class Fact:
    """One fact of the applicant: its value (None: unknown), where it came from, and notes
    (a reading that differs, how it was counted)."""

    value: Any
    source: str | None = None
    note: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": _plain(self.value), "source": self.source}
        if self.note:
            out["note"] = self.note
        return out


UNKNOWN = Fact(None)


def _plain(value: Any) -> Any:
    """JSON values: dataclasses (rotations, exam histories) as mappings, dates as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ExamHistory:
    """Attempts and failures of one exam; ``at_least`` when only a lower bound is known."""

    failures: int | None
    attempts: int | None = None
    at_least: bool = False


@dataclass(frozen=True)
class ApplicantFacts:
    """Everything a screen compares with a program's criteria."""

    track: str | None
    as_of: date
    img: Fact = UNKNOWN
    graduation_year: Fact = UNKNOWN
    visa: Fact = UNKNOWN
    ecfmg_certified: Fact = UNKNOWN
    step2_ck_score: Fact = UNKNOWN
    exams: Mapping[str, Fact] = field(default_factory=dict)  # exam -> Fact(ExamHistory)
    us_clinical_experience: Fact = UNKNOWN  # tuple[Rotation, ...]
    residence_province: Fact = UNKNOWN
    language: Fact = UNKNOWN  # True: a language test result or an exemption
    letters: Fact = UNKNOWN  # int
    letters_from_us: Fact = UNKNOWN  # int
    accepts_return_of_service: Fact = UNKNOWN

    def clinical_months(self, *, observership_counts: bool) -> float | None:
        """Months of US clinical experience up to the screening date (overlaps once)."""
        rotations = self.us_clinical_experience.value
        if rotations is None:
            return None
        chosen = [r for r in rotations if observership_counts or r.hands_on]
        return months_of(chosen, self.as_of)

    def to_json(self) -> dict[str, Any]:
        exams = {k: _exam_json(v) for k, v in self.exams.items()}
        rotations = self.us_clinical_experience
        clinical: dict[str, Any] = {"value": None, "source": rotations.source}
        if rotations.value is not None:
            clinical["value"] = [
                {"kind": r.kind, "where": r.where, "start": r.start.isoformat(),
                 "end": r.end.isoformat()}
                for r in rotations.value
            ]  # fmt: skip
            clinical["months"] = {
                "hands_on": round(self.clinical_months(observership_counts=False) or 0, 1),
                "with_observerships": round(self.clinical_months(observership_counts=True) or 0, 1),
            }
        return {
            "img": self.img.to_json(),
            "graduation_year": self.graduation_year.to_json(),
            "visa": self.visa.to_json(),
            "ecfmg_certified": self.ecfmg_certified.to_json(),
            "step2_ck_score": self.step2_ck_score.to_json(),
            "exams": exams,
            "us_clinical_experience": clinical,
            "residence_province": self.residence_province.to_json(),
            "language": self.language.to_json(),
            "letters": self.letters.to_json(),
            "letters_from_us": self.letters_from_us.to_json(),
            "accepts_return_of_service": self.accepts_return_of_service.to_json(),
        }


def _exam_json(fact: Fact) -> dict[str, Any]:
    history = fact.value
    out: dict[str, Any] = {"source": fact.source}
    if isinstance(history, ExamHistory):
        out |= {"attempts": history.attempts, "failures": history.failures,
                "at_least": history.at_least}  # fmt: skip
    if fact.note:
        out["note"] = fact.note
    return out


def months_of(rotations: Iterable[Rotation], as_of: date) -> float:
    """Calendar months covered by ``rotations`` up to ``as_of`` (overlapping days once)."""
    spans = sorted((r.start, min(r.end, as_of)) for r in rotations if r.start <= as_of)
    days = 0
    end_seen: date | None = None
    for start, end in spans:
        if end_seen is not None and start <= end_seen:
            if end > end_seen:
                days += (end - end_seen).days
                end_seen = end
            continue
        days += (end - start).days + 1
        end_seen = end
    return days / _MONTH_DAYS


def _own(doc: Document) -> bool:
    """A document that is the applicant's to read facts from (readable, not someone else's)."""
    return doc.readable and not any(p.code == "name-mismatch" for p in doc.problems)


def applicant_facts(run: CheckRun) -> ApplicantFacts:
    """The applicant's facts from a checked folder (its report and dossier.yaml)."""
    report, profile = run.report, run.profile
    docs = [d for d in report.documents if d.item is not None and _own(d)]
    statuses = {i.id: i.status for i in report.items}
    return ApplicantFacts(
        track=run.checklist.track,
        as_of=report.as_of,
        img=_img(profile),
        graduation_year=_graduation(profile, docs),
        visa=_visa(profile),
        ecfmg_certified=_certified(profile, docs, statuses, run.checklist),
        step2_ck_score=_step2(profile, docs),
        exams=_exams(profile, docs),
        us_clinical_experience=(
            Fact(profile.us_clinical_experience, "dossier.yaml us_clinical_experience")
            if profile.us_clinical_experience is not None
            else UNKNOWN
        ),
        residence_province=(
            Fact(profile.residence.province, "dossier.yaml residence.province")
            if profile.residence.province
            else UNKNOWN
        ),
        language=_language(profile, docs, statuses, run.checklist),
        letters=_letters(docs, statuses, run.checklist)[0],
        letters_from_us=_letters(docs, statuses, run.checklist)[1],
        accepts_return_of_service=(
            Fact(
                profile.training.accepts_return_of_service,
                "dossier.yaml training.accepts_return_of_service",
            )
            if profile.training.accepts_return_of_service is not None
            else UNKNOWN
        ),
    )


def _img(profile: Profile) -> Fact:
    country = profile.medical_school.country
    if not country:
        return UNKNOWN
    # countries whose medical graduates are not IMGs: checklists/tracks.yaml home_countries
    home = tracks_data.home_countries()
    return Fact(country.strip().lower() not in home, "dossier.yaml medical_school.country")


def _graduation(profile: Profile, docs: Sequence[Document]) -> Fact:
    read = [
        (int(str(d.facts["graduation_date"])[:4]), d.rel)
        for d in docs
        if isinstance(d.facts.get("graduation_date"), str)
    ]
    declared = profile.medical_school.graduation_year
    if declared is not None:
        other = [f"{rel} says {year}" for year, rel in read if year != declared]
        note = f"differs from the documents: {'; '.join(other)}" if other else None
        return Fact(declared, "dossier.yaml medical_school.graduation_year", note)
    if not read:
        return UNKNOWN
    years = sorted({year for year, _ in read})
    year, rel = min(read)
    note = None
    if len(years) > 1:
        note = "documents differ: " + "; ".join(f"{r} says {y}" for y, r in read)
        note += "; set medical_school.graduation_year in dossier.yaml"
    return Fact(year, rel, note)


def _visa(profile: Profile) -> Fact:
    if profile.applicant.status in tracks_data.visa_free():
        return Fact("none", f"dossier.yaml applicant.status ({profile.applicant.status})")
    if profile.training.visa:
        return Fact(profile.training.visa, "dossier.yaml training.visa")
    return UNKNOWN


def _held(
    docs: Sequence[Document], statuses: Mapping[str, str], checklist: Checklist, role: str
) -> Fact | None:
    """Fact(True, the document) when an item with ``role`` is held (ok or expiring)."""
    for item in checklist.with_role(role):
        if statuses.get(item) in _HELD:
            held = [d.rel for d in docs if d.item == item]
            return Fact(True, held[0] if held else item)
    return None


def _certified(
    profile: Profile, docs: Sequence[Document], statuses: Mapping[str, str], checklist: Checklist
) -> Fact:
    held = _held(docs, statuses, checklist, "ecfmg-certification")
    if held is not None:
        return held
    if profile.ecfmg_certified is not None:
        return Fact(profile.ecfmg_certified, "dossier.yaml ecfmg_certified")
    return UNKNOWN


def _step2(profile: Profile, docs: Sequence[Document]) -> Fact:
    exam = exams_data.min_score_exam()  # checklists/exams.yaml: min_score: true
    if exam is None:
        return UNKNOWN
    read: list[tuple[int, str]] = []
    for d in docs:
        scores = d.facts.get("scores")
        if d.item == exam.item and isinstance(scores, Mapping):
            total = scores.get("total")
            if isinstance(total, int):
                read.append((total, d.rel))
    record = profile.exams.get(exam.id)
    if record is not None and record.score is not None:
        other = [f"{rel} says {s}" for s, rel in read if s != record.score]
        note = f"differs from the documents: {'; '.join(other)}" if other else None
        return Fact(record.score, f"dossier.yaml exams.{exam.id}.score", note)
    if not read:
        return UNKNOWN
    score, rel = max(read)  # a retake's report: the latest is the best guess, the highest is shown
    return Fact(score, rel)


def _exams(profile: Profile, docs: Sequence[Document]) -> dict[str, Fact]:
    """Per exam: failures from a history table, a failed report (at least one), dossier.yaml."""
    found: dict[str, Fact] = {}
    for entry in exams_data.exams():
        if not entry.attempts:
            continue
        exam = entry.id
        mine = [d for d in docs if d.item == entry.item]
        history: tuple[int, int, str] | None = None
        for d in mine:
            table = d.facts.get("attempts")
            row = table.get(exam) if isinstance(table, Mapping) else None
            if isinstance(row, Mapping) and (history is None or row["attempts"] > history[0]):
                history = (int(row["attempts"]), int(row["failures"]), d.rel)
        failed = [d.rel for d in mine if d.facts.get("outcome") == "fail"]
        record = profile.exams.get(exam)
        declared = record.failures if record is not None else None
        shown = history[1] if history else (1 if failed else 0)
        shown_in = history[2] if history else (failed[0] if failed else None)
        if declared is not None:
            attempts = record.attempts if record is not None else None
            if shown_in is not None and shown > declared:
                note = (
                    f"{shown_in} shows {shown} failed attempt{'s' if shown != 1 else ''}, "
                    f"dossier.yaml says {declared}; the larger is used"
                )
                found[exam] = Fact(ExamHistory(shown, attempts), shown_in, note)
            else:
                found[exam] = Fact(
                    ExamHistory(declared, attempts), f"dossier.yaml exams.{exam}.failures"
                )
        elif history is not None:
            found[exam] = Fact(ExamHistory(history[1], history[0]), history[2])
        elif failed:
            note = "a failed result; earlier attempts are not known (set exams in dossier.yaml)"
            found[exam] = Fact(ExamHistory(1, None, at_least=True), failed[0], note)
        elif mine or record is not None:
            note = (
                f"{mine[0].rel} shows one result, not earlier attempts; set "
                f"exams.{exam}.failures in dossier.yaml (the USMLE transcript lists them)"
                if mine
                else f"dossier.yaml exams.{exam} does not give failures"
            )
            found[exam] = Fact(None, mine[0].rel if mine else "dossier.yaml", note)
    return found


def _language(
    profile: Profile, docs: Sequence[Document], statuses: Mapping[str, str], checklist: Checklist
) -> Fact:
    if profile.language_exempt:
        return Fact(True, "dossier.yaml language_exempt")
    held = _held(docs, statuses, checklist, "language-test")
    if held is not None:
        return held
    if any(statuses.get(i) == "missing" for i in checklist.with_role("language-test")):
        return Fact(False, "no language test result in the folder")
    return UNKNOWN


def _letters(
    docs: Sequence[Document], statuses: Mapping[str, str], checklist: Checklist
) -> tuple[Fact, Fact]:
    items = [i for i in checklist.with_role("recommendation-letters") if i in statuses]
    if not items:
        return UNKNOWN, UNKNOWN
    letters = [d for d in docs if d.item in items]
    count = Fact(len(letters), f"letters in the folder ({', '.join(items)})")
    if any(not d.has_text for d in letters):
        return count, Fact(None, None, "a letter has no text to read its letterhead from")
    local = sum(1 for d in letters if letter_origin(d.text).country == "US")
    return count, Fact(local, "letterheads of the letters in the folder")


def unknown_hint(name: str) -> str:
    """What to add so that an unknown applicant fact becomes known."""
    return _HINTS.get(name, "add it to dossier.yaml")


_HINTS = {
    "img": "set medical_school.country in dossier.yaml",
    "graduation_year": "set medical_school.graduation_year in dossier.yaml",
    "visa": "set training.visa (J-1, H-1B or none) in dossier.yaml",
    "ecfmg_certified": "set ecfmg_certified in dossier.yaml, or add the ECFMG certificate",
    "step2_ck_score": "add the Step 2 CK score report, or set exams.usmle-step2-ck.score",
    "us_clinical_experience": "list us_clinical_experience in dossier.yaml ([] when none)",
    "residence_province": "set residence.province in dossier.yaml",
    "language": "add the language test result, or set language_exempt in dossier.yaml",
    "letters": "add the letters to the folder",
    "accepts_return_of_service": "set training.accepts_return_of_service in dossier.yaml",
}
