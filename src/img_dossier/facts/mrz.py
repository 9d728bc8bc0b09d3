"""The passport's machine-readable zone (ICAO Doc 9303, TD3: two lines of 44 characters).

Every check digit is verified (document number, birth date, expiry date, personal number
and the composite); a zone whose check digits are wrong is rejected with the reason, since
a misread date must not pass for a real one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..lazyre import Lazy

_LINE1 = Lazy(r"^P[A-Z0-9<][A-Z<]{3}[A-Z<]{39}$")
_LINE2 = Lazy(r"^[A-Z0-9<]{9}[0-9<][A-Z<]{3}[0-9<]{7}[MFX<][0-9<]{7}[A-Z0-9<]{15}[0-9<]$")
_WEIGHTS = (7, 3, 1)


class MrzError(ValueError):
    """The zone was found but cannot be trusted; the message says which field failed."""


@dataclass(frozen=True)
class Mrz:
    """The fields of a TD3 zone, check digits verified."""

    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    number: str
    nationality: str
    birth_date: date
    sex: str
    expiry: date
    personal_number: str

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.given_names, self.surname) if p)

    def to_json(self) -> dict[str, str]:
        return {
            "document_type": self.document_type,
            "issuing_state": self.issuing_state,
            "surname": self.surname,
            "given_names": self.given_names,
            "number": self.number,
            "nationality": self.nationality,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "expiry": self.expiry.isoformat(),
        }


def check_digit(field: str) -> int:
    """ICAO 9303 check digit: digits as themselves, A-Z as 10-35, '<' as 0, weights 7-3-1."""
    total = 0
    for n, ch in enumerate(field):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        else:
            value = 0
        total += value * _WEIGHTS[n % 3]
    return total % 10


def _verify(what: str, field: str, digit: str) -> None:
    expected = check_digit(field)
    if digit == "<" and field.strip("<") == "":
        return
    if not digit.isdigit() or int(digit) != expected:
        raise MrzError(
            f"the check digit of the {what} is wrong ({field} {digit}, expected {expected})"
        )


def _yymmdd(what: str, text: str, *, future: bool, today: date) -> date:
    if not text.isdigit():
        raise MrzError(f"the {what} is not a date ({text})")
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    if future:
        year = 2000 + yy if yy < 70 else 1900 + yy
    else:
        year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    try:
        return date(year, mm, dd)
    except ValueError:
        raise MrzError(f"the {what} is not a date ({text})") from None


def _name(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return (
        " ".join(surname.replace("<", " ").split()),
        " ".join(given.replace("<", " ").split()),
    )


def parse_td3(line1: str, line2: str, *, today: date | None = None) -> Mrz:
    """Parse and verify the two lines of a passport's zone; MrzError says what is wrong."""
    today = today or date.today()
    line1, line2 = line1.strip(), line2.strip()
    if not _LINE1.match(line1):
        raise MrzError("the first line is not 44 characters of A-Z and '<' starting with P")
    if not _LINE2.match(line2):
        raise MrzError("the second line is not 44 characters of A-Z, 0-9 and '<'")
    _verify("document number", line2[0:9], line2[9])
    _verify("birth date", line2[13:19], line2[19])
    _verify("expiry date", line2[21:27], line2[27])
    _verify("personal number", line2[28:42], line2[42])
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    _verify("whole line (composite)", composite, line2[43])
    surname, given = _name(line1[5:])
    return Mrz(
        document_type=line1[0:2].rstrip("<"),
        issuing_state=line1[2:5].replace("<", ""),
        surname=surname,
        given_names=given,
        number=line2[0:9].rstrip("<"),
        nationality=line2[10:13].replace("<", ""),
        birth_date=_yymmdd("birth date", line2[13:19], future=False, today=today),
        sex=line2[20].replace("<", "X"),
        expiry=_yymmdd("expiry date", line2[21:27], future=True, today=today),
        personal_number=line2[28:42].rstrip("<"),
    )


def find_mrz(text: str, *, today: date | None = None) -> tuple[Mrz | None, str | None]:
    """The verified zone in a document's text, or None with a note saying why it was rejected
    (the note is None when the text has no zone at all)."""
    lines = ["".join(line.split()).upper() for line in text.splitlines()]
    note: str | None = None
    for n, line in enumerate(lines[:-1]):
        if len(line) == 44 and line.startswith("P") and "<<" in line:
            following = next((x for x in lines[n + 1 : n + 3] if x), "")
            try:
                return parse_td3(line, following, today=today), None
            except MrzError as exc:
                note = f"machine-readable zone ignored: {exc}"
    return None, note


# -- the zone as OCR reads it --------------------------------------------------------------
#
# OCR confuses O and 0, I and 1, S and 5, B and 8, and reads the filler '<' as K, «, ( or
# drops some of a long run of fillers. Each position of a TD3 line holds a known kind of
# character (digits for dates and check digits, letters for the state codes), so a letter
# where a digit must be is turned into the digit it looks like, and the other way round;
# a line of the wrong length is mended only inside its runs of fillers. What comes out must
# still pass every check digit: a misread the mending cannot explain fails them and the
# zone is not used.

_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1",
                           "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7"})  # fmt: skip
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G"})
_FILLER_LOOKALIKES = str.maketrans({"«": "<<", "‹": "<", "(": "<", "[": "<", "{": "<"})
_NOT_MRZ = Lazy(r"[^A-Z0-9<]")
_LINE2_DIGITS = (9, *range(13, 20), *range(21, 28), 43)
_LINE2_LETTERS = (10, 11, 12)
#: Most variants of the alphanumeric fields (document and personal numbers) tried.
_MAX_VARIANTS = 16


def _ocr_clean(line: str) -> str:
    line = "".join(line.split()).upper().translate(_FILLER_LOOKALIKES)
    return _NOT_MRZ.sub("<", line)


def _fit(line: str, width: int = 44) -> str | None:
    """The line at ``width`` characters, by adding or removing fillers in its longest run of
    fillers (OCR drops or doubles some of a long run); None when it has no such run."""
    if len(line) == width:
        return line
    runs = [(m.end() - m.start(), m.start(), m.end()) for m in re.finditer(r"<{2,}", line)]
    if not runs:
        return None
    length, start, end = max(runs)
    wanted = length + width - len(line)
    if wanted < 1:
        return None
    return line[:start] + "<" * wanted + line[end:]


def _fillers_from_k(field: str) -> str:
    """K read for a filler: a K with fillers on both sides (or at the end of a run)."""
    return re.sub(r"(?<=<)K(?=<|$)|^K(?=<<)", "<", field)


def _line1_from_ocr(raw: str) -> str | None:
    line = _ocr_clean(raw)
    if not line.startswith("P") or len(line) < 30:
        return None
    line = line[:2] + line[2:].translate(_TO_LETTER)
    line = line[:5] + _fillers_from_k(line[5:])
    line = line.rstrip("<")[:44].ljust(44, "<") if len(line) != 44 else line
    return line if _LINE1.match(line) else None


def _line2_variants(raw: str) -> list[str]:
    line = _fit(_ocr_clean(raw))
    if line is None:
        return []
    chars = list(line)
    for n in _LINE2_DIGITS:
        chars[n] = chars[n].translate(_TO_DIGIT)
    for n in _LINE2_LETTERS:
        chars[n] = chars[n].translate(_TO_LETTER)
    chars[20] = {"H": "M", "P": "F", "E": "F"}.get(chars[20], chars[20])
    base = "".join(chars)
    variants = [base]
    personal = _fillers_from_k(base[28:42])
    if personal != base[28:42]:
        variants.append(base[:28] + personal + base[42:])
    # the document number mixes letters and digits: O/0 and I/1 either way
    number = base[0:9]
    ambiguous = [n for n, ch in enumerate(number) if ch in "O0I1"][:4]
    for mask in range(1, 1 << len(ambiguous)):
        swapped = list(number)
        for bit, n in enumerate(ambiguous):
            if mask >> bit & 1:
                swapped[n] = {"O": "0", "0": "O", "I": "1", "1": "I"}[swapped[n]]
        for v in list(variants[:2]):
            variants.append("".join(swapped) + v[9:])
            if len(variants) >= _MAX_VARIANTS:
                return variants
    return variants


def find_mrz_ocr(text: str, *, today: date | None = None) -> tuple[Mrz | None, str | None]:
    """find_mrz for text read by OCR: each line is mended as OCR misreads it (see above) and
    must then pass every check digit; a zone that does not is ignored, with a note."""
    found, note = find_mrz(text, today=today)
    if found is not None:
        return found, None
    lines = [line for line in text.splitlines() if line.strip()]
    for n, raw in enumerate(lines[:-1]):
        line1 = _line1_from_ocr(raw)
        if line1 is None or "<<" not in line1[5:]:
            continue
        candidates = [c for c in lines[n + 1 : n + 3] if len(_ocr_clean(c)) >= 30]
        for raw2 in candidates[:1]:
            errors: list[str] = []
            for line2 in _line2_variants(raw2):
                try:
                    return parse_td3(line1, line2, today=today), None
                except MrzError as exc:
                    errors.append(str(exc))
            first = errors[0] if errors else "the second line could not be made 44 characters"
            note = f"machine-readable zone read by OCR ignored: {first}"
    return None, note
