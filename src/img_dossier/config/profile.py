"""dossier.yaml -> Profile: validated at the edge, with a precise message for every wrong field.

Every message has the shape ``dossier.yaml: training.start: not a date (got "next july")``
so that the user knows the file, the field, what was found and, where it helps, the fix.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import BadInputError
from ..isodate import iso_date
from .exams import with_attempts
from .yamlfile import read_yaml as read_yaml

PROFILE_NAME = "dossier.yaml"

VISAS = ("J-1", "H-1B", "none")
US_STATUSES = ("citizen", "permanent-resident", "none")
CANADA_STATUSES = ("citizen", "permanent-resident")
PROVINCES = ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")
BUILTIN_TRACKS = ("us", "canada")


@dataclass(frozen=True)
class Applicant:
    given_names: str | None = None
    family_name: str | None = None
    other_names: tuple[str, ...] = ()
    citizenship: tuple[str, ...] = ()
    status: str | None = None

    @property
    def full_name(self) -> str | None:
        parts = [p for p in (self.given_names, self.family_name) if p]
        return " ".join(parts) if parts else None


@dataclass(frozen=True)
class School:
    name: str | None = None
    country: str | None = None
    graduation_year: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class Training:
    specialty: str | None = None
    start: date | None = None
    end: date | None = None
    visa: str | None = None
    province: str | None = None
    accepts_return_of_service: bool | None = None
    #: end of the J-1 DS-2019 period (ECFMG issues it one training year at a time)
    ds2019_end: date | None = None


#: Kinds of US clinical experience; every kind but an observership is hands-on.
ROTATION_KINDS = ("clerkship", "sub-internship", "elective", "externship", "observership")


@dataclass(frozen=True)
class ExamRecord:
    """What dossier.yaml ``exams:`` says of one exam: attempts, failures, the score."""

    attempts: int | None = None
    failures: int | None = None
    score: int | None = None


@dataclass(frozen=True)
class Rotation:
    """One stretch of US clinical experience (dossier.yaml ``us_clinical_experience:``)."""

    kind: str
    start: date
    end: date
    where: str | None = None

    @property
    def hands_on(self) -> bool:
        return self.kind != "observership"


@dataclass(frozen=True)
class Residence:
    """Where in Canada the applicant lives (dossier.yaml ``residence:``)."""

    province: str | None = None
    since: date | None = None


@dataclass(frozen=True)
class Profile:
    """What dossier.yaml says about the applicant; every field may be unknown (None)."""

    track: str | None = None
    applicant: Applicant = field(default_factory=Applicant)
    medical_school: School = field(default_factory=School)
    training: Training = field(default_factory=Training)
    ecfmg_certified: bool | None = None
    language_exempt: bool | None = None
    dates: Mapping[str, date] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    exams: Mapping[str, ExamRecord] = field(default_factory=dict)
    #: None when dossier.yaml does not say; () when it says there is none.
    us_clinical_experience: tuple[Rotation, ...] | None = None
    residence: Residence = field(default_factory=Residence)
    raw: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def conditions(self) -> dict[str, Any]:
        """The variables checklist conditions (``when:``) are decided on; None = unknown."""
        return {
            "track": self.track,
            "visa": self.training.visa,
            "ecfmg_certified": self.ecfmg_certified,
            "language_exempt": self.language_exempt,
            "status": self.applicant.status,
            "province": self.training.province,
            "specialty": self.training.specialty,
            "school_language": self.medical_school.language,
            "school_country": self.medical_school.country,
        }

    def values(self) -> dict[str, Any]:
        """The profile as nested plain values, for letter templates (dates stay dates)."""
        plain: dict[str, Any] = _plain(dict(self.raw))
        return plain


_TOP_KEYS = {
    "schema",
    "track",
    "applicant",
    "medical_school",
    "training",
    "ecfmg_certified",
    "language_exempt",
    "dates",
    "files",
    "exams",
    "us_clinical_experience",
    "residence",
}
_APPLICANT_KEYS = {"given_names", "family_name", "other_names", "citizenship", "status"}
_SCHOOL_KEYS = {"name", "country", "graduation_year", "language"}
_TRAINING_KEYS = {
    "specialty", "start", "end", "visa", "province", "accepts_return_of_service",
    "ds2019_end",
}  # fmt: skip
_DATE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_LANG = re.compile(r"^[a-z]{2}$")


class _Errors:
    """Collects every wrong field before failing once, so the user fixes them all in one go."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.messages: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.messages.append(f"{self.name}: {where}: {what}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise BadInputError("\n".join(self.messages))


_SHOWN = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxdict = 2, 4, 4
_SHOWN.maxstring = _SHOWN.maxother = 60


def _got(value: Any) -> str:
    """What was found, short: a pasted paragraph or a nested YAML alias tree stays one line."""
    if isinstance(value, str):
        shown = value if len(value) <= 80 else value[:77] + "..."
        return f'(got "{shown}")'
    return f"(got {_SHOWN.repr(value)})"


def _section(errs: _Errors, data: Mapping[str, Any], key: str, allowed: set[str]) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errs.add(key, f"must be a mapping of {', '.join(sorted(allowed))} {_got(value)}")
        return {}
    for k in value:
        if k not in allowed:
            errs.add(f"{key}.{k}", f"unknown key; expected one of: {', '.join(sorted(allowed))}")
    return dict(value)


def _text(errs: _Errors, where: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    errs.add(where, f"must be text {_got(value)}")
    return None


def _texts(errs: _Errors, where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    errs.add(where, f"must be a list of text {_got(value)}")
    return ()


def _choice(errs: _Errors, where: str, value: Any, choices: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        for choice in choices:
            if value.strip().lower() == choice.lower():
                return choice
    errs.add(where, f"must be one of {', '.join(choices)} {_got(value)}")
    return None


def _province(value: Any) -> Any:
    """YAML 1.1 reads an unquoted ``province: ON`` as true; Ontario is what the user meant."""
    return "ON" if value is True else value


def _bool(errs: _Errors, where: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    errs.add(where, f"must be true or false {_got(value)}")
    return None


def _date(errs: _Errors, where: str, value: Any) -> date | None:
    if value is None:
        return None
    day = iso_date(value)
    if day is None:
        errs.add(where, f"not a date {_got(value)}; write it as YYYY-MM-DD")
    return day


def _year(errs: _Errors, where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return value
    errs.add(where, f"must be a year such as 2021 {_got(value)}")
    return None


# over the complexity cap: a hand-written loader that the pydantic models of config/models.py
# replace (issue 10, typed configuration); not split, as it is going
def parse_profile(  # noqa: C901
    data: Any,
    *,
    name: str = PROFILE_NAME,
    path: Path | None = None,
    item_ids: Callable[[], set[str]] | None = None,
) -> Profile:
    """Validate parsed YAML into a Profile; raise BadInputError listing every wrong field."""
    errs = _Errors(name)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise BadInputError(f"{name}: must be a mapping of keys such as track and applicant")
    for key in data:
        if key not in _TOP_KEYS:
            errs.add(str(key), f"unknown key; expected one of: {', '.join(sorted(_TOP_KEYS))}")
    schema = data.get("schema", 1)
    if schema != 1:
        errs.add("schema", f"this version of the tool reads schema 1 {_got(schema)}")

    track = _text(errs, "track", data.get("track"))

    a = _section(errs, data, "applicant", _APPLICANT_KEYS)
    s = _section(errs, data, "medical_school", _SCHOOL_KEYS)
    t = _section(errs, data, "training", _TRAINING_KEYS)

    statuses = CANADA_STATUSES if track == "canada" else US_STATUSES
    applicant = Applicant(
        given_names=_text(errs, "applicant.given_names", a.get("given_names")),
        family_name=_text(errs, "applicant.family_name", a.get("family_name")),
        other_names=_texts(errs, "applicant.other_names", a.get("other_names")),
        citizenship=_texts(errs, "applicant.citizenship", a.get("citizenship")),
        status=_choice(errs, "applicant.status", a.get("status"), statuses),
    )
    language = _text(errs, "medical_school.language", s.get("language"))
    if language is not None and not _LANG.match(language.lower()):
        errs.add(
            "medical_school.language",
            f"must be a two-letter ISO 639-1 code such as es or fr {_got(language)}",
        )
        language = None
    school = School(
        name=_text(errs, "medical_school.name", s.get("name")),
        country=_text(errs, "medical_school.country", s.get("country")),
        graduation_year=_year(errs, "medical_school.graduation_year", s.get("graduation_year")),
        language=language.lower() if language else None,
    )
    training = Training(
        specialty=_text(errs, "training.specialty", t.get("specialty")),
        start=_date(errs, "training.start", t.get("start")),
        end=_date(errs, "training.end", t.get("end")),
        visa=_choice(errs, "training.visa", t.get("visa"), VISAS),
        province=_choice(errs, "training.province", _province(t.get("province")), PROVINCES),
        accepts_return_of_service=_bool(
            errs, "training.accepts_return_of_service", t.get("accepts_return_of_service")
        ),
        ds2019_end=_date(errs, "training.ds2019_end", t.get("ds2019_end")),
    )
    if training.start and training.end and training.end < training.start:
        errs.add("training.end", f"is before training.start ({training.end} < {training.start})")
    if training.start and training.ds2019_end and training.ds2019_end < training.start:
        errs.add(
            "training.ds2019_end",
            f"is before training.start ({training.ds2019_end} < {training.start})",
        )

    dates: dict[str, date] = {}
    raw_dates = data.get("dates")
    if raw_dates is not None:
        if not isinstance(raw_dates, Mapping):
            errs.add(
                "dates", f"must be a mapping such as passport_expiry: 2030-05-01 {_got(raw_dates)}"
            )
        else:
            for k, v in raw_dates.items():
                if not isinstance(k, str) or not _DATE_KEY.match(k):
                    errs.add(f"dates.{k}", "must be a lower-case name such as passport_expiry")
                    continue
                d = _date(errs, f"dates.{k}", v)
                if d is not None:
                    dates[k] = d

    files: dict[str, str] = {}
    raw_files = data.get("files")
    if raw_files is not None:
        if not isinstance(raw_files, Mapping):
            errs.add(
                "files",
                f'must be a mapping such as "Scan_0001.pdf": medical-diploma {_got(raw_files)}',
            )
        else:
            known = item_ids() if item_ids is not None else None
            for k, v in raw_files.items():
                if not isinstance(k, str) or not isinstance(v, str):
                    errs.add(f"files.{k}", f"must map a path or glob to an item id {_got(v)}")
                    continue
                if known is not None and v != "ignore" and v not in known:
                    errs.add(
                        f"files.{k}",
                        f'unknown item id "{v}"; use "ignore" or one of: '
                        + ", ".join(sorted(known)),
                    )
                    continue
                files[k] = v

    profile = Profile(
        track=track,
        applicant=applicant,
        medical_school=school,
        training=training,
        ecfmg_certified=_bool(errs, "ecfmg_certified", data.get("ecfmg_certified")),
        language_exempt=_bool(errs, "language_exempt", data.get("language_exempt")),
        dates=dates,
        files=files,
        exams=_exams(errs, data.get("exams")),
        us_clinical_experience=_rotations(errs, data.get("us_clinical_experience")),
        residence=_residence(errs, data.get("residence")),
        raw=dict(data),
        path=path,
    )
    errs.raise_if_any()
    return profile


def _count(errs: _Errors, where: str, value: Any, top: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top:
        return value
    errs.add(where, f"must be a whole number from 0 to {top} {_got(value)}")
    return None


def _exams(errs: _Errors, value: Any) -> dict[str, ExamRecord]:
    """``exams:``: per exam id, attempts and failures (and the score) of the applicant."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errs.add(
            "exams",
            f"must be a mapping such as usmle-step1: {{attempts: 1, failures: 0}} {_got(value)}",
        )
        return {}
    found: dict[str, ExamRecord] = {}
    for exam, record in value.items():
        where = f"exams.{exam}"
        if exam not in with_attempts():  # checklists/exams.yaml: attempts: true
            errs.add(where, f"unknown exam; expected one of: {', '.join(with_attempts())}")
            continue
        if not isinstance(record, Mapping):
            errs.add(where, f"must be a mapping of attempts, failures and score {_got(record)}")
            continue
        for k in record:
            if k not in ("attempts", "failures", "score"):
                errs.add(f"{where}.{k}", "unknown key; expected one of: attempts, failures, score")
        entry = ExamRecord(
            attempts=_count(errs, f"{where}.attempts", record.get("attempts"), 20),
            failures=_count(errs, f"{where}.failures", record.get("failures"), 20),
            score=_count(errs, f"{where}.score", record.get("score"), 999),
        )
        tried, failed = entry.attempts, entry.failures
        if tried is not None and failed is not None and failed > tried:
            errs.add(f"{where}.failures", f"more than attempts ({failed} > {tried})")
        found[str(exam)] = entry
    return found


def _rotations(errs: _Errors, value: Any) -> tuple[Rotation, ...] | None:
    """``us_clinical_experience:``: a list of rotations, each with kind, start and end."""
    if value is None:
        return None
    if not isinstance(value, list):
        errs.add(
            "us_clinical_experience",
            "must be a list such as [{kind: elective, start: 2024-01-08, end: 2024-02-02}] "
            f"([] when there is none) {_got(value)}",
        )
        return None
    found: list[Rotation] = []
    for n, entry in enumerate(value):
        where = f"us_clinical_experience[{n}]"
        if not isinstance(entry, Mapping):
            errs.add(where, f"must be a mapping of kind, where, start and end {_got(entry)}")
            continue
        for k in entry:
            if k not in ("kind", "where", "start", "end"):
                errs.add(f"{where}.{k}", "unknown key; expected one of: kind, where, start, end")
        kind = _choice(errs, f"{where}.kind", entry.get("kind"), ROTATION_KINDS)
        start = _date(errs, f"{where}.start", entry.get("start"))
        end = _date(errs, f"{where}.end", entry.get("end"))
        for key in ("kind", "start", "end"):
            if entry.get(key) is None:
                errs.add(f"{where}.{key}", "missing")
        if start and end and end < start:
            errs.add(f"{where}.end", f"is before its start ({end} < {start})")
            continue
        if kind and start and end:
            found.append(
                Rotation(kind, start, end, _text(errs, f"{where}.where", entry.get("where")))
            )
    return tuple(found)


def _residence(errs: _Errors, value: Any) -> Residence:
    """``residence:``: the Canadian province the applicant lives in, and since when."""
    r = _section(errs, {"residence": value}, "residence", {"province", "since"})
    return Residence(
        province=_choice(errs, "residence.province", _province(r.get("province")), PROVINCES),
        since=_date(errs, "residence.since", r.get("since")),
    )


def load_profile(folder: Path, item_ids: Callable[[], set[str]] | None = None) -> Profile:
    """Read ``folder/dossier.yaml`` if there is one; an empty Profile otherwise."""
    path = folder / PROFILE_NAME
    if not path.is_file():
        return Profile()
    return parse_profile(read_yaml(path), name=str(path), path=path, item_ids=item_ids)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
