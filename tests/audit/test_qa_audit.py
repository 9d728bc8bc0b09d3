"""audit --calendar: a client that cannot be checked is said once, by its own message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from img_dossier.cli import cli


def test_calendar_names_a_broken_client_once(tmp_path: Path) -> None:
    client = tmp_path / "clients" / "bad"
    client.mkdir(parents=True)
    (client / "dossier.yaml").write_text("schema: 1\ntrack: us\nfrobnicate: 1\n", "utf-8")
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "clients"), "--calendar"])
    assert result.exit_code == 1, result.output
    line = next(ln for ln in result.stderr.splitlines() if "frobnicate" in ln)
    assert line.count(str(client)) == 1, line
    assert "dossier.yaml: frobnicate: unknown key" in line


def test_a_macos_zip_leftover_folder_is_not_a_client(tmp_path: Path) -> None:
    clients = tmp_path / "clients"
    (clients / "__MACOSX" / "a").mkdir(parents=True)
    (clients / "__MACOSX" / "a" / "._passport.pdf").write_bytes(b"\0\5\26\7")
    client = clients / "a"
    client.mkdir()
    (client / "dossier.yaml").write_text("schema: 1\ntrack: us\n", "utf-8")
    result = CliRunner().invoke(cli, ["audit", str(clients), "--format", "jsonl"])
    assert result.exit_code == 1, result.output
    folders = [json.loads(line)["folder"] for line in result.stdout.splitlines()]
    assert folders == [str(client)]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv
    import io

    client = tmp_path / "=HYPERLINK(1)"
    client.mkdir()
    (client / "dossier.yaml").write_text(
        'schema: 1\ntrack: us\napplicant:\n  given_names: "@SUM(A1)"\n  family_name: "+1"\n',
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["audit", client.name, "--format", "csv"])
    assert result.exit_code == 1, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["folder"] == "'=HYPERLINK(1)"
    assert row["applicant"] == "'@SUM(A1) +1"
