"""The shortcuts that make reading facts cheap never change a fact (issue 13).

Three shortcuts: the date labels' regex runs behind a look-ahead of the characters a label
can start with (``dates.first_chars``), ``scores`` skips lines and texts that name no
score component, and ``read_text`` skips the extractors whose facts the document's item
does not carry. Each is compared here with the same code without it, on the text of every
document of the committed samples and of the shared corpus.
"""

from __future__ import annotations

import random
import re
import string
from pathlib import Path

import pytest

from img_dossier.config.checklist import load
from img_dossier.facts import dates, exams, names
from img_dossier.facts.document import (
    OPTIONAL_FACTS,
    carried_facts,
    keep_carried,
    read_text,
    skipped_extractors,
)
from img_dossier.readers import read_documents, reader_limits
from img_dossier.readers.scan import scan

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """The text of every document of the samples and (when present) the shared corpus, and
    a few made-up lines that stress the labels and the score tables."""
    folders = [p for p in (ROOT / "samples").iterdir() if p.is_dir()]
    if CORPUS.is_dir():
        folders.append(CORPUS)
    files = [f for folder in folders for f in scan(folder).files]
    docs = read_documents(files, limits=reader_limits(ocr=False), jobs=2)
    found = [d.text for d in docs if d.text.strip()]
    assert len(found) > 40
    return [
        *found,
        "DATE OF EXPIRY 14 MAR 2031\nDate d'expiration / Fecha de vencimiento: 2031-03-14",
        "Дата выдачи: 01.02.2020\nتاريخ الانتهاء 2030-01-01\n签发日期 2020年1月2日",
        "D.O.B. 1990-05-06 ISSUED 2020-01-01 Valid thru 2030-01-01 née le 3 mars 1990",
        "Listening Reading Writing Speaking\nScore\n450 400 380 420\nOverall band 7.5",
        "LISTENING\nREADING\n8.0\n7.5\nTotal score: 245",
    ]


def test_the_date_labels_are_found_the_same_behind_their_first_characters(
    texts: list[str],
) -> None:
    plain = re.compile(dates._LABEL_ALTERNATIVES, re.IGNORECASE)
    assert dates._LABEL_RE.pattern.startswith("(?=[")  # the look-ahead is really there
    for text in texts:
        for line in text.splitlines():
            want = [(m.span(), m.lastgroup) for m in plain.finditer(line)]
            assert [(m.span(), m.lastgroup) for m in dates._LABEL_RE.finditer(line)] == want
    # pieces of every label, in any case, are found (or not) alike
    found = 0
    for pattern in dates.LABELS.values():
        for phrase in re.sub(r"\[(.)[^]]*\]|\(\?:|\)\??|\\.\??|\?", r"\1", pattern).split("|"):
            for shown in (phrase, phrase.upper(), phrase.title()):
                line = f"x {shown}: 2020-01-01"
                want = [(m.span(), m.lastgroup) for m in plain.finditer(line)]
                assert [(m.span(), m.lastgroup) for m in dates._LABEL_RE.finditer(line)] == want
                found += bool(want)
    assert found > 100


def test_first_characters_are_only_given_when_plain_to_see() -> None:
    assert dates.first_chars("date|fecha|[dD]ate") == "dfdD"
    assert dates.first_chars(r"\b(?:born|n[ée]e? le)\b") == "bn"
    assert dates.first_chars(r"(?P<x>\bexpiry)|valid") == "ev"
    for unsure in (r"a?b", r"(?:ab)?c", r"\d+", r"(?=a)b", r".x", r"[^a]b", "(ab", "a|"):
        assert dates.first_chars(unsure) is None, unsure
    # with no plain answer the pattern is compiled as it is
    assert dates._with_first_chars(r"\d+", re.I).pattern == r"\d+"


def test_scores_are_the_same_without_the_shortcut(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = [exams.scores(t) for t in texts]
    monkeypatch.setattr(exams, "_ANY_WORD", re.compile(""))  # matches everywhere: no skipping
    assert [exams.scores(t) for t in texts] == fast
    assert any(fast)  # the texts do hold scores


def test_an_item_gets_the_same_facts_when_the_extractors_it_does_not_need_are_skipped(
    texts: list[str],
) -> None:
    carried_sets = {
        carried_facts(checklist, item.id)
        for checklist in (load("us"), load("canada"))
        for item in checklist.items
    }
    assert any(skipped_extractors(c) for c in carried_sets)  # some work is really skipped
    assert skipped_extractors(None) == frozenset()
    for text in texts:
        full = read_text(text)
        for carried in carried_sets:
            skip = skipped_extractors(carried)
            assert keep_carried(read_text(text, skip=skip), carried) == keep_carried(full, carried)


def test_every_optional_extractor_is_run_when_its_fact_is_carried() -> None:
    for extractor, made in OPTIONAL_FACTS.items():
        for fact in made:
            assert extractor not in skipped_extractors({fact})
        assert extractor in skipped_extractors({"date"})


def test_ascii_text_is_put_in_latin_letters_as_any_other_text(texts: list[str]) -> None:
    rnd = random.Random(13)
    made = ["".join(rnd.choice(string.printable) for _ in range(300)) for _ in range(300)]
    ascii_texts = [t for t in texts if t.isascii()] + made
    assert len(ascii_texts) > 300
    for text in ascii_texts:
        assert names.latin(text) == names._transliterated(text)
