"""`dossier audit --html/--xlsx` and `--calendar --format ics`: what a consultant opens."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from icalendar import Calendar

from clients import AS_OF, make_clients
from img_dossier.cli import cli
from img_dossier.errors import ExitCode


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clients(tmp_path_factory.mktemp("clients"), 12)


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def audit(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["audit", *args, "--as-of", AS_OF.isoformat(), "--jobs", "2"])
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def outputs(clients: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("out")
    mp = pytest.MonkeyPatch()
    mp.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    try:
        code, stdout, stderr = audit(
            str(clients), "--html", str(out / "d.html"), "--xlsx", str(out / "d.xlsx")
        )
        _, as_json, _ = audit(str(clients), "--format", "json")
        _, ics, _ = audit(str(clients), "--calendar", "--format", "ics")
        _, table, _ = audit(str(clients))
    finally:
        mp.undo()
    return {
        "code": code,
        "stdout": stdout,
        "stderr": stderr,
        "table": table,
        "ics": ics,
        "json": json.loads(as_json),
        "html": (out / "d.html").read_text(encoding="utf-8"),
        "xlsx": out / "d.xlsx",
    }


def test_files_are_written_and_stdout_is_the_table(outputs: dict) -> None:
    assert outputs["code"] == ExitCode.INCOMPLETE  # some clients are incomplete
    assert outputs["stdout"] == outputs["table"]  # the files change nothing on stdout
    assert "d.html" in outputs["stderr"] and "d.xlsx" in outputs["stderr"]


def test_workbook_rows_types_and_colours(outputs: dict) -> None:
    rows = outputs["json"]["clients"]
    book = openpyxl.load_workbook(outputs["xlsx"])
    sheet = book["Clients"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:R{len(rows) + 1}"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Status", "Folder", "Applicant"]
    got = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in got] == [(c["status"], c["folder"]) for c in rows]
    by_folder = {c["folder"]: c for c in rows}
    col = {name: k for k, name in enumerate(header)}
    for r in got:
        client = by_folder[r[1]]
        assert r[col["Complete"]] is client["complete"]
        assert isinstance(r[col["Errors"]], int) and r[col["Errors"]] == client["problems"]["error"]
        expiry = client["earliest_expiry"]
        if expiry:
            assert isinstance(r[col["Earliest expiry"]], dt.datetime)  # a real date
            assert r[col["Earliest expiry"]].date().isoformat() == expiry["date"]
            assert r[col["Days left"]] == expiry["days_left"]
        deadline = client["next_deadline"]
        if deadline:
            assert r[col["Next deadline"]].date().isoformat() == deadline["date"]
    assert {c["status"] for c in rows} == {"complete", "incomplete", "error"}
    fills = {}
    for rng in sheet.conditional_formatting:
        for rule in rng.rules:
            status = re.search(r'"(\w+)"', rule.formula[0]).group(1)
            fills[status] = rule.dxf.fill.bgColor.rgb
            assert str(rng.sqref) == f"A2:R{len(rows) + 1}"
    assert fills == {"complete": "FFC6EFCE", "incomplete": "FFFFC7CE", "error": "FFD9D9D9"}
    calendar = book["Calendar"]
    dates = [r[0] for r in calendar.iter_rows(min_row=2, values_only=True)]
    assert dates and all(isinstance(d, dt.datetime) for d in dates) and dates == sorted(dates)


def test_a_name_like_a_formula_stays_text(tmp_path: Path) -> None:
    clients = make_clients(tmp_path / "c", 2)
    client = next(p for p in clients.iterdir() if (p / "mspe.pdf").exists())
    bad = client.parent / "=HYPERLINK(1)"
    client.rename(bad)
    code, _, _ = audit(str(clients), "--xlsx", str(tmp_path / "x.xlsx"))
    assert code in (ExitCode.OK, ExitCode.INCOMPLETE)
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx")["Clients"]
    cell = next(c for c in sheet["B"] if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and cell.value.endswith("=HYPERLINK(1)")


def test_ics_has_one_event_per_expiry_and_deadline(outputs: dict) -> None:
    cal = Calendar.from_ical(outputs["ics"])
    events = list(cal.walk("VEVENT"))
    rows = outputs["json"]["clients"]
    expiring = [c for c in rows if c["earliest_expiry"]]
    deadlines = [c for c in rows if c["next_deadline"]]
    assert len(events) >= len(expiring) + len(deadlines) and deadlines
    summaries = [str(e["SUMMARY"]) for e in events]
    for c in deadlines:
        when = dt.date.fromisoformat(c["next_deadline"]["date"])
        assert any(
            e.decoded("DTSTART") == when and (c["applicant"] or c["folder"]) in str(e["SUMMARY"])
            for e in events
        )
    assert any("passport expires" in s for s in summaries)
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert all(isinstance(e.decoded("DTSTART"), dt.date) for e in events)


def test_ics_only_with_calendar(clients: Path) -> None:
    code, _, stderr = audit(str(clients), "--format", "ics")
    assert code == ExitCode.USAGE and "--calendar" in stderr


def test_dashboard_counts_rows_and_calendar(outputs: dict) -> None:
    page, report = outputs["html"], outputs["json"]
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    summary = report["summary"]
    for key in ("clients", "complete", "incomplete"):
        assert re.search(rf"<strong>{summary[key]}</strong>{key}", page)
    body = page[page.index('<table id="clients"') :]
    body = body[: body.index("</table>")]
    assert body.count("<tr data-status=") == len(report["clients"])
    for c in report["clients"]:
        assert c["folder"] in text
        for item in c["missing"]:
            assert item in text
    assert "Calendar" in text and "eras deadline" in text
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert not re.search(r"<script[^>]*\bsrc=", page) and "<link" not in page


def test_dashboard_escapes_folder_names(tmp_path: Path) -> None:
    clients = make_clients(tmp_path / "c", 2)
    (clients / "<script>alert(1)<").mkdir()
    first = sorted(p for p in clients.iterdir() if p.name.startswith("client"))[0]
    first.rename(clients / "<script>alert(1)<" / "script>")
    code, _, _ = audit(
        str(clients / "<script>alert(1)<"), str(clients), "--html", str(tmp_path / "d.html")
    )
    assert code in (ExitCode.OK, ExitCode.INCOMPLETE)
    page = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert page.lower().count("<script") == 1  # only the dashboard's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_output_that_cannot_be_written_is_exit_4(clients: Path, tmp_path: Path) -> None:
    code, _, stderr = audit(str(clients), "--html", str(tmp_path / "nope" / "d.html"))
    assert code == ExitCode.OUTPUT and "does not exist" in stderr
