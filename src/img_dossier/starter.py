"""``dossier init``: write a folder's dossier.yaml, every key explained, with what can be inferred.

What is inferred is only what cannot be wrong: the applicant's name from a passport whose
machine-readable zone passes every check digit. Everything else is left empty (unknown),
with a comment saying what to write; an empty value is valid and the check then says
which conditions it could not decide.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .atomic import write_text
from .config import tracks as tracks_data
from .config.checklist import Checklist, load
from .config.exams import of_track, with_attempts
from .config.profile import PROFILE_NAME
from .config.tracks import InitLine
from .errors import BadInputError, DossierError, OutputError
from .outdir import make_folder


@dataclass(frozen=True)
class Inferred:
    """What init read from the folder's documents, and from which file."""

    given_names: str | None = None
    family_name: str | None = None
    source: str | None = None  # rel path of the passport the name was read from


@dataclass(frozen=True)
class InitResult:
    path: Path
    track: str
    checklist: Checklist
    inferred: Inferred
    replaced: bool  # an existing dossier.yaml was replaced (--force)


def _title(mrz_name: str) -> str:
    """``QUISPE MAMANI`` -> ``Quispe Mamani`` (the zone has only A-Z and spaces)."""
    return " ".join(w.capitalize() for w in mrz_name.split())


def infer(folder: Path, checklist: Checklist, *, jobs: int | None = None) -> Inferred:
    """Read the folder's documents and return what is certain; nothing if anything is doubtful.

    The name comes from the passport's machine-readable zone, check digits verified; two
    passports with different names infer nothing. Never raises for a bad document.
    """
    from .checking.classify import classify
    from .config.profile import Profile
    from .facts.mrz import find_mrz, find_mrz_ocr
    from .readers import read_documents
    from .readers.scan import scan

    try:
        found = scan(folder)
    except DossierError:
        return Inferred()
    candidates = [f for f in found.files if f.rel != PROFILE_NAME]
    if not candidates:
        return Inferred()
    workers = max(1, min(jobs or os.cpu_count() or 1, len(candidates)))
    documents = [
        d
        for d in read_documents(candidates, jobs=workers)
        if d.readable and d.has_text and not d.info.get("own_output")
    ]
    classified = classify(documents, checklist, Profile())
    identity_items = checklist.with_role("identity")  # may hold the applicant's passport
    identity = [d for d in classified if d.item in identity_items]
    names: dict[tuple[str, str], str] = {}
    for doc in identity or classified:
        read = find_mrz_ocr if doc.info.get("ocr") else find_mrz  # a scan: as OCR misreads
        zone, _note = read(doc.text)
        if zone is not None and zone.document_type.startswith("P") and zone.surname:
            names.setdefault((zone.given_names, zone.surname), doc.rel)
    if len(names) != 1:
        return Inferred()
    (given, family), rel = next(iter(names.items()))
    return Inferred(
        given_names=_title(given) or None, family_name=_title(family) or None, source=rel
    )


def _value(value: str | None) -> str:
    """A YAML scalar: empty for unknown, a double-quoted string otherwise (JSON is YAML)."""
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def _line(key: str, value: str, comment: str, indent: int = 0) -> str:
    """``key: value  # comment``; a comment too long for one line goes on the line above."""
    left = f"{' ' * indent}{key}:{' ' + value if value else ''}"
    if not comment:
        return left
    beside = f"{left.ljust(28)}# {comment}"
    if len(beside) <= 100:
        return beside
    return f"{' ' * indent}# {comment}\n{left}"


def _lines(entries: tuple[InitLine, ...], indent: int) -> list[str]:
    """The keys (with their comments) and text lines of checklists/tracks.yaml ``init:``."""
    return [
        _line(e.key, "", e.comment, indent) if e.key is not None else f"{' ' * indent}{e.text}"
        for e in entries
    ]


def render(
    checklist: Checklist, track: str, inferred: Inferred = Inferred(), *, today: date | None = None
) -> str:
    """The text of a commented dossier.yaml for ``track`` (a track name or a checklist path);
    what differs by track is data (checklists/tracks.yaml ``init:``)."""
    today = today or date.today()
    text = tracks_data.for_init(checklist.track).init
    read_from = (
        f"read from {inferred.source} (machine-readable zone); check capitals and accents"
        if inferred.source
        else ""
    )
    given = inferred.given_names
    family = inferred.family_name
    out = [
        "# dossier.yaml: who the applicant is, for `dossier check`, `build`, `pack` and `letters`.",
        f"# Written by `dossier init` on {today.isoformat()} for the checklist {checklist.id} "
        f"{checklist.version}",
        f"# ({checklist.title}).",
        "#",
        "# Fill in what you know and leave the rest empty: an empty value means unknown, and",
        "# the check then says which items it assumed required and which key to set.",
        "# Lines marked FILL IN decide which documents you need. Dates are YYYY-MM-DD.",
        "# Run `dossier check` on this folder after each change; a wrong key or value is",
        "# reported with the field to fix.",
        "",
        _line("schema", "1", "the format of this file; leave it at 1"),
        _line(
            "track",
            _value(track) if track not in tracks_data.track_ids() else track,
            " | ".join(tracks_data.track_ids()) + " | the path of a custom checklist file",
        ),
        "",
        _line("applicant", "", "the applicant, as on the passport"),
        _line(
            "given_names",
            _value(given),
            read_from or "FILL IN: your given names exactly as on your passport",
            2,
        ),
        _line(
            "family_name",
            _value(family),
            read_from or "FILL IN: your family name(s) exactly as on your passport",
            2,
        ),
        _line("other_names", "[]", "other names on your documents, e.g. [Lucia Quispe]", 2),
        _line("citizenship", "[]", "your citizenship(s), e.g. [Peru]", 2),
        _line("status", "", text.status, 2),
        "",
        _line("medical_school", "", "the school that granted your medical degree"),
        _line("name", "", "e.g. Universidad Nacional Mayor de San Marcos", 2),
        _line("country", "", "e.g. Peru", 2),
        _line("graduation_year", "", "e.g. 2021", 2),
        _line(
            "language",
            "",
            "FILL IN: two-letter code of your school's documents (en, es, fr, pt, ...); "
            f"not {tracks_data.either(list(checklist.languages))}: translations are required",
            2,
        ),
        "",
        _line("training", "", "the residency you apply for"),
        _line("specialty", "", text.specialty, 2),
        _line("start", "", "first day of training, e.g. 2027-07-01", 2),
        _line("end", "", "last day of training, e.g. 2030-06-30", 2),
        *_lines(text.training, 2),
        "",
        *_lines(text.top, 0),
        "",
        _line("dates", "", "dates a scan cannot show, YYYY-MM-DD; remove the # to use one:"),
        "  # passport_expiry: 2030-05-01",
        "",
        "# For `dossier programs screen` (which programs can take you); remove the # to use:",
        f"# exams:                   # attempts per exam, as your {text.exam_record} lists them",
        *[f"#   {exam}: {{attempts: 1, failures: 0}}" for exam in _example_exam(checklist)],
        *text.examples,
        "",
        _line("files", "", "only for files whose name and content do not say what they are:"),
        '  # "Scan_0001.pdf": medical-diploma   # a path or glob -> an item id below',
        '  # "notes/*": ignore                  # leave these files out of the check',
        f"# item ids of {checklist.id}:",
    ]
    ids = ", ".join(i.id for i in checklist.items)
    line = "#  "
    for word in ids.split(" "):
        if len(line) + len(word) + 1 > 92:
            out.append(line.rstrip())
            line = "#  "
        line += " " + word
    out.append(line.rstrip())
    return "\n".join(out) + "\n"


def _example_exam(checklist: Checklist) -> tuple[str, ...]:
    """The first exam with attempts of the checklist's track (checklists/exams.yaml)."""
    return (of_track(checklist.track) or with_attempts())[:1]


def _track_ref(track: str, folder: Path) -> tuple[str, str]:
    """(checklist reference to load, value to write as ``track:``)."""
    if track in tracks_data.track_ids():
        return track, track
    path = Path(track)
    if not path.is_file():
        return track, track  # a built-in id, or an error load() explains
    target = path.resolve()
    try:
        return str(target), target.relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(target), str(target)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` beside ``path``, then rename it into place (mode 0600: atomic.py)."""
    write_text(path, text)


def init_folder(
    folder: Path,
    track: str,
    *,
    force: bool = False,
    read_documents: bool = True,
    jobs: int | None = None,
    today: date | None = None,
) -> InitResult:
    """Write ``folder/dossier.yaml`` for ``track``; create the folder if it is missing.

    An existing dossier.yaml is replaced only with ``force`` (else BadInputError, exit 3).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BadInputError(
            f"{folder}: not a folder; give the folder for the applicant's documents"
        )
    path = folder / PROFILE_NAME
    existed = path.exists()
    if existed and not force:
        raise OutputError(f"{path} exists; use --force to replace it")
    ref, written = _track_ref(track, folder)
    checklist = load(ref, folder if folder.is_dir() else None)
    make_folder(folder, fix="check the path and that you may write in its parent folder")
    inferred = infer(folder, checklist, jobs=jobs) if read_documents else Inferred()
    text = render(checklist, written, inferred, today=today)
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return InitResult(path, written, checklist, inferred, replaced=existed)
