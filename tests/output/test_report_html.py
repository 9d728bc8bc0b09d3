"""`dossier check DIR --html FILE`: one self-contained page a person reads in a browser."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.output.report_html import source_links

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
AS_OF = "2026-11-29"


def _check(folder: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(folder), "--as-of", AS_OF, *extra])
    return result.exit_code, result.stdout


def _page_text(page: str) -> str:
    """The text a reader sees (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict]]:
    out = tmp_path_factory.mktemp("html")
    found = {}
    for name in ("us-j1", "problems"):
        target = out / f"{name}.html"
        code, _ = _check(SAMPLES / name, "--html", str(target), "-q")
        assert code in (ExitCode.OK, ExitCode.INCOMPLETE)
        _, stdout = _check(SAMPLES / name, "--json")
        found[name] = (target.read_text(encoding="utf-8"), json.loads(stdout))
    return found


@pytest.mark.parametrize("name", ["us-j1", "problems"])
def test_page_is_small_and_shows_every_item_title_and_problem_code(
    pages: dict[str, tuple[str, dict]], name: str
) -> None:
    page, report = pages[name]
    assert len(page.encode("utf-8")) <= 2 * 1024 * 1024
    text = _page_text(page)
    codes = {p["code"] for i in report["items"] for p in i["problems"]}
    codes |= {p["code"] for d in report["documents"] for p in d["problems"]}
    for item in report["items"]:
        assert item["title"] in text
    for code in codes:
        assert re.search(rf"\b{re.escape(code)}\b", text), code
    if name == "problems":
        assert codes, "samples/problems shows problems"
    for doc in report["documents"]:
        assert doc["path"] in text


@pytest.mark.parametrize("name", ["us-j1", "problems"])
def test_page_is_self_contained(pages: dict[str, tuple[str, dict]], name: str) -> None:
    page, report = pages[name]
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    sources = re.findall(r"""\b(?:src|srcset|action|poster|data)\s*=\s*["']([^"']*)""", page)
    assert sources and all(s.startswith("data:image/") for s in sources)  # thumbnails inline
    assert not re.search(r"<(link|script|iframe|object|embed|base)\b", page, re.IGNORECASE)
    assert "@import" not in page and "url(" not in page
    links = re.findall(r"""href\s*=\s*["']([^"']*)""", page)
    assert all(h.startswith(("#", "https://")) for h in links)  # sources open on a click only
    text = _page_text(page)
    assert ("Complete" if report["complete"] else "Incomplete") in text
    assert report["applicant"]["name"] in text and report["as_of"] in text
    assert "@media print" in page and "max-width: 640px" in page


def test_status_is_a_word_as_well_as_a_colour(pages: dict[str, tuple[str, dict]]) -> None:
    page, report = pages["problems"]
    statuses = {i["status"] for i in report["items"]}
    assert {"ok", "missing", "invalid"} <= statuses
    for word, css in (("Missing", "s-missing"), ("Not valid", "s-invalid"), ("OK", "s-ok")):
        assert re.search(rf'class="status {css}">{word}<', page)


def test_problem_links_to_its_rule_source(pages: dict[str, tuple[str, dict]]) -> None:
    page, report = pages["problems"]
    (passport,) = [i for i in report["items"] if i["id"] == "passport"]
    docs = {d["path"]: d for d in report["documents"]}
    codes = {p["code"] for p in passport["problems"]}
    codes |= {p["code"] for rel in passport["documents"] for p in docs[rel]["problems"]}
    assert codes
    row = page[page.index('id="item-passport"') :]
    row = row[: row.index("</tr>")]
    for code in codes:
        assert f"<code>{code}</code>" in row
    assert "(source: " in row and 'href="https://' in row


def test_stdout_is_the_same_with_and_without_html(tmp_path: Path) -> None:
    code1, plain = _check(SAMPLES / "problems")
    code2, with_html = _check(SAMPLES / "problems", "--html", str(tmp_path / "r.html"))
    assert (code1, plain) == (code2, with_html) and code1 == ExitCode.INCOMPLETE
    assert (tmp_path / "r.html").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_a_file_name_holding_a_script_tag_is_shown_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    shutil.copytree(SAMPLES / "us-j1", folder)
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>.pdf"  # a folder and a file
    (folder / "<script>alert(1)<").mkdir()
    shutil.copy(folder / "mspe.pdf", folder / hostile)
    (folder / "notes <b>bold<").mkdir()
    (folder / "notes <b>bold</b>.xyz").write_text("not a document")
    out = tmp_path / "report.html"
    code, _ = _check(folder, "--html", str(out))
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert hostile in _page_text(page) and "notes <b>bold</b>.xyz" in _page_text(page)
    assert code in (ExitCode.OK, ExitCode.INCOMPLETE)


def test_html_over_a_source_document_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    shutil.copytree(SAMPLES / "us-j1", folder)
    before = (folder / "mspe.pdf").read_bytes()
    result = CliRunner().invoke(cli, ["check", str(folder), "--html", str(folder / "mspe.pdf")])
    assert result.exit_code == ExitCode.OUTPUT and "mspe.pdf" in result.stderr
    assert (folder / "mspe.pdf").read_bytes() == before


def test_html_into_a_missing_folder_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["check", str(SAMPLES / "us-j1"), "--html", str(tmp_path / "no" / "r.html")]
    )
    assert result.exit_code == ExitCode.OUTPUT and "does not exist" in result.stderr


def test_source_links_are_https_only() -> None:
    links = source_links(
        "ECFMG, ecfmg.org/2023ib/diploma.html and http://www.nrmp.org/x [O]; javascript:alert(1)"
    )
    assert [link["href"] for link in links] == [
        "https://ecfmg.org/2023ib/diploma.html",
        "https://www.nrmp.org/x",
    ]


def test_a_page_that_hangs_loses_only_its_thumbnail(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from img_dossier.checking.pipeline import run_check
    from img_dossier.output import thumbnails as thumbs
    from img_dossier.readers import Limits

    if thumbs.isolation.start_method() != "fork":
        pytest.skip("the hang is injected by patching the module, which a forked child shares")
    run = run_check(SAMPLES / "us-j1")
    real = thumbs._pdf

    def slow(path: Path) -> bytes | None:
        if path.name == "mspe.pdf":
            time.sleep(30)
        return real(path)

    monkeypatch.setattr(thumbs, "_pdf", slow)
    start = time.monotonic()
    found = thumbs.thumbnails(run.report.documents, limits=Limits(seconds=2.0))
    assert time.monotonic() - start < 20
    wanted = {d.rel for d in thumbs.wanted(run.report.documents)}
    assert "mspe.pdf" in wanted and "mspe.pdf" not in found
    assert set(found) == wanted - {"mspe.pdf"}
    assert all(uri.startswith("data:image/jpeg;base64,") for uri in found.values())
