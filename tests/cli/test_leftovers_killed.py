"""A run killed with SIGKILL (or by a crash, the out-of-memory killer, a power cut) runs no
clean-up: the next run removes what it left, and nothing of a run that is still going.

Real console processes, as in test_stopping.py: a dossier write that blocks after its first
bytes, a fake LibreOffice that never ends, the real one stopped mid-conversion. Waits are
generous; nothing is timed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from img_dossier.errors import ExitCode
from img_dossier.output.soffice import find_soffice
from img_dossier.readers import isolation
from processes import assert_all_end

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

pytestmark = pytest.mark.skipif(
    isolation.start_method() != "fork" or not hasattr(os, "killpg"),
    reason="POSIX: the console's patch must reach its workers (fork), and killpg",
)

#: ``python -c RUN MARKS ARGS...``: ``dossier ARGS...`` through the console entry point;
#: writing a dossier blocks after its first bytes, once it has left a mark in MARKS.
RUN = """
import sys, time
from pathlib import Path
from img_dossier.output import assemble

marks = Path(sys.argv[1])

def half_written(pdf, fh):
    fh.write(b"%PDF-1.7\\n% the first bytes of a dossier")
    fh.flush()
    (marks / "writing").write_text("")
    time.sleep(600)

assemble._save = half_written
sys.argv = ["dossier", *sys.argv[2:]]
from img_dossier.cli import main
main()
"""

START = 120.0  # seconds a loaded machine may take to reach the blocking point
GONE = 30.0  # seconds every process of a killed run has to end

#: A stand-in for LibreOffice's launcher: it starts a child (as ``soffice`` starts
#: ``soffice.bin``), leaves a mark for both, and waits for the child, which never ends.
FAKE_SOFFICE = """#!/bin/sh
sleep 600 &
touch "{marks}/soffice-$$" "{marks}/soffice-$!"
wait
"""

LETTER = [
    "letters",
    "render",
    "interview-thank-you",
    str(SAMPLES / "us-j1"),
    "--format",
    "pdf",
    "--set",
    "interviewer_name=Dr. Ada Example",
    "--set",
    "program_name=Example Internal Medicine",
    "--set",
    "interview_date=2026-11-20",
    "--set",
    "conversation_topic=the ultrasound curriculum",
    "--set",
    "sender_email=applicant@example.org",
]


def _start(marks: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    marks.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(marks), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **env},
    )


def _wait_for(proc: subprocess.Popen[str], ready: object) -> None:
    deadline = time.monotonic() + START
    while not ready():  # type: ignore[operator]
        if proc.poll() is not None:
            raise AssertionError(f"the run ended early ({proc.returncode}): {proc.stderr.read()}")  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the run never reached the blocking point"
        time.sleep(0.02)


def _kill(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    """SIGKILL the console alone (as the out-of-memory killer does); what it started."""
    started = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()
    proc.communicate(timeout=GONE)
    return started


def _stop(proc: subprocess.Popen[str]) -> None:
    with_group = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    os.killpg(proc.pid, signal.SIGTERM)
    proc.communicate(timeout=GONE)
    assert_all_end(with_group, GONE)


def _dossier(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "img_dossier", *args],
        env={**os.environ, **env},
        capture_output=True,
        check=True,
        timeout=START,
    )


def _ours(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith("img-dossier")}


def _temporaries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(".dossier.pdf.")}


def test_the_next_run_removes_a_killed_builds_temporaries_and_keeps_a_live_ones(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    users = {".dossier.pdf.k2j4h5g6.tmp": b"whose? not provably ours", "notes.tmp": b"mine"}
    for name, data in users.items():
        (out / name).write_bytes(data)
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    build = ["build", str(SAMPLES / "us-j1"), "-o", str(out / "dossier.pdf"), "--no-ocr"]
    live = _start(tmp_path / "live", *build, env=env)
    try:
        _wait_for(live, (tmp_path / "live" / "writing").exists)
        live_temporaries = _temporaries(out) - set(users)
        live_folders = _ours(temp)
        assert len(live_temporaries) == 1 and live_folders

        killed = _start(tmp_path / "killed", *build, env=env)
        _wait_for(killed, (tmp_path / "killed" / "writing").exists)
        assert len(_temporaries(out) - set(users)) == 2
        assert_all_end(_kill(killed), GONE)
        assert len(_temporaries(out) - set(users)) == 2  # SIGKILL: nothing could clean up
        assert _ours(temp) != live_folders

        _dossier("init", str(out), "--track", "us", env=env)  # the next run writing there

        assert _temporaries(out) - set(users) == live_temporaries
        assert _ours(temp) == live_folders
        for name, data in users.items():
            assert (out / name).read_bytes() == data
    finally:
        _stop(live)
    assert _temporaries(out) - set(users) == set()  # the live run, stopped, removed its own
    assert _ours(temp) == set()


def test_letters_killed_take_their_word_converter_with_them(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE.format(marks=marks))
    fake.chmod(0o755)
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {"IMG_DOSSIER_SOFFICE": str(fake), "TMPDIR": str(temp)}
    proc = _start(tmp_path / "unused", *LETTER, "--out", str(tmp_path / "letters"), env=env)
    _wait_for(proc, lambda: len(list(marks.iterdir())) >= 2)
    converters = [psutil.Process(int(p.name.split("-")[1])) for p in marks.iterdir()]
    assert_all_end(converters + _kill(proc), GONE)
    assert _ours(temp)  # the staged copy of the letter, left by the kill
    _dossier("init", str(tmp_path / "next"), "--track", "us", env=env)
    assert _ours(temp) == set()


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_letters_killed_take_libreoffice_and_its_children_with_them(tmp_path: Path) -> None:
    """The real LibreOffice: its launcher (oosplash) and converter (soffice.bin) end too.
    soffice.bin is paused as soon as it is seen, so the conversion cannot finish first."""
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    proc = _start(tmp_path / "unused", *LETTER, "--out", str(tmp_path / "letters"), env=env)
    console = psutil.Process(proc.pid)
    seen: list[psutil.Process] = []

    def converting() -> bool:
        for child in console.children(recursive=True):
            try:
                if child.name().startswith("soffice.bin"):
                    child.suspend()
                    seen.append(child)
                    return True
            except psutil.Error:
                continue
        return False

    try:
        _wait_for(proc, converting)
    finally:
        started = _kill(proc) if proc.poll() is None else []
    assert seen and seen[0] in started  # the converter, started by the killed console
    assert_all_end(started, GONE)
    assert not (tmp_path / "letters").exists() or not any((tmp_path / "letters").iterdir())


#: ``python -c PACK MARKS OUT ARGS...``: ``dossier ARGS...`` whose pack, once it has moved
#: the earlier OUT aside, leaves a mark in MARKS and blocks before renaming its new one in.
PACK = """
import sys, time
from pathlib import Path

marks, out = Path(sys.argv[1]), Path(sys.argv[2])
rename = Path.rename

def blocked(self, target):
    if Path(target) == out and self.name.endswith(".tmp"):  # the new folder into place
        (marks / "between").write_text("")
        time.sleep(600)
    return rename(self, target)

Path.rename = blocked
sys.argv = ["dossier", *sys.argv[3:]]
from img_dossier.cli import main
main()
"""


def test_a_pack_killed_between_its_renames_gets_the_earlier_pack_back(tmp_path: Path) -> None:
    """SIGKILL after ``pack --force`` moved the earlier folder aside and before its new one
    took the place: the next run puts the earlier folder back, so a pack without --force
    refuses to replace it, and nothing hidden is left."""
    out = tmp_path / "uploads"
    out.mkdir()
    earlier = {"manifest.json": b'{"earlier": true}', "photo_Quispe-Mamani.jpg": b"earlier"}
    for name, data in earlier.items():
        (out / name).write_bytes(data)
    pack = ["pack", str(SAMPLES / "us-j1"), "--portal", "eras-photo", "--out", str(out)]
    marks = tmp_path / "marks"
    marks.mkdir()
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    killed = subprocess.Popen(
        [sys.executable, "-c", PACK, str(marks), str(out), *pack, "--force", "--no-ocr"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **env},
    )
    _wait_for(killed, (marks / "between").exists)
    assert_all_end(_kill(killed), GONE)
    assert not out.exists()  # killed between the two renames
    hidden = {p.name for p in tmp_path.iterdir() if p.name.startswith(".uploads.")}
    assert len(hidden) == 2  # the earlier folder moved aside, the new one never put in place

    again = subprocess.run(
        [sys.executable, "-m", "img_dossier", *pack, "--no-ocr"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=START,
    )

    assert again.returncode == ExitCode.OUTPUT, again.stderr  # an output error: it is there again
    assert "exists and is not empty; use --force" in again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".uploads.")]
