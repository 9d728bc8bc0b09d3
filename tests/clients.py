"""A generated folder of client folders (hard links to the committed samples), for tests of
the audit's dashboard, spreadsheet and calendar."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import yaml

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
AS_OF = date(2026, 11, 29)
FAMILY = [
    "Quispe",
    "Rojas",
    "Okafor",
    "Nguyen",
    "Haddad",
    "Kowalski",
    "Silva",
    "Ivanova",
    "Mendez",
    "Sato",
    "Kim",
    "Cohen",
    "Patel",
    "Garcia",
    "Mensah",
]
GIVEN = ["Lucia", "Mateo", "Chidi", "Linh", "Yara", "Piotr", "Ana", "Olga", "Diego", "Yuki"]


def _copy(src: Path, dst: Path, skip: str | None) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_dir() or rel.as_posix() == skip or path.name == "dossier.yaml":
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def make_clients(root: Path, count: int = 60) -> Path:
    """``count`` clients under ``root``: most complete, some missing one document, some with
    a passport expiring soon, one whose dossier.yaml is broken; each with a deadline."""
    base = yaml.safe_load((SAMPLES / "us-j1" / "dossier.yaml").read_text(encoding="utf-8"))
    files = [
        p.relative_to(SAMPLES / "us-j1").as_posix()
        for p in sorted((SAMPLES / "us-j1").rglob("*.pdf"))
    ]
    for n in range(count):
        folder = root / f"client-{n:02d}-{FAMILY[n % len(FAMILY)].lower()}"
        folder.mkdir(parents=True)
        if n == count - 1:
            (folder / "dossier.yaml").write_text("schema: 1\ntrack: [not, a, track]\n")
            continue
        skip = files[n % len(files)] if n % 3 == 0 else None
        _copy(SAMPLES / "us-j1", folder, skip)
        profile = dict(base)
        if n % 2:  # a name the documents do not carry: passport and more are not valid
            profile["applicant"] = {
                **base["applicant"],
                "given_names": GIVEN[n % len(GIVEN)],
                "family_name": FAMILY[n % len(FAMILY)],
                "other_names": [],
            }
        expiry = AS_OF + timedelta(days=20 + 7 * n) if n % 4 == 1 else date(2031, 3, 16)
        profile["dates"] = {
            "passport_expiry": expiry,
            "eras_deadline": AS_OF + timedelta(days=10 + n),
        }
        (folder / "dossier.yaml").write_text(
            yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8"
        )
    return root
