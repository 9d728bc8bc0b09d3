"""dossier audit: discovery, rows, order, formats, calendar and exit codes.

Most tests replace ``check.run_check`` by a fake that reads a small ``state.json`` in each
client folder, so that they pin down what audit does with a report; the tests at the end
run the real pipeline and compare a client's row with its ``check --json``.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import stat
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from img_dossier.audit.run import audit, calendar, discover, sort_rows
from img_dossier.checking import pipeline as check_mod
from img_dossier.cli import cli
from img_dossier.config.checklist import Checklist, Item
from img_dossier.config.profile import Profile
from img_dossier.errors import BadInputError, ExitCode
from img_dossier.model import ChecklistRef, Document, ItemResult, Problem, Report
from img_dossier.readers.cache import ReadCache

AS_OF = date(2026, 11, 29)
ITEMS = ("passport", "medical-diploma", "cv", "letter-of-recommendation")


# -- a fake pipeline ---------------------------------------------------------------------


def fake_run_check(folder: Path, **kw: Any) -> check_mod.CheckRun:
    """A CheckRun from ``folder/state.json``; ``folder/broken`` raises like a bad dossier.yaml."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadInputError(f"{folder}: no such folder")
    if (folder / "broken").exists():
        raise BadInputError(f'{folder}/dossier.yaml: training.start: not a date (got "soon")')
    if (folder / "bug").exists():
        raise RuntimeError("boom")
    state = json.loads((folder / "state.json").read_text())
    statuses: dict[str, str] = state.get("items", {})
    checklist = Checklist(
        id="us-eras",
        title="US",
        version="t",
        track="us",
        languages=("en",),
        items=tuple(Item(i, i.title(), True, "test") for i in ITEMS),
    )
    items = tuple(
        ItemResult(i, i.title(), True, statuses.get(i, "ok"), problems=_problems(state, i))
        for i in ITEMS
    )
    docs = tuple(
        Document(
            rel=rel,
            path=folder / rel,
            format="pdf",
            bytes=1,
            sha256="0" * 64,
            item=rel.split(".")[0],
            facts=facts,
            problems=tuple(Problem("no-text", "warning", "w") for _ in range(state.get("warn", 0))),
        )
        for rel, facts in state.get("facts", {}).items()
    )
    report = Report(
        folder=str(folder),
        checklist=ChecklistRef("us-eras", "US", "t"),
        as_of=kw["as_of"],
        applicant=state.get("applicant"),
        items=items,
        documents=docs,
        strict=kw.get("strict", False),
    )
    dates = {k: date.fromisoformat(v) for k, v in state.get("dates", {}).items()}
    return check_mod.CheckRun(report, checklist, Profile(track="us", dates=dates), folder)


def _problems(state: dict[str, Any], item: str) -> tuple[Problem, ...]:
    return tuple(
        Problem("expired", "error", "e") for _ in range(state.get("errors", {}).get(item, 0))
    )


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_mod, "run_check", fake_run_check)


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def client(parent: Path, name: str, **state: Any) -> Path:
    folder = parent / name
    folder.mkdir(parents=True)
    (folder / "dossier.yaml").write_text("schema: 1\ntrack: us\n")
    (folder / "state.json").write_text(json.dumps(state))
    return folder


@pytest.fixture
def clients(tmp_path: Path) -> Path:
    """complete (ana, zoe: passport expiring in 40 days), incomplete (bob, cy), broken (dan)."""
    parent = tmp_path / "clients"
    client(parent, "ana", applicant="Ana Lima")
    client(
        parent,
        "zoe",
        applicant="Zoe Park",
        facts={"passport.pdf": {"expiry": "2027-01-08", "issued": "2020-01-01"}},
    )
    client(
        parent, "bob", applicant="Bob Diaz", items={"cv": "missing"}, errors={"passport": 2}, warn=1
    )
    client(
        parent,
        "cy",
        applicant="Cy Ndlovu",
        items={
            "cv": "missing",
            "medical-diploma": "missing",
            "letter-of-recommendation": "insufficient",
        },
        dates={"passport_expiry": "2026-12-19"},
    )
    broken = parent / "dan"
    broken.mkdir()
    (broken / "dossier.yaml").write_text("schema: 1\n")
    (broken / "broken").write_text("")
    (parent / ".hidden").mkdir()
    return parent


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["audit", *args, "--as-of", AS_OF.isoformat()])


# -- discovery ---------------------------------------------------------------------------


def test_parent_folder_yields_its_subfolders_as_clients(clients: Path) -> None:
    found = discover([clients])
    assert [c.folder for c in found] == [
        str(clients / n) for n in ("ana", "bob", "cy", "dan", "zoe")
    ]


def test_client_folder_given_directly_is_one_client(clients: Path) -> None:
    assert [c.path for c in discover([clients / "ana", clients / "ana"])] == [clients / "ana"]


def test_folder_with_documents_and_subfolders_is_a_client(tmp_path: Path) -> None:
    (tmp_path / "letters").mkdir()
    (tmp_path / "passport.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / ".DS_Store").write_bytes(b"")
    assert [c.path for c in discover([tmp_path])] == [tmp_path]


def test_stray_file_beside_client_folders_does_not_hide_them(clients: Path) -> None:
    (clients / "README.txt").write_text("our clients")
    assert len(discover([clients])) == 5


@pytest.mark.parametrize("make", ["missing", "file"])
def test_unreadable_path_is_exit_3(tmp_path: Path, make: str) -> None:
    path = tmp_path / "nope"
    if make == "file":
        path.write_text("x")
    with pytest.raises(BadInputError, match="nope"):
        audit([path])
    result = run(str(path))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "nope" in result.output


# -- rows --------------------------------------------------------------------------------


def rows_by_folder(rows: Any) -> dict[str, Any]:
    return {Path(r["folder"]).name: r for r in rows}


def test_rows_say_who_is_complete_missing_what_and_why(fake: None, clients: Path) -> None:
    rows = {Path(r.folder).name: r for r in audit([clients], as_of=AS_OF, jobs=1)}
    assert set(rows) == {"ana", "bob", "cy", "dan", "zoe"}
    assert rows["ana"].complete and rows["ana"].status == "complete"
    assert rows["bob"].missing == ("cv",) and not rows["bob"].complete
    assert (rows["bob"].errors, rows["bob"].warnings) == (2, 0)
    assert rows["cy"].missing == ("medical-diploma", "cv")
    assert rows["cy"].insufficient == ("letter-of-recommendation",)
    assert rows["dan"].status == "error" and "training.start" in (rows["dan"].error or "")
    assert rows["zoe"].earliest_expiry is not None
    assert rows["zoe"].earliest_expiry.to_json() == {
        "item": "passport",
        "document": "passport.pdf",
        "what": "expiry",
        "date": "2027-01-08",
        "days_left": 40,
    }
    assert rows["cy"].earliest_expiry is not None
    assert (rows["cy"].earliest_expiry.item, rows["cy"].earliest_expiry.document) == (
        "passport",
        "dossier.yaml",
    )


def test_expiry_outside_the_window_is_not_reported(fake: None, clients: Path) -> None:
    rows = {
        Path(r.folder).name: r for r in audit([clients], as_of=AS_OF, expiring_within=30, jobs=1)
    }
    assert rows["zoe"].earliest_expiry is None
    assert rows["cy"].earliest_expiry is not None  # 20 days


def test_rows_are_sorted_worst_first(fake: None, clients: Path) -> None:
    rows = sort_rows(audit([clients], as_of=AS_OF, jobs=1))
    assert [Path(r.folder).name for r in rows] == ["dan", "cy", "bob", "zoe", "ana"]


def test_a_bug_in_one_client_is_its_row_and_exit_5(fake: None, clients: Path) -> None:
    (clients / "ana" / "bug").write_text("")
    rows = {Path(r.folder).name: r for r in audit([clients], as_of=AS_OF, jobs=1)}
    assert rows["ana"].internal and "internal error" in (rows["ana"].error or "")
    assert rows["bob"].error is None
    assert run(str(clients), "--format", "json").exit_code == ExitCode.INTERNAL


def test_worker_processes_give_the_same_rows(fake: None, clients: Path) -> None:
    one = sort_rows(audit([clients], as_of=AS_OF, jobs=1))
    many = sort_rows(audit([clients], as_of=AS_OF, jobs=3))
    assert one == many


@pytest.mark.fork_only
def test_a_worker_that_dies_costs_only_its_own_client(
    monkeypatch: pytest.MonkeyPatch, clients: Path
) -> None:
    def dying(folder: Path, **kw: Any) -> check_mod.CheckRun:
        if Path(folder).name == "bob":
            import os

            os._exit(9)
        return fake_run_check(folder, **kw)

    monkeypatch.setattr(check_mod, "run_check", dying)
    rows = {Path(r.folder).name: r for r in audit([clients], as_of=AS_OF, jobs=2)}
    assert set(rows) == {"ana", "bob", "cy", "dan", "zoe"}
    assert rows["bob"].internal and "died" in (rows["bob"].error or "")
    assert rows["ana"].complete and rows["cy"].error is None


def test_rows_stream_before_the_run_ends(fake: None, clients: Path) -> None:
    stream = audit([clients], as_of=AS_OF, jobs=2)
    first = next(stream)
    assert first.folder.startswith(str(clients))
    assert len(list(stream)) == 4


# -- formats and exit codes --------------------------------------------------------------


def test_json_format_and_exit_1_when_any_client_is_incomplete(fake: None, clients: Path) -> None:
    result = run(str(clients), "--format", "json", "--jobs", "1")
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1 and doc["as_of"] == "2026-11-29"
    assert doc["summary"] == {
        "clients": 5,
        "complete": 2,
        "incomplete": 2,
        "error": 1,
        "expiring": 2,
        "ocr_pages": 0,
    }
    assert [Path(r["folder"]).name for r in doc["clients"]] == ["dan", "cy", "bob", "zoe", "ana"]
    assert doc["clients"][2]["problems"] == {"error": 2, "warning": 0}
    assert "5 clients: 2 complete, 2 incomplete, 1 could not be checked" in result.stderr


def test_jsonl_is_one_object_per_line(fake: None, clients: Path) -> None:
    result = run(str(clients), "--format", "jsonl", "--jobs", "2")
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    rows = rows_by_folder(json.loads(line) for line in lines)
    assert rows["bob"]["missing"] == ["cv"] and rows["dan"]["status"] == "error"
    assert "5 clients" in result.stderr and "5 clients" not in result.stdout


def test_csv_parses_with_the_csv_module(fake: None, clients: Path) -> None:
    result = run(str(clients), "--format", "csv")
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [Path(r["folder"]).name for r in records] == ["dan", "cy", "bob", "zoe", "ana"]
    cy = records[1]
    assert cy["missing"] == "medical-diploma;cv" and cy["complete"] == "false"
    assert cy["expiry_date"] == "2026-12-19" and cy["expiry_days_left"] == "20"
    assert "training.start" in records[0]["error"]


def test_table_has_a_row_per_client_and_a_summary(fake: None, clients: Path) -> None:
    result = run(str(clients))
    assert result.exit_code == ExitCode.INCOMPLETE
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["STATUS", "FOLDER", "APPLICANT"]
    assert [ln.split()[0] for ln in lines[1:6]] == [
        "error",
        "incomplete",
        "incomplete",
        "complete",
        "complete",
    ]
    assert "missing: medical-diploma, cv" in lines[2]
    assert "passport 2027-01-08 (in 40 d)" in lines[4]
    assert lines[-1].startswith("5 clients: 2 complete")
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_all_complete_is_exit_0(fake: None, clients: Path) -> None:
    result = run(str(clients / "ana"), str(clients / "zoe"), "-q")
    assert result.exit_code == ExitCode.OK
    assert "clients:" not in result.output


@pytest.mark.fork_only
def test_strict_reaches_the_check(monkeypatch: pytest.MonkeyPatch, clients: Path) -> None:
    seen: list[bool] = []

    def spy(folder: Path, **kw: Any) -> check_mod.CheckRun:
        seen.append(kw["strict"])
        assert kw["jobs"] == 1 and kw["cache"] is None
        return fake_run_check(folder, **kw)

    monkeypatch.setattr(check_mod, "run_check", spy)
    run(str(clients / "ana"), "--strict", "--no-cache")
    assert seen == [True]


# -- calendar ----------------------------------------------------------------------------


def test_calendar_rows_are_soonest_first_within_the_window(fake: None, clients: Path) -> None:
    client(
        clients,
        "eve",
        applicant="Eve",
        facts={
            "passport.pdf": {"mrz": {"date_of_expiry": "2026-12-01"}, "expiry": "2026-12-01"},
            "oet.pdf": {"valid_until": "2027-06-01", "test_date": "2026-12-02"},
        },
        dates={"passport_expiry": "2026-12-01", "visa_expiry": "2026-11-20"},
    )
    found = list(calendar([clients], as_of=AS_OF, expiring_within=120, jobs=1))
    assert [(Path(r.folder).name, r.item, r.document, r.days_left) for r in found] == [
        ("eve", None, "dossier.yaml", -9),
        ("eve", "passport", "passport.pdf", 2),
        ("cy", "passport", "dossier.yaml", 20),
        ("zoe", "passport", "passport.pdf", 40),
    ]
    assert found[1].what == "expiry"  # not repeated as "mrz date of expiry"


def test_calendar_formats(fake: None, clients: Path) -> None:
    table = run(str(clients), "--calendar", "--expiring-within", "120")
    assert table.exit_code == ExitCode.INCOMPLETE
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["DATE", "DAYS", "FOLDER"]
    assert lines[1].startswith("2026-12-19") and lines[2].startswith("2027-01-08")
    assert "2 expiries within 120 days across 5 clients" in lines[-1]
    assert "dan" in table.stderr and "training.start" in table.stderr

    doc = json.loads(run(str(clients), "--calendar", "--format", "json").stdout)
    assert [e["date"] for e in doc["calendar"]] == ["2026-12-19", "2027-01-08"]
    records = list(
        csv.DictReader(io.StringIO(run(str(clients), "--calendar", "--format", "csv").stdout))
    )
    assert [r["days_left"] for r in records] == ["20", "40"]
    lines = run(str(clients), "--calendar", "--format", "jsonl").stdout.splitlines()
    assert sorted(json.loads(x)["days_left"] for x in lines) == [20, 40]


# -- the real pipeline -------------------------------------------------------------------

MAKE_SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "make_samples.py"


def _build_folder() -> Any:
    if not MAKE_SAMPLES.is_file():
        pytest.skip("samples/make_samples.py has not landed yet")
    spec = importlib.util.spec_from_file_location("make_samples_for_audit", MAKE_SAMPLES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.build_folder


@pytest.fixture(scope="module")
def real_clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """us (complete), canada (complete), us without its MSPE (incomplete), a bad dossier.yaml."""
    build_folder = _build_folder()
    parent = tmp_path_factory.mktemp("real") / "clients"
    build_folder("us", parent / "us-complete")
    build_folder("canada", parent / "canada-complete")
    short = build_folder("us", parent / "us-no-mspe")
    for mspe in short.rglob("mspe*"):
        mspe.unlink()
    broken = parent / "broken"
    broken.mkdir()
    (broken / "dossier.yaml").write_text("schema: 1\ntrack: us\ntraining:\n  start: next july\n")
    return parent


def test_a_row_agrees_with_check_json(real_clients: Path) -> None:
    result = run(str(real_clients), "--format", "jsonl", "--no-cache", "--jobs", "2")
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    rows = rows_by_folder(json.loads(x) for x in result.stdout.splitlines())
    assert rows["broken"]["status"] == "error" and "next july" in rows["broken"]["error"]
    assert rows["us-complete"]["complete"] and rows["canada-complete"]["complete"]
    assert rows["us-no-mspe"]["missing"] == ["mspe"]
    assert (rows["us-complete"]["track"], rows["canada-complete"]["track"]) == ("us", "canada")
    for name in ("us-complete", "canada-complete", "us-no-mspe"):
        checked = CliRunner().invoke(
            cli, ["check", str(real_clients / name), "--json", "--as-of", AS_OF.isoformat()]
        )
        report = json.loads(checked.stdout)
        row = rows[name]
        assert row["complete"] == report["complete"]
        assert checked.exit_code == (ExitCode.OK if row["complete"] else ExitCode.INCOMPLETE)
        assert row["applicant"] == report["applicant"]["name"]
        assert row["checklist"] == report["checklist"]["id"]
        required = [i for i in report["items"] if i["required"]]
        for status in ("missing", "insufficient", "invalid", "expired"):
            assert row[status] == [i["id"] for i in required if i["status"] == status]
        severities = [p["severity"] for i in report["items"] for p in i["problems"]] + [
            p["severity"] for d in report["documents"] for p in d["problems"]
        ]
        assert row["problems"] == {
            "error": severities.count("error"),
            "warning": severities.count("warning"),
        }
    broken = CliRunner().invoke(cli, ["check", str(real_clients / "broken"), "--json"])
    assert broken.exit_code == ExitCode.BAD_INPUT
    assert rows["broken"]["error"] in broken.stderr


def test_only_complete_clients_exit_0(real_clients: Path) -> None:
    result = run(str(real_clients / "us-complete"), str(real_clients / "canada-complete"))
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.splitlines()[-1].startswith("2 clients: 2 complete")


def test_real_pipeline_in_worker_processes_gives_the_same_rows(real_clients: Path) -> None:
    one = sort_rows(audit([real_clients], as_of=AS_OF, jobs=1))
    many = sort_rows(audit([real_clients], as_of=AS_OF, jobs=3))
    assert one == many and len(one) == 4


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> set[Path]:
    """Patch the readers' worker pool to collect the files it is asked to parse."""
    from img_dossier.readers import pool

    parsed: set[Path] = set()
    real = pool.read_in_workers

    def counting(tasks: Any, *args: Any, **kw: Any) -> Any:
        parsed.update(t.source.path for t in tasks)  # a scan is read twice: without OCR, with
        return real(tasks, *args, **kw)

    monkeypatch.setattr(pool, "read_in_workers", counting)
    return parsed


def test_warm_audit_parses_nothing_again(
    real_clients: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = _count_reads(monkeypatch)
    cold_cache = ReadCache(tmp_path / "cache")
    cold = sort_rows(audit([real_clients], as_of=AS_OF, jobs=1, cache=cold_cache))
    documents = len(parsed)
    assert documents > 20 and cold_cache.writes >= documents  # readings, then facts

    parsed.clear()
    warm_cache = ReadCache(tmp_path / "cache")
    warm = sort_rows(audit([real_clients], as_of=AS_OF, jobs=1, cache=warm_cache))
    assert warm == cold
    assert len(parsed) == 0
    # one stored result per client: nothing is read, classified or judged again; the
    # client whose dossier.yaml is broken is not stored (its error is found at once)
    assert (warm_cache.hits, warm_cache.misses, warm_cache.writes) == (len(cold) - 1, 1, 0)


def test_damaged_cache_entries_are_read_again_and_rewritten(
    real_clients: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = _count_reads(monkeypatch)
    client = [real_clients / "us-complete"]
    first = list(audit(client, as_of=AS_OF, jobs=1, cache=ReadCache(tmp_path)))
    documents = len(parsed)
    entries = sorted(tmp_path.rglob("*.json"))
    keys = {e: json.loads(e.read_text())["key"] for e in entries}
    results = [e for e in entries if keys[e].startswith("audit-client:")]
    judged = ("facts:", "own-docx:", "audit-client:")  # what was learnt from the readings
    readings = [e for e in entries if not keys[e].startswith(judged)]
    assert len(readings) == documents and len(results) == 1
    results[0].write_text("{truncated")  # the client is checked again...
    readings[0].write_text("{truncated")  # ...and reads these two files again
    readings[1].write_bytes(b"")
    parsed.clear()
    again = list(audit(client, as_of=AS_OF, jobs=1, cache=ReadCache(tmp_path)))
    assert again == first and len(parsed) == 2
    parsed.clear()
    third = ReadCache(tmp_path)
    list(audit(client, as_of=AS_OF, jobs=1, cache=third))
    assert len(parsed) == 0 and third.hits == 1 and third.writes == 0


def test_audit_command_fills_the_users_cache(real_clients: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "user-cache"
    env = {"IMG_DOSSIER_CACHE_DIR": str(cache_dir)}
    runner = CliRunner(env=env)
    runner.invoke(cli, ["audit", str(real_clients / "us-complete"), "--format", "json"])
    filled = json.loads(runner.invoke(cli, ["cache", "info", "--json"]).stdout)
    assert filled["path"] == str(cache_dir) and filled["entries"] > 5
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    runner.invoke(cli, ["audit", str(real_clients / "canada-complete"), "--no-cache"])
    assert json.loads(runner.invoke(cli, ["cache", "info", "--json"]).stdout) == filled


# From a review pass: audit --calendar: a client that cannot be checked is said once, by its
# own message.


def test_calendar_names_a_broken_client_once(tmp_path: Path) -> None:
    client = tmp_path / "clients" / "bad"
    client.mkdir(parents=True)
    (client / "dossier.yaml").write_text("schema: 1\ntrack: us\nfrobnicate: 1\n", "utf-8")
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "clients"), "--calendar"])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    line = next(ln for ln in result.stderr.splitlines() if "frobnicate" in ln)
    assert line.count(str(client)) == 1, line
    assert "dossier.yaml: frobnicate: unknown key" in line


def test_a_macos_zip_leftover_folder_is_not_a_client(tmp_path: Path) -> None:
    clients = tmp_path / "clients"
    (clients / "__MACOSX" / "a").mkdir(parents=True)
    (clients / "__MACOSX" / "a" / "._passport.pdf").write_bytes(b"\0\5\26\7")
    client = clients / "a"
    client.mkdir()
    (client / "dossier.yaml").write_text("schema: 1\ntrack: us\n", "utf-8")
    result = CliRunner().invoke(cli, ["audit", str(clients), "--format", "jsonl"])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    folders = [json.loads(line)["folder"] for line in result.stdout.splitlines()]
    assert folders == [str(client)]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv
    import io

    client = tmp_path / "=HYPERLINK(1)"
    client.mkdir()
    (client / "dossier.yaml").write_text(
        'schema: 1\ntrack: us\napplicant:\n  given_names: "@SUM(A1)"\n  family_name: "+1"\n',
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["audit", client.name, "--format", "csv"])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["folder"] == "'=HYPERLINK(1)"
    assert row["applicant"] == "'@SUM(A1) +1"
