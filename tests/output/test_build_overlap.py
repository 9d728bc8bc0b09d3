"""What `build`'s console process does while the folder is read (issue 13: fixed costs), as
structure: the reader workers start before the dossier's libraries are loaded, a fork
never copies a half-done import, and the early child starts only where it pays.
The dossier is the same either way. Timings are measured by bench/, never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.cli.background import BackgroundImport
from img_dossier.errors import ExitCode
from img_dossier.output import early
from img_dossier.readers import DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parents[2]
US = ROOT / "samples" / "us-j1"

forks = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")


def test_the_reader_workers_start_before_the_dossier_libraries_load(tmp_path: Path) -> None:
    """With the early child preparing the documents, reportlab and the assembler are not
    loaded when the reader workers are forked (they load on a thread while the workers
    read); without it, they are (the workers then convert with them, shared by the fork).
    The dossier is written either way."""
    if not early.enabled():
        pytest.skip("only where workers fork (Linux)")
    heavy = ("reportlab", "img_dossier.output.assemble", "img_dossier.checking.pipeline")
    for child in ("1", "0"):
        out = tmp_path / f"out{child}.pdf"
        code = (
            "import os, sys\n"
            "seen = []\n"
            "def before():\n"
            f"    seen.append(sorted(m for m in {heavy!r} if m in sys.modules))\n"
            "from img_dossier.cli import cli\n"
            "os.register_at_fork(before=before)\n"
            f"args = ['build', {str(US)!r}, '-o', {str(out)!r}, '-q', '--no-cache']\n"
            "try:\n"
            "    cli(args)\n"
            "except SystemExit as done:\n"
            "    assert done.code in (0, 1), done.code\n"
            "assert 'img_dossier.output.assemble' in sys.modules\n"
            "import json\nprint(json.dumps(seen))\n"
        )
        env = dict(os.environ, IMG_DOSSIER_EARLY_PREPARE=child)
        ran = subprocess.run(
            [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
        )
        seen = json.loads(ran.stdout.strip().splitlines()[-1])
        if child == "1":  # the early child first, then the first reader worker
            assert seen[:2] == [[], ["img_dossier.checking.pipeline"]], seen
        else:  # the first reader worker
            assert seen[0] == sorted(heavy), seen
        with pikepdf.open(out) as pdf:
            assert not pdf.get_warnings()
            assert len(pdf.pages) == len(pypdfium2.PdfDocument(out)) > 2


@forks
def test_a_fork_waits_for_the_imports_on_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process forked while the thread imports gets the module whole, never half (its
    import lock held by a thread the child does not have would hang the child)."""
    (tmp_path / "slow_module_for_test.py").write_text(
        "import time\ntime.sleep(0.5)\nDONE = True\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    loading = BackgroundImport(["slow_module_for_test"])
    loading.start()
    pid = os.fork()
    if pid == 0:  # the child: the module is there, complete
        module = sys.modules.get("slow_module_for_test")
        os._exit(0 if module is not None and getattr(module, "DONE", False) else 3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    loading.wait()
    assert sys.modules["slow_module_for_test"].DONE is True


@forks
def test_a_fork_waits_for_the_thread_even_when_its_imports_need_logging(tmp_path: Path) -> None:
    """logging's fork hook holds its lock while the process forks; a thread importing a
    module that asks for a logger (as reportlab does) still finishes first (it used to wait
    for that lock while the fork waited for it: a hang). A fresh process: logging is first
    imported by the thread's module, as in `build`."""
    (tmp_path / "slow_logger_for_test.py").write_text(
        "import logging, time\ntime.sleep(0.5)\nlogging.getLogger('x')\nDONE = True\n",
        encoding="utf-8",
    )
    code = (
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from img_dossier.cli.background import BackgroundImport, FORK_WAIT_SECONDS\n"
        "loading = BackgroundImport(['slow_logger_for_test'])\n"
        "loading.start()\n"
        "time.sleep(0.2)\n"
        "started = time.monotonic()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if getattr(sys.modules.get('slow_logger_for_test'), 'DONE', 0) else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "assert os.waitstatus_to_exitcode(status) == 0, 'the child got a half-done import'\n"
        "assert time.monotonic() - started < FORK_WAIT_SECONDS, 'the fork waited for nothing'\n"
        "loading.wait()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_module_the_thread_could_not_import_fails_where_it_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_module_for_test.py").write_text("raise ValueError('no')\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    loading = BackgroundImport(["broken_module_for_test"])
    loading.start()
    with pytest.raises(ValueError, match="no"):
        loading.wait()


def _dossier(out: Path) -> tuple[int, list[str], list[str]]:
    with pikepdf.open(out) as pdf:
        assert not pdf.get_warnings()
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        labels = [str(p.label) for p in pdf.pages]
        assert len(pypdfium2.PdfDocument(out)) == len(pdf.pages)
        return len(pdf.pages), labels, titles


def test_build_starts_no_early_child_for_a_small_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No child for a folder of fewer than MIN_FILES files (checked too soon for the child
    to finish much); IMG_DOSSIER_EARLY_PREPARE=1 starts it anyway. The dossier is the same
    either way, with OCR and without."""
    if not early.enabled():
        pytest.skip("only where workers fork (Linux)")
    monkeypatch.delenv("IMG_DOSSIER_EARLY_PREPARE", raising=False)
    assert not early.forced()
    small = len([p for p in US.rglob("*") if p.is_file()])
    assert small < early.MIN_FILES  # us-j1 is a small folder
    seen = {}
    for name, extra, env in (
        ("small", [], {}),
        ("no-ocr", ["--no-ocr"], {"IMG_DOSSIER_EARLY_PREPARE": ""}),
        ("forced", [], {"IMG_DOSSIER_EARLY_PREPARE": "1"}),
        ("forced-no-ocr", ["--no-ocr"], {"IMG_DOSSIER_EARLY_PREPARE": "on"}),
    ):
        out = tmp_path / f"{name}.pdf"
        env = {"IMG_DOSSIER_CACHE_DIR": str(tmp_path / name), "IMG_DOSSIER_TIMINGS": "1", **env}
        args = ["build", str(US), "-o", str(out), "-q", "--json", *extra]
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == ExitCode.OK, result.output
        child = "of which prepared while checking" in result.stderr
        assert child is name.startswith("forced"), name
        seen[name] = _dossier(out)
    assert seen["small"] == seen["forced"]
    assert seen["no-ocr"] == seen["forced-no-ocr"]


def test_a_folder_of_many_files_gets_the_early_child(tmp_path: Path) -> None:
    if not early.enabled():
        pytest.skip("only where workers fork (Linux)")
    import shutil

    folder = tmp_path / "client"
    shutil.copytree(US, folder)
    (folder / "more").mkdir()
    source = (US / "passport.pdf").read_bytes()
    for n in range(early.MIN_FILES):
        (folder / "more" / f"copy-{n:02d}.pdf").write_bytes(source + f"%{n}\n".encode())
    letter = (612.0, 792.0)
    with early.early_prepare(folder, letter, DEFAULT_LIMITS, None, min_files=early.MIN_FILES) as ok:
        assert ok is not None
    with early.early_prepare(
        folder, letter, DEFAULT_LIMITS, None, min_files=10 * early.MIN_FILES
    ) as too_few:
        assert too_few is None


def test_what_the_thread_loads_for_the_console_is_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the console process's start-up (collector.settle): the collector does not walk the
    dossier's libraries again and again for the rest of the run. Not as a library."""
    import gc

    for n, freeze in enumerate((False, True)):
        (tmp_path / f"module_{n}_for_test.py").write_text("OBJECTS = [[k] for k in range(9)]\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        gc.unfreeze()
        loading = BackgroundImport([f"module_{n}_for_test"], freeze=freeze)
        loading.start()
        loading.wait()
        try:
            assert (gc.get_freeze_count() > 0) is freeze
        finally:
            gc.unfreeze()
