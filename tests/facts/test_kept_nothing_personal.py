"""What ``check`` keeps between runs besides readings holds nothing of the applicant: the
Statement of Need's own patterns are compiled once for all runs; one that holds the
applicant's name, specialty or countries is compiled afresh and kept nowhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from img_dossier import patternstore
from img_dossier.facts.statement_of_need import load_elements, missing_elements

LETTER = (
    "There currently exists in Peru a need for qualified specialists in the specialty of "
    "Internal Medicine. Zyxwvu Qqrrss intends to enter the practice of medicine in Peru."
)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(patternstore, "_entries", None)
    monkeypatch.setattr(patternstore, "_path", None)
    monkeypatch.setattr(patternstore, "_new", {})
    return Path(os.environ["IMG_DOSSIER_CACHE_DIR"])


def test_the_applicants_name_and_specialty_are_kept_in_no_compiled_pattern(fresh: Path) -> None:
    missing = missing_elements(
        LETTER, specialty="Internal Medicine", applicant_name="Zyxwvu Qqrrss", countries=["Peru"]
    )
    assert len(missing) < len([e for e in load_elements() if e.checkable])
    assert patternstore._new  # the file's own patterns were kept
    patternstore._write()
    (store,) = fresh.rglob("*.cfg")
    data = store.read_bytes().lower()
    for word in (b"zyxwvu", b"qqrrss", b"internal", b"peru"):
        assert word not in data
