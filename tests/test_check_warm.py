"""A warm ``dossier check`` (every document read before) as the user runs it: it loads no
OCR engine, no image or PDF library and no fact patterns it does not use, and reports
exactly what the cold run reported (issue 13; timings are bench/run.py's, never here)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from img_dossier.lazyre import Lazy
from img_dossier.readers import ocr_tag
from imported import modules_imported

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

#: What a check that reads nothing has no use for: the OCR engine and its key's old way
#: (importlib.metadata), images, PDFs, Word files, validation models; anyascii (names in
#: accented Latin letters are compared without it) and what it loads (importlib.resources,
#: tempfile); zipfile (whether a Word file is one of the tool's letters is cached).
NOT_WARM = (
    "anyascii",
    "tempfile",
    "zipfile",
    "PIL",
    "numpy",
    "onnxruntime",
    "cv2",
    "rapidocr",
    "pikepdf",
    "pypdfium2",
    "pypdf",
    "docx",
    "pydantic",
    "ruamel",
)
NOT_WARM_OWN = (
    "img_dossier.readers.ocr",
    "img_dossier.readers.scans",
    "importlib.metadata",
    "importlib.resources",
)


def _check(folder: Path, cache: Path, *options: str) -> tuple[int, str]:
    env = {**os.environ, "IMG_DOSSIER_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    args = ["check", str(folder), "--json", "--as-of", "2026-06-01", *options]
    proc = subprocess.run(
        [sys.executable, "-m", "img_dossier", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode, proc.stdout


@pytest.mark.parametrize("sample", ["us-j1", "scans"])
def test_a_warm_check_loads_no_ocr_engine_image_or_pdf_library(sample: str, tmp_path: Path) -> None:
    """The OCR engine's cache tag is told without loading it: a warm check of a folder of
    scans (read by OCR when cold) imports neither the OCR module nor PIL."""
    folder, cache = SAMPLES / sample, tmp_path / "cache"
    cold = _check(folder, cache)
    assert cold[0] in (0, 1) and json.loads(cold[1])["documents"]
    env = {**os.environ, "IMG_DOSSIER_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    # the text report (not the JSON one the cold run printed and kept, checking/report_cache)
    # is made afresh: classified, extracted and judged from the cached readings
    modules = modules_imported(["check", str(folder), "--as-of", "2026-06-01"], env)
    assert "img_dossier.checking.pipeline" in modules  # it did check
    assert sorted(m for m in modules if m.split(".")[0] in NOT_WARM) == []
    own = [m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_WARM_OWN)]
    assert sorted(own) == []
    assert _check(folder, cache) == cold  # and said the same, with the same exit code


def test_a_warm_check_of_an_unchanged_folder_prints_its_kept_report(tmp_path: Path) -> None:
    """The report the cold run printed is printed again without loading the checklist,
    the models or the checking pipeline (checking/report_cache.py)."""
    folder, cache = SAMPLES / "us-j1", tmp_path / "cache"
    cold = _check(folder, cache)
    env = {**os.environ, "IMG_DOSSIER_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    modules = modules_imported(["check", str(folder), "--json", "--as-of", "2026-06-01"], env)
    skipped = ("img_dossier.checking.pipeline", "img_dossier.config.checklist", "yaml")
    assert [m for m in skipped if m in modules] == []
    assert _check(folder, cache) == cold


def test_the_ocr_cache_tag_names_the_installed_engine_as_its_metadata_does() -> None:
    """Readings cached before (keyed by importlib.metadata's version) are found again."""
    pytest.importorskip("rapidocr")
    assert ocr_tag.engine_name() == f"rapidocr {metadata.version('rapidocr')}"
    assert ocr_tag._dist_info_version("img_dossier_no_such_package") is None


def test_a_warm_check_of_a_folder_with_an_ocr_reading_finds_it_again(tmp_path: Path) -> None:
    """The tag a warm check works out is the one the cold check stored its OCR readings
    under: nothing is read again (the second run writes no entry)."""
    cache = tmp_path / "cache"
    cold = _check(SAMPLES / "scans", cache)
    entries = sorted(p.name for p in cache.rglob("*.json"))
    assert entries
    assert _check(SAMPLES / "scans", cache) == cold
    assert sorted(p.name for p in cache.rglob("*.json")) == entries


TEXT = (
    "Date of expiry: 14 MAR 2031\nIssued 2024-03-14 in Lima\nPASS with superior performance\n"
    "Ünïcode 2024年3月14日 İstanbul, le 1er mars 2024\n\nnothing\n"
)


@pytest.mark.parametrize(
    ("source", "flags"),
    [
        (r"(?P<d>\d{1,2}) (?P<m>[A-Z]{3}) (?P<y>\d{4})", 0),
        (r"pass(?:ed)?|fail", re.IGNORECASE),
        (r"^\w+", re.MULTILINE),
        (r"(\d)", 0),
    ],
)
def test_a_lazy_pattern_matches_what_the_compiled_one_matches(source: str, flags: int) -> None:
    lazy, compiled = Lazy(source, flags), re.compile(source, flags)
    assert lazy.pattern == compiled.pattern and lazy.flags == compiled.flags

    def spans(found: object) -> object:
        if isinstance(found, re.Match):
            return (found.span(), found.groups(), found.groupdict())
        return found

    for name in ("search", "match", "fullmatch"):
        assert spans(getattr(lazy, name)(TEXT)) == spans(getattr(compiled, name)(TEXT))
        assert spans(getattr(lazy, name)(TEXT, 5, 40)) == spans(
            getattr(compiled, name)(TEXT, 5, 40)
        )
    assert [spans(m) for m in lazy.finditer(TEXT)] == [spans(m) for m in compiled.finditer(TEXT)]
    assert lazy.findall(TEXT) == compiled.findall(TEXT)
    assert lazy.sub("<\\g<0>>", TEXT) == compiled.sub("<\\g<0>>", TEXT)
    assert lazy.subn(lambda m: m.group(0).upper(), TEXT, 2) == compiled.subn(
        lambda m: m.group(0).upper(), TEXT, 2
    )
    assert lazy.split(TEXT, 3) == compiled.split(TEXT, 3)
    assert dict(lazy.groupindex) == dict(compiled.groupindex)


def test_a_lazy_pattern_is_compiled_once_and_only_when_used() -> None:
    made: list[str] = []

    def source() -> str:
        made.append("x")
        return r"\d+"

    lazy = Lazy(source)
    assert made == []
    assert lazy.search("ab 12") is not None and lazy.findall("1 2") == ["1", "2"]
    assert made == ["x"]


def test_a_bad_lazy_pattern_fails_where_it_is_used() -> None:
    lazy = Lazy("(unclosed")
    with pytest.raises(re.error):
        lazy.search("text")
