"""Every error of a file in one go: a field the model refuses and a check across fields or
files (an id given twice, a portal or item that does not exist, a status the track does not
know) are said together, each as ``FILE: field: what was found, the fix (line N)``, exit 3,
no traceback, in checklists, dossier.yaml, letter templates and program lists alike."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from img_dossier.cli import cli
from img_dossier.config.checklist import load
from img_dossier.config.profile import load_profile
from img_dossier.errors import BadInputError, ExitCode
from img_dossier.letters.render import load_template
from img_dossier.programs.load import load_programs


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _lines(err: pytest.ExceptionInfo[BadInputError]) -> list[str]:
    return str(err.value).splitlines()


def _said_once(lines: list[str], *parts: str) -> str:
    """The one message holding every part (and failing when none or several do)."""
    found = [line for line in lines if all(p in line for p in parts)]
    assert len(found) == 1, (parts, lines)
    return found[0]


_CHECKLIST = """\
schema: 1
id: c
title: C
version: "1"
track: us
items:
  - id: a
    title: A
    source: https://example.org/a
    min: two
  - id: b
    title: B
    source: https://example.org/b
    portal: nowhere
    rules:
      - {type: portal-file, source: https://example.org/b}
  - id: a
    title: A again
    source: https://example.org/a
"""


def test_a_checklist_with_a_type_error_and_cross_check_errors_says_all_with_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(_CHECKLIST, encoding="utf-8")
    with pytest.raises(BadInputError) as err:
        load(str(path))
    lines = _lines(err)
    assert _said_once(lines, "items.a.min: must be a whole number").endswith("(line 10)")
    assert _said_once(lines, "items.a: the same id appears twice").endswith("(line 17)")
    assert _said_once(lines, "items.b.portal: unknown portal 'nowhere'").endswith("(line 14)")
    assert _said_once(lines, "items.b.rules[1] (portal-file): needs a portal").endswith("(line 16)")
    assert len(lines) == 4 and all(line.startswith(f"{path}: ") for line in lines)

    result = _run("checklists", "validate", str(path))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "Traceback" not in result.output + result.stderr
    assert "items.a.min" in result.stderr and "unknown portal 'nowhere'" in result.stderr


def test_a_custom_checklist_says_its_merge_errors_with_the_models_and_their_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "schema: 1\nextends: us-eras\ndrop: [no-such-item]\nitems:\n"
        "  - id: cv\n    min: two\n  - id: cv\n    portal: nowhere\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInputError) as err:
        load(str(path))
    lines = _lines(err)
    assert _said_once(lines, "items.cv.min: must be a whole number").endswith("(line 6)")
    assert _said_once(lines, "drop: unknown item, step or notice id 'no-such-item'").endswith(
        "(line 3)"
    )
    assert _said_once(lines, "items.cv: the same id appears twice").endswith("(line 7)")
    assert _said_once(lines, "items.cv.portal: unknown portal").endswith("(line 8)")


def test_a_dossier_yaml_with_a_type_error_says_the_tracks_status_and_unknown_items_too(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(
        "track: canada\napplicant:\n  status: none\ntraining:\n  visa: F-1\n"
        "files:\n  x.pdf: pasport\nexams:\n  step-9: {attempts: 1}\n",
        encoding="utf-8",
    )
    checklist = load("canada")
    with pytest.raises(BadInputError) as err:
        load_profile(folder, item_ids=lambda: checklist.item_ids)
    lines = _lines(err)
    assert _said_once(lines, "training.visa: must be one of J-1, H-1B, none").endswith("(line 5)")
    status = _said_once(lines, "applicant.status: must be one of citizen, permanent-resident")
    assert "in Canada" in status and status.endswith("(line 3)")
    assert _said_once(lines, 'files.x.pdf: unknown item id "pasport"').endswith("(line 7)")
    assert _said_once(lines, "exams.step-9: unknown exam").endswith("(line 9)")

    result = _run("check", str(folder))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "Traceback" not in result.output + result.stderr
    assert "training.visa" in result.stderr and "applicant.status" in result.stderr


def _template(folder: Path, fields_yaml: str) -> None:
    """A letter template ``t``: a one-field Word file and its NAME.yaml."""
    document = docx.Document()
    document.add_paragraph("{{ name }}")
    document.save(str(folder / "t.docx"))
    (folder / "t.yaml").write_text(fields_yaml, encoding="utf-8")


def test_a_letter_template_says_its_names_checks_with_its_field_errors(tmp_path: Path) -> None:
    _template(
        tmp_path,
        "description: d\nfilename_field: nope\nfields:\n"
        "  - {name: name, description: the name, example: x}\n"
        "  - {name: name, description: again, example: x}\n"
        "  - {name: other, description: o, required: maybe, example: x}\n",
    )
    with pytest.raises(BadInputError) as err:
        load_template("t", tmp_path)
    lines = _lines(err)
    assert _said_once(lines, "fields[2] (other): required: must be").endswith("(line 6)")
    assert _said_once(lines, "fields: name is declared twice").endswith("(line 5)")
    named = _said_once(lines, "filename_field: must name the field")
    assert "one of: name, other (got 'nope')" in named and named.endswith("(line 2)")
    assert len(lines) == 3


def test_a_template_whose_only_error_is_across_fields_says_each_once(tmp_path: Path) -> None:
    _template(
        tmp_path,
        "description: d\nfilename_field: name\nfields:\n"
        "  - {name: name, description: the name, example: x}\n"
        "  - {name: name, description: again, example: x}\n",
    )
    with pytest.raises(BadInputError) as err:
        load_template("t", tmp_path)
    assert _lines(err) == [f"{tmp_path / 't.yaml'}: fields: name is declared twice (line 5)"]


_PROGRAMS = """\
programs:
  - id: P-1
    system: eras
    specialty: IM
    criteria:
      visas: {value: [F-1], source: https://example.org/x, checked: 2026-09-01}
  - id: P-1
    system: eras
    specialty: IM
"""

#: The shape every configuration file's error has: FILE: field: what (line N).
_SHAPE = re.compile(r"^(?P<file>[^:]+): (?P<field>.+?): (?P<what>.+) \(line (?P<line>\d+)\)$")


def test_a_program_list_says_its_errors_like_every_other_file(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(_PROGRAMS, encoding="utf-8")
    with pytest.raises(BadInputError) as err:
        load_programs(path)
    lines = _lines(err)
    value = _said_once(lines, "programs[0] (P-1): criteria.visas.value: not a valid value")
    twice = _said_once(lines, "programs[1] (P-1): id: the same id as programs[0] (P-1)")
    assert [_SHAPE.match(line) is not None for line in lines] == [True, True]
    shape = _SHAPE.match(value)
    assert shape is not None and shape["file"] == str(path) and shape["line"] == "6"
    assert twice.endswith("(line 7)")
    # the same shape as a checklist's message
    checklist = tmp_path / "c.yaml"
    checklist.write_text(_CHECKLIST, encoding="utf-8")
    with pytest.raises(BadInputError) as other:
        load(str(checklist))
    assert all(_SHAPE.match(line) for line in _lines(other))

    result = _run("programs", "check", str(path))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "Traceback" not in result.output + result.stderr


def test_a_csv_program_list_names_rows_and_columns_and_says_ids_twice_too(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "id,system,specialty,visas,visas_checked\nP-1,eras,IM,J-1,2026-09-01\nP-1,eras,IM,,\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInputError) as err:
        load_programs(path)
    assert _lines(err) == [
        f"{path}: row 2 (P-1): column visas_source: missing: every value needs its source, "
        'a URL (https://...) or "program e-mail"',
        f"{path}: row 3 (P-1): id: the same id as row 2 (P-1); each program once",
    ]
    path.write_text("id,system,colour\n", encoding="utf-8")
    with pytest.raises(BadInputError) as bad:
        load_programs(path)
    assert _said_once(_lines(bad), f"{path}: column colour: unknown column")
    assert _said_once(_lines(bad), f"{path}: column specialty: missing; every program needs one")
