"""What a killed run left behind is removed by the next one: only the tool's own temporaries,
and only those whose maker no longer runs (leftovers.py). The subprocess tests, killing real
runs with SIGKILL, are in tests/cli/test_leftovers_killed.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from img_dossier import leftovers
from img_dossier.atomic import write_bytes

IDENTITY = "from img_dossier import leftovers; print(leftovers.identity(), flush=True)"


def _ended_identity() -> str:
    """The identity of a process that ran and ended (reaped)."""
    out = subprocess.run([sys.executable, "-c", IDENTITY], capture_output=True, text=True)
    return out.stdout.strip()


@pytest.fixture
def live() -> object:
    """A process that runs (its identity printed), stopped at the end of the test."""
    proc = subprocess.Popen(
        [sys.executable, "-c", IDENTITY + "; import time; time.sleep(600)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.identity = proc.stdout.readline().strip()  # type: ignore[attr-defined]
    yield proc
    proc.kill()
    proc.wait()


def _beside(folder: Path, name: str, ident: str, rand: str = "abcd_123") -> Path:
    path = folder / f".{name}.img-dossier-{ident}-{rand}.tmp"
    path.write_bytes(b"part of a dossier")
    return path


def test_a_temporary_of_a_process_that_ended_is_removed_when_writing_there(
    tmp_path: Path,
) -> None:
    dead = _beside(tmp_path, "dossier.pdf", _ended_identity())
    staging = tmp_path / f".pack.img-dossier-{_ended_identity()}-x1y2z3w4.tmp"
    staging.mkdir()
    (staging / "passport.pdf").write_bytes(b"an upload")
    write_bytes(tmp_path / "letter.docx", b"a letter")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.docx"]
    assert not dead.exists()


def test_a_live_processs_temporary_is_kept(tmp_path: Path, live: object) -> None:
    ident: str = live.identity  # type: ignore[attr-defined]
    alive = _beside(tmp_path, "dossier.pdf", ident)
    own = _beside(tmp_path, "dossier.pdf", leftovers.identity())
    assert leftovers.sweep_beside(tmp_path) == []
    assert alive.exists() and own.exists()


def test_a_pid_used_again_by_a_later_process_does_not_keep_a_dead_runs_temporary(
    tmp_path: Path, live: object
) -> None:
    machine, pid, start = live.identity.split("-")  # type: ignore[attr-defined]
    earlier = f"{machine}-{pid}-{leftovers._base36(int(start, 36) - 1)}"  # started before
    dead = _beside(tmp_path, "dossier.pdf", earlier)
    assert leftovers.sweep_beside(tmp_path) == [dead]


def test_files_the_tool_cannot_prove_its_own_and_dead_are_left_alone(tmp_path: Path) -> None:
    ended = _ended_identity()
    machine, pid, start = ended.split("-")
    other_machine = f"{int(machine, 16) ^ 1:08x}-{pid}-{start}"
    kept = [
        _beside(tmp_path, "dossier.pdf", other_machine),  # another machine's: cannot tell
        tmp_path / ".dossier.pdf.k2j4h5g6.tmp",  # an older version's, or anyone's
        tmp_path / f".dossier.pdf.img-dossier-{ended}.tmp",  # not the form (no random part)
        tmp_path / f"dossier.pdf.img-dossier-{ended}-abcd_123.tmp",  # not hidden
        tmp_path / "notes.tmp",
    ]
    for path in kept[1:]:
        path.write_bytes(b"a file")
    target = tmp_path / "elsewhere" / "private.pdf"
    target.parent.mkdir()
    target.write_bytes(b"not a temporary")
    link = tmp_path / f".x.img-dossier-{ended}-abcd_123.tmp"
    link.symlink_to(target)  # a link is never followed, nor removed
    assert leftovers.sweep_beside(tmp_path) == []
    assert all(p.exists() for p in kept) and link.is_symlink() and target.exists()


def test_a_temporary_written_now_carries_its_maker(tmp_path: Path) -> None:
    fd, path = leftovers.file_beside(tmp_path / "dossier.pdf")
    os.close(fd)
    assert path.parent == tmp_path
    assert path.name.startswith(f".dossier.pdf.img-dossier-{leftovers.identity()}-")
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_run_folder_of_a_killed_run_is_removed_and_a_live_ones_kept(
    tmp_path: Path, live: object
) -> None:
    dead = tmp_path / f"{leftovers.RUN_PREFIX}{_ended_identity()}-0a1b2c3d"
    alive = tmp_path / f"{leftovers.RUN_PREFIX}{live.identity}-0a1b2c3d"  # type: ignore[attr-defined]
    for folder in (dead, alive):
        (folder / "img-dossier-lo-x").mkdir(parents=True)
        (folder / "img-dossier-lo-x" / "document.docx").write_bytes(b"the applicant's CV")
    other = tmp_path / "img-dossier-build-1234abcd"  # an older version's: not provably ours
    other.mkdir()
    assert leftovers.sweep_temp_root(tmp_path) == [dead]
    assert alive.is_dir() and other.is_dir() and not dead.exists()


# -- the earlier folder pack moves aside (``.old``) ----------------------------------------


def _moved_aside(folder: Path, name: str, ident: str) -> Path:
    """``name``'s earlier folder as a run ``ident`` moved it aside (``_publish``)."""
    path = folder / f".{name}.img-dossier-{ident}-abcd_123.old"
    path.mkdir()
    (path / "manifest.json").write_bytes(b'{"earlier": true}')
    return path


def test_a_killed_packs_earlier_folder_is_put_back_when_its_place_is_empty(
    tmp_path: Path,
) -> None:
    """Killed between its two renames: the earlier folder aside, the new one never in."""
    ended = _ended_identity()
    old = _moved_aside(tmp_path, "uploads", ended)
    new = _beside(tmp_path, "uploads", ended, "efgh_456")
    assert leftovers.sweep_beside(tmp_path) == [new]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]
    assert (tmp_path / "uploads" / "manifest.json").read_bytes() == b'{"earlier": true}'
    assert not old.exists()


@pytest.mark.parametrize("there", ["folder", "file", "link"])
def test_a_killed_packs_earlier_folder_is_removed_when_something_took_its_place(
    tmp_path: Path, there: str
) -> None:
    old = _moved_aside(tmp_path, "uploads", _ended_identity())
    place = tmp_path / "uploads"
    if there == "folder":  # the new pack was in place when the run was killed
        place.mkdir()
        (place / "manifest.json").write_bytes(b"the new pack")
    elif there == "file":
        place.write_bytes(b"a file the user put there since")
    else:
        place.symlink_to(tmp_path / "nowhere")
    assert leftovers.sweep_beside(tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]
    assert place.is_symlink() if there == "link" else place.exists()


def test_a_live_packs_earlier_folder_is_left_alone(tmp_path: Path, live: object) -> None:
    """A run between its renames now: its folder is neither put back nor removed."""
    old = _moved_aside(tmp_path, "uploads", live.identity)  # type: ignore[attr-defined]
    own = _moved_aside(tmp_path, "letters", leftovers.identity())
    assert leftovers.sweep_beside(tmp_path) == []
    assert old.is_dir() and own.is_dir()
    assert not (tmp_path / "uploads").exists() and not (tmp_path / "letters").exists()


def test_an_earlier_folder_the_tool_cannot_prove_its_own_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = _ended_identity()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "private.pdf").write_bytes(b"not a temporary")
    mine = tmp_path / "mine"
    mine.mkdir()
    link = mine / f".uploads.img-dossier-{ended}-abcd_123.old"
    link.symlink_to(elsewhere)  # a link: never put back, never followed
    plain = mine / f".letters.img-dossier-{ended}-abcd_123.old"
    plain.write_bytes(b"a file, not a folder pack moved aside")
    assert leftovers.sweep_beside(mine) == []
    assert sorted(p.name for p in mine.iterdir()) == sorted([link.name, plain.name])
    assert (elsewhere / "private.pdf").exists()

    shared = tmp_path / "shared"
    shared.mkdir()
    theirs = _moved_aside(shared, "uploads", ended)
    real_uid = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real_uid + 1)  # the folder is someone else's
    assert leftovers.sweep_beside(shared) == []
    assert sorted(p.name for p in shared.iterdir()) == [theirs.name]


def test_the_name_a_replaced_folder_is_moved_to_is_free_and_names_its_maker(
    tmp_path: Path,
) -> None:
    aside = leftovers.replaced_beside(tmp_path / "uploads")
    assert aside.parent == tmp_path and not aside.exists()
    assert aside.name.startswith(f".uploads.img-dossier-{leftovers.identity()}-")
    assert aside.name.endswith(".old")


def test_a_folder_that_is_also_the_temporary_folder_is_swept_for_both(tmp_path: Path) -> None:
    """Writing into /tmp: removing stale run folders there does not skip the stale
    temporaries beside outputs (nor the other way round)."""
    dead_run = tmp_path / f"{leftovers.RUN_PREFIX}{_ended_identity()}-0a1b2c3d"
    dead_run.mkdir()
    dead = _beside(tmp_path, "dossier.pdf", _ended_identity())
    assert leftovers.sweep_temp_root(tmp_path) == [dead_run]
    assert leftovers.sweep_beside(tmp_path) == [dead]


def test_a_killed_packs_earlier_folder_waits_while_a_live_pack_replaces_the_same_folder(
    tmp_path: Path, live: object
) -> None:
    """A live run between its renames (its ``.old`` there, the place empty for a moment):
    the killed run's earlier folder does not take the place its new folder is about to."""
    dead = _moved_aside(tmp_path, "uploads", _ended_identity())
    moving = _moved_aside(tmp_path, "uploads", live.identity)  # type: ignore[attr-defined]
    assert leftovers.sweep_beside(tmp_path) == []
    assert dead.is_dir() and moving.is_dir() and not (tmp_path / "uploads").exists()
