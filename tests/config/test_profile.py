"""dossier.yaml mistakes as a user makes them: exit 3 naming the file and the field, never a bug."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.errors import ExitCode


def _check(folder: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(folder), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("dotted", "value"),
    [("dates.passport_expiry", "2030-02-30"), ("training.start", "2027-13-01")],
)
def test_impossible_date_is_bad_input_naming_the_field(
    tmp_path: Path, dotted: str, value: str
) -> None:
    section, key = dotted.split(".")
    text = f"schema: 1\ntrack: us\n{section}:\n  {key}: {value}\n"
    (tmp_path / "dossier.yaml").write_text(text, encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == ExitCode.BAD_INPUT, out
    assert f"dossier.yaml: {dotted}: not a date" in out
    assert value in out
    assert "internal error" not in out


def test_misspelt_track_key_is_named_not_hidden_by_no_track(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("schema: 1\ntrak: us\n", encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == ExitCode.BAD_INPUT, out
    assert "trak: unknown key" in out


def test_wrong_schema_is_named_before_the_missing_track(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("schema: 2\n", encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == ExitCode.BAD_INPUT, out
    assert "schema" in out and "got 2" in out


def test_no_track_anywhere_still_says_how_to_give_one(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("schema: 1\n", encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == ExitCode.BAD_INPUT, out
    assert "--track" in out


def test_unknown_track_in_dossier_yaml_names_the_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("schema: 1\ntrack: mars\n", encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == ExitCode.BAD_INPUT, out
    assert "dossier.yaml: track: unknown checklist or track 'mars'" in out


def test_custom_checklist_extending_an_unknown_base_names_the_file(tmp_path: Path) -> None:
    custom = tmp_path / "mine.yaml"
    custom.write_text("id: mine\nextends: us-erass\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["checklists", "validate", str(custom)])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "mine.yaml: extends: unknown checklist or track 'us-erass'" in result.output


def test_a_yaml_alias_bomb_in_dossier_yaml_is_a_short_message(tmp_path: Path) -> None:
    lines = ["schema: 1", "track: us", 'x: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for n in range(1, 8):
        lines.append(f"x{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    lines += ["applicant:", "  other_names: [*a7, *a7]"]
    (tmp_path / "dossier.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == ExitCode.BAD_INPUT
    (line,) = [ln for ln in out.splitlines() if "applicant.other_names" in ln]
    assert len(line) < 300


def test_a_pasted_paragraph_is_shown_shortened(tmp_path: Path) -> None:
    text = "schema: 1\ntrack: us\ntraining:\n  start: " + "next july " * 50 + "\n"
    (tmp_path / "dossier.yaml").write_text(text, encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == ExitCode.BAD_INPUT
    assert 'training.start: not a date (got "next july next july' in out
    assert len(out) < 400


def test_a_tab_indented_dossier_yaml_says_to_indent_with_spaces(tmp_path: Path) -> None:
    text = "schema: 1\ntrack: us\napplicant:\n\tgiven_names: Ana\n"
    (tmp_path / "dossier.yaml").write_text(text, encoding="utf-8")
    code, out = _check(tmp_path)
    assert code == ExitCode.BAD_INPUT, out
    assert "dossier.yaml: not valid YAML at line 4" in out
    assert "indent with spaces, never tabs" in out
