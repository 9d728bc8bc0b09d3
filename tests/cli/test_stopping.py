"""A run that is stopped (Ctrl-C, SIGTERM, SIGKILL) leaves no process and no half-written file.

Each test starts the real console entry point in a subprocess, with one document whose
reading blocks until the process is stopped (the workers are forked with that patch), so
the signal always lands while the workers exist, whatever the machine's load. Waits are
generous; nothing is timed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from img_dossier.readers import isolation
from processes import assert_all_end

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

pytestmark = [
    pytest.mark.fork_only,
    pytest.mark.skipif(
        isolation.start_method() != "fork" or not hasattr(os, "killpg"),
        reason="the workers must inherit the blocking reader (fork), and killpg (POSIX)",
    ),
]

#: ``python -c RUN MARKS ARGS...``: ``dossier ARGS...`` through the console entry point, where
#: reading a file named stuck.pdf blocks once the reader has left a mark in MARKS, and
#: writing a dossier (with WRITE_MARK set) blocks after writing its first bytes.
RUN = """
import os, sys, time
from pathlib import Path
from img_dossier.readers import dispatch

marks = Path(sys.argv[1])
real = dispatch.read_pdf

def stuck(path, limits):
    if Path(path).name == "stuck.pdf":
        (marks / f"reader-{os.getpid()}").write_text("")
        time.sleep(600)
    return real(path, limits)

dispatch.read_pdf = stuck

if os.environ.get("WRITE_MARK"):
    from img_dossier.output import assemble

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

START = 120.0  # seconds a loaded machine may take to reach the blocking document
GONE = 30.0  # seconds every process of the run has to end after the signal


def _start(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    marks = tmp_path / "marks"
    marks.mkdir()
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(marks), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        env={**os.environ, **(env or {})},
    )


def _wait_for_marks(tmp_path: Path, proc: subprocess.Popen[str], names: int) -> None:
    marks = tmp_path / "marks"
    deadline = time.monotonic() + START
    while len(list(marks.iterdir())) < names:
        if proc.poll() is not None:
            raise AssertionError(f"the run ended early ({proc.returncode}): {proc.stderr.read()}")  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the run never reached the blocking document"
        time.sleep(0.05)


def _descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _stop(proc: subprocess.Popen[str], signum: int, *, group: bool) -> tuple[int, str]:
    if group:  # Ctrl-C in a terminal reaches every process of the foreground job
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    try:
        _, err = proc.communicate(timeout=GONE)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError("the run did not end after the signal") from None
    return proc.returncode, err


def _clients(root: Path, count: int) -> Path:
    """``count`` client folders, each with its dossier.yaml and one document that blocks."""
    for n in range(count):
        folder = root / f"client-{n}"
        folder.mkdir(parents=True)
        shutil.copy(SAMPLES / "us-j1" / "dossier.yaml", folder / "dossier.yaml")
        shutil.copy(SAMPLES / "us-j1" / "passport.pdf", folder / "stuck.pdf")
    return root


# -- audit ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "group", "code", "message"),
    [
        (signal.SIGKILL, False, -signal.SIGKILL, None),
        (signal.SIGTERM, False, 143, "dossier: stopped by SIGTERM"),
        (signal.SIGINT, True, 130, "dossier: interrupted"),
    ],
    ids=["sigkill", "sigterm", "ctrl-c"],
)
def test_a_stopped_audit_leaves_no_worker_behind(
    tmp_path: Path, signum: int, group: bool, code: int, message: str | None
) -> None:
    clients = _clients(tmp_path / "clients", 4)
    proc = _start(tmp_path, "audit", str(clients), "--jobs", "2", "--no-ocr")
    _wait_for_marks(tmp_path, proc, 2)  # both client workers are reading, each in a worker
    workers = _descendants(proc.pid)
    assert len(workers) >= 4  # two client workers, a reader worker under each
    returncode, err = _stop(proc, signum, group=group)
    assert_all_end(workers, GONE)
    assert returncode == code
    if message is not None:
        assert err.strip().splitlines()[-1] == message
        assert "Traceback" not in err


# -- check ----------------------------------------------------------------------------------


def test_a_check_stopped_by_sigterm_says_so_and_leaves_no_worker(tmp_path: Path) -> None:
    folder = _clients(tmp_path / "clients", 1) / "client-0"
    proc = _start(tmp_path, "check", str(folder), "--no-ocr")
    _wait_for_marks(tmp_path, proc, 1)
    workers = _descendants(proc.pid)
    assert workers
    returncode, err = _stop(proc, signal.SIGTERM, group=True)  # a batch system stops the job
    assert_all_end(workers, GONE)
    assert returncode == 143
    assert err.strip().splitlines()[-1] == "dossier: stopped by SIGTERM"
    assert "Traceback" not in err


# -- build ----------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_a_build_stopped_while_writing_leaves_the_old_dossier_and_no_temporary_file(
    tmp_path: Path, signum: int
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "dossier.pdf").write_bytes(b"the dossier of the last build")
    temp = tmp_path / "temp"
    temp.mkdir()
    proc = _start(
        tmp_path,
        "build",
        str(SAMPLES / "us-j1"),
        "-o",
        str(out / "dossier.pdf"),
        "--no-ocr",
        env={"WRITE_MARK": "1", "TMPDIR": str(temp)},
    )
    _wait_for_marks(tmp_path, proc, 1)
    assert [p.name for p in out.iterdir() if p.name != "dossier.pdf"]  # the temporary file
    workers = _descendants(proc.pid)
    returncode, err = _stop(proc, signum, group=True)
    assert_all_end(workers, GONE)
    assert returncode == 128 + signum
    assert "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["dossier.pdf"]
    assert (out / "dossier.pdf").read_bytes() == b"the dossier of the last build"
    assert [p.name for p in temp.iterdir() if p.name.startswith("img-dossier")] == []


def test_a_build_stopped_while_checking_removes_its_temporary_folders(tmp_path: Path) -> None:
    folder = tmp_path / "applicant"
    shutil.copytree(SAMPLES / "us-j1", folder)
    pdf = (SAMPLES / "us-j1" / "passport.pdf").read_bytes()
    (folder / "stuck.pdf").write_bytes(pdf + b"\n% not the passport's bytes\n")
    temp = tmp_path / "temp"
    temp.mkdir()
    out = tmp_path / "dossier.pdf"
    proc = _start(
        tmp_path, "build", str(folder), "-o", str(out), "--no-ocr", env={"TMPDIR": str(temp)}
    )
    _wait_for_marks(tmp_path, proc, 1)
    workers = _descendants(proc.pid)
    returncode, err = _stop(proc, signal.SIGTERM, group=False)
    assert_all_end(workers, GONE)
    assert returncode == 143
    assert err.strip().splitlines()[-1] == "dossier: stopped by SIGTERM"
    assert not out.exists()
    assert [p.name for p in temp.iterdir() if p.name.startswith("img-dossier")] == []


# -- an external converter (LibreOffice) ------------------------------------------------------

#: A stand-in for LibreOffice's launcher: it starts a child (as ``soffice`` starts
#: ``soffice.bin``), leaves a mark for both, and waits for the child, which never ends.
FAKE_SOFFICE = """#!/bin/sh
sleep 600 &
touch "{marks}/soffice-$$" "{marks}/soffice-$!"
wait
"""


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_a_stopped_build_stops_the_word_converter_and_what_it_started(
    tmp_path: Path, signum: int
) -> None:
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE.format(marks=tmp_path / "marks"))
    fake.chmod(0o755)
    temp = tmp_path / "temp"
    temp.mkdir()
    proc = _start(
        tmp_path,
        "build",
        str(SAMPLES / "us-j1"),  # cv-j1.docx is converted by "LibreOffice"
        "-o",
        str(tmp_path / "dossier.pdf"),
        "--no-ocr",
        env={"IMG_DOSSIER_SOFFICE": str(fake), "TMPDIR": str(temp)},
    )
    _wait_for_marks(tmp_path, proc, 2)
    pids = [int(p.name.split("-")[1]) for p in (tmp_path / "marks").glob("soffice-*")]
    converters = [psutil.Process(pid) for pid in pids]
    workers = _descendants(proc.pid)
    _, err = _stop(proc, signum, group=False)
    assert_all_end(converters + workers, GONE)
    assert "Traceback" not in err
    if signum != signal.SIGKILL:  # the worker's copy of the Word file went with its folder
        assert [p.name for p in temp.iterdir() if p.name.startswith("img-dossier")] == []
