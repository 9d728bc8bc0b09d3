"""What keeps the tool quick, as a user sees it: a light --help, a warm cache that re-reads
and re-converts nothing, workers started only for documents that need reading.
(Timings themselves are measured by bench/run.py, never asserted here.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from img_dossier.checking.pipeline import run_check
from img_dossier.cli import COMMANDS, SHORT_HELP, cli
from img_dossier.readers.cache import ReadCache

ROOT = Path(__file__).resolve().parents[1]
US = ROOT / "samples" / "us-j1"

#: Libraries that --help and --version must not import.
HEAVY = ("pypdf", "pikepdf", "pypdfium2", "reportlab", "docx", "PIL", "yaml", "jinja2")


def _imported(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "img_dossier", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["check", "--help"]])
def test_help_and_version_import_nothing_heavy(args: list[str]) -> None:
    modules = _imported(*args)
    assert "click" in modules
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []
    assert "img_dossier.checking.pipeline" not in modules


def test_the_command_list_of_help_matches_each_commands_own_help() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        first = (command.short_help or command.help or "").split("\n\n")[0]
        assert SHORT_HELP.get(name, " ".join(first.split())) == " ".join(first.split()), name
    listed = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMANDS:
        assert f"  {name} " in listed


def test_a_warm_check_reads_nothing_again(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path / "cache")
    cold = run_check(US, cache=cache)
    assert cache.writes > 0
    warm_cache = ReadCache(tmp_path / "cache")
    warm = run_check(US, cache=warm_cache)
    assert warm_cache.misses == 0 and warm_cache.writes == 0
    assert warm_cache.hits >= len(warm.report.documents)
    assert warm.report.to_json() == cold.report.to_json()


def test_a_warm_check_starts_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ReadCache(tmp_path / "cache")
    run_check(US, cache=cache)
    from img_dossier.readers import pool

    def no_workers(*args: object, **kwargs: object) -> list[object]:
        raise AssertionError("a worker was asked to read with a warm cache")

    monkeypatch.setattr(pool, "read_in_workers", no_workers)
    run_check(US, cache=ReadCache(tmp_path / "cache"))


def test_check_uses_the_cache_unless_told_not_to(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"IMG_DOSSIER_CACHE_DIR": str(tmp_path / "cache")}
    first = runner.invoke(cli, ["check", str(US), "--json"], env=env)
    info = json.loads(runner.invoke(cli, ["cache", "info", "--json"], env=env).output)
    assert info["entries"] > 0
    second = runner.invoke(cli, ["check", str(US), "--json"], env=env)
    assert (first.exit_code, first.output) == (second.exit_code, second.output)
    other = {"IMG_DOSSIER_CACHE_DIR": str(tmp_path / "unused")}
    runner.invoke(cli, ["check", str(US), "--json", "--no-cache"], env=other)
    assert not (tmp_path / "unused").exists()


def test_a_warm_build_converts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from img_dossier.output import convert
    from img_dossier.output.assemble import assemble

    cache = ReadCache(tmp_path / "cache")
    run = run_check(US, cache=cache)
    cold = assemble(run, tmp_path / "cold.pdf", cache=cache)
    assert cold.conversions  # the sample has a DOCX, a photo and a text file

    def no_conversion(*args: object, **kwargs: object) -> object:
        raise AssertionError("converted again with a warm cache")

    monkeypatch.setattr(convert, "to_pdf", no_conversion)
    warm = assemble(run, tmp_path / "warm.pdf", cache=ReadCache(tmp_path / "cache"))
    assert warm.conversions == cold.conversions
    assert (warm.pages, warm.sections) == (cold.pages, cold.sections)
