"""Windows and macOS, tested on Linux: the spawn start method, the memory watchdog, no POSIX-only
calls, and machine output through a cp1252 pipe.

Scripts run in a child Python so that the start method and the memory guard are those a
user on the other system gets; a reader is patched at the top of the script, which a
spawned worker imports again (as ``__mp_main__``), so the patch reaches the workers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from img_dossier.errors import ExitCode
from orphans import assert_worker_dies_with_parent

REPO = Path(__file__).resolve().parents[2]

HEADER = """
import os, sys, time
from pathlib import Path
from img_dossier.readers import Limits, dispatch, read_documents
from img_dossier.readers.result import Reading
from img_dossier.readers.scan import scan
"""


CODES = """
def report(docs):
    for d in docs:
        print(d.rel, ",".join(p.code for p in d.problems) or "-", d.text.strip() or "-")
"""


def run_script(
    tmp_path: Path, body: str, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(HEADER + CODES + textwrap.dedent(body))
    full_env = {**os.environ, "IMG_DOSSIER_START_METHOD": "spawn", **(env or {})}
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=tmp_path,
    )


def folder(tmp_path: Path, names: tuple[str, ...]) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in names:
        (docs / name).write_bytes(b"%PDF-1.4\n%%EOF\n" if name.endswith(".pdf") else b"ok")
    return docs


def parse(out: str) -> dict[str, tuple[str, str]]:
    rows = {}
    for line in out.splitlines():
        rel, codes, text = line.split(" ", 2)
        rows[rel] = (codes, text)
    return rows


@pytest.mark.parametrize("guard", ["rlimit", "watchdog"])
def test_a_memory_bomb_is_stopped_by_the_cap_under_spawn(tmp_path: Path, guard: str) -> None:
    docs = folder(tmp_path, ("a.txt", "bomb.pdf", "c.txt"))
    body = """
    def hungry(path, limits):
        hog = []
        for _ in range(40):  # 2 GB in touched 50 MB blocks: resident, not only reserved
            hog.append(b"x" * (50 * 1024 * 1024))
        time.sleep(40)  # held: a watchdog on a loaded machine still gets to see it
        return Reading("pdf", 1, "allocated despite the cap")

    dispatch.read_pdf = hungry
    if __name__ == "__main__":
        limits = Limits(memory_mb=400, seconds=90)
        report(read_documents(scan(Path(sys.argv[1])).files, limits=limits, jobs=2))
    """
    done = run_script(tmp_path, body, str(docs), env={"IMG_DOSSIER_MEMORY_GUARD": guard})
    assert done.returncode == 0, done.stderr
    rows = parse(done.stdout)
    assert rows["bomb.pdf"][0] == "too-large"
    assert rows["a.txt"] == ("-", "ok") and rows["c.txt"] == ("-", "ok")


def test_a_slow_file_times_out_and_worker_start_up_is_not_charged(tmp_path: Path) -> None:
    docs = folder(tmp_path, ("a.txt", "slow.pdf"))
    body = """
    import multiprocessing
    if multiprocessing.parent_process() is not None:
        time.sleep(3)  # a worker that is slow to start (imports on a busy laptop)

    def slow(path, limits):
        time.sleep(60)

    dispatch.read_pdf = slow
    if __name__ == "__main__":
        started = time.monotonic()
        report(read_documents(scan(Path(sys.argv[1])).files, limits=Limits(seconds=1.5), jobs=1))
        print("elapsed", round(time.monotonic() - started, 1), "-")
    """
    done = run_script(tmp_path, body, str(docs))
    assert done.returncode == 0, done.stderr
    rows = parse(done.stdout)
    assert rows["a.txt"] == ("-", "ok")  # 3 s of start-up, a 1.5 s limit: still read
    assert rows["slow.pdf"][0] == "timeout"
    assert float(rows["elapsed"][0]) < 30


def test_a_crashing_reader_is_too_large_and_the_rest_is_read_under_spawn(tmp_path: Path) -> None:
    docs = folder(tmp_path, ("a.txt", "b.pdf", "c.txt", "d.pdf"))
    body = """
    def crash(path, limits):
        os._exit(9)

    dispatch.read_pdf = crash
    if __name__ == "__main__":
        report(read_documents(scan(Path(sys.argv[1])).files, jobs=2))
    """
    done = run_script(tmp_path, body, str(docs))
    assert done.returncode == 0, done.stderr
    rows = parse(done.stdout)
    assert rows["b.pdf"][0] == rows["d.pdf"][0] == "too-large"
    assert rows["a.txt"] == rows["c.txt"] == ("-", "ok")


def test_a_script_without_a_main_guard_gets_an_error_not_too_large(tmp_path: Path) -> None:
    docs = folder(tmp_path, ("a.txt", "b.pdf"))
    body = """
    report(read_documents(scan(Path(sys.argv[1])).files, jobs=2))
    """
    done = run_script(tmp_path, body, str(docs))
    assert "too-large" not in done.stdout
    assert done.returncode != 0  # the worker could not start: said, with the way out
    assert "WorkerStartError" in done.stderr
    assert 'if __name__ == "__main__"' in done.stderr


def test_workers_do_not_outlive_a_killed_parent_under_spawn(tmp_path: Path) -> None:
    docs = folder(tmp_path, ("spin.pdf",))
    pid_file = tmp_path / "worker.pid"
    body = """
    def stuck(path, limits):
        Path(sys.argv[2]).write_text(str(os.getpid()))
        while True:
            pass  # a hostile file that spins forever

    dispatch.read_pdf = stuck
    if __name__ == "__main__":
        read_documents(scan(Path(sys.argv[1])).files)
    """
    script = tmp_path / "script.py"
    script.write_text(HEADER + textwrap.dedent(body))
    env = {**os.environ, "IMG_DOSSIER_START_METHOD": "spawn"}
    assert_worker_dies_with_parent(
        [sys.executable, str(script), str(docs), str(pid_file)], pid_file, env=env, start=60
    )


# -- machine output through a cp1252 pipe --------------------------------------------------

PROFILE = """\
schema: 1
track: us
applicant:
  given_names: {given}
  family_name: {family}
training:
  visa: none
"""


@pytest.fixture
def clients(tmp_path: Path) -> Path:
    root = tmp_path / "clients"
    for folder_name, given, family in (
        ("arabic", "عبد الله", "الحسيني"),
        ("chinese", "小明", "王"),
    ):
        client = root / folder_name
        client.mkdir(parents=True)
        (client / "dossier.yaml").write_text(
            PROFILE.format(given=given, family=family), encoding="utf-8"
        )
        (client / "cv.txt").write_text(f"Curriculum vitae\n{given} {family}\n", encoding="utf-8")
    return root


def dossier(*args: str, encoding: str = "cp1252") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
    return subprocess.run(
        [sys.executable, "-m", "img_dossier", *args], capture_output=True, env=env, timeout=300
    )


def test_check_json_through_a_cp1252_pipe_is_utf8(clients: Path) -> None:
    for name, family in (("arabic", "الحسيني"), ("chinese", "王")):
        done = dossier("check", str(clients / name), "--json")
        assert done.returncode == ExitCode.INCOMPLETE, done.stderr.decode("utf-8", "replace")
        report = json.loads(done.stdout.decode("utf-8"))
        assert family in report["applicant"]["name"]


def test_audit_jsonl_and_csv_through_a_cp1252_pipe_are_utf8(clients: Path) -> None:
    done = dossier("audit", str(clients), "--format", "jsonl", "--no-cache")
    assert done.returncode == ExitCode.INCOMPLETE, done.stderr.decode("utf-8", "replace")
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert {r["applicant"] for r in rows} >= {"عبد الله الحسيني", "小明 王"}
    done = dossier("audit", str(clients), "--format", "csv", "--no-cache")
    assert done.returncode == ExitCode.INCOMPLETE
    assert "王" in done.stdout.decode("utf-8")


def test_text_for_people_degrades_on_a_cp1252_pipe_without_crashing(clients: Path) -> None:
    done = dossier("check", str(clients / "chinese"))
    assert done.returncode == ExitCode.INCOMPLETE, done.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in done.stderr


# -- no POSIX-only calls -------------------------------------------------------------------

SAMPLES = REPO / "samples"

FAKE_SOFFICE = """\
import shutil, sys
from pathlib import Path
args = sys.argv[1:]
out = Path(args[args.index("--outdir") + 1])
out.mkdir(parents=True, exist_ok=True)
shutil.copy({made!r}, out / (Path(args[-1]).stem + ".pdf"))
"""


@pytest.mark.slow
def test_the_cli_works_without_posix_only_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on Windows: no killpg, fork, SIGPIPE or resource; LibreOffice named explicitly."""
    import shutil
    import signal

    from click.testing import CliRunner
    from reportlab.pdfgen.canvas import Canvas

    from img_dossier.cli import cli
    from img_dossier.errors import ExitCode
    from img_dossier.readers import pool

    made = tmp_path / "made.pdf"
    canvas = Canvas(str(made))
    canvas.drawString(72, 720, "Curriculum vitae, converted by LibreOffice")
    canvas.save()
    fake = tmp_path / "soffice.py"
    fake.write_text(f"#!{sys.executable}\n" + FAKE_SOFFICE.format(made=str(made)))
    fake.chmod(0o755)
    docs = tmp_path / "us-j1"
    shutil.copytree(SAMPLES / "us-j1", docs)

    pool.shutdown()  # workers started from here on are spawned, as on Windows
    monkeypatch.setenv("IMG_DOSSIER_SOFFICE", str(fake))
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("killpg", "fork", "register_at_fork"):
        monkeypatch.delattr(os, name, raising=False)
    monkeypatch.delattr(signal, "SIGPIPE", raising=False)
    monkeypatch.setitem(sys.modules, "resource", None)  # `import resource` fails, as on Windows
    try:
        runner = CliRunner()
        checked = runner.invoke(cli, ["check", str(docs), "--json"])
        assert checked.exit_code == ExitCode.OK, checked.output
        built = runner.invoke(cli, ["build", str(docs), "-o", str(tmp_path / "d.pdf"), "--json"])
        assert built.exit_code == ExitCode.OK, built.output
        dossier = json.loads(built.stdout)["dossier"]
        assert not [x for x in dossier.get("left_out", []) if x["path"].endswith(".docx")]
        placed = {d for s in dossier["sections"] for d in s["documents"]}
        assert "cv-j1.docx" in placed
        letters = runner.invoke(
            cli,
            ["letters", "render", "lor-request", str(docs), "--format", "pdf",
             "--data", str(SAMPLES / "referees.csv"), "--out", str(tmp_path / "letters")],
        )  # fmt: skip
        assert letters.exit_code == ExitCode.OK, letters.output
        assert list((tmp_path / "letters").glob("*.pdf"))
        audited = runner.invoke(cli, ["audit", str(docs), str(SAMPLES / "canada")])
        assert audited.exit_code == ExitCode.OK, audited.output
    finally:
        pool.shutdown()


# -- the hostile-input and end-to-end suites, again under spawn ------------------------------

SPAWN_SUITES = (
    "tests/hostile/test_hostile.py",
    "tests/cli/test_check_cli.py",
    "tests/output/test_build_cli.py",
    "tests/test_samples.py",
    "tests/audit/test_audit.py",
)


def spawn_run_args(config: pytest.Config) -> list[str]:
    """pytest's arguments for the spawn run: the suites, stopping at the first failure, and
    leaving out what this run was told to leave out (``--deselect``). The floors job deselects
    the byte-exact regeneration of the committed samples (drawn by the newest Pillow, nothing
    to do with workers); without this the spawn run ran it there and failed on it."""
    suites = [s for s in SPAWN_SUITES if (REPO / s).exists()]
    left_out = [f"--deselect={nodeid}" for nodeid in config.getoption("deselect") or ()]
    return ["-q", "-x", "-p", "no:cacheprovider", *left_out, *suites]


def test_the_spawn_run_leaves_out_what_this_run_deselects(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = "tests/test_samples.py::test_committed_samples_are_what_the_generator_makes"
    monkeypatch.setattr(pytestconfig.option, "deselect", [samples])
    args = spawn_run_args(pytestconfig)
    assert f"--deselect={samples}" in args
    assert "tests/test_samples.py" in args and "tests/hostile/test_hostile.py" in args
    monkeypatch.setattr(pytestconfig.option, "deselect", None)
    assert not [a for a in spawn_run_args(pytestconfig) if a.startswith("--deselect")]


@pytest.mark.slow
def test_hostile_and_end_to_end_suites_pass_under_spawn(pytestconfig: pytest.Config) -> None:
    """What a Windows or macOS user runs: every worker spawned (tests that patch what only a
    forked worker inherits are skipped there; the scripts above cover them)."""
    if os.environ.get("IMG_DOSSIER_START_METHOD") == "spawn":
        pytest.skip("already the spawn run")
    env = {**os.environ, "IMG_DOSSIER_START_METHOD": "spawn"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *spawn_run_args(pytestconfig)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]


def test_a_dossier_open_in_a_viewer_is_exit_4_saying_to_close_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to replace a file a PDF viewer holds open (WinError 32)."""
    from click.testing import CliRunner

    from img_dossier.cli import cli
    from img_dossier.errors import ExitCode

    out = tmp_path / "dossier.pdf"
    out.write_bytes(b"%PDF-1.4 the old dossier, open in a viewer\n")
    real_replace = Path.replace

    def locked(self: Path, target: object) -> Path:
        if Path(str(target)) == out:
            exc = PermissionError(13, "The process cannot access the file")
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc
        return real_replace(self, target)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "replace", locked)
    result = CliRunner().invoke(cli, ["build", str(SAMPLES / "us-j1"), "-o", str(out)])
    assert result.exit_code == ExitCode.OUTPUT
    assert "close it in your PDF viewer and run again" in result.stderr
    assert out.read_bytes().startswith(b"%PDF-1.4 the old dossier")  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["dossier.pdf"]  # no temp file left


def test_a_pack_folder_holding_a_file_open_in_a_viewer_is_exit_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows cannot rename a folder while a viewer holds a file in it open (WinError 5)."""
    from click.testing import CliRunner

    from img_dossier.cli import cli
    from img_dossier.errors import ExitCode

    out = tmp_path / "carms-upload"
    real_rename = Path.rename

    def locked(self: Path, target: object) -> Path:
        if Path(str(target)) == out:
            exc = PermissionError(13, "Access is denied")
            exc.winerror = 5  # type: ignore[attr-defined]
            raise exc
        return real_rename(self, target)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "rename", locked)
    result = CliRunner().invoke(
        cli, ["pack", str(SAMPLES / "canada"), "--portal", "carms", "--out", str(out)]
    )
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "close it in your PDF viewer and run again" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # the staging folder is gone too
