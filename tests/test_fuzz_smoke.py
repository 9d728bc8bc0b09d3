"""Issue 12: a 300-input fuzz smoke run (tests/fuzz) is part of every test run.

Seeded: the same 300 hostile inputs each time (every class of tests/fuzz/hostile.py), in
folders with good documents, through ``dossier check``, ``build`` and one ``audit`` as
subprocesses. Nothing may escape: no exit 5, no hang, every file in the report, no source
file changed, every good document in each dossier. ``bench/fuzz N`` runs more.
"""

from __future__ import annotations

from pathlib import Path

from fuzz.harness import run
from fuzz.hostile import CLASSES


def test_300_hostile_inputs_escape_nothing(tmp_path: Path) -> None:
    stats = run(300, tmp_path, seed=0, per_folder=60)
    assert stats.inputs == 300
    assert set(stats.by_class) == set(CLASSES)
    assert not stats.failures, stats.summary()
