"""Typed configuration: YAML 1.2, duplicate keys, portal rules validated at load, JSON Schemas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from pydantic import BaseModel, ValidationError

from img_dossier.cli import cli
from img_dossier.config.checklist import builtin_dir, builtin_ids, load
from img_dossier.config.models import ChecklistFile, DossierFile, TemplateFile
from img_dossier.config.profile import load_profile
from img_dossier.config.resources import data_dir
from img_dossier.config.yamlfile import read_yaml
from img_dossier.errors import BadInputError, ExitCode
from img_dossier.letters.render import load_template
from img_dossier.programs.load import load_programs
from img_dossier.programs.model import ProgramList
from img_dossier.schema import SCHEMAS, json_schema

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- YAML 1.2 ---------------------------------------------------------------------------------


def test_norway_stays_norway(tmp_path: Path) -> None:
    """YAML 1.1 (PyYAML) reads NO as false; 1.2 reads it as the text NO."""
    (tmp_path / "dossier.yaml").write_text(
        "applicant:\n  citizenship: [NO]\nmedical_school:\n  country: NO\n", encoding="utf-8"
    )
    profile = load_profile(tmp_path)
    assert profile.applicant.citizenship == ("NO",)
    assert profile.medical_school.country == "NO"


def test_a_duplicate_key_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text(
        "track: us\napplicant:\n  family_name: Quispe\n  family_name: Mamani\n", encoding="utf-8"
    )
    code, _, err = _run("check", str(tmp_path))
    assert code == ExitCode.BAD_INPUT
    assert "dossier.yaml: line 4: duplicate key family_name (first at line 3)" in err


def test_an_impossible_date_is_named_by_its_field(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("training:\n  start: 2030-02-30\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"training\.start: not a date"):
        load_profile(tmp_path)


def test_yaml_reads_octal_looking_numbers_as_decimal(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 010\nb: yes\nc: off\n", encoding="utf-8")
    assert read_yaml(path) == {"a": 10, "b": "yes", "c": "off"}


# -- portal rules, validated once at load ------------------------------------------------------


def _custom(tmp_path: Path, portal_lines: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "schema: 1\nextends: us-eras\nportals:\n  eras-lorp:\n" + portal_lines,
        encoding="utf-8",
    )
    return path


def test_max_bytes_in_words_fails_validate_naming_file_line_and_field(tmp_path: Path) -> None:
    path = _custom(tmp_path, '    max_bytes: "5 MB"\n')
    code, _, err = _run("checklists", "validate", str(path))
    assert code == ExitCode.BAD_INPUT
    assert f"{path}: portals.eras-lorp.max_bytes: must be a whole number" in err
    assert '(got "5 MB") (line 5)' in err


def test_the_same_checklist_stops_check_too(tmp_path: Path) -> None:
    """Not a limit that check skips without a word while pack refuses it."""
    path = _custom(tmp_path, '    max_bytes: "5 MB"\n')
    folder = tmp_path / "docs"
    folder.mkdir()
    code, _, err = _run("check", str(folder), "--track", str(path))
    assert code == ExitCode.BAD_INPUT
    assert "portals.eras-lorp.max_bytes" in err


def test_an_unknown_portal_key_is_named(tmp_path: Path) -> None:
    path = _custom(tmp_path, "    max_byte: 5000000\n")
    code, _, err = _run("checklists", "validate", str(path))
    assert code == ExitCode.BAD_INPUT
    assert "portals.eras-lorp.max_byte: unknown key" in err
    assert "(line 5)" in err


def test_a_valid_portal_change_loads(tmp_path: Path) -> None:
    path = _custom(tmp_path, "    max_bytes: 4000000\n")
    checklist = load(str(path))
    assert checklist.portals["eras-lorp"]["max_bytes"] == 4_000_000


# -- schemas --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schemas_are_the_generated_ones(name: str) -> None:
    """schemas/NAME.schema.json is what `dossier schema NAME` prints (regenerate it with
    `dossier schema NAME > schemas/NAME.schema.json` after changing a model)."""
    code, out, _ = _run("schema", name)
    assert code == ExitCode.OK
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    committed = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text("utf-8"))
    assert committed == schema, f"schemas/{name}.schema.json is stale: regenerate it"


@pytest.mark.parametrize("checklist_id", builtin_ids())
def test_every_builtin_checklist_fits_the_checklist_schema(checklist_id: str) -> None:
    data = read_yaml(builtin_dir() / f"{checklist_id}.yaml")
    ChecklistFile.model_validate(data)
    jsonschema.validate(_jsonable(data), json_schema("checklist"))


@pytest.mark.parametrize("path", sorted(SAMPLES.rglob("dossier.yaml")), ids=lambda p: p.parent.name)
def test_every_sample_dossier_fits_the_dossier_schema(path: Path) -> None:
    data = read_yaml(path)
    DossierFile.model_validate(data)
    jsonschema.validate(_jsonable(data), json_schema("dossier"))


def test_the_schema_catches_a_wrong_dossier() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"training": {"visa": "F-1"}}, json_schema("dossier"))


def test_a_report_with_a_wrong_status_fails_the_report_schema(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "us-j1", tmp_path / "us-j1")
    _, out, _ = _run("check", str(tmp_path / "us-j1"), "--json")
    report = json.loads(out)
    jsonschema.validate(report, json_schema("report"))
    report["items"][0]["status"] = "fine"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, json_schema("report"))


def _jsonable(value: object) -> object:
    """YAML dates as the ISO text JSON would carry."""
    return json.loads(json.dumps(value, default=str))


# -- dossier samples copy ------------------------------------------------------------------


def test_samples_copy_puts_the_tour_folders_where_the_user_says(tmp_path: Path) -> None:
    dest = tmp_path / "tour"
    code, out, _ = _run("samples", "copy", str(dest))
    assert code == ExitCode.OK
    assert (dest / "us-j1" / "dossier.yaml").is_file()
    assert (dest / "canada" / "dossier.yaml").is_file()
    assert not list(dest.rglob("*.py")), "the generator scripts stay behind"
    assert str(dest / "us-j1") in out
    code, _, err = _run("samples", "copy", str(dest))
    assert code == ExitCode.OUTPUT
    assert "already exists" in err


# -- one schema language: the loaders ARE the models, and the schemas come from them -----------

MODELS: dict[str, type[BaseModel]] = {
    "checklist": ChecklistFile,
    "dossier": DossierFile,
    "letter-template": TemplateFile,
    "programs": ProgramList,
}


def _shipped() -> list[tuple[str, Path]]:
    files = [("checklist", builtin_dir() / f"{i}.yaml") for i in builtin_ids()]
    files += [("dossier", p) for p in sorted(SAMPLES.rglob("dossier.yaml"))]
    files += [("letter-template", p) for p in sorted(data_dir("templates").glob("*.yaml"))]
    files += [("programs", SAMPLES / "programs.yaml")]
    return files


def _load_with_the_tool(name: str, path: Path) -> None:
    if name == "checklist":
        load(str(path))
    elif name == "dossier":
        load_profile(path.parent)
    elif name == "letter-template":
        load_template(path.stem)
    else:
        load_programs(path)


@pytest.mark.parametrize(
    ("name", "path"), _shipped(), ids=lambda v: v if isinstance(v, str) else v.parent.name
)
def test_every_shipped_file_fits_its_model_its_schema_and_its_loader(name: str, path: Path) -> None:
    data = read_yaml(path)
    MODELS[name].model_validate(data)
    jsonschema.validate(_jsonable(data), json_schema(name))
    _load_with_the_tool(name, path)


_PORTAL = "schema: 1\nextends: us-eras\nportals:\n  eras-lorp:\n    max_bytes: {}\n"
_ITEM = "schema: 1\nextends: us-eras\nitems:\n  - id: cv\n    {}\n"
_RULE = _ITEM.format("rules:\n      - {{type: {}, source: 'https://www.ecfmg.org/'{}}}")
#: (schema, file name, text, the field the tool's message names): each wrong in its own way
KNOWN_BAD = [
    ("checklist", "c.yaml", _PORTAL.format('"5 MB"'), "portals.eras-lorp.max_bytes"),
    ("checklist", "c.yaml", _RULE.format("max-age", ", yeras: 2"), "rules[1] (max-age).yeras"),
    ("checklist", "c.yaml", _RULE.format("max-age", ""), "rules[1] (max-age): needs years or"),
    ("checklist", "c.yaml", _RULE.format("outcome", ", expect: passed"), "(outcome).expect"),
    ("checklist", "c.yaml", _RULE.format("shoe-size", ""), "(shoe-size): unknown rule type"),
    ("checklist", "c.yaml", _RULE.format("min-scores", ", scores: {}"), "(min-scores).scores"),
    ("checklist", "c.yaml", _ITEM.format("when: {visa: [F-1]}"), "items.cv.when.visa"),
    ("checklist", "c.yaml", _ITEM.format("min: two"), "items.cv.min"),
    ("checklist", "c.yaml", _ITEM.format("confirmed: false"), "items.cv: an item with confirmed"),
    (
        "checklist",
        "c.yaml",
        "id: x\ntitle: X\nversion: '1'\ntrack: us\nitems:\n  - id: a\n",
        "title",
    ),
    ("dossier", "dossier.yaml", "training:\n  visa: F-1\n", "training.visa"),
    ("dossier", "dossier.yaml", "medical_school:\n  graduation_year: '2020'\n", "graduation_year"),
    ("dossier", "dossier.yaml", "residence:\n  province: XX\n", "residence.province"),
    ("dossier", "dossier.yaml", "dates:\n  Passport: 2030-01-01\n", "dates"),
    ("dossier", "dossier.yaml", "us_clinical_experience:\n  - {kind: elective}\n", "[0].start"),
    ("letter-template", "t.yaml", "description: x\nfields: []\nfilename_field: a\n", "fields"),
    (
        "letter-template",
        "t.yaml",
        "description: x\nfilename_field: a\nfields:\n  - {name: a, description: A}\n",
        "fields[0] (a): example",
    ),
    (
        "letter-template",
        "t.yaml",
        "description: x\nfilename_field: a\nfields:\n"
        "  - {name: a, description: A, example: x, type: datetime}\n",
        "fields[0] (a): type",
    ),
]


@pytest.mark.parametrize(("name", "file", "text", "field"), KNOWN_BAD)
def test_a_known_bad_file_fails_its_model_its_schema_and_its_loader(
    tmp_path: Path, name: str, file: str, text: str, field: str
) -> None:
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    data = read_yaml(path)
    with pytest.raises(ValidationError):
        MODELS[name].model_validate(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_jsonable(data), json_schema(name))
    with pytest.raises(BadInputError) as caught:
        if name == "letter-template":
            (tmp_path / "t.docx").write_bytes(b"")
            load_template("t", tmp_path)
        else:
            _load_with_the_tool(name, path)
    assert field in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")


def test_each_rule_type_has_one_model_and_one_function() -> None:
    from img_dossier.checking.rules import RULE_TYPES
    from img_dossier.config.rule_models import RULE_MODELS
    from img_dossier.config.rule_models import RULE_TYPES as RULE_MODEL_TYPES

    assert set(RULE_TYPES) == set(RULE_MODEL_TYPES)
    assert len(RULE_MODELS) == len(RULE_MODEL_TYPES)
    shipped = {
        rule["type"]
        for i in builtin_ids()
        for item in read_yaml(builtin_dir() / f"{i}.yaml").get("items") or []
        for rule in item.get("rules") or []
    }
    assert shipped <= set(RULE_TYPES)


def test_a_message_names_the_line_of_the_field(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(_RULE.format("max-age", ", yeras: 2"), encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load(str(path))
    assert "(line 6)" in str(caught.value)
    assert "expected one of: confirmed, days, declared, fact, note, when, why, years" in str(
        caught.value
    )


def test_each_mistake_is_said_once_naming_field_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "extends: us\nitems:\n  - id: passport\n    min: -1\n"
        "    when: {visa: [F-1], specialty: {not: Surgery}}\n"
        "    rules:\n      - {type: valid-until, source: 'https://x.org', months: six}\n"
        "portals:\n  eras-lorp: {max_bytes: 1 MB, formats: pdf}\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInputError) as caught:
        load(str(path))
    lines = str(caught.value).splitlines()
    assert lines == [
        f'{path}: portals.eras-lorp.formats: must be a list (got "pdf") (line 9)',
        f'{path}: portals.eras-lorp.max_bytes: must be a whole number (got "1 MB") (line 9)',
        f"{path}: items.passport.when.visa: unknown value 'F-1'; expected one of: J-1, H-1B, "
        "none (line 5)",
        f"{path}: items.passport.min: must be greater than or equal to 0 (got -1) (line 4)",
        f'{path}: items.passport.rules[1] (valid-until).months: must be a whole number (got "six")'
        " (line 7)",
    ]


def test_a_dossier_section_names_the_keys_it_takes(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("training:\n  provnce: ON\n", encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load_profile(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'dossier.yaml'}: training.provnce: unknown key; expected one of: "
        "accepts_return_of_service, ds2019_end, end, province, specialty, start, visa (line 2)"
    )
