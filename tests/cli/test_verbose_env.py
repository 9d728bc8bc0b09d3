"""``dossier -v`` lets native libraries write to stderr (IMG_DOSSIER_NATIVE_STDERR=1) for
its own command only: the reader workers have it during the run, and when the command ends,
however it ends, the variable is as it was, so a program (or a test) running commands in
its own process gets no decoder noise in later ones."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.readers import pool
from img_dossier.readers.quiet import SHOW_ENV

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.mark.parametrize("before", [None, "0"])
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["-v", "schema", "report"], ExitCode.OK),  # the group's -v, a command that succeeds
        (["-v", "schema", "--help"], ExitCode.OK),  # ended by click (its Exit)
        (["check", "{missing}", "-v"], ExitCode.BAD_INPUT),  # the command's -v, a user error
        (["-v", "check", "{missing}", "-v", "--jobs", "x"], ExitCode.USAGE),  # both; usage error
    ],
)
def test_verbose_leaves_the_environment_as_it_found_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: str | None,
    args: list[str],
    code: ExitCode,
) -> None:
    if before is not None:
        monkeypatch.setenv(SHOW_ENV, before)
    seen: list[str | None] = []

    def schema(name: str) -> dict[str, str]:
        seen.append(os.environ.get(SHOW_ENV))
        return {}

    monkeypatch.setattr("img_dossier.schema.json_schema", schema)
    runner = CliRunner()
    result = runner.invoke(cli, [a.format(missing=tmp_path / "missing") for a in args])
    assert result.exit_code == code, result.output
    assert os.environ.get(SHOW_ENV) == before
    assert seen == (["1"] if args[-1] == "report" else [])  # during the command: set


def test_a_bug_with_verbose_leaves_the_environment_as_it_found_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(name: str) -> dict[str, str]:
        assert os.environ.get(SHOW_ENV) == "1"
        raise RuntimeError("a bug")

    monkeypatch.setattr("img_dossier.schema.json_schema", broken)
    result = CliRunner().invoke(cli, ["-v", "schema", "report"])
    assert result.exit_code == ExitCode.INTERNAL and "RuntimeError: a bug" in result.output
    assert SHOW_ENV not in os.environ


@pytest.mark.fork_only
def test_workers_see_verbose_in_its_command_and_not_in_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pool: None
) -> None:
    """Two commands in one process, the first with -v: each one's workers read with the
    setting of that command (the pool's workers are started again when it changes)."""
    folder = tmp_path / "client"
    shutil.copytree(SAMPLES / "us-j1", folder)
    seen = tmp_path / "seen.txt"
    real = pool.read_here

    def recording(task: pool.Task, limits: object) -> pool.Outcome:
        with open(seen, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {os.environ.get(SHOW_ENV, '-')}\n")
        return real(task, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(pool, "read_here", recording)
    runner = CliRunner()
    check = ["check", str(folder), "--no-cache", "--no-ocr", "--json", "--jobs", "2"]

    verbose = runner.invoke(cli, ["-v", *check])
    assert verbose.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), verbose.output
    assert SHOW_ENV not in os.environ
    during = seen.read_text(encoding="utf-8").split()
    seen.unlink()
    quiet = runner.invoke(cli, check)
    assert quiet.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), quiet.output
    after = seen.read_text(encoding="utf-8").split()

    assert during[1::2] and set(during[1::2]) == {"1"}
    assert after[1::2] and set(after[1::2]) == {"-"}
    assert os.getpid() not in {int(pid) for pid in during[::2] + after[::2]}  # in workers
