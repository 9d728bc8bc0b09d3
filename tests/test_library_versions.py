"""Kept results are filed under the versions of the libraries that made them (libversions.py):
after an upgrade of pypdfium2 (or any library a reading, conversion, repair or report
depends on) a warm check, audit or build reads again instead of serving the old answer;
with the same versions it reads nothing. The versions are told from the dist-info folders'
names, exactly as the installed metadata tells them, without importing the libraries."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from img_dossier import libversions
from img_dossier.checking import pipeline, report_cache
from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.readers import pool
from img_dossier.readers.cache import ReadCache

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "us-j1"

#: Runtime dependencies that decide nothing a kept result holds: the command line, where
#: the cache is, process watching, and audit's workbook and calendar (written afresh).
NOT_IN_TAG = {"click", "platformdirs", "psutil", "xlsxwriter", "icalendar"}


@pytest.fixture(autouse=True)
def fresh_tag() -> Iterator[None]:
    """Tags worked out afresh in each test, and after it (its patches undone)."""
    from img_dossier.config import validated

    libversions.library_tag.cache_clear()
    yield
    libversions.library_tag.cache_clear()
    validated.code_tag.cache_clear()
    validated.clear_memory()


def _upgrade(monkeypatch: pytest.MonkeyPatch, dist: str, version: str) -> None:
    """Make the dist-info folder of ``dist`` name ``version`` (as ``pip install -U`` would)."""
    real = libversions._index

    def listed(folder: str) -> Any:
        index = real(folder)
        if index is not None and dist in index.dists:
            index.dists[dist] = [version]
        return index

    monkeypatch.setattr(libversions, "_index", listed)
    libversions.library_tag.cache_clear()


def test_versions_are_what_the_installed_metadata_says() -> None:
    seen = dict(libversions.versions())
    checked = 0
    for name, dists in libversions.LIBRARIES:
        for dist in dists:
            try:
                want = metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
            assert f"{libversions._normal(dist)}-{want}" in seen[name].split(","), name
            checked += 1
    assert checked >= 20  # the test environment has them all


def test_every_runtime_dependency_is_in_the_tag_or_decides_nothing_kept() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    for requirement in project["dependencies"]:
        name = requirement.split(";")[0]
        for stop in "<>=!~[ ":
            name = name.split(stop)[0]
        names.add(libversions._normal(name))
    tagged = {libversions._normal(d) for _, dists in libversions.LIBRARIES for d in dists}
    assert names - tagged - NOT_IN_TAG == set()


def test_a_library_version_missing_or_not_installed_gives_a_stable_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "fakelib").mkdir(parents=True)
    (site / "fakelib" / "__init__.py").write_text("")
    info = site / "fakelib-1.0.dist-info"
    info.mkdir()
    monkeypatch.setattr(libversions, "LIBRARIES", (("fakelib", ("FakeLib",)), ("gone", ("gone",))))
    monkeypatch.setattr(
        sys, "path", [str(tmp_path / "nowhere"), str(tmp_path / "a.zip"), str(site)]
    )

    def tag() -> tuple[list[tuple[str, str]], str]:
        libversions.library_tag.cache_clear()
        return libversions.versions(), libversions.library_tag()

    first = tag()
    assert first[0] == [("fakelib", "fakelib-1.0"), ("gone", "-")]
    assert tag() == first
    info.rename(site / "fakelib-1.1.dist-info")  # upgraded
    upgraded = tag()
    assert upgraded[0][0] == ("fakelib", "fakelib-1.1") and upgraded[1] != first[1]
    (site / "fakelib-1.1.dist-info").rmdir()  # a version nowhere to be found
    unknown = tag()
    assert unknown[0][0][1].startswith("?") and unknown == tag()
    assert unknown[1] not in (first[1], upgraded[1])
    (site / "FakeLib.egg-info").mkdir()  # a development install: no version in the name
    assert tag()[0][0][1].startswith("fakelib-??")
    (site / "FakeLib.egg-info").rmdir()
    shutil.rmtree(site / "fakelib")  # not installed
    assert tag()[0] == [("fakelib", "-"), ("gone", "-")]


def test_the_python_that_runs_is_in_the_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    before = libversions.library_tag()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    libversions.library_tag.cache_clear()
    assert libversions.library_tag() != before


def test_an_entry_or_file_is_kept_for_one_set_of_libraries(tmp_path: Path) -> None:
    pdf = tmp_path / "made.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    old = ReadCache(tmp_path / "cache", libraries="a")
    for key in ("convert:1:x", "ab" * 32):  # a hashed key, a key naming its file
        old.put(key, {"pages": 1})
    old.put_file("convert:1:x", pdf)
    new = ReadCache(tmp_path / "cache", libraries="b")
    assert new.get("convert:1:x") is None and new.get("ab" * 32) is None
    assert new.get_file("convert:1:x") is None
    same = ReadCache(tmp_path / "cache", libraries="a")
    assert same.get("convert:1:x") == {"pages": 1} and same.get_file("convert:1:x") is not None
    assert same.get("ab" * 32) == {"pages": 1}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of samples/us-j1, whose files count as old; the cache in tmp_path."""
    monkeypatch.setattr(report_cache, "_RACY_SECONDS", -3600.0)
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "clients" / "us-j1"
    shutil.copytree(SAMPLE, copy)
    return copy


@pytest.fixture
def activity(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """The checks the pipeline really ran, and the files given to the readers to parse."""
    done: dict[str, list[Any]] = {"checks": [], "parsed": []}
    run_check, read_in_workers = pipeline.run_check, pool.read_in_workers

    def checking(folder: Path, **kwargs: Any) -> Any:
        done["checks"].append(folder)
        return run_check(folder, **kwargs)

    def parsing(tasks: Any, *args: Any, **kwargs: Any) -> Any:
        done["parsed"].extend(t.source.rel for t in tasks)
        return read_in_workers(tasks, *args, **kwargs)

    monkeypatch.setattr(pipeline, "run_check", checking)
    monkeypatch.setattr(pool, "read_in_workers", parsing)
    return done


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--as-of", "2026-06-01"], catch_exceptions=False)
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    return result.exit_code, result.output


def test_a_warm_check_reads_again_after_a_library_upgrade(
    folder: Path, activity: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _run("check", str(folder), "--json")
    assert activity["checks"] and "transcript.pdf" in activity["parsed"]
    activity["checks"].clear(), activity["parsed"].clear()
    assert _run("check", str(folder), "--json") == cold  # the same libraries: the kept report
    assert activity == {"checks": [], "parsed": []}

    _upgrade(monkeypatch, "pypdfium2", "999.0")
    assert _run("check", str(folder), "--json") == cold
    assert len(activity["checks"]) == 1  # not the kept report,
    assert "transcript.pdf" in activity["parsed"]  # nor the kept readings: read again
    activity["checks"].clear(), activity["parsed"].clear()
    assert _run("check", str(folder), "--json") == cold  # and kept for the new version
    assert activity == {"checks": [], "parsed": []}


def test_a_warm_audit_reads_again_after_a_library_upgrade(
    folder: Path, activity: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    clients = str(folder.parent)
    cold = _run("audit", clients, "--format", "json", "--jobs", "1")
    assert "transcript.pdf" in activity["parsed"]
    activity["parsed"].clear()
    assert _run("audit", clients, "--format", "json", "--jobs", "1") == cold
    assert activity["parsed"] == []

    _upgrade(monkeypatch, "pikepdf", "999.0")
    assert _run("audit", clients, "--format", "json", "--jobs", "1") == cold
    assert "transcript.pdf" in activity["parsed"]
    activity["parsed"].clear()
    assert _run("audit", clients, "--format", "json", "--jobs", "1") == cold
    assert activity["parsed"] == []


def _entries() -> int:
    result = CliRunner().invoke(cli, ["cache", "info", "--json"])
    code, out = result.exit_code, result.stdout
    assert code == 0
    return int(json.loads(out)["entries"])


def test_a_warm_build_converts_and_repairs_again_after_a_library_upgrade(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``dossier cache info`` counts: a warm build with the same libraries stores
    nothing new; after an upgrade of Pillow it stores its conversions and checked copies
    again (made afresh, under the new versions), then nothing more."""
    out = ["-o", str(tmp_path / "dossier.pdf"), "-q"]
    args = ["build", str(folder), *out]
    build = CliRunner().invoke(cli, args)
    assert build.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), build.output
    cold = _entries()
    assert CliRunner().invoke(cli, args).exit_code == build.exit_code
    assert _entries() == cold

    _upgrade(monkeypatch, "pillow", "999.0")
    assert CliRunner().invoke(cli, args).exit_code == build.exit_code
    upgraded = _entries()
    assert upgraded >= cold + 5  # photo.jpg converted; PDFs checked; readings; the report
    assert CliRunner().invoke(cli, args).exit_code == build.exit_code
    assert _entries() == upgraded


def test_validated_configuration_is_validated_again_after_a_library_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept validated configuration (pickled pydantic-built values) is built again after
    an upgrade of pydantic; with the same versions it is taken as kept."""
    from img_dossier.config import validated

    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "old.yaml"
    source.write_text("a: 1\n")
    os.utime(source, (1e9, 1e9))  # long before the run: the entry is stored
    built: list[int] = []

    def build() -> tuple[str, list[Path]]:
        built.append(1)
        return "value", [source]

    def ask() -> str:
        validated.clear_memory()
        validated.code_tag.cache_clear()
        return validated.cached("test-kind", str(source), build, str)

    assert ask() == "value" and ask() == "value" and len(built) == 1
    _upgrade(monkeypatch, "pydantic", "999.0")
    assert ask() == "value" and len(built) == 2
    assert ask() == "value" and len(built) == 2


def test_a_conversion_by_another_libreoffice_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The conversion key names the LibreOffice installation (its program and version
    file, as an upgrade replaces them): the same one keys the same, an upgrade anew."""
    from img_dossier.model import Document
    from img_dossier.output import conversions
    from img_dossier.output.engines import ENGINE_LIBREOFFICE

    program = tmp_path / "program"
    program.mkdir()
    (program / "soffice").write_text("#!/bin/sh\n")
    (program / "versionrc").write_text("[Version]\nbuildid=1\n")
    monkeypatch.setenv("IMG_DOSSIER_SOFFICE", str(program / "soffice"))
    doc = Document(rel="a.docx", path=None, format="docx", bytes=1, sha256="ab", pages=None)

    def key() -> str:
        conversions._installed.cache_clear()
        return conversions.conversion_key(doc, (612.0, 792.0), ENGINE_LIBREOFFICE)

    first = key()
    assert key() == first
    (program / "versionrc").unlink()
    (program / "versionrc").write_text("[Version]\nbuildid=22\n")  # upgraded
    assert key() != first
