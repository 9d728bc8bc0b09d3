"""Typed configuration: YAML 1.2, duplicate keys, portal rules validated at load, JSON Schemas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.config.checklist import builtin_dir, builtin_ids, load
from img_dossier.config.models import ChecklistFile, DossierFile
from img_dossier.config.profile import load_profile
from img_dossier.config.yamlfile import read_yaml
from img_dossier.errors import BadInputError, ExitCode
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
    assert f"{path}: line 5: portals.eras-lorp.max_bytes:" in err
    assert "5 MB" in err


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
    assert "line 5: portals.eras-lorp.max_byte: unknown key" in err


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


def test_the_dossier_model_knows_the_keys_the_loader_knows() -> None:
    """A key added to config/profile.py's loader goes into config/models.py too (and
    `dossier schema dossier > schemas/dossier.schema.json`)."""
    from img_dossier.config import models, profile

    def fields(model: type) -> set[str]:
        return {f.alias or name for name, f in model.model_fields.items()}  # type: ignore[attr-defined]

    assert fields(models.DossierFile) == profile._TOP_KEYS
    assert fields(models.Applicant) == profile._APPLICANT_KEYS
    assert fields(models.MedicalSchool) == profile._SCHOOL_KEYS
    assert fields(models.Training) == profile._TRAINING_KEYS


def test_the_checklist_model_knows_the_keys_the_loader_knows() -> None:
    from img_dossier.config import checklist, models

    def fields(model: type) -> set[str]:
        return {f.alias or name for name, f in model.model_fields.items()}  # type: ignore[attr-defined]

    assert fields(models.ChecklistFile) == checklist._TOP_KEYS
    assert fields(models.Item) == checklist._ITEM_KEYS
