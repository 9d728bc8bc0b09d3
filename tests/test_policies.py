"""One policy per concern: how outputs are written, how sizes are shown."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from img_dossier.atomic import PRIVATE_MODE, write_bytes, write_text
from img_dossier.errors import ExitCode
from img_dossier.sizes import format_size

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


@posix_only
def test_an_output_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "dossier.yaml", "schema: 1\n")
        write_bytes(tmp_path / "d.pdf", b"%PDF-1.7\n")
    finally:
        os.umask(old)
    for name in ("dossier.yaml", "d.pdf"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == PRIVATE_MODE == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "letter.docx"
    target.write_bytes(b"old")

    class Boom(Exception):
        pass

    from img_dossier.atomic import atomic_file

    with pytest.raises(Boom), atomic_file(target) as fh:
        fh.write(b"half")
        raise Boom
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.docx"]


@posix_only
def test_the_dossier_letters_and_dossier_yaml_are_written_private(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from img_dossier.cli import cli

    runner = CliRunner()
    folder = tmp_path / "client"
    assert (
        runner.invoke(cli, ["init", str(folder), "--track", "us", "--no-read"]).exit_code
        == ExitCode.OK
    )
    assert stat.S_IMODE((folder / "dossier.yaml").stat().st_mode) == 0o600
    samples = Path(__file__).resolve().parents[1] / "samples"
    out = tmp_path / "d.pdf"
    result = runner.invoke(cli, ["build", str(samples / "us-j1"), "-o", str(out)])
    assert result.exit_code == ExitCode.OK, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (999, "999 bytes"),
        (150_000, "150 KB (150,000 bytes)"),
        (1_048_576, "1.05 MB (1,048,576 bytes)"),
        (5_000_000, "5.00 MB (5,000,000 bytes)"),  # was 4.77 MB in check, 5.00 MB in pack
    ],
)
def test_one_way_to_show_a_size(n: int, shown: str) -> None:
    assert format_size(n, exact=True) == shown


def test_an_output_folder_that_cannot_be_made_says_why(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from img_dossier.cli import cli
    from img_dossier.errors import ExitCode, OutputError
    from img_dossier.outdir import make_folder

    blocker = tmp_path / "notes.txt"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match=r"notes.txt is a file, not a folder\); choose"):
        make_folder(blocker / "letters", fix="choose another folder with --out")
    result = CliRunner().invoke(cli, ["samples", "copy", str(blocker / "tour")])
    assert result.exit_code == ExitCode.OUTPUT
    assert "is a file, not a folder" in result.stderr
    make_folder(tmp_path / "a" / "b", fix="unused")
    assert (tmp_path / "a" / "b").is_dir()
