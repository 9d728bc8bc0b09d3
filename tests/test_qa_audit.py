"""audit --calendar: a client that cannot be checked is said once, by its own message."""

from __future__ import annotations

from pathlib import Path

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
