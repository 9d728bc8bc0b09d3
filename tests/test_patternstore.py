"""Compiled patterns kept between runs (img_dossier.patternstore): what a later process gets
from the store is the pattern ``re.compile`` makes (equal: same text, flags and program),
a damaged store is ignored, and a process that finds the store parses no fact pattern."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import img_dossier.facts
from img_dossier import patternstore
from img_dossier.lazyre import Lazy


def _lazy_patterns() -> list[Lazy]:
    """Every Lazy pattern of the fact modules (module constants, in lists, tuples, dicts)."""
    found: dict[int, Lazy] = {}

    def collect(value: object, depth: int = 0) -> None:
        if isinstance(value, Lazy):
            found[id(value)] = value
        elif depth < 3 and isinstance(value, list | tuple):
            for item in value:
                collect(item, depth + 1)
        elif depth < 3 and isinstance(value, dict):
            for item in value.values():
                collect(item, depth + 1)

    for info in pkgutil.iter_modules(img_dossier.facts.__path__, "img_dossier.facts."):
        for value in vars(importlib.import_module(info.name)).values():
            collect(value)
    return list(found.values())


def _source(lazy: Lazy) -> tuple[str, int]:
    source = lazy._source if isinstance(lazy._source, str) else lazy._source()
    return source, lazy._flags


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The store as a new process finds it, in this test's cache folder."""
    monkeypatch.setattr(patternstore, "_entries", None)
    monkeypatch.setattr(patternstore, "_path", None)
    monkeypatch.setattr(patternstore, "_new", {})
    yield Path(os.environ["IMG_DOSSIER_CACHE_DIR"])


def _as_new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    patternstore._write()
    monkeypatch.setattr(patternstore, "_entries", None)
    monkeypatch.setattr(patternstore, "_path", None)
    monkeypatch.setattr(patternstore, "_new", {})


def test_every_fact_pattern_from_the_store_is_what_re_compile_makes(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [_source(lazy) for lazy in _lazy_patterns()]
    assert len(sources) > 40
    first = [patternstore.compile_kept(s, f) for s, f in sources]
    _as_new_process(monkeypatch)
    assert len(list(fresh.rglob("*.cfg"))) == 1
    again = [patternstore.compile_kept(s, f) for s, f in sources]
    assert patternstore._new == {}  # all taken from the store
    for (source, flags), one, two in zip(sources, first, again, strict=True):
        expected = re.compile(source, flags)
        assert one == expected and two == expected, source[:60]
        assert (two.flags, two.groups, two.groupindex) == (
            expected.flags,
            expected.groups,
            expected.groupindex,
        )


TEXT = "Date of expiry: 14 MAR 2031; born 1990-02-03, Lima; Lucía (14/03/2031)"


@pytest.mark.parametrize(
    ("source", "flags"),
    [
        (r"(?P<d>\d{1,2}) (?P<m>[A-Z]{3}) (?P<y>\d{4})", 0),
        (r"(?i)lim(a)|(?P<x>l)uc[ií]a", 0),
        (r"^\w+", re.MULTILINE | re.IGNORECASE),
        (r"(\d)(?:/)(\d+)", re.ASCII),
    ],
)
def test_a_kept_pattern_matches_what_re_compile_matches(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, source: str, flags: int
) -> None:
    patternstore.compile_kept(source, flags)
    _as_new_process(monkeypatch)
    kept = patternstore.compile_kept(source, flags)
    assert patternstore._new == {}
    compiled = re.compile(source, flags)
    assert kept == compiled
    assert [m.groupdict() | {"span": m.span()} for m in kept.finditer(TEXT)] == [
        m.groupdict() | {"span": m.span()} for m in compiled.finditer(TEXT)
    ]


@pytest.mark.parametrize("damage", [b"", b"garbage", b"flip"])
def test_a_damaged_store_is_ignored_and_written_again(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    patternstore.compile_kept(r"\d+ (?P<w>\w+)")
    _as_new_process(monkeypatch)
    (store,) = fresh.rglob("*.cfg")
    data = store.read_bytes()
    store.write_bytes(
        data[:-3] + bytes([data[-3] ^ 1]) + data[-2:] if damage == b"flip" else damage
    )
    assert patternstore.compile_kept(r"\d+ (?P<w>\w+)") == re.compile(r"\d+ (?P<w>\w+)")
    assert patternstore._new  # compiled anew
    patternstore._write()
    assert patternstore._read(store)  # and written again


def test_a_bad_pattern_raises_what_re_compile_raises(fresh: Path) -> None:
    with pytest.raises(re.error, match="missing \\)"):
        patternstore.compile_kept("(unclosed")
    assert patternstore._new == {}


_COUNT_PARSES = """
import re._parser, sys
from img_dossier.lazyre import Lazy
parses = []
real = re._parser.parse
def parse(source, *args, **kwargs):
    parses.append(source)
    return real(source, *args, **kwargs)
re._parser.parse = parse
sys.path.insert(0, sys.argv[1])
from test_patternstore import _lazy_patterns, _source
lazies = _lazy_patterns()
for lazy in lazies:
    lazy.search("x")
ours = {_source(lazy)[0] for lazy in lazies}
print(sum(source in ours for source in parses))
"""


def test_a_later_process_parses_no_fact_pattern(tmp_path: Path) -> None:
    env = {**os.environ, "IMG_DOSSIER_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    args = [sys.executable, "-c", _COUNT_PARSES, str(Path(__file__).parent)]
    runs = [
        subprocess.run(args, env=env, capture_output=True, text=True, check=False) for _ in "ab"
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    first, second = (int(r.stdout.strip()) for r in runs)
    assert first > 40 and second == 0
