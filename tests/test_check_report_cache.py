"""A warm ``dossier check`` of an unchanged folder prints what it printed before, from the
read cache (checking/report_cache.py, issue 13), and notices any change: a document's
content (even at the same size and modification time), a file added or removed,
dossier.yaml, the checklist file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from img_dossier import readers
from img_dossier.checking import pipeline, report_cache
from img_dossier.cli import cli

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "us-j1"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of samples/us-j1, whose files count as old (written long before the run)."""
    monkeypatch.setattr(report_cache, "_RACY_SECONDS", -3600.0)
    copy = tmp_path / "us-j1"
    shutil.copytree(SAMPLE, copy)
    return copy


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders the checking pipeline really ran on (not served from the cache)."""
    ran: list[Path] = []
    original = pipeline.run_check

    def counted(folder: Path, **kwargs: object) -> pipeline.CheckRun:
        ran.append(Path(folder))
        return original(folder, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "run_check", counted)
    return ran


def check(folder: Path, *options: str) -> tuple[int, str]:
    args = ["check", str(folder), "--as-of", "2026-06-01", *options]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.output


def test_a_warm_check_prints_exactly_what_the_cold_one_did(folder: Path, runs: list[Path]) -> None:
    for options in (["--json"], ["--json", "--no-ocr"], ["-q"], []):
        cold = check(folder, *options)
        assert check(folder, *options) == cold
        assert check(folder, *options, "--no-cache") == cold  # the pipeline, nothing cached
    # each form of output checked once, then once more without the cache
    assert len(runs) == 8


def test_a_changed_document_is_noticed_at_the_same_size_and_time(
    folder: Path, runs: list[Path]
) -> None:
    cold = check(folder, "--json")
    assert check(folder, "--json") == cold and len(runs) == 1
    path = folder / "personal-statement.txt"
    st = path.stat()
    text = path.read_bytes()
    changed = text.replace(b"e", b"a", 1)
    assert changed != text and len(changed) == len(text)
    path.write_bytes(changed)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the modification time put back
    warm = check(folder, "--json")
    assert len(runs) == 2 and warm != cold
    assert warm == check(folder, "--json", "--no-cache")


def test_an_added_or_removed_file_is_noticed(folder: Path, runs: list[Path]) -> None:
    cold = check(folder, "--json")
    (folder / "transcript.pdf").unlink()
    removed = check(folder, "--json")
    assert removed != cold and removed[0] == 1
    assert removed == check(folder, "--json", "--no-cache")
    shutil.copy(SAMPLE / "transcript.pdf", folder / "transcript-copy.pdf")
    added = check(folder, "--json")
    assert added not in (cold, removed) and '"transcript-copy.pdf"' in added[1]
    assert added == check(folder, "--json", "--no-cache")


def test_an_edited_dossier_yaml_or_checklist_is_loaded_again(
    folder: Path, tmp_path: Path, runs: list[Path]
) -> None:
    cold = check(folder, "--json")
    profile = folder / "dossier.yaml"
    profile.write_text(profile.read_text().replace("Lucia Fernanda", "Lucía Fernanda"))
    renamed = check(folder, "--json")
    assert renamed != cold and ("Lucía" in renamed[1] or "Luc\\u00eda" in renamed[1])
    custom = tmp_path / "clinic.yaml"
    custom.write_text(yaml.safe_dump({"extends": "us-eras", "drop": ["photo"]}))
    first = check(folder, "--json", "--track", str(custom))
    assert check(folder, "--json", "--track", str(custom)) == first
    ran = len(runs)
    custom.write_text(yaml.safe_dump({"extends": "us-eras", "drop": ["photo", "cv"]}))
    edited = check(folder, "--json", "--track", str(custom))
    assert len(runs) == ran + 1 and edited != first
    assert edited == check(folder, "--json", "--track", str(custom), "--no-cache")


def test_no_report_is_kept_from_a_reading_that_may_not_recur(
    folder: Path, runs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timeout or a crashed worker is not cached: the next check reads and judges again."""
    original = pipeline.read_documents

    def one_timed_out(*args: object, **kwargs: object) -> object:
        readers.note_transient()
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "read_documents", one_timed_out)
    cold = check(folder, "--json")
    monkeypatch.setattr(pipeline, "read_documents", original)
    assert check(folder, "--json") == cold
    assert check(folder, "--json") == cold
    assert len(runs) == 2  # the second run stored what the third printed


def test_files_written_just_before_the_run_are_not_trusted(
    tmp_path: Path, runs: list[Path]
) -> None:
    """A file changed within a second of the run could change again unseen (its change time
    would not move): such a folder's report is not stored."""
    copy = tmp_path / "fresh"
    shutil.copytree(SAMPLE, copy)
    cold = check(copy, "--json")
    assert check(copy, "--json") == cold and len(runs) == 2
