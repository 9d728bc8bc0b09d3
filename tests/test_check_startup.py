"""The fixed cost of ``dossier check`` on a small folder, as behaviour (issue 13): the
libraries a folder's formats do not need are never imported, one reader worker reads a
small folder without OCR, and the console's garbage-collector pause always ends.
(Timings are measured by bench/run.py, never asserted here.)"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from img_dossier import collector
from img_dossier.checking import pipeline
from img_dossier.checking.pipeline import FILES_PER_WORKER, reading_workers, run_check
from img_dossier.readers import reader_limits
from img_dossier.readers.cache import ReadCache
from imported import modules_imported

ROOT = Path(__file__).resolve().parents[1]
US = ROOT / "samples" / "us-j1"

#: Libraries no check of a folder without them (and with its configuration validated
#: before) has any use for.
NEVER = ("pydantic", "ruamel", "reportlab", "jinja2", "pypdf", "onnxruntime", "numpy")


def _folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "client"
    folder.mkdir()
    shutil.copy(US / "dossier.yaml", folder / "dossier.yaml")
    (folder / "cv.txt").write_text("Curriculum Vitae\nEducation\nWork experience\n")
    for name in names:
        shutil.copy(US / name, folder / name)
    for path in folder.iterdir():  # written a while ago (a file written just now is racy:
        os.utime(path, (0, path.stat().st_mtime - 3600))  # its validation is not kept)
    return folder


def _imported_by_a_cold_check(folder: Path, cache: Path, *options: str) -> set[str]:
    """The modules a ``dossier check`` imports that reads every document afresh, with its
    checklist and dossier.yaml validated by an earlier run (as bench/run.py's "cold")."""
    env = {**os.environ, "IMG_DOSSIER_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "img_dossier", "check", str(folder), "-q", *options]
    subprocess.run(command, env=env, capture_output=True, check=False)
    for path in sorted(cache.rglob("*"), reverse=True):
        if path.is_file() and path.suffix != ".cfg":
            path.unlink()
    return modules_imported(command[3:], env)


def _tops(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in names)


def test_a_text_only_folder_imports_no_pdf_image_or_word_library(tmp_path: Path) -> None:
    modules = _imported_by_a_cold_check(_folder(tmp_path), tmp_path / "cache", "--no-ocr")
    assert "img_dossier.readers.text" in modules or "img_dossier.readers.dispatch" in modules
    assert _tops(modules, (*NEVER, "pikepdf", "pypdfium2", "docx", "PIL")) == []


def test_a_pdf_and_photo_folder_without_ocr_imports_no_ocr_or_word_library(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path, "passport.pdf", "mspe.pdf", "photo.jpg")
    modules = _imported_by_a_cold_check(folder, tmp_path / "cache", "--no-ocr")
    assert {"pikepdf", "pypdfium2", "PIL"} <= {m.split(".")[0] for m in modules}
    assert _tops(modules, (*NEVER, "docx")) == []
    assert "img_dossier.readers.ocr" not in modules
    assert "img_dossier.readers.scans" not in modules


def test_one_reader_worker_reads_a_small_folder_without_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Any] = []
    read = pipeline.read_documents

    def spy(files: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["jobs"])
        return read(files, **kwargs)

    monkeypatch.setattr(pipeline, "read_documents", spy)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    cache = ReadCache(tmp_path / "cache")
    without = run_check(US, cache=cache, limits=reader_limits(ocr=False))
    assert asked == [1]
    assert without.report.documents  # read all the same
    run_check(US, jobs=3, cache=ReadCache(tmp_path / "other"), limits=reader_limits(ocr=False))
    assert asked[-1] == 3  # --jobs is obeyed


def test_reader_workers_grow_with_the_folder() -> None:
    cpus = os.cpu_count() or 1
    assert reading_workers(30, None, ocr=False) == 1
    assert reading_workers(FILES_PER_WORKER + 1, None, ocr=False) == min(2, cpus)
    assert reading_workers(30, None, ocr=True) == min(cpus, 30)  # OCR: the readers decide
    assert reading_workers(30, 2, ocr=False) == 2
    assert reading_workers(0, None, ocr=False) == 1


def test_settle_freezes_start_up_and_turns_the_collector_on_again() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    collector.settle()  # not paused: a library caller's objects are never frozen
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    collector.pause()
    try:
        assert not gc.isenabled() and collector.paused()
    finally:
        collector.settle()
        gc.unfreeze()
    assert gc.isenabled() and not collector.paused()


def test_a_library_check_leaves_the_collector_alone(tmp_path: Path) -> None:
    frozen = gc.get_freeze_count()
    run_check(US, cache=ReadCache(tmp_path / "cache"), limits=reader_limits(ocr=False))
    assert gc.isenabled() and gc.get_freeze_count() == frozen


_AT_EXIT = (
    "import atexit, gc, sys\n"
    "from img_dossier.cli import main\n"
    "atexit.register(lambda: print('collector', gc.isenabled(), gc.get_freeze_count() > 0, "
    "file=sys.stderr))\n"
    "sys.argv = ['dossier', *sys.argv[1:]]\n"
    "main()\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(US), "-q", "--no-ocr"],
        ["checklists", "list"],
    ],
)
def test_the_console_turns_the_collector_on_again(tmp_path: Path, args: list[str]) -> None:
    env = {**os.environ, "IMG_DOSSIER_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", _AT_EXIT, *args], env=env, capture_output=True, text=True
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "collector True True" in proc.stderr


def test_an_audit_client_worker_settles_its_collector_at_its_first_client(
    tmp_path: Path,
) -> None:
    from datetime import date

    from img_dossier.audit import run as audit_run
    from img_dossier.audit.rows import AuditOptions

    client = audit_run.discover([US])[0]
    options = AuditOptions(date(2026, 1, 15), cache=ReadCache(tmp_path / "cache"), ocr=False)
    with audit_run._client_pool(1) as pool:
        assert pool.submit(gc.isenabled).result() is False  # paused while it starts
        row = pool.submit(audit_run.check_client, client, options).result().row
        assert row.error is None and row.applicant
        assert pool.submit(gc.isenabled).result() is True
        assert pool.submit(gc.get_freeze_count).result() > 0


def _script_language_by_every_letter(text: str) -> str | None:
    """facts.language.script_language without its shortcut for Latin-only text."""
    from collections import Counter

    from img_dossier.facts import language

    counts: Counter[str] = Counter()
    letters = 0
    for ch in text[:20000]:
        if not ch.isalpha():
            continue
        letters += 1
        for first, last, code in language._SCRIPTS:
            if first <= ord(ch) <= last:
                counts[code] += 1
                break
    if letters < language.MIN_WORDS or not counts:
        return None
    if counts["ja"] and counts["ja"] + counts["zh"] >= language.SCRIPT_SHARE * letters:
        return "ja"
    code, n = counts.most_common(1)[0]
    return code if n >= language.SCRIPT_SHARE * letters else None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Diplôme de docteur en médecine décerné à Élodie Müller, Ñuñoa, São Paulo " * 3,
        "Диплом врача выдан Иванову Ивану Ивановичу в городе Москва",
        "Passport Паспорт Ivan Ivanov issued in Moscow, expiry 2031",
        "医師免許証 山田太郎 にほんご の ぶんしょう です",
        "대한민국 의사 면허증 홍길동",
        "ΠΤΥΧΙΟ ΙΑΤΡΙΚΗΣ Γεώργιος Παπαδόπουλος",
        "x" * 30 + "\u0370",
    ],
)
def test_the_latin_shortcut_of_script_language_changes_no_answer(text: str) -> None:
    from img_dossier.facts.language import script_language

    assert script_language(text) == _script_language_by_every_letter(text)
