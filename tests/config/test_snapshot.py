"""The built-in configuration validated when the tool was made (config/snapshot.py): shipped
current, taken only for unchanged built-in data, so that a first run (an empty cache)
validates only the user's own files."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.config import resources as resources_module
from img_dossier.config import snapshot, track_facts, tracks, validated
from img_dossier.config.checklist import load
from img_dossier.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
US = ROOT / "samples" / "us-j1"
DATA = resources_module.data_dir("checklists")


def test_the_shipped_snapshot_is_what_the_data_validates_to_now() -> None:
    code = "import make_config_snapshot as m; print(m.stale())"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tools")}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", (
        f"config/builtin.snapshot is stale ({done.stdout.strip()}): "
        "run `python tools/make_config_snapshot.py` and commit it"
    )


def _first_run(tmp_path: Path, code: str, **env: str) -> str:
    """Run ``code`` in a fresh process with an empty cache; its output."""
    environ = {**os.environ, "IMG_DOSSIER_CACHE_DIR": str(tmp_path / "cache"), **env}
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_a_first_run_validates_no_built_in_data(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "cv.txt").write_text("Curriculum Vitae\n")
    code = (
        "import sys; from pathlib import Path; from img_dossier.checking import pipeline\n"
        f"c, p = pipeline.load_context(Path({str(folder)!r}), 'us')\n"
        "from img_dossier.config import exams; exams.match_patterns(); exams.attempt_ids()\n"
        "print(c.id, sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'ruamel')))"
    )
    assert _first_run(tmp_path, code) == "us-eras []"
    # turned off, the same run validates them (as before the snapshot)
    off = _first_run(tmp_path, code, IMG_DOSSIER_BUILTIN_SNAPSHOT="0")
    assert off.startswith("us-eras [") and "'pydantic'" in off


def test_a_first_run_validates_dossier_yaml_as_strictly(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    shutil.copytree(US, folder)
    profile = folder / "dossier.yaml"
    text = profile.read_text().replace("status: none", "status: resident-alien")
    profile.write_text(text + "\nfavourite_colour: blue\n")
    validated.clear_memory()
    done = CliRunner().invoke(cli, ["check", str(folder), "--no-ocr", "-q"])
    assert done.exit_code == ExitCode.BAD_INPUT
    assert "favourite_colour" in done.output
    assert "applicant.status" in done.output


def test_a_status_of_another_track_is_named_with_the_track_country(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    shutil.copytree(US, folder)
    profile = folder / "dossier.yaml"
    other = next(s for s in tracks.statuses() if s not in tracks.statuses_of("canada"))
    text = profile.read_text().replace("track: us", "track: canada")
    profile.write_text(text.replace("status: none", f"status: {other}"))
    validated.clear_memory()
    done = CliRunner().invoke(cli, ["check", str(folder), "--no-ocr", "-q"])
    assert done.exit_code == ExitCode.BAD_INPUT
    canada = tracks.track("canada")
    assert canada is not None
    assert f"must be one of {', '.join(canada.statuses)} in {canada.country}" in done.output
    for track in tracks.tracks():
        assert track_facts.country_of(track.id) == track.country
    assert track_facts.country_of("no-such-track") is None


def _lookup(kind: str, key: str) -> Any:
    return snapshot.lookup(kind, key, tag=validated.source_tag(), unpickler=validated._Restricted)


def _copy_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "checklists"
    shutil.copytree(DATA, copy)
    monkeypatch.setattr(resources_module, "data_dir", lambda name: copy)
    return copy


def test_an_unchanged_data_file_is_taken_from_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _copy_data(tmp_path, monkeypatch)
    found = _lookup("checklist", str(copy / "us-eras.yaml"))
    assert found is not None
    value, files = found
    assert value.path == copy / "us-eras.yaml"  # where it is now, not where it was made
    assert files == (copy / "us-eras.yaml",)
    monkeypatch.undo()
    # what validating the file returns now (snapshot off, an empty cache)
    monkeypatch.setenv("IMG_DOSSIER_BUILTIN_SNAPSHOT", "0")
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    validated.clear_memory()
    try:
        assert dataclasses.replace(value, path=DATA / "us-eras.yaml") == load("us")
    finally:
        validated.clear_memory()


def test_an_edited_data_file_is_never_taken_from_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _copy_data(tmp_path, monkeypatch)
    path = copy / "us-eras.yaml"
    path.write_text(path.read_text() + "\n# edited\n")
    assert _lookup("checklist", str(path)) is None
    assert _lookup("tracks", str(copy / "tracks.yaml")) is not None
    # a file elsewhere (a user's checklist) is never looked up
    assert _lookup("checklist", str(tmp_path / "us-eras.yaml")) is None


def test_a_snapshot_of_other_code_or_damaged_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = str(DATA / "us-eras.yaml")
    good = snapshot.PATH.read_bytes()
    fake = tmp_path / "builtin.snapshot"
    monkeypatch.setattr(snapshot, "PATH", fake)
    try:
        fake.write_bytes(snapshot.encode({}, "other code"))  # made by other code
        snapshot._forget()
        assert _lookup("checklist", key) is None
        fake.write_bytes(good[:-10] + b"0123456789")  # damaged: its sha256 differs
        snapshot._forget()
        assert _lookup("checklist", key) is None
        fake.write_bytes(good)
        snapshot._forget()
        assert _lookup("checklist", key) is not None
    finally:
        snapshot._forget()
