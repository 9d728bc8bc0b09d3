"""Letter templates: the built-ins render to real letters; values, safety, names, output."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pypdfium2
import pytest
import yaml

from img_dossier.errors import BadInputError, OutputError
from img_dossier.facts import statement_of_need as son
from img_dossier.letters import render as letters
from img_dossier.letters.values import longdate
from img_dossier.model import OWN_OUTPUT_KEY
from pdf_glyphs import drawn_characters

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "us-j1"
BUILTINS = (
    "carms-reference-request",
    "interview-thank-you",
    "letter-of-intent",
    "lor-request",
    "mspe-request",
    "no-mspr-letter-request",
    "observership-request",
    "statement-of-need",
    "statement-of-need-request",
    "translation-certification",
)
#: Fields that switch wording on or off rather than appear in the letter.
SWITCHES = {"waived", "ranks_first", "exceptional"}
PROFILE_PREFIXES = ("applicant.", "training.", "medical_school.")
TODAY = date(2026, 8, 15)

# INTERFACE.md's example dossier.yaml (used when samples/us-j1 is not in the checkout).
DOSSIER = {
    "schema": 1,
    "track": "us",
    "applicant": {
        "given_names": "Lucia Fernanda",
        "family_name": "Quispe Mamani",
        "other_names": ["Lucia Quispe"],
        "citizenship": ["Peru"],
        "status": "none",
    },
    "medical_school": {
        "name": "Universidad Nacional Mayor de San Marcos",
        "country": "Peru",
        "graduation_year": 2021,
        "language": "es",
    },
    "training": {"specialty": "Internal Medicine", "start": date(2027, 7, 1), "visa": "J-1"},
    "ecfmg_certified": True,
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The applicant folder: samples/us-j1 when present (read only), else an equivalent."""
    if (SAMPLE / "dossier.yaml").is_file():
        return SAMPLE
    path = tmp_path / "applicant"
    path.mkdir()
    (path / "dossier.yaml").write_text(yaml.safe_dump(DOSSIER), encoding="utf-8")
    return path


def text_of(value: Any) -> str:
    return longdate(value) if isinstance(value, date) else str(value)


def example_sets(template: letters.Template) -> dict[str, str]:
    """--set values for every field the dossier does not give: each field's example."""
    return {
        f.name: (f.example.isoformat() if isinstance(f.example, date) else str(f.example))
        for f in template.fields
        if not f.name.startswith(PROFILE_PREFIXES) and f.name != "today"
    }


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def pdf_text(path: Path) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def flat(text: str) -> str:
    return " ".join(text.split())


def user_template(
    folder: Path, name: str, body: list[str], fields: list[dict[str, Any]], filename_field: str
) -> Path:
    """Write a user template NAME.docx (one paragraph per line) and NAME.yaml into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    for line in body:
        document.add_paragraph(line)
    document.save(str(folder / f"{name}.docx"))
    meta = {
        "description": f"test template {name}",
        "filename_field": filename_field,
        "fields": fields,
    }
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    return folder


def field(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": f"the {name}", "required": True, "example": "x", **extra}


# -- the built-ins ----------------------------------------------------------------------


def test_every_builtin_template_is_listed_and_valid() -> None:
    templates = letters.list_templates()
    assert tuple(t.name for t in templates) == BUILTINS
    for t in templates:
        assert t.source == letters.BUILTIN
        loaded = letters.load_template(t.name)  # .docx checked against .yaml
        assert loaded.filename_field in {f.name for f in loaded.fields}
        assert all(f.description and f.example is not None for f in loaded.fields)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_renders_to_docx_and_pdf_with_every_value(
    name: str, folder: Path, tmp_path: Path
) -> None:
    template = letters.load_template(name)
    sets = example_sets(template)
    written = letters.render(
        name, folder, sets=sets, out_dir=tmp_path / "out", fmt="both", today=TODAY
    )
    assert [w.format for w in written] == ["docx", "pdf"]
    docx_path, pdf_path = (w.path for w in written)
    body = docx_text(docx_path)
    printed = pdf_text(pdf_path)
    expected = [
        text_of(template.fields[[f.name for f in template.fields].index(k)].example)
        if k in {f.name for f in template.fields if f.type == "date"}
        else v
        for k, v in sets.items()
        if k not in SWITCHES
    ]
    expected += ["Lucia Fernanda Quispe Mamani", "August 15, 2026"]
    if any(f.name == "training.specialty" for f in template.fields):
        expected.append("Internal Medicine")
    for value in expected:
        assert flat(value) in flat(body), value
        assert flat(value) in flat(printed), value
    for text in (body, printed):
        assert "{{" not in text and "{%" not in text and "}}" not in text
        assert "None" not in text
    with pikepdf.open(pdf_path) as pdf:
        assert OWN_OUTPUT_KEY in pdf.docinfo


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_with_only_required_values_leaves_no_blank(
    name: str, folder: Path, tmp_path: Path
) -> None:
    template = letters.load_template(name)
    required = {f.name for f in template.fields if f.required}
    sets = {k: v for k, v in example_sets(template).items() if k in required}
    (written,) = letters.render(name, folder, sets=sets, out_dir=tmp_path, today=TODAY)
    body = docx_text(written.path)
    assert "None" not in body and "{{" not in body and "{%" not in body
    assert "Lucia Fernanda Quispe Mamani" in body


def test_rendered_statement_of_need_has_every_element(folder: Path, tmp_path: Path) -> None:
    template = letters.load_template("statement-of-need")
    written = letters.render(
        "statement-of-need",
        folder,
        sets=example_sets(template),
        out_dir=tmp_path,
        fmt="both",
        today=TODAY,
    )
    for w in written:
        text = docx_text(w.path) if w.format == "docx" else pdf_text(w.path)
        assert (
            son.missing_elements(
                text, specialty="Internal Medicine", applicant_name="Lucia Fernanda Quispe Mamani"
            )
            == []
        )
        flat_text = flat(text)
        assert "Educational Commission for Foreign Medical Graduates" in flat_text
        assert "3624 Market Street" in flat_text and "Philadelphia, PA 19104-2685" in flat_text
        assert (
            "There currently exists in Peru a need for qualified medical practitioners in "
            "the speciality of Internal Medicine (Cardiovascular Disease)." in flat_text
        )
        assert "Stamp (or seal) of the issuing official of Peru:" in flat_text
        assert "[" not in text and "]" not in text  # no bracketed placeholder to survive
        assert "Date of signature" in flat_text
        # a pronoun given by the user replaces the prescribed "he/she"
    (w,) = letters.render(
        "statement-of-need",
        folder,
        sets={**example_sets(template), "pronoun": "she"},
        out_dir=tmp_path / "she",
        today=TODAY,
    )
    assert "that she will return" in docx_text(w.path)


# -- Statement of Need elements -----------------------------------------------------------

SON_TEXT = """October 5, 2026
Educational Commission for Foreign Medical Graduates (ECFMG)
Statement of Need
USMLE/ECFMG ID Number: 1-290-345-7
Name of Applicant for Visa: LUCÍA FERNANDA QUISPE MAMANI
There currently exists in Peru a need for qualified medical practitioners in the speciality of
Internal Medicine. Lucia Fernanda Quispe Mamani has filed a written assurance with the govern-
ment of this country that he/she will return to this country upon completion of training in the
United States and intends to enter the practice of medicine in the speciality for which
training is being sought.
Dr. Ana Torres, Director General, Ministry of Health
"""


def missing_ids(text: str, specialty: str | None = "Internal Medicine") -> list[str]:
    found = son.missing_elements(
        text, specialty=specialty, applicant_name="Lucía Fernanda Quispe Mamani"
    )
    return [e.id for e in found]


def test_complete_statement_of_need_text_misses_nothing() -> None:
    assert missing_ids(SON_TEXT) == []


def test_each_missing_element_of_a_statement_of_need_is_named() -> None:
    no_return = SON_TEXT.replace("will return to this country", "will go")
    assert missing_ids(no_return) == ["assurance-to-return"]
    assert missing_ids(SON_TEXT, specialty="Internal Medicine - Cardiology") == ["exact-specialty"]
    assert missing_ids(SON_TEXT.replace("1-290-345-7", "")) == ["ecfmg-id"]
    undated = SON_TEXT.replace("October 5, 2026", "")
    assert missing_ids(undated) == ["dated"]
    bare = "To whom it may concern: please help Lucia Fernanda Quispe Mamani."
    assert set(missing_ids(bare)) >= {
        "need-in-country",
        "intent-to-practise",
        "addressed-to-ecfmg",
        "issuing-ministry",
    }


def test_unknown_specialty_accepts_any_named_specialty() -> None:
    text = SON_TEXT.replace("speciality of\nInternal Medicine", "speciality of Pediatrics")
    assert missing_ids(text, specialty=None) == []
    assert missing_ids(text) == ["exact-specialty"]


def test_statement_of_need_elements_have_sources_and_unique_ids() -> None:
    elements = son.load_elements()
    ids = [e.id for e in elements]
    assert len(ids) == len(set(ids)) >= 10
    assert all(e.source and e.description for e in elements)
    assert all(e.patterns for e in elements if e.checkable)
    assert {e.id for e in elements if not e.checkable} == {"seal", "letterhead", "english"}


# -- values -------------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8")
    return path


LOR_COLUMNS = [
    "referee_name",
    "referee_institution",
    "worked_together",
    "letter_id",
    "aamc_id",
    "deadline",
    "sender_email",
]


def lor_row(name: str, i: int = 0) -> list[str]:
    return [
        name,
        "Hospital Loayza",
        "I was your intern in 2024",
        str(10000000 + i),
        "14823456",
        "2026-09-01",
        "lucia@example.org",
    ]


def test_fifty_row_csv_renders_fifty_letters_with_distinct_names(
    folder: Path, tmp_path: Path
) -> None:
    rows = [lor_row(f"Dr. Referee {i // 2}" if i < 10 else f"Dr. Person {i}", i) for i in range(50)]
    data = write_csv(tmp_path / "referees.csv", LOR_COLUMNS, rows)
    written = letters.render(
        "lor-request", folder, data=data, out_dir=tmp_path / "out", today=TODAY
    )
    paths = [w.path for w in written]
    assert len(paths) == 50 == len(set(paths))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    assert [w.row for w in written] == list(range(1, 51))
    assert paths[0].name == "lor-request-dr-referee-0.docx"
    assert paths[1].name == "lor-request-dr-referee-0-2.docx"
    assert "10000001" in docx_text(paths[1])


def test_missing_values_in_several_rows_fail_once_naming_each(folder: Path, tmp_path: Path) -> None:
    rows = [lor_row("Dr. A"), lor_row("Dr. B"), lor_row("Dr. C")]
    rows[0][LOR_COLUMNS.index("letter_id")] = ""
    rows[2][LOR_COLUMNS.index("referee_name")] = " "
    rows[2][LOR_COLUMNS.index("deadline")] = "next week"
    data = write_csv(tmp_path / "refs.csv", LOR_COLUMNS, rows)
    with pytest.raises(BadInputError) as err:
        letters.render("lor-request", folder, data=data, out_dir=tmp_path / "out")
    message = str(err.value)
    assert "refs.csv row 1: missing letter_id" in message
    assert "refs.csv row 3: missing referee_name" in message
    assert 'refs.csv row 3: deadline: not a date (got "next week")' in message
    assert "row 2" not in message
    assert not (tmp_path / "out").exists()


def test_missing_value_without_csv_names_the_field_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as err:
        letters.render(
            "interview-thank-you", None, sets={"interviewer_name": "Dr. X"}, out_dir=tmp_path
        )
    message = str(err.value)
    assert "missing program_name, interview_date, conversation_topic" in message
    assert "applicant.full_name" in message and "--set NAME=VALUE" in message


def test_set_wins_over_csv_which_wins_over_dossier(folder: Path, tmp_path: Path) -> None:
    header = [*LOR_COLUMNS, "applicant.family_name", "training.specialty"]
    data = write_csv(
        tmp_path / "r.csv", header, [[*lor_row("Dr. A"), "Quispe", "Pediatrics"]], bom=True
    )
    (w,) = letters.render(
        "lor-request",
        folder,
        data=data,
        out_dir=tmp_path / "o",
        sets={"training.specialty": "Family Medicine"},
        today=TODAY,
    )
    body = docx_text(w.path)
    assert body.startswith("Lucia Fernanda Quispe\n")
    assert "Quispe Mamani" not in body
    assert "residency training in Family Medicine" in body and "Pediatrics" not in body


def test_unknown_set_field_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="refere_name: not a field"):
        letters.render("lor-request", None, sets={"refere_name": "x"}, out_dir=tmp_path)


def test_today_can_be_set_and_dates_are_written_for_a_letter(folder: Path, tmp_path: Path) -> None:
    template = letters.load_template("interview-thank-you")
    sets = {**example_sets(template), "today": "2027-01-02"}
    (w,) = letters.render("interview-thank-you", folder, sets=sets, out_dir=tmp_path)
    assert "January 2, 2027" in docx_text(w.path)
    assert longdate(date(2027, 7, 1)) == "July 1, 2027"
    assert longdate("2026-12-31") == "December 31, 2026"


# -- safety --------------------------------------------------------------------------------


def test_values_are_escaped_for_word_xml(folder: Path, tmp_path: Path) -> None:
    template = letters.load_template("interview-thank-you")
    hostile = "O'Brien & Sons <Ltd> {{ x }}"
    sets = {**example_sets(template), "interviewer_name": hostile, "program_name": "A & B"}
    written = letters.render(
        "interview-thank-you", folder, sets=sets, out_dir=tmp_path, fmt="both", today=TODAY
    )
    body = docx_text(written[0].path)
    assert f"Dear {hostile}," in body and "for A & B on" in body
    assert f"Dear {hostile}," in flat(pdf_text(written[1].path))


HOSTILE = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ name['__class__'] }}",
    "{{ name|attr('__class__') }}",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_template_reaching_for_python_internals_is_refused(source: str, tmp_path: Path) -> None:
    user = user_template(
        tmp_path / "tpl", "evil", ["Dear {{ name }},", source], [field("name")], "name"
    )
    with pytest.raises(BadInputError) as err:
        letters.render("evil", None, sets={"name": "x"}, out_dir=tmp_path / "out", user_dir=user)
    assert "evil" in str(err.value) and "Python internals" in str(err.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("source", HOSTILE)
def test_the_sandbox_stops_internals_even_past_the_template_check(
    source: str, tmp_path: Path
) -> None:
    user = user_template(tmp_path / "tpl", "evil", [source], [field("name")], "name")
    (template,) = [t for t in letters.list_templates(user) if t.name == "evil"]
    with pytest.raises(BadInputError, match=r"evil.*Python internals"):
        letters.render_docx(template, {"name": "x"})


def test_safe_filter_cannot_switch_escaping_off(tmp_path: Path) -> None:
    user = user_template(tmp_path, "t", ["A {{ name|safe }} B"], [field("name")], "name")
    with pytest.raises(BadInputError, match=r"t\.docx: template error .* No filter named 'safe'"):
        letters.load_template("t", user)


def test_field_used_but_not_declared_is_a_template_error(tmp_path: Path) -> None:
    user = user_template(
        tmp_path,
        "t",
        ["{{ name }} {{ applicant.family_name }}", "{% for r in rows %}{{ r.x }}{% endfor %}"],
        [field("name")],
        "name",
    )
    with pytest.raises(BadInputError) as err:
        letters.load_template("t", user)
    message = str(err.value)
    assert "t.docx: uses applicant.family_name, rows, not declared in t.yaml" in message


def test_methods_of_declared_fields_and_locals_are_fine(tmp_path: Path) -> None:
    user = user_template(
        tmp_path / "tpl",
        "t",
        [
            "{{ name.upper() }} {{ today|longdate }} {% set n = name %}{{ n }}",
            "{% for c in applicant.citizenship %}{{ c }}{% endfor %}",
        ],
        [field("name"), field("applicant.citizenship")],
        "name",
    )
    letters.load_template("t", user)
    (w,) = letters.render(
        "t",
        None,
        out_dir=tmp_path / "out",
        user_dir=user,
        today=TODAY,
        sets={"name": "Müller", "applicant.citizenship": "Peru"},
    )
    assert docx_text(w.path).startswith("MÜLLER August 15, 2026 Müller")


def test_template_syntax_error_names_the_file(tmp_path: Path) -> None:
    user = user_template(tmp_path, "t", ["fine", "{{ name "], [field("name")], "name")
    with pytest.raises(BadInputError, match=r"t\.docx: template error in the paragraph"):
        letters.load_template("t", user)


def test_a_docx_that_is_not_a_word_file_is_refused(tmp_path: Path) -> None:
    user = user_template(tmp_path, "t", ["{{ name }}"], [field("name")], "name")
    (user / "t.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BadInputError, match=r"t\.docx: not a Word \(\.docx\) document"):
        letters.load_template("t", user)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"fields": [field("name", required="maybe")]}, "fields[0] (name): required: must be"),
        ({"fields": [field("bad name")]}, "fields[0] (bad name): name: must be a dotted name"),
        ({"fields": [field("name", colour="red")]}, "fields[0] (name): colour: unknown key"),
        ({"fields": [field("d", type="date", example="soon")]}, "(d): example: not a date"),
        ({"fields": [field("name")], "filename_field": "nope"}, "filename_field: must name"),
        ({"fields": [field("name"), field("name")]}, "name is declared twice"),
        ({"fields": [field("name", default="x")]}, "a required field has no default"),
        ({"fields": []}, "fields: must be a list"),
        ({"description": ""}, "description: must be"),
    ],
)
def test_invalid_template_yaml_names_the_file_and_the_field(
    meta: dict[str, Any], expected: str, tmp_path: Path
) -> None:
    user = user_template(tmp_path, "t", ["{{ name }}"], [field("name")], "name")
    data = {"description": "d", "filename_field": "name", "fields": [field("name")], **meta}
    (user / "t.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(BadInputError) as err:
        letters.load_template("t", user)
    assert str(user / "t.yaml") in str(err.value)
    assert expected in str(err.value)


def test_docx_without_yaml_is_named(tmp_path: Path) -> None:
    docx.Document().save(str(tmp_path / "lonely.docx"))
    with pytest.raises(BadInputError, match=r"lonely\.docx: no lonely\.yaml beside it"):
        letters.list_templates(tmp_path)


def test_user_template_overrides_builtin_by_name(tmp_path: Path) -> None:
    user = user_template(
        tmp_path,
        "lor-request",
        ["Hello {{ referee_name }}"],
        [field("referee_name")],
        "referee_name",
    )
    listed = {t.name: t.source for t in letters.list_templates(user)}
    assert listed["lor-request"] == str(user / "lor-request.docx")
    assert listed["statement-of-need"] == letters.BUILTIN
    (w,) = letters.render(
        "lor-request", None, sets={"referee_name": "Dr. Z"}, out_dir=tmp_path / "out", user_dir=user
    )
    assert docx_text(w.path) == "Hello Dr. Z"


# -- unicode, names, output -----------------------------------------------------------------

NAMES = ["Jürgen Müller", "Nguyễn Thị Minh Khai", "عبد الله الأحمد"]


def test_unicode_names_render_in_docx_and_pdf(folder: Path, tmp_path: Path) -> None:
    template = letters.load_template("interview-thank-you")
    data = write_csv(tmp_path / "i.csv", ["interviewer_name"], [[n] for n in NAMES])
    written = letters.render(
        "interview-thank-you",
        folder,
        data=data,
        out_dir=tmp_path / "o",
        sets={k: v for k, v in example_sets(template).items() if k != "interviewer_name"},
        fmt="both",
        today=TODAY,
    )
    assert [w.path.name for w in written] == [
        "interview-thank-you-jurgen-muller.docx",
        "interview-thank-you-jurgen-muller.pdf",
        "interview-thank-you-nguyen-thi-minh-khai.docx",
        "interview-thank-you-nguyen-thi-minh-khai.pdf",
        "interview-thank-you-bd-llh-l-hmd.docx",
        "interview-thank-you-bd-llh-l-hmd.pdf",
    ]
    for i, name in enumerate(NAMES):
        assert f"Dear {name}," in docx_text(written[2 * i].path)
        printed = pdf_text(written[2 * i + 1].path)
        if i < 2:
            assert f"Dear {name}," in flat(printed)
        else:  # every Arabic letter has a real glyph in the PDF's fonts (shaping: below)
            assert set(name.replace(" ", "")) <= letters_drawn(written[2 * i + 1].path)


def letters_drawn(path: Path) -> set[str]:
    """The characters the PDF's embedded fonts draw, joined forms and ligatures decomposed
    (ﻻ -> ل ا): glyph coverage, not extracted text, which differs between PDF readers."""
    drawn = drawn_characters(path)
    return drawn | {c for ch in drawn for c in unicodedata.normalize("NFKC", ch)}


def test_arabic_name_reads_right_to_left_in_the_pdf(folder: Path, tmp_path: Path) -> None:
    template = letters.load_template("interview-thank-you")
    sets = {**example_sets(template), "interviewer_name": NAMES[2]}
    written = letters.render(
        "interview-thank-you", folder, sets=sets, out_dir=tmp_path, fmt="pdf", today=TODAY
    )
    # every letter drawn with a real glyph, in its joined (presentation) form, lam-alef as the
    # ligature every Arabic font has: LibreOffice 7.4 and the built-in renderer both pass
    drawn = drawn_characters(written[0].path)
    assert set(NAMES[2].replace(" ", "")) <= letters_drawn(written[0].path)
    # (a glyph may map to more than one character: LibreOffice's lam-alef maps to two)
    drawn_chars = {c for ch in drawn for c in ch}
    assert any(0xFE70 <= ord(c) <= 0xFEFC for c in drawn_chars) or any(
        0x0600 <= ord(c) <= 0x06FF for c in drawn_chars
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Dr. Smith", "dr-smith"),
        ("Nguyễn Văn Đức", "nguyen-van-duc"),
        ("Œuvre Straße", "oeuvre-strasse"),
        ("عبد الله", "bd-llh"),
        ("王小明", "wang-xiao-ming"),
        ("  ../../etc/passwd ", "etc-passwd"),
        ("A" * 80, "a" * 60),
    ],
)
def test_file_names_are_ascii_slugs(value: str, expected: str) -> None:
    assert letters.slug(value) == expected


def test_existing_letters_are_not_overwritten_without_force(folder: Path, tmp_path: Path) -> None:
    template = letters.load_template("interview-thank-you")
    sets = example_sets(template)
    out = tmp_path / "out"
    (first,) = letters.render("interview-thank-you", folder, sets=sets, out_dir=out, today=TODAY)
    first.path.write_bytes(b"my edited letter")
    with pytest.raises(OutputError) as err:
        letters.render("interview-thank-you", folder, sets=sets, out_dir=out, fmt="both")
    assert str(first.path) in str(err.value) and "--force" in str(err.value)
    assert first.path.read_bytes() == b"my edited letter"
    assert not first.path.with_suffix(".pdf").exists()  # nothing written at all
    letters.render("interview-thank-you", folder, sets=sets, out_dir=out, force=True)
    assert "Dear Dr. John Smith," in docx_text(first.path)
    assert sorted(p.name for p in out.iterdir()) == [first.path.name]  # no temp files left


def test_output_folder_that_is_a_file_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        letters.render(
            "lor-request",
            None,
            out_dir=tmp_path / "out",
            sets={
                k: "2026-01-01" if "deadline" in k else "x"
                for k in [*LOR_COLUMNS, "training.specialty", "applicant.full_name"]
            },
        )


def test_csv_problems_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"referee_name\n" + "Müller".encode("latin-1") + b"\n")
    with pytest.raises(BadInputError, match=r"bad\.csv: not UTF-8"):
        letters.render("lor-request", None, data=bad, out_dir=tmp_path / "o")
    dup = write_csv(tmp_path / "dup.csv", ["a", "a"], [["1", "2"]])
    with pytest.raises(BadInputError, match="column 'a' appears twice"):
        letters.render("lor-request", None, data=dup, out_dir=tmp_path / "o")
    empty = write_csv(tmp_path / "empty.csv", ["referee_name"], [])
    with pytest.raises(BadInputError, match="no rows"):
        letters.render("lor-request", None, data=empty, out_dir=tmp_path / "o")


def test_template_source_uses_docxtpl_paragraph_tags_only_on_their_own(tmp_path: Path) -> None:
    # Every {%p ...%} tag of the built-ins sits alone in its paragraph, as docxtpl requires.
    for name in BUILTINS:
        document = docx.Document(str(letters.load_template(name).docx_path))
        for p in document.paragraphs:
            if "{%p" in p.text:
                assert re.fullmatch(r"\{%p [^%]+ %\}", p.text), (name, p.text)


@pytest.mark.parametrize(("specialty", "status"), [(None, "ok"), ("Pediatrics", "invalid")])
def test_rendered_statement_of_need_passes_the_check_content_rule(
    specialty: str | None, status: str, tmp_path: Path
) -> None:
    from img_dossier.checking.pipeline import run_check

    folder = tmp_path / "applicant"
    folder.mkdir()
    profile = {**DOSSIER, "files": {"letters/*.docx": "statement-of-need"}}
    (folder / "dossier.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    template = letters.load_template("statement-of-need")
    sets = example_sets(template)
    if specialty:
        sets["training.specialty"] = specialty
    letters.render("statement-of-need", folder, sets=sets, out_dir=folder / "letters", today=TODAY)
    # The content rule of the deeper checks on the Statement of Need item (a custom checklist,
    # so that this test does not depend on how the built-in checklist wires it).
    custom = tmp_path / "son-check.yaml"
    custom.write_text(
        yaml.safe_dump(
            {
                "schema": 1,
                "id": "son-check",
                "title": "SoN content",
                "version": "1",
                "extends": "us-eras",
                "items": [
                    {
                        "id": "statement-of-need",
                        "rules": [{"type": "required-elements", "source": "test"}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    report = run_check(folder, track=str(custom), as_of=TODAY, jobs=1).report
    (item,) = [i for i in report.items if i.id == "statement-of-need"]
    assert item.status == status, item
    if status == "invalid":
        assert any("exact" in m or "specialty" in m for m in item.messages), item.messages


def test_multi_line_csv_cell_keeps_its_lines(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text(
        'interviewer_name,sender_address\nDr. Q,"Av. Arequipa 1234\nLima 15046"\n', encoding="utf-8"
    )
    template = letters.load_template("interview-thank-you")
    sets = {
        k: v
        for k, v in example_sets(template).items()
        if k not in {"interviewer_name", "sender_address"}
    }
    sets.update({"applicant.full_name": "Lucia Quispe", "training.specialty": "Pediatrics"})
    (w,) = letters.render(
        "interview-thank-you", None, data=data, sets=sets, out_dir=tmp_path / "o", today=TODAY
    )
    lines = [p.text for p in docx.Document(str(w.path)).paragraphs]
    assert lines[:3] == [
        "Lucia Quispe",
        "Av. Arequipa 1234\nLima 15046",
        "lucia.quispe@example.org",
    ]


def test_committed_templates_match_make_templates(tmp_path: Path) -> None:
    # Editing the wording in templates/make_templates.py must come with regenerated .docx files.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_templates", REPO / "templates" / "make_templates.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert sorted(module.BUILDERS) == sorted(BUILTINS)
    for name, build in module.BUILDERS.items():
        build().save(tmp_path / f"{name}.docx")
        fresh = [p.text for p in docx.Document(str(tmp_path / f"{name}.docx")).paragraphs]
        built_in = REPO / "templates" / f"{name}.docx"
        committed = [p.text for p in docx.Document(str(built_in)).paragraphs]
        assert fresh == committed, f"{built_in} is stale: run templates/make_templates.py"
