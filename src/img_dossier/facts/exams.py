"""Exam results read from a score report's text: which exam, the outcome, and the scores.

Outcomes are "pass" or "fail" (with the words the document used, e.g. "Pass with superior
performance"); scores are OET sub-tests (0-500), IELTS bands (0-9, by component and overall)
and three-digit totals (USMLE, MCCQE).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..config import exams as exams_data
from ..lazyre import Lazy


@lru_cache(maxsize=1)
def _exam_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Exam names as score reports print them (checklists/exams.yaml), in match order."""
    return tuple(
        (eid, re.compile("|".join(patterns), re.IGNORECASE))
        for eid, patterns in exams_data.match_patterns()
    )


_PASS = r"pass(?:ed)? with superior performance|pass(?:ed)?|r[ée]ussite|r[ée]ussi|aprobado|aprovado"
_FAIL = r"fail(?:ed)?|[ée]chec|reprobado|reprovado|did not pass"
_OUTCOME_WORD = rf"(?P<word>{_PASS}|{_FAIL})"
_LABELLED = Lazy(
    r"(?:\bresult|\boutcome|\bpass\s*/\s*fail|\bperformance|\bstatus|\bdecision|\br[ée]sultat|"
    rf"\bresultado)s?\b[ \t]*(?:[:\-][ \t]*)?\n?[ \t]*{_OUTCOME_WORD}\b",
    re.IGNORECASE,
)
_SENTENCE = Lazy(
    r"\b(?:has|have)\s+(?P<word>passed|failed)\b|\b(?P<not>did not pass)\b", re.IGNORECASE
)
_EXAM_WORD = Lazy(r"(?i)\b(?:step|mccqe|nac|examination|exam|part)\b")
_LINE_END = Lazy(rf"(?i)\b{_OUTCOME_WORD}\b[ \t]*\S{{0,12}}$")
_ALONE = Lazy(rf"(?im)^[ \t]*{_OUTCOME_WORD}[ \t]*$")

COMPONENTS = ("listening", "reading", "writing", "speaking")
_NUMBER = r"(\d{1,3}(?:\.\d)?)"
_COMPONENT = {
    c: Lazy(rf"(?i)\b{c}\b[^\d\n]{{0,30}}?(?:\n[ \t]*)?{_NUMBER}(?![\d/])") for c in COMPONENTS
}
_OVERALL = Lazy(rf"(?i)\boverall(?: band)?(?: score)?\b[^\d\n]{{0,20}}?{_NUMBER}(?![\d/])")
_TOTAL = Lazy(
    r"(?i)\b(?:three-digit score|total score|score|puntaje|note)\b[ \t]*(?:[:\-][ \t]*)?"
    r"\n?[ \t]*(\d{3})(?!\d)"
)


def exam(text: str) -> str | None:
    """The exam a score report is for (``oet``, ``ielts``, ``usmle-step1``, ``mccqe1``, ...)."""
    for key, pattern in _exam_patterns():
        if pattern.search(text):
            return key
    return None


def outcome(text: str) -> tuple[str, str] | None:
    """("pass" | "fail", the words used): a pass anywhere wins, since a transcript lists
    earlier failed attempts before the pass that counts."""
    words: list[str] = []
    for pattern in (_LABELLED, _SENTENCE, _ALONE):
        for m in pattern.finditer(text):
            word = m.groupdict().get("word") or m.groupdict().get("not")
            if word:
                words.append(" ".join(word.split()))
    for line in text.splitlines():  # a table row: "Step 1   2023-08-02   Pass"
        if len(line) <= 200 and _EXAM_WORD.search(line):
            end = _LINE_END.search(line.rstrip())
            if end:
                words.append(" ".join(end["word"].split()))
    if not words:
        return None
    passes = [w for w in words if re.fullmatch(_PASS, w, re.IGNORECASE)]
    if passes:
        best = max(passes, key=len)
        return "pass", best[:1].upper() + best[1:]
    return "fail", words[0][:1].upper() + words[0][1:]


def _value(raw: str) -> float | int | None:
    number = float(raw)
    if "." in raw or number <= 9:
        return number if 0 <= number <= 9 and (number * 2).is_integer() else None
    return int(number) if 0 <= number <= 500 else None


_HEADER = Lazy(r"(?i)^(listening|reading|writing|speaking|overall)(?: band)?(?: score)?$")
_BAND_OR_SCORE = Lazy(r"^\d{1,3}(?:\.\d)?$")


def _columns(lines: list[str], found: dict[str, float | int]) -> None:
    """A table read column by column: component names one per line, then their values."""
    n = 0
    while n < len(lines):
        header: list[str] = []
        while n < len(lines) and _HEADER.match(lines[n].strip()):
            header.append(_HEADER.match(lines[n].strip()).group(1).lower())  # type: ignore[union-attr]
            n += 1
        if len(header) < 2:
            n += 1
            continue
        skipped = 0
        while n < len(lines) and not _BAND_OR_SCORE.match(lines[n].strip()) and skipped < 3:
            n, skipped = n + 1, skipped + 1
        values: list[str] = []
        while n < len(lines) and _BAND_OR_SCORE.match(lines[n].strip()):
            values.append(lines[n].strip())
            n += 1
        for comp, raw in zip(header, values, strict=False):
            value = _value(raw)
            if value is not None:
                found.setdefault(comp, value)


_WORD_OF = {c: Lazy(rf"(?i)\b{c}\b") for c in (*COMPONENTS, "overall")}
_ANY_WORD = Lazy(rf"(?i)\b(?:{'|'.join(_WORD_OF)})\b")
_SCORE_NUMBER = Lazy(r"(?<![\d.])\d{1,3}(?:\.\d)?(?![\d.])")


def scores(text: str) -> dict[str, float | int]:
    """Sub-test scores or bands by component (``listening`` ... ``speaking``, ``overall``)
    and a three-digit ``total`` when the report prints one."""
    found: dict[str, float | int] = {}
    if _ANY_WORD.search(text) is None:  # no component named: only a total can be found
        m = _TOTAL.search(text)
        return {"total": int(m.group(1))} if m else found
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if _ANY_WORD.search(line) is None:  # no header here: the line adds nothing
            continue
        header = [
            c
            for _, c in sorted(
                (m.start(), c)
                for c, word in _WORD_OF.items()
                for m in [word.search(line)]
                if m is not None
            )
        ]
        if len(header) >= 2 and n + 1 < len(lines) and not _SCORE_NUMBER.search(line):
            # the values' row, under the header; row labels (Score, CEFR Level) may come first
            below: list[str] = []
            for following in lines[n + 1 : n + 4]:
                below = _SCORE_NUMBER.findall(following)
                if below:
                    break
            for comp, raw in zip(header, below, strict=False):
                value = _value(raw)
                if value is not None:
                    found.setdefault(comp, value)
    _columns(lines, found)
    for comp, pattern in _COMPONENT.items():
        if comp in found:
            continue
        m = pattern.search(text)
        if m:
            value = _value(m.group(1))
            if value is not None:
                found[comp] = value
    m = _OVERALL.search(text)
    if m:
        value = _value(m.group(1))
        if value is not None:
            found.setdefault("overall", value)
    m = _TOTAL.search(text)
    if m and not any(c in found for c in COMPONENTS):
        found["total"] = int(m.group(1))
    return found


_ROW_OUTCOME = Lazy(r"(?<![/\w])(pass(?:ed)?|fail(?:ed)?|did not pass)(?![/\w])", re.IGNORECASE)
_ROW_DATE = Lazy(
    r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|"
    r"\d{1,2} [A-Z][a-z]{2,8}\.? \d{4})\b"
)


def attempts(text: str) -> dict[str, dict[str, int]]:
    """Attempts and failures per exam from a history table (a USMLE transcript, an MCC
    record): each line naming an exam, a date and one outcome is one attempt. Empty when
    the text has no such table (a score report of one attempt says nothing of others)."""
    found: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        if len(line) > 200 or not _ROW_DATE.search(line):
            continue
        words = _ROW_OUTCOME.findall(line)
        if len(words) != 1:
            continue
        key = next((k for k, pattern in _exam_patterns() if pattern.search(line)), None)
        if key is None or key not in exams_data.attempt_ids():  # a language test: no table
            continue
        record = found.setdefault(key, {"attempts": 0, "failures": 0})
        record["attempts"] += 1
        if not words[0].lower().startswith("pass"):
            record["failures"] += 1
    return found
