"""A client's audit result is reused while nothing it depends on changed (audit/client_cache)."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from img_dossier.audit import run as audit_run
from img_dossier.audit.run import AuditOptions, AuditRow, check_clients, discover
from img_dossier.checking import pipeline
from img_dossier.readers.cache import ReadCache

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "us-j1"
AS_OF = date(2026, 9, 1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "clients" / "mateo"
    shutil.copytree(SAMPLE, target)
    return target


def rows(folder: Path, cache: ReadCache, as_of: date = AS_OF) -> list[AuditRow]:
    options = AuditOptions(as_of, cache=cache, ocr=False)
    return [r.row for r in check_clients(discover([folder]), options, jobs=1)]


def checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Count the clients actually checked (run_check called)."""
    seen: list[Path] = []
    real = pipeline.run_check

    def counting(path: Path, **kw: object) -> pipeline.CheckRun:
        seen.append(path)
        return real(path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "run_check", counting)
    return seen


def test_a_warm_audit_reuses_each_clients_result(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = checks(monkeypatch)
    cold = rows(folder, ReadCache(tmp_path / "cache"))
    assert len(seen) == 1
    warm_cache = ReadCache(tmp_path / "cache")
    assert rows(folder, warm_cache) == cold and len(seen) == 1
    assert (warm_cache.hits, warm_cache.writes) == (1, 0)


def test_a_rewritten_document_is_checked_again_even_with_its_old_time_and_size(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = checks(monkeypatch)
    rows(folder, ReadCache(tmp_path / "cache"))
    doc = next(folder.rglob("*.pdf"))
    before = doc.stat()
    data = doc.read_bytes()
    doc.write_bytes(data[:-1] + (b"\n" if data[-1:] != b"\n" else b" "))  # same size
    os.utime(doc, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old time
    rows(folder, ReadCache(tmp_path / "cache"))
    assert len(seen) == 2


@pytest.mark.parametrize("change", ["dossier.yaml", "new file", "removed file", "as-of"])
def test_any_change_the_result_depends_on_checks_the_client_again(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    seen = checks(monkeypatch)
    rows(folder, ReadCache(tmp_path / "cache"))
    as_of = AS_OF
    if change == "dossier.yaml":
        profile = folder / "dossier.yaml"
        profile.write_text(profile.read_text().replace('Quispe Mamani"', 'Quispe Vega"'))
    elif change == "new file":
        shutil.copy(next(folder.rglob("*.pdf")), folder / "copy.pdf")
    elif change == "removed file":
        next(folder.rglob("*.pdf")).unlink()
    else:
        as_of = date(2026, 9, 2)
    after = rows(folder, ReadCache(tmp_path / "cache"), as_of)
    assert len(seen) == 2
    if change == "dossier.yaml":
        assert after[0].applicant is not None and "Quispe Vega" in after[0].applicant


def test_a_custom_checklist_result_is_not_stored(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from img_dossier.config.resources import data_dir

    custom = tmp_path / "mine.yaml"
    custom.write_text("extends: us-eras\nid: mine\ntitle: Mine\nversion: '1'\n")
    profile = folder / "dossier.yaml"
    text = profile.read_text()
    assert "track: us" in text and data_dir("checklists").is_dir()
    profile.write_text(text.replace("track: us", f"track: {custom}", 1))
    seen = checks(monkeypatch)
    rows(folder, ReadCache(tmp_path / "cache"))
    rows(folder, ReadCache(tmp_path / "cache"))
    assert len(seen) == 2


def test_a_damaged_result_entry_is_a_miss(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = checks(monkeypatch)
    cold = rows(folder, ReadCache(tmp_path / "cache"))
    key = audit_run.client_key(discover([folder])[0], AuditOptions(AS_OF, cache=1, ocr=False))
    assert key is not None
    ReadCache(tmp_path / "cache").entry_path(key).write_text('{"version": "x"')
    assert rows(folder, ReadCache(tmp_path / "cache")) == cold and len(seen) == 2
