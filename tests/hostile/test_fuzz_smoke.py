"""Issue 12: a 300-input fuzz smoke run (tests/fuzz) is part of every test run.

Seeded: the same 300 hostile inputs each time (every class of tests/fuzz/hostile.py), in
folders with good documents, through ``dossier check``, ``build`` and one ``audit`` as
subprocesses. Nothing may escape: no exit 5, no hang, every file in the report, no source
file changed, every good document in each dossier. ``bench/fuzz N`` runs more.

Two folders of 150 hostile inputs (plus one folder per hostile dossier.yaml): each process
start-up, and the good documents every folder holds, are paid for twice, not five times.
``check`` reads every input from cold; ``build`` takes those readings from the read cache
``check`` filled (the same code in the same processes) and converts and repairs from cold;
the ``audit`` reads everything again from cold in its own workers.
"""

from __future__ import annotations

import pytest

from fuzz.harness import PER_FILE_SECONDS, Stats, run
from fuzz.hostile import CLASSES


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Stats:
    return run(300, tmp_path_factory.mktemp("fuzz") / "clients", per_folder=150, reuse_reads=True)


@pytest.mark.slow
def test_300_hostile_inputs_escape_nothing(smoke: Stats) -> None:
    assert smoke.inputs == 300
    assert set(smoke.by_class) == set(CLASSES)
    assert not smoke.failures, smoke.summary()


def test_a_build_of_a_folder_of_every_hostile_class_is_bounded_and_has_the_good_documents(
    smoke: Stats,
) -> None:
    # the acceptance: `build` of a folder holding each hostile class finishes within
    # (number of files x per-file limit) and writes the dossier of the good documents
    every = set(CLASSES) - {"hostile-yaml"}  # a dossier.yaml is a folder of its own
    full = {name: b for name, b in smoke.builds.items() if b.classes >= every}
    assert full, {name: sorted(every - b.classes) for name, b in smoke.builds.items()}
    for name, build in full.items():
        assert build.exit in (0, 1), (name, build)
        assert build.seconds < build.files * PER_FILE_SECONDS, (name, build)
        assert build.dossier_written and build.good_placed, (name, build)
