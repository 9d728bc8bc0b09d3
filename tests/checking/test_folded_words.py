"""A one-word phrase is found in a folded text exactly when it is one of its words (the
quick way ``Folded.has`` takes) and never inside a longer word."""

from __future__ import annotations

import pytest

from img_dossier.checking.content import Folded
from img_dossier.checking.wordfold import normalize

TEXT = """Universidad Nacional Mayor de San Marcos, Facultad de Medicina.
CERTIFICATE of internship: the biomedical student completed 12 rotations (OB/GYN, Step2CK)."""


@pytest.mark.parametrize(
    "phrase",
    ["medicina", "Medicina", "medical", "biomedical", "rotations", "rotation", "OB", "gyn",
     "step", "2", "ck", "step2ck", "certificate", "certif", "internship", "nacional", "x", ""],
)  # fmt: skip
def test_a_one_word_phrase_is_one_of_the_words_of_the_text(phrase: str) -> None:
    folded = Folded(TEXT)
    wanted = normalize(phrase)
    as_before = bool(wanted) and f" {wanted} " in f" {folded.words} "
    assert folded.has(phrase) is as_before
