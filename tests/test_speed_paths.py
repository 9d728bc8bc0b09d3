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
from img_dossier.errors import ExitCode
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


def test_a_warm_build_starts_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDFs' check-and-repair verdicts are cached like the conversions: a second build of
    the same folder hands no document to a worker (reading or preparing)."""
    from img_dossier.output import prepare
    from img_dossier.output.assemble import assemble
    from img_dossier.readers import pool

    cache = ReadCache(tmp_path / "cache")
    cold = assemble(run_check(US, cache=cache), tmp_path / "cold.pdf", cache=cache)

    def no_workers(*args: object, **kwargs: object) -> list[object]:
        raise AssertionError("a worker was started with a warm cache")

    monkeypatch.setattr(pool, "read_in_workers", no_workers)
    monkeypatch.setattr(pool, "run_jobs", no_workers)
    monkeypatch.setattr(prepare, "prepare_one", no_workers)
    warm_cache = ReadCache(tmp_path / "cache")
    warm = assemble(run_check(US, cache=warm_cache), tmp_path / "warm.pdf", cache=warm_cache)
    assert (warm.pages, warm.sections, warm.left_out) == (cold.pages, cold.sections, cold.left_out)


def test_a_clean_pdf_is_merged_from_its_source_and_a_broken_one_from_its_repair(
    tmp_path: Path,
) -> None:
    """A PDF qpdf opens and copies without a warning is not written again; one that needs a
    repair is (and the merge takes the repaired copy)."""
    import pikepdf

    from img_dossier.output.prepare import check_pdf

    clean = US / "passport.pdf"
    pages, repairs, is_clean = check_pdf(clean, tmp_path / "clean.pdf", (612.0, 792.0))
    assert (pages, repairs, is_clean) == (1, (), True)
    assert not (tmp_path / "clean.pdf").exists()

    broken = tmp_path / "broken.pdf"
    with pikepdf.open(clean) as pdf:
        pdf.pages[0].obj.MediaBox = pikepdf.Array([0, 0, 612])  # three numbers
        pdf.save(broken)
    pages, repairs, is_clean = check_pdf(broken, tmp_path / "fixed.pdf", (612.0, 792.0))
    assert pages == 1 and not is_clean  # qpdf warned (it mends the box itself), or we did
    with pikepdf.open(tmp_path / "fixed.pdf") as fixed:
        assert len([float(v) for v in fixed.pages[0].obj.MediaBox]) == 4


def test_a_source_changed_after_it_was_checked_is_left_out(tmp_path: Path) -> None:
    import shutil

    from img_dossier.output.assemble import assemble

    folder = tmp_path / "client"
    shutil.copytree(US, folder)
    run = run_check(folder)
    with (folder / "passport.pdf").open("ab") as fh:  # saved again between check and merge
        fh.write(b"\n% edited\n")
    result = assemble(run, tmp_path / "out.pdf")
    reasons = dict(result.left_out)
    assert "changed while the dossier was being built" in reasons["passport.pdf"]
    assert "passport.pdf" not in {rel for s in result.sections for rel in s.documents}


def test_build_verbose_says_where_the_time_went(tmp_path: Path) -> None:
    env = {"IMG_DOSSIER_CACHE_DIR": str(tmp_path / "cache")}
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(cli, ["build", str(US), "-o", str(out), "-q"], env=env)
    assert "timing:" not in result.stderr
    env["IMG_DOSSIER_TIMINGS"] = "1"
    result = CliRunner().invoke(cli, ["build", str(US), "-o", str(out), "-q"], env=env)
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    stages = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("timing:")]
    assert stages[0] == "start-up" and stages[-1] == "whole"
    assert {"check", "prepare", "merge", "write"} <= set(stages)


@pytest.mark.slow
def test_a_build_process_ends_without_freeing_yet_says_and_writes_everything(
    tmp_path: Path,
) -> None:
    """The console process drops the dossier's PDFs with itself (cli.quick_exit): its exit
    code, its output and the file written are what they were, cold and warm."""
    import os

    import pikepdf
    import pypdfium2

    env = dict(os.environ, IMG_DOSSIER_CACHE_DIR=str(tmp_path / "cache"))
    out = tmp_path / "out.pdf"
    for _ in ("cold", "warm"):
        proc = subprocess.run(
            [sys.executable, "-m", "img_dossier", "build", str(US), "-o", str(out), "-q"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == ExitCode.OK, proc.stderr
        assert proc.stdout.strip().endswith("KB") and "pages" in proc.stdout
        with pikepdf.open(out) as pdf:
            pages = len(pdf.pages)
            assert not pdf.get_warnings()
        assert len(pypdfium2.PdfDocument(out)) == pages
