"""Passport machine-readable zone (ICAO 9303 TD3): fields read, every check digit verified."""

from __future__ import annotations

from datetime import date

import pytest

from img_dossier.facts.mrz import MrzError, check_digit, find_mrz, parse_td3

# The ICAO Doc 9303 specimen passport (Utopia, Anna Maria Eriksson).
ICAO_1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
ICAO_2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
TODAY = date(2026, 11, 29)


def td3(
    surname: str, given: str, number: str, nationality: str, birth: str, sex: str, expiry: str
) -> tuple[str, str]:
    """Two valid TD3 lines built with correct check digits."""
    names = f"{surname}<<{given}".replace(" ", "<")
    line1 = f"P<{nationality}{names}".ljust(44, "<")
    num = number.ljust(9, "<")
    personal = "<" * 14
    body = (
        f"{num}{check_digit(num)}{nationality}{birth}{check_digit(birth)}"
        f"{sex}{expiry}{check_digit(expiry)}{personal}<"
    )
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1, body + str(check_digit(composite))


def test_icao_specimen_is_read_with_every_field() -> None:
    mrz = parse_td3(ICAO_1, ICAO_2, today=TODAY)
    assert mrz.document_type == "P"
    assert mrz.issuing_state == "UTO"
    assert mrz.surname == "ERIKSSON"
    assert mrz.given_names == "ANNA MARIA"
    assert mrz.number == "L898902C3"
    assert mrz.nationality == "UTO"
    assert mrz.birth_date == date(1974, 8, 12)
    assert mrz.sex == "F"
    assert mrz.expiry == date(2012, 4, 15)
    assert mrz.personal_number == "ZE184226B"


def test_check_digit_follows_the_7_3_1_weights() -> None:
    assert check_digit("L898902C3") == 6
    assert check_digit("740812") == 2
    assert check_digit("120415") == 9
    assert check_digit("<<<<<") == 0


@pytest.mark.parametrize(
    ("line2", "field"),
    [
        (ICAO_2.replace("L898902C36", "L898902C37"), "document number"),
        (ICAO_2.replace("7408122", "7408123"), "birth date"),
        (ICAO_2.replace("1204159", "1204158"), "expiry date"),
        (ICAO_2[:-1] + "1", "composite"),
        # A misread expiry (5 for 6) with its original check digit: rejected, not trusted.
        (ICAO_2.replace("120415", "120416"), "expiry date"),
    ],
)
def test_a_wrong_check_digit_rejects_the_zone(line2: str, field: str) -> None:
    with pytest.raises(MrzError, match=field):
        parse_td3(ICAO_1, line2, today=TODAY)


def test_find_mrz_in_a_page_of_text_with_spaces_from_extraction() -> None:
    line1, line2 = td3(
        "QUISPE MAMANI", "LUCIA FERNANDA", "P1234567", "PER", "950314", "F", "310501"
    )
    spaced = " ".join(line1[i : i + 11] for i in range(0, 44, 11))
    text = f"REPUBLICA DEL PERU\nPASAPORTE\n{spaced}\n{line2}\n"
    mrz, note = find_mrz(text, today=TODAY)
    assert note is None and mrz is not None
    assert mrz.surname == "QUISPE MAMANI"
    assert mrz.given_names == "LUCIA FERNANDA"
    assert mrz.expiry == date(2031, 5, 1)
    assert mrz.birth_date == date(1995, 3, 14)
    assert mrz.to_json()["expiry"] == "2031-05-01"


def test_find_mrz_says_why_a_zone_was_ignored() -> None:
    line1, line2 = td3("QUISPE", "LUCIA", "P1234567", "PER", "950314", "F", "310501")
    bad = line2[:21] + "320501" + line2[27:]
    mrz, note = find_mrz(f"{line1}\n{bad}\n", today=TODAY)
    assert mrz is None
    assert note is not None and "check digit of the expiry date is wrong" in note


def test_text_without_a_zone_has_no_note() -> None:
    assert find_mrz("Dear Program Director,\nI recommend Dr. Quispe.") == (None, None)


def test_a_line_that_is_not_td3_shape_is_rejected() -> None:
    with pytest.raises(MrzError, match="second line"):
        parse_td3(ICAO_1, "TOO SHORT", today=TODAY)
