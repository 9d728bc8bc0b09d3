"""Validated configuration kept between runs (config/validated.py): taken back only while
every file it was read from is byte for byte the same, never trusted when damaged."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.config import validated
from img_dossier.config.checklist import load
from img_dossier.errors import BadInputError, ExitCode

ROOT = Path(__file__).resolve().parents[2]
US = ROOT / "samples" / "us-j1"


def _settled(*paths: Path) -> None:
    """Date files a minute back: a file written just now is never stored (it may still be
    being written), so tests that want an entry stored age their files first."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past))


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.cfg"))


def _custom(folder: Path, **fields: object) -> Path:
    path = folder / "clinic.yaml"
    path.write_text(yaml.safe_dump({"extends": "us", "drop": ["photo"], **fields}))
    _settled(path)
    return path


def test_an_edited_checklist_is_validated_again_and_its_new_error_reported(
    tmp_path: Path, _private_cache: Path
) -> None:
    path = _custom(tmp_path)
    first = load(str(path))
    assert "photo" not in first.item_ids
    assert _entries(_private_cache)  # stored
    validated.clear_memory()
    assert all(validated._load(e.stem) is not None for e in _entries(_private_cache))
    assert load(str(path)) == first  # taken back from the file
    path.write_text(yaml.safe_dump({"extends": "us", "drop": ["photo"], "languages": ["english"]}))
    _settled(path)
    for _ in range(2):  # in memory and from the files: the edit is seen both ways
        with pytest.raises(BadInputError, match=r"clinic\.yaml: languages"):
            load(str(path))
        validated.clear_memory()
    path.write_text(yaml.safe_dump({"extends": "us", "drop": ["cv"]}))
    _settled(path)
    again = load(str(path))
    assert "photo" in again.item_ids and "cv" not in again.item_ids


def test_a_damaged_entry_is_ignored_and_written_again(tmp_path: Path, _private_cache: Path) -> None:
    path = _custom(tmp_path)
    want = load(str(path))
    entries = _entries(_private_cache)
    assert entries
    for entry in entries:
        data = bytearray(entry.read_bytes())
        data[-20] ^= 0xFF  # one byte of the pickle flipped: its sha256 no longer fits
        entry.write_bytes(bytes(data))
    validated.clear_memory()
    assert load(str(path)) == want
    for entry in entries:  # rewritten whole
        assert validated._load(entry.stem) is not None


CALLED: list[str] = []


def _record_call(what: str) -> None:
    CALLED.append(what)


class _Hostile:
    """Unpickling it would call a function of this module (any function, in a real attack)."""

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return (_record_call, ("unpickled",))


def test_an_entry_naming_any_other_class_is_never_unpickled(
    tmp_path: Path, _private_cache: Path
) -> None:
    path = _custom(tmp_path)
    want = load(str(path))
    body = pickle.dumps(((), _Hostile()))
    assert pickle.loads(body) == ((), None) and CALLED == ["unpickled"]  # what it would do
    CALLED.clear()
    for entry in _entries(_private_cache):
        entry.write_bytes(validated._MAGIC + hashlib.sha256(body).hexdigest().encode() + body)
    validated.clear_memory()
    assert load(str(path)) == want
    assert CALLED == []


def test_a_file_written_just_now_is_not_stored(tmp_path: Path, _private_cache: Path) -> None:
    path = tmp_path / "fresh.yaml"
    path.write_text(yaml.safe_dump({"extends": "us"}))
    load(str(path))
    stored = [e for e in _entries(_private_cache) if validated._load(e.stem) is not None]
    assert not any(str(path.resolve()) in str(validated._load(e.stem)) for e in stored)


def test_an_edited_dossier_yaml_is_validated_again(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    shutil.copytree(US, folder)
    _settled(*folder.rglob("*"))
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", str(folder), "--no-ocr", "-q"])
    assert ok.exit_code == ExitCode.OK, ok.output
    profile = folder / "dossier.yaml"
    profile.write_text(profile.read_text() + "\nfavourite_colour: blue\n")
    _settled(profile)
    for _ in range(2):
        bad = runner.invoke(cli, ["check", str(folder), "--no-ocr", "-q"])
        assert bad.exit_code == ExitCode.BAD_INPUT
        assert "favourite_colour" in bad.output
        validated.clear_memory()


def test_a_run_with_validated_configuration_imports_no_pydantic_or_ruamel(
    _private_cache: Path,
) -> None:
    env = dict(os.environ, IMG_DOSSIER_CACHE_DIR=str(_private_cache))
    command = [sys.executable, "-X", "importtime", "-m", "img_dossier", "check", str(US)]
    first = subprocess.run([*command, "--no-ocr"], env=env, capture_output=True, text=True)
    assert first.returncode == ExitCode.OK, first.stderr[-2000:]
    assert "pydantic" in first.stderr  # validated the first time
    again = subprocess.run([*command, "--no-ocr"], env=env, capture_output=True, text=True)
    assert again.returncode == ExitCode.OK
    modules = {line.rsplit("|", 1)[-1].strip() for line in again.stderr.splitlines()}
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "ruamel")}


def test_what_a_run_reads_of_tracks_and_exams_is_what_their_models_say() -> None:
    from img_dossier.config import exams, track_facts, tracks

    assert track_facts.track_ids() == tracks.track_ids()
    assert track_facts.statuses() == tracks.statuses()
    for track in tracks.tracks():
        assert track_facts.checklist_of(track.id) == track.checklist
        assert track_facts.statuses_of(track.id) == tracks.statuses_of(track.id)
    assert track_facts.checklist_of("no-such-track") is None
    assert track_facts.statuses_of(None) == tracks.statuses_of(None)
    assert track_facts.either(["a", "b", "c"]) == "a, b or c"
    order = exams.in_match_order()
    assert exams.match_patterns() == tuple((e.id, tuple(e.patterns)) for e in order)
    assert exams.attempt_ids() == exams.with_attempts()
