"""The read cache: private folders, versioned entries, damage and concurrent writers survived."""

from __future__ import annotations

import json
import multiprocessing
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.readers.cache import ReadCache, default_directory

KEY = "ab" + "0" * 62
VALUE = {
    "format": "pdf",
    "pages": 2,
    "text": "Pasaporte Quispe Mamani",
    "info": {"dpi": [300, 300]},
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_put_then_get_returns_the_value(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path / "c")
    assert cache.get(KEY) is None
    cache.put(KEY, VALUE)
    assert cache.get(KEY) == VALUE
    assert (cache.hits, cache.misses, cache.writes) == (1, 1, 1)


def test_folders_are_private_and_entries_owner_only(tmp_path: Path) -> None:
    root = tmp_path / "deep" / "er" / "cache"
    cache = ReadCache(root)
    cache.put(KEY, VALUE)
    entry = cache.entry_path(KEY)
    assert entry.is_file() and entry.parent.name == KEY[:2]
    for folder in (tmp_path / "deep", tmp_path / "deep" / "er", root, cache.path, entry.parent):
        assert mode(folder) == 0o700, folder
    assert mode(entry) == 0o600


def test_existing_parent_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    ReadCache(tmp_path / "c").put(KEY, VALUE)
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "c") == 0o700


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b"",
        b"\xff\xfe garbage",
        b"[1, 2, 3]",
        json.dumps({"version": "0.1.0", "key": KEY, "value": [1]}).encode(),
        json.dumps({"version": "0.0.0-old", "key": KEY, "value": VALUE}).encode(),
        json.dumps({"version": "0.1.0", "key": "other", "value": VALUE}).encode(),
    ],
)
def test_damaged_entry_is_a_miss_and_is_rewritten(tmp_path: Path, damage: bytes) -> None:
    cache = ReadCache(tmp_path, version="0.1.0")
    cache.put(KEY, VALUE)
    cache.entry_path(KEY).write_bytes(damage)
    assert cache.get(KEY) is None
    cache.put(KEY, VALUE)
    assert cache.get(KEY) == VALUE
    assert json.loads(cache.entry_path(KEY).read_text())["value"] == VALUE


def test_an_upgrade_never_reads_old_entries(tmp_path: Path) -> None:
    ReadCache(tmp_path, version="0.1.0").put(KEY, VALUE)
    newer = ReadCache(tmp_path, version="0.2.0")
    assert newer.get(KEY) is None
    assert newer.path != ReadCache(tmp_path, version="0.1.0").path


def test_unusable_cache_folder_only_disables_caching(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ReadCache(blocker / "cache")
    cache.put(KEY, VALUE)  # no exception
    assert cache.get(KEY) is None
    assert not cache.enabled
    assert cache.info().entries == 0 and cache.clear() == 0


def test_values_that_are_not_json_are_skipped(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path)
    cache.put(KEY, {"handle": object()})
    assert cache.get(KEY) is None


def test_keys_cannot_leave_the_cache_folder(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path / "c")
    cache.put("../../../escape", VALUE)
    assert cache.get("../../../escape") == VALUE
    assert cache.path in cache.entry_path("../../../escape").parents
    assert not (tmp_path / "escape.json").exists()


def _hammer(root: str, value: int, rounds: int) -> None:
    cache = ReadCache(Path(root))
    for i in range(rounds):
        cache.put(KEY, {"writer": value, "round": i, "pad": "x" * 20_000})


def test_concurrent_writers_leave_one_whole_entry(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_hammer, args=(str(tmp_path), n, 200)) for n in (1, 2)]
    for w in writers:
        w.start()
    reader = ReadCache(tmp_path)
    seen = 0
    while any(w.is_alive() for w in writers):
        got = reader.get(KEY)
        if got is not None:
            assert got["writer"] in (1, 2) and len(got["pad"]) == 20_000
            seen += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    final = reader.get(KEY)
    assert final is not None and final["round"] == 199
    assert [p.name for p in reader.entry_path(KEY).parent.iterdir()] == [f"{KEY}.json"]


def test_info_and_clear_count_entries_of_every_version(tmp_path: Path) -> None:
    old, new = ReadCache(tmp_path, version="0.0.9"), ReadCache(tmp_path)
    old.put(KEY, VALUE)
    for n in range(3):
        new.put(f"{n:02x}" + "f" * 62, VALUE)
    found = new.info()
    assert (found.path, found.entries) == (tmp_path, 4)
    assert found.bytes > 4 * len("Pasaporte")
    assert new.clear() == 4
    assert new.info().entries == 0 and new.get("00" + "f" * 62) is None


def test_environment_variable_moves_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_directory() == tmp_path / "elsewhere"
    assert ReadCache().root == tmp_path / "elsewhere"


def test_default_is_the_users_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMG_DOSSIER_CACHE_DIR", raising=False)
    import platformdirs

    assert default_directory() == Path(platformdirs.user_cache_dir("img-dossier", appauthor=False))


def test_cache_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path))
    ReadCache().put(KEY, VALUE)
    runner = CliRunner()
    info = runner.invoke(cli, ["cache", "info", "--json"])
    assert info.exit_code == ExitCode.OK
    doc = json.loads(info.stdout)
    assert doc["path"] == str(tmp_path) and doc["entries"] == 1 and doc["bytes"] > 0
    text = runner.invoke(cli, ["cache", "info"])
    assert f"path:    {tmp_path}" in text.stdout and "entries: 1" in text.stdout
    cleared = runner.invoke(cli, ["cache", "clear"])
    assert cleared.exit_code == ExitCode.OK and "removed 1 entry" in cleared.stdout
    assert json.loads(runner.invoke(cli, ["cache", "info", "--json"]).stdout)["entries"] == 0


def test_memoized_computes_once_per_payload(tmp_path: Path) -> None:
    from img_dossier.readers import cache as cache_mod
    from img_dossier.readers.cache import memoized

    calls: list[str] = []

    def compute(text: str) -> dict[str, object]:
        calls.append(text)
        return {"expiry": "2031-03-14", "scores": {"overall": 7.5}}

    store = ReadCache(tmp_path)
    for text in ("Date of expiry 14 MAR 2031", "Date of expiry 14 MAR 2031", "other"):
        got = memoized(store, "facts", (cache_mod,), text, lambda t=text: compute(t))
        assert got == {"expiry": "2031-03-14", "scores": {"overall": 7.5}}
    assert calls == ["Date of expiry 14 MAR 2031", "other"]
    assert memoized(None, "facts", (cache_mod,), "other", lambda: compute("x")) is not None
    assert calls[-1] == "x"


def test_memoized_survives_a_cache_that_raises(tmp_path: Path) -> None:
    from img_dossier.readers import cache as cache_mod
    from img_dossier.readers.cache import memoized

    class Broken:
        def get(self, key: str) -> None:
            raise OSError("disk gone")

        def put(self, key: str, value: object) -> None:
            raise OSError("disk gone")

    assert memoized(Broken(), "facts", (cache_mod,), "t", lambda: {"a": 1}) == {"a": 1}


def test_clear_touches_nothing_but_cache_entries(tmp_path: Path) -> None:
    keep = [
        tmp_path / "videos" / "holiday.json",
        tmp_path / "notes.json",
        tmp_path / "v1" / "x.txt",
    ]
    for path in keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    store = ReadCache(tmp_path)
    store.put(KEY, VALUE)
    assert store.info().entries == 1
    assert store.clear() == 1
    assert all(path.read_text() == "{}" for path in keep)
    assert not store.path.exists()


def test_clear_removes_the_saved_ocr_models_too(tmp_path: Path) -> None:
    from img_dossier.readers.ocr_engine import OPTIMISED_DIR

    models = tmp_path / OPTIMISED_DIR
    models.mkdir()
    (models / "rec-int8-0123-abcd.onnx").write_bytes(b"model")
    (models / ".tmp-1.onnx").write_bytes(b"half")  # of a worker killed while saving
    (models / "readme.txt").write_text("not ours")
    store = ReadCache(tmp_path)
    store.put(KEY, VALUE)
    assert store.clear() == 2  # the entry and the saved model
    assert sorted(p.name for p in models.iterdir()) == ["readme.txt"]


def test_a_temporary_name_left_by_an_earlier_process_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry is written through a temp file named by the process id; one of that name
    left by a killed process with the same id is neither reused nor removed."""
    import itertools
    import os

    from img_dossier.readers import cache as module

    monkeypatch.setattr(module, "_serial", itertools.count())
    c = ReadCache(tmp_path)
    target = c.entry_path("ab" * 32)
    target.parent.mkdir(parents=True)
    stale = target.parent / f".tmp-{os.getpid()}-0.json"
    stale.write_bytes(b"half")
    c.put("ab" * 32, {"x": 1})
    assert c.get("ab" * 32) == {"x": 1}
    assert stale.read_bytes() == b"half"
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([stale.name, target.name])
