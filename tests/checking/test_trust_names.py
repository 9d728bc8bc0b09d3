"""Issue 11: names in every script, languages beyond Latin script, dates in more languages."""

from __future__ import annotations

from datetime import date

import pytest

from img_dossier.facts.dates import find_dates, labelled_dates
from img_dossier.facts.language import guess_language
from img_dossier.facts.names import appears_in, same_person, tokens


@pytest.mark.parametrize(
    ("written", "latin"),
    [
        ("Иван Петров", "Ivan Petrov"),  # Cyrillic
        ("Γιώργος Παπαδόπουλος", "Giorgos Papadopoylos"),  # Greek (as transliterated)
        ("王小明", "Xiaoming Wang"),  # Chinese, one character a syllable
        ("김민준", "Minjun Gim"),  # Korean (Revised Romanization)
    ],
)
def test_a_name_in_another_script_matches_its_latin_spelling(written: str, latin: str) -> None:
    assert same_person(written, [latin])
    assert same_person(latin, [written])
    assert not same_person(written, ["Lucia Quispe"])
    assert not same_person("Lucia Quispe", [written])


@pytest.mark.parametrize(
    "written",
    ["Иван Петров", "Γιώργος Παπαδόπουλος", "محمد علي", "משה כהן", "राम शर्मा", "王小明", "김민준"],
)
def test_a_name_in_any_script_matches_itself_and_not_another(written: str) -> None:
    assert tokens(written)  # folds to letters, never to nothing
    assert same_person(written, [written])
    assert not same_person(written, ["Lucia Fernanda Quispe Mamani"])


def test_ivan_petrov_is_not_lucia_quispe() -> None:
    assert same_person("Иван Петров", ["Ivan Petrov"])
    assert not same_person("Иван Петров", ["Lucia Fernanda Quispe Mamani", "Lucia Quispe"])


@pytest.mark.parametrize("nothing", ["", "---", "12345", "· · ·", "☺☺"])
def test_a_name_that_folds_to_nothing_never_matches(nothing: str) -> None:
    assert tokens(nothing) == []
    assert not same_person(nothing, ["Lucia Quispe"])
    assert not same_person("Lucia Quispe", [nothing])


def test_the_applicants_name_is_found_in_text_in_another_script() -> None:
    text = "Настоящим удостоверяется, что Петров Иван Сергеевич окончил университет"
    assert appears_in(text, ["Ivan Petrov"])
    assert not appears_in(text, ["Lucia Quispe"])
    assert not appears_in("", ["Lucia Quispe"])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Настоящим удостоверяется, что Петров Иван Сергеевич окончил полный курс "
            "медицинского университета по специальности лечебное дело",
            "ru",
        ),
        (
            "يشهد هذا بأن الطالب محمد علي قد أتم بنجاح دراسة الطب في كلية الطب بجامعة القاهرة "
            "وحصل على درجة بكالوريوس الطب والجراحة",
            "ar",
        ),
        (
            "兹证明王小明同学于二零一五年九月至二零二一年七月在本校临床医学专业学习，修完全部课程，"
            "成绩合格，准予毕业",
            "zh",
        ),
        (
            "이 증명서는 김민준이 의과대학에서 의학 과정을 모두 이수하였음을 "
            "증명합니다 학위를 수여함",
            "ko",
        ),
        (
            "This is to certify that the student has completed the course of study in medicine "
            "and has passed all the examinations of the school",
            "en",
        ),
    ],
)
def test_the_language_of_a_non_latin_document_is_its_script(text: str, code: str) -> None:
    assert guess_language(text) == code


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Дата выдачи: 14 марта 2024 г.", date(2024, 3, 14)),
        ("видано 12 березня 2023 року", date(2023, 3, 12)),
        ("٢٠ مارس ٢٠٢٤", date(2024, 3, 20)),
        ("صدر في 5 أكتوبر 2030", date(2030, 10, 5)),
        ("2024年3月14日", date(2024, 3, 14)),
        ("2024년 3월 14일", date(2024, 3, 14)),
        ("14 Mart 2024", date(2024, 3, 14)),  # Turkish
        ("3 lipca 2025", date(2025, 7, 3)),  # Polish (genitive)
        ("9 settembre 2022", date(2022, 9, 9)),  # Italian
        ("1. Oktober 2021", date(2021, 10, 1)),  # German
        ("14 March 2024", date(2024, 3, 14)),
    ],
)
def test_dates_are_read_in_the_languages_img_schools_use(text: str, value: date) -> None:
    assert [f.value for f in find_dates(text)] == [value]


def test_labelled_dates_in_russian() -> None:
    found = labelled_dates("Дата выдачи: 14 марта 2024 г.\nДействителен до: 14 марта 2034 г.")
    assert found == {"issue_date": date(2024, 3, 14), "expiry": date(2034, 3, 14)}
