"""The HTML report and the audit dashboard in a real browser: headless Chromium (Debian's
package, installed by .ci/run) draws them, they request nothing from any network, they fit
a 400 px wide phone, and sorting a dashboard column reorders its rows. Skipped where no
Chromium is installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

from browser import Browser, find_chromium
from clients import AS_OF, make_clients
from img_dossier.cli import cli
from img_dossier.errors import ExitCode

pytestmark = pytest.mark.skipif(
    find_chromium() is None, reason="Chromium is not installed (Debian: apt install chromium)"
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ROWS = (
    "Array.from(document.querySelectorAll('#clients tbody tr')).map(r => r.cells[{col}]"
    ".getAttribute('data-sort') + '|' + r.cells[1].textContent.trim())"
)


def not_blank(png: Path) -> None:
    image = Image.open(png).convert("L")
    assert image.size[0] >= 400
    dark = sum(image.histogram()[:128])
    assert dark / (image.size[0] * image.size[1]) > 0.01  # text drawn, not a white page
    assert ImageStat.Stat(image).stddev[0] > 10


def only_local(requests: list[str], page: Path) -> None:
    assert requests and requests[0] == page.as_uri()
    assert all(url.startswith(("file:", "data:")) for url in requests), requests


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "problems.html"
    result = CliRunner().invoke(
        cli, ["check", str(SAMPLES / "problems"), "--as-of", AS_OF.isoformat(), "--html", str(out)]
    )
    assert result.exit_code == ExitCode.INCOMPLETE and out.is_file()
    return out


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = make_clients(tmp_path_factory.mktemp("clients"), 60)
    out = tmp_path_factory.mktemp("dash") / "dashboard.html"
    mp = pytest.MonkeyPatch()
    mp.setenv("IMG_DOSSIER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    try:
        runner = CliRunner()
        result = runner.invoke(
            cli,
            [
                "audit",
                str(root),
                "--as-of",
                AS_OF.isoformat(),
                "--format",
                "json",
                "--html",
                str(out),
            ],
        )
    finally:
        mp.undo()
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    return out, json.loads(result.stdout)


def test_report_renders_offline_and_fits_a_phone(report_page: Path, tmp_path: Path) -> None:
    browser = Browser(report_page)
    try:
        with browser:
            not_blank(browser.screenshot(tmp_path / "report.png"))
            assert browser.evaluate("document.querySelectorAll('tbody tr[id^=item-]').length") == 17
            assert browser.evaluate("document.querySelectorAll('img').length") >= 10
            assert browser.evaluate(
                "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
            )
            browser.resize(400, 900)
            width = browser.evaluate("document.documentElement.scrollWidth")
            assert width <= 400  # no horizontal scrolling on a phone
            not_blank(browser.screenshot(tmp_path / "report-400.png"))
        only_local(browser.requests(), report_page)
    finally:
        browser.cleanup()


@pytest.mark.slow
def test_dashboard_of_60_clients_sorts_and_stays_offline(
    dashboard: tuple[Path, dict], tmp_path: Path
) -> None:
    page, data = dashboard
    browser = Browser(page)
    try:
        with browser:
            not_blank(browser.screenshot(tmp_path / "dashboard.png"))
            rows = browser.evaluate(ROWS.format(col=1))
            assert len(rows) == len(data["clients"]) == 60
            browser.evaluate("document.querySelectorAll('#clients th button')[1].click()")
            by_client = browser.evaluate(ROWS.format(col=1))
            assert by_client != rows and sorted(by_client) == sorted(rows)
            browser.evaluate("document.querySelectorAll('#clients th button')[4].click()")
            expiry = [r.split("|")[0] for r in browser.evaluate(ROWS.format(col=4))]
            assert expiry == sorted(expiry) and expiry[0] < expiry[-1]  # ISO dates, soonest first
            browser.evaluate("document.querySelectorAll('#clients th button')[4].click()")
            again = [r.split("|")[0] for r in browser.evaluate(ROWS.format(col=4))]
            assert again == sorted(expiry, reverse=True)  # a second click: latest first
            browser.evaluate(
                "const s = document.getElementById('only'); s.value = 'complete';"
                "s.dispatchEvent(new Event('change'))"
            )
            shown = browser.evaluate(
                "Array.from(document.querySelectorAll('#clients tbody tr'))"
                ".filter(r => !r.hidden).length"
            )
            assert shown == data["summary"]["complete"] > 0
            browser.resize(400, 900)
            assert browser.evaluate("document.documentElement.scrollWidth") <= 400
        only_local(browser.requests(), page)
    finally:
        browser.cleanup()


@pytest.mark.slow
def test_dashboard_reads_without_javascript(dashboard: tuple[Path, dict]) -> None:
    page, _ = dashboard
    html = page.read_text(encoding="utf-8")
    table = html[html.index('<table id="clients"') :]
    assert table[: table.index("</table>")].count("<tr data-status=") == 60
    assert ".controls { display: none;" in html  # the controls only show with JS


def test_request_detector_sees_a_request(tmp_path: Path) -> None:
    """The check above can fail: a page loading a remote image is caught."""
    page = tmp_path / "leak.html"
    page.write_text('<!DOCTYPE html><p>x</p><img src="http://127.0.0.1:9/x.png">')
    browser = Browser(page)
    try:
        with browser:
            pass
        assert "http://127.0.0.1:9/x.png" in browser.requests()
    finally:
        browser.cleanup()
