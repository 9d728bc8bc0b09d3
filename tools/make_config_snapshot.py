"""Write src/img_dossier/config/builtin.snapshot: the built-in checklists, tracks, exams and
statement-of-need elements as their validating code returns them (config/snapshot.py).

Run it after changing anything under checklists/ or src/img_dossier/config/ (or the tool's
version); tests/config/test_snapshot.py fails until it is run. A stale snapshot is never
used: the tool then validates the data at run time, as without it.

    python tools/make_config_snapshot.py
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from img_dossier.atomic import write_bytes
from img_dossier.config import checklist, exams, snapshot, track_facts, validated
from img_dossier.config.resources import data_dir
from img_dossier.facts import statement_of_need


def validate_all() -> dict[tuple[str, str], Any]:
    """Every built-in entry, as the validating code makes it now (no cache, no snapshot)."""
    caches: list[Any] = [
        track_facts._summary,
        exams._summary,
        statement_of_need._load,
        checklist._parsed,
    ]
    names = ("IMG_DOSSIER_BUILTIN_SNAPSHOT", "IMG_DOSSIER_CACHE_DIR")
    saved = {k: os.environ.get(k) for k in names}
    built: list[tuple[str, str, Any, tuple[Path, ...]]] = []
    with tempfile.TemporaryDirectory(prefix="img-dossier-snapshot-") as tmp:
        os.environ["IMG_DOSSIER_BUILTIN_SNAPSHOT"] = "0"
        os.environ["IMG_DOSSIER_CACHE_DIR"] = tmp  # an empty cache: everything is built
        validated.clear_memory()
        for cached in caches:
            cached.cache_clear()
        validated._capture = built
        try:
            track_facts.statuses()
            exams.match_patterns()
            statement_of_need._load(data_dir("checklists") / "statement-of-need-elements.yaml")
            for ref in checklist.builtin_ids():
                checklist.load_with_files(ref)
        finally:
            validated._capture = None
            validated.clear_memory()
            for cached in caches:
                cached.cache_clear()
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return dict(e for e in (snapshot.entry(*b) for b in built) if e is not None)


def stale() -> list[str]:
    """What differs between the shipped snapshot and the data validated now (empty: none)."""
    made = validate_all()
    shipped = snapshot.shipped(validated.source_tag(), validated._Restricted)
    if shipped is None:
        return [f"{snapshot.PATH.name}: absent, damaged or made by other code or data"]
    problems = [f"{k}: not in the snapshot" for k in made if k not in shipped]
    problems += [f"{k}: no longer built in" for k in shipped if k not in made]
    problems += [
        f"{k}: differs" for k in made if k in shipped and _open(shipped[k]) != _open(made[k])
    ]
    return problems


def _open(entry: Any) -> Any:
    """An entry with its value unpickled (pickled bytes differ with the order of a set)."""
    files, value, paths = entry
    return files, pickle.loads(value), paths


def main() -> None:
    write_bytes(snapshot.PATH, snapshot.encode(validate_all(), validated.source_tag()))
    snapshot.PATH.chmod(0o644)  # package data, read by every user
    entries = snapshot.shipped(validated.source_tag(), validated._Restricted) or {}
    print(f"{snapshot.PATH}: written ({len(entries)} entries)")


if __name__ == "__main__":
    main()
