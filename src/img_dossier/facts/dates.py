"""Dates as documents write them, read into ``datetime.date``, and dates found next to labels.

Formats: "March 14, 2024", "14 March 2024", "14 MAR 2024", "14 MAR/MARS 2024",
"14 de marzo de 2024", "le 1er mars 2024", "14/03/2024" (day first unless the text is
American or the numbers say otherwise), "2024-03-14", "2024年3月14日" / "2024년 3월 14일".
Month names in English, Spanish, French and Portuguese, plus those of ``months.json``
(Unicode CLDR, written by tools/make_months.py: Italian, German, Polish, Romanian, Turkish,
Dutch, Vietnamese, Indonesian, Russian, Ukrainian, Bulgarian, Serbian, Greek, Arabic,
Persian, Hebrew, Hindi, Bengali, Urdu, in the forms dates use). Arabic-Indic, Persian and
full-width digits are read as digits.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..lazyre import Lazy

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan enero ene janvier janv janeiro",
        "february feb febrero février fevrier févr fevr fevereiro fev",
        "march mar marzo mars março marco",
        "april apr abril abr avril avr",
        "may mayo mai maio",
        "june jun junio juin junho",
        "july jul julio juillet juil julho",
        "august aug agosto ago août aout",
        "september sep sept septiembre setiembre set septembre setembro",
        "october oct octubre octobre outubro out",
        "november nov noviembre novembre novembro",
        "december dec diciembre dic décembre decembre déc dezembro dez",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number
for _name, _number in json.loads(
    (Path(__file__).with_name("months.json")).read_text(encoding="utf-8")
)["months"].items():
    _MONTHS.setdefault(_name, _number)

#: Digits of other scripts as ASCII digits (same length: positions in the text are kept).
_DIGITS = {
    **{0x0660 + n: str(n) for n in range(10)},  # Arabic-Indic
    **{0x06F0 + n: str(n) for n in range(10)},  # Persian
    **{0x0966 + n: str(n) for n in range(10)},  # Devanagari
    **{0xFF10 + n: str(n) for n in range(10)},  # full-width
}

_MONTH = "(?:" + "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er|º|°)?"
_YEAR = r"(?:19|20)\d\d"

#: Compiled on first use (lazyre): a warm check takes facts from the cache and finds no date.
_PATTERNS: tuple[tuple[str, Lazy], ...] = (
    (
        "iso",
        Lazy(
            rf"(?<![\d/.-])(?P<y>{_YEAR})(?P<sep>[-/.]| )(?P<m>[01]?\d)(?P=sep)"
            r"(?P<d>[0-3]?\d)(?![\d])"
        ),
    ),
    (
        "day-month",
        Lazy(
            rf"(?<![\w/])(?P<d>{_DAY})(?:[\s.\-/]+|\s+de\s+)(?P<mn>{_MONTH})"
            rf"(?:\s*/\s*{_MONTH})?(?:[\s.,\-/]+|\s+de\s+|\s+del\s+)(?P<y>{_YEAR})(?!\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "month-day",
        Lazy(
            rf"(?<![\w/])(?P<mn>{_MONTH})\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})(?!\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "cjk",
        Lazy(rf"(?P<y>{_YEAR})\s*[年년]\s*(?P<m>[01]?\d)\s*[月월]\s*(?P<d>[0-3]?\d)\s*[日일]"),
    ),
    (
        "numeric",
        Lazy(
            rf"(?<![\d/.-])(?P<a>[0-3]?\d)[/.\-](?P<b>[01]?\d|[0-3]\d)[/.\-](?P<y>{_YEAR})(?![\d])"
        ),
    ),
)

#: Words that make a document American, so that 03/04/2024 is March 4.
_US_CONTEXT = Lazy(
    r"\b(?:United States|U\.S\.A?\.|USA|USMLE|ECFMG|NBME|AAMC|ERAS|NRMP|"
    r"(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|"
    r"S[CD]|T[NX]|UT|V[AT]|W[AIVY])\s+\d{5}(?:-\d{4})?)\b"
)


@dataclass(frozen=True)
class FoundDate:
    """A date found in a text: where it is, what it says and the date it means."""

    start: int
    end: int
    text: str
    value: date


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group())  # type: ignore[union-attr]


def _make(y: int, m: int, d: int) -> date | None:
    if not 1900 <= y <= 2100 or not 1 <= m <= 12 or not 1 <= d <= calendar.monthrange(y, m)[1]:
        return None
    return date(y, m, d)


def numeric_day_first(text: str) -> bool:
    """Whether 03/04/2024 in this text is 3 April: the text's own unambiguous dates decide,
    then American context (USMLE, ECFMG, a state and ZIP code) means month first."""
    for m in _PATTERNS[4][1].finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if a > 12 >= b:
            return True
        if b > 12 >= a:
            return False
    return not _US_CONTEXT.search(text)


#: Every date pattern has a four-digit year 19xx/20xx: a text without one has no date.
_HAS_YEAR = re.compile(r"(?:19|20)\d\d")


def find_dates(text: str, *, day_first: bool | None = None) -> list[FoundDate]:
    """Every date in the text, in reading order (overlapping matches resolved left to right)."""
    text = text.translate(_DIGITS)
    if not _HAS_YEAR.search(text):  # most lines of a document: skip the date patterns
        return []
    if day_first is None:
        day_first = numeric_day_first(text)
    found: list[FoundDate] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            value: date | None
            if kind in ("iso", "cjk"):
                value = _make(int(m["y"]), int(m["m"]), int(m["d"]))
            elif kind == "numeric":
                a, b = int(m["a"]), int(m["b"])
                value = _make(int(m["y"]), b, a) if day_first else _make(int(m["y"]), a, b)
                if value is None:
                    value = _make(int(m["y"]), a, b) if day_first else _make(int(m["y"]), b, a)
            else:
                month = _MONTHS[m["mn"].lower().rstrip(".")]
                value = _make(int(m["y"]), month, _day(m["d"]))
            if value is not None:
                found.append(FoundDate(m.start(), m.end(), m.group(), value))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    result: list[FoundDate] = []
    for f in found:
        if result and f.start < result[-1].end:
            continue
        result.append(f)
    return result


def parse_date(text: str, *, day_first: bool = True) -> date | None:
    """The first date in a short text such as a form field, or None."""
    found = find_dates(text, day_first=day_first)
    return found[0].value if found else None


#: Labels that say what a date is, by fact name. Matched case-insensitively.
LABELS: dict[str, str] = {
    "expiry": (
        r"date of expiry|expiry date|expiration date|date of expiration|expires(?: on)?|"
        r"expiry|valid (?:until|through|thru|to)|valid till|validity|"
        r"fecha de (?:vencimiento|caducidad|expiraci[oó]n)|v[aá]lid[oa] hasta|"
        r"date d'expiration|valable jusqu'au|data de validade|v[aá]lido at[eé]|"
        r"действителен до|действительно до|срок действия|дійсний до|"
        r"تاريخ الانتهاء|صالح حتى|有效期至|有效期限"
    ),
    "issue_date": (
        r"date of issue|issue date|issued on|date issued|date of issuance|issued|"
        r"fecha de (?:emisi[oó]n|expedici[oó]n)|date de d[ée]livrance|data de emiss[aã]o|"
        r"дата выдачи|дата видачі|تاريخ الإصدار|签发日期|發證日期"
    ),
    "test_date": (
        r"test date|date of test|exam(?:ination)? date|date of (?:the )?exam(?:ination)?|"
        r"date taken|test taken on|administration date|date de l'examen"
    ),
    "signature_date": r"date signed|signature date|signed on|signed|dated",
    "birth_date": (
        r"date of birth|birth date|born on|born|fecha de nacimiento|date de naissance|"
        r"data de nascimento|n[ée]e? le|d\.?o\.?b\.?"
    ),
    # dates of a period of study: never the date of the document (see ``document_date``)
    "period_date": (
        r"date of (?:initial |first )?(?:matriculation|admission|enrol?lment|entry|"
        r"(?:expected )?graduation)|dates? of attendance|matriculat(?:ion|ed)|admission|"
        r"admitted|enrol?led|entered|graduat(?:ion|ed)|fecha de (?:ingreso|matr[ií]cula|egreso)|"
        r"date d'(?:admission|entr[ée]e)"
    ),
    "date": r"date|fecha|дата|تاريخ|日期",
}

#: Labelled facts that are never the date of the document itself.
NOT_DOCUMENT_DATES = ("birth_date", "period_date")

_LABEL_ALTERNATIVES = "|".join(f"(?P<{key}>\\b(?:{pattern})\\b)" for key, pattern in LABELS.items())


def first_chars(pattern: str) -> str | None:
    """A character class (``[...]`` content) holding every character a match of ``pattern``
    can start with, or None when that is not plain to see (an optional first atom, an
    escape). Used as a look-ahead in front of a long alternation: the regex engine then
    skips at once the positions where no alternative can start, and matches the same."""
    alternatives = _split_top(pattern)
    if alternatives is None:
        return None
    found: list[str] = []
    for alt in alternatives:
        while alt.startswith("\\b"):  # a word boundary takes no character
            alt = alt[2:]
        first = _first_atom(alt)
        if first is None:
            return None
        found.append(first)
    return "".join(dict.fromkeys(found))


def _outside_classes(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, bracket depth after it) of each character of ``pattern`` outside
    escapes and character classes; the last depth is -1 when a class is left open."""
    depth, n, in_class = 0, 0, False
    while n < len(pattern):
        c = pattern[n]
        if c == "\\":
            n += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        else:
            depth += (c == "(") - (c == ")")
            yield n, c, depth
        n += 1
    if in_class:
        yield len(pattern), "", -1


def _split_top(pattern: str) -> list[str] | None:
    """``pattern`` split at its top-level ``|``; None when its brackets do not balance."""
    parts, start, depth = [], 0, 0
    for n, c, depth in _outside_classes(pattern):
        if c == "|" and depth == 0:
            parts.append(pattern[start:n])
            start = n + 1
    if depth:
        return None
    parts.append(pattern[start:])
    return parts


def _first_atom(alt: str) -> str | None:
    """The class content of the first atom of an alternative, None when unsure."""
    if not alt:
        return None
    if alt[0] == "(":
        close = _closing(alt)
        if close is None or alt[close + 1 : close + 2] in ("?", "*", "{"):
            return None
        inner = alt[1:close]
        if inner.startswith("?"):  # (?:...) or (?P<name>...); a look-around is not plain
            if inner.startswith("?:"):
                inner = inner[2:]
            elif inner.startswith("?P<"):
                inner = inner[inner.index(">") + 1 :]
            else:
                return None
        return first_chars(inner)
    if alt[0] == "[":
        end = alt.find("]", 1)
        if end <= 1 or alt[1] == "^" or "\\" in alt[1:end]:
            return None
        atom, rest = alt[1:end], alt[end + 1 :]
    elif alt[0] in "\\.^$?*+{)":
        return None
    else:
        atom, rest = alt[0], alt[1:]
    if rest[:1] in ("?", "*", "{"):
        return None
    return atom.replace("-", "\\-") if alt[0] != "[" else atom


def _closing(alt: str) -> int | None:
    """The index of the parenthesis that closes ``alt[0]``."""
    for n, c, depth in _outside_classes(alt):
        if c == ")" and depth == 0:
            return n
    return None


def _with_first_chars(pattern: str, flags: re.RegexFlag) -> Lazy:
    """``pattern`` behind a look-ahead of the characters it can start with (same flags, so
    case folds alike): the same matches, found several times faster; compiled on first use."""

    def source() -> str:
        chars = first_chars(pattern)
        return pattern if chars is None else f"(?=[{chars}])(?:{pattern})"

    return Lazy(source, flags)


_LABEL_RE = _with_first_chars(_LABEL_ALTERNATIVES, re.IGNORECASE)


def labelled_dates(
    text: str, *, day_first: bool | None = None, pairs: list[tuple[str, date]] | None = None
) -> dict[str, date]:
    """Dates next to a label ("Date of expiry: 14 MAR 2031"), by fact name (first wins).

    A label takes the first date after it on its line; labels on a line without dates
    (a table header) take the dates of the next line with dates, in order. ``pairs``:
    ``labelled_pairs`` of the text when the caller has them already.
    """
    result: dict[str, date] = {}
    if pairs is None:
        pairs = labelled_pairs(text, day_first=day_first)
    for key, value in pairs:
        result.setdefault(key, value)
    return result


def labelled_pairs(text: str, *, day_first: bool | None = None) -> list[tuple[str, date]]:
    """Every (fact name, date) a label gives, in reading order (see ``labelled_dates``)."""
    if day_first is None:
        day_first = numeric_day_first(text)
    lines = text.splitlines()
    found: dict[int, list[FoundDate]] = {}

    class _Dated:  # the dates of line k, found on first use (most lines have no label)
        def __getitem__(self, k: int) -> list[FoundDate]:
            if k not in found:
                found[k] = find_dates(lines[k], day_first=day_first)
            return found[k]

    dated = _Dated()
    result: list[tuple[str, date]] = []
    for n, line in enumerate(lines):
        labels: list[tuple[int, str]] = []
        for m in _LABEL_RE.finditer(line):
            if not labels or labels[-1][1] != m.lastgroup:  # "Date of expiry / Fecha de ..."
                labels.append((m.start(), m.lastgroup or ""))
        if not labels:
            continue
        if dated[n]:
            if len(labels) > 1 and dated[n][0].start > labels[-1][0]:
                for (_, key), f in zip(labels, dated[n], strict=False):
                    result.append((key, f.value))
                continue
            for i, (pos, key) in enumerate(labels):
                stop = labels[i + 1][0] if i + 1 < len(labels) else len(line)
                inside = [f for f in dated[n] if pos <= f.start < stop]
                if inside:
                    result.append((key, inside[0].value))
            continue
        following = next((dated[k] for k in range(n + 1, min(n + 3, len(lines))) if dated[k]), None)
        if not following:
            continue
        if len(labels) == 1:
            result.append((labels[0][1], following[0].value))
        else:
            for (_, key), f in zip(labels, following, strict=False):
                result.append((key, f.value))
    return result


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


#: A date line's place: one to three capitalised words ("Lima", "Beyrouth, le", "New York, NY,").
_PLACE = Lazy(
    r"[^\W\d_][\w'.-]*(?:[ -][^\W\d_][\w'.-]*){0,2}(?:,\s*[A-Z]{2})?,\s*"
    r"(?:(?i:le|the|on|el|em)\s+)?"
)


def dateline(
    text: str, *, day_first: bool | None = None, skip: frozenset[date] = frozenset()
) -> date | None:
    """The date of a letter's date line: a line holding only a date, perhaps after its
    place ("June 15, 2026", "Beyrouth, le 2 juin 2026"); the first such line whose date
    is not in ``skip`` (dates a label claims, such as a birth date under its label)."""
    if day_first is None:
        day_first = numeric_day_first(text)
    for line in text.splitlines():
        if len(line) > 80:
            continue
        found = find_dates(line, day_first=day_first)
        if len(found) != 1 or found[0].value in skip or line[found[0].end :].strip(" .\t"):
            continue
        before = line[: found[0].start].strip()
        if not before or (before[0].isupper() and _PLACE.fullmatch(before + " ")):
            return found[0].value
    return None


def document_date(
    text: str, *, day_first: bool | None = None, pairs: list[tuple[str, date]] | None = None
) -> date | None:
    """The date of the document itself: a labelled issue or signature date, then a date
    labelled just "Date", then a date line, then the first date that no birth or
    study-period label claims (a matriculation or admission date is never the document's).
    ``pairs``: ``labelled_pairs`` of the text (with this ``day_first``) when known."""
    if day_first is None:
        day_first = numeric_day_first(text)
    if pairs is None:
        pairs = labelled_pairs(text, day_first=day_first)
    labelled: dict[str, date] = {}
    for key, value in pairs:
        labelled.setdefault(key, value)
    for fact in ("issue_date", "signature_date", "date"):
        if fact in labelled:
            return labelled[fact]
    not_own = frozenset(v for k, v in pairs if k in NOT_DOCUMENT_DATES)
    line = dateline(text, day_first=day_first, skip=frozenset(v for _, v in pairs))
    if line is not None:
        return line
    for found in find_dates(text, day_first=day_first):
        if found.value not in not_own:
            return found.value
    return None
