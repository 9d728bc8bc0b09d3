"""Progress: on stderr only when it is a terminal; -q silences it; stdout never changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from img_dossier.checking.pipeline import run_check
from img_dossier.cli.progress_bar import _Reporter

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "us-j1"
pty = pytest.importorskip("pty")


def _run(args: list[str], *, terminal: bool, cwd: Path) -> tuple[int, bytes, bytes]:
    """Run ``dossier ARGS`` with stdout piped and stderr a pseudo-terminal (or a pipe)."""
    cmd = [sys.executable, "-m", "img_dossier", *args]
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    if not terminal:
        done = subprocess.run(cmd, capture_output=True, cwd=cwd, env=env, timeout=300)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, cwd=cwd, env=env
        )
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            err += chunk
        out = proc.stdout.read() if proc.stdout else b""
        code = proc.wait(timeout=300)
    finally:
        os.close(master)
    return code, out, err


@pytest.mark.parametrize(
    "args",
    [
        ["build", str(SAMPLE), "-o", "out.pdf", "--as-of", "2026-11-29"],
        [
            "pack",
            str(SAMPLE),
            "--portal",
            "carms",
            "--track",
            "canada",
            "--out",
            "packed",
            "--force",
            "--as-of",
            "2026-11-29",
        ],
    ],
    ids=["build", "pack"],
)
@pytest.mark.slow
def test_progress_on_a_terminal_and_the_same_stdout_piped(args: list[str], tmp_path: Path) -> None:
    code, out_tty, err_tty = _run(args, terminal=True, cwd=tmp_path)
    assert b"Reading documents" in err_tty, err_tty[-400:]
    assert b"Reading documents" not in out_tty
    code2, out_pipe, err_pipe = _run(args, terminal=False, cwd=tmp_path)
    assert (code, out_tty) == (code2, out_pipe)  # stdout byte-identical
    assert b"Reading documents" not in err_pipe  # off a terminal: no bar
    code3, _, err_quiet = _run([*args, "-q"], terminal=True, cwd=tmp_path)
    assert b"Reading documents" not in err_quiet and code3 == code


def test_python_api_takes_a_progress_callback() -> None:
    calls: list[tuple[str, int, int]] = []
    run = run_check(SAMPLE, progress=lambda stage, done, total: calls.append((stage, done, total)))
    reading = [c for c in calls if c[0] == "reading documents"]
    assert reading and reading[-1][1] == reading[-1][2] == len(run.report.documents)
    assert [c[1] for c in reading] == sorted(c[1] for c in reading)


def test_off_a_terminal_verbose_prints_a_line_every_ten_seconds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = [1000.0]
    monkeypatch.setattr("img_dossier.cli.progress_bar.time.monotonic", lambda: clock[0])
    reporter = _Reporter(terminal=False, verbose=True)
    for done in range(1, 31):
        clock[0] += 1.0
        reporter("reading documents", done, 30)
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "dossier: reading documents: 10 of 30",
        "dossier: reading documents: 20 of 30",
        "dossier: reading documents: 30 of 30",
    ]


def test_letters_and_audit_take_a_progress_callback(tmp_path: Path) -> None:
    from img_dossier.audit.run import audit
    from img_dossier.letters import render as letters

    template = letters.load_template("interview-thank-you")
    sets = {
        f.name: (f.example.isoformat() if hasattr(f.example, "isoformat") else str(f.example))
        for f in template.fields
        if f.name != "today"
    }
    rows = tmp_path / "rows.csv"
    rows.write_text("interviewer_name\nDr. A\nDr. B\nDr. C\n", encoding="utf-8")
    calls: list[tuple[str, int, int]] = []
    sets.pop("interviewer_name")
    letters.render(
        "interview-thank-you",
        None,
        data=rows,
        sets=sets,
        out_dir=tmp_path / "out",
        progress=lambda *c: calls.append(c),
    )
    assert calls == [("rendering letters", n, 3) for n in (1, 2, 3)]
    calls.clear()
    rows_seen = list(
        audit([SAMPLE, ROOT / "samples" / "problems"], jobs=1, progress=lambda *c: calls.append(c))
    )
    assert len(rows_seen) == 2 and calls == [("checking clients", 1, 2), ("checking clients", 2, 2)]
