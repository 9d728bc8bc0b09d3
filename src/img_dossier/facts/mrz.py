"""The passport's machine-readable zone (ICAO Doc 9303, TD3: two lines of 44 characters).

Every check digit is verified (document number, birth date, expiry date, personal number
and the composite); a zone whose check digits are wrong is rejected with the reason, since
a misread date must not pass for a real one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_LINE1 = re.compile(r"^P[A-Z0-9<][A-Z<]{3}[A-Z<]{39}$")
_LINE2 = re.compile(r"^[A-Z0-9<]{9}[0-9<][A-Z<]{3}[0-9<]{7}[MFX<][0-9<]{7}[A-Z0-9<]{15}[0-9<]$")
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
