"""dossier build: exit codes, default name, printed summary, JSON block, --strict, exit 4."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from img_dossier.cli import cli
from img_dossier.output.convert import to_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def us_j1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The us-j1 sample folder, written by samples/make_samples.py into a temp dir."""
    sys.path.insert(0, str(SAMPLES))
    try:
        import make_samples
    finally:
        sys.path.remove(str(SAMPLES))
    out = tmp_path_factory.mktemp("samples")
    return Path(make_samples.build_folder("us", out / "us-j1", overwrite=True))


def test_build_writes_default_name_and_prints_summary(
    us_j1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["build", str(us_j1), "--as-of", "2026-11-29", "-q"])
    out = Path.cwd() / "quispe-mamani-dossier.pdf"
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert str(out) in result.stdout
    assert " pages, " in result.stdout and "KB" in result.stdout


def test_build_json_has_dossier_block_and_the_pdf_is_sound(us_j1: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    result = CliRunner().invoke(
        cli, ["build", str(us_j1), "--as-of", "2026-11-29", "--json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["complete"] is True
    block = data["dossier"]
    assert block["path"] == str(out) and block["bytes"] == out.stat().st_size
    reader = PdfReader(out)
    assert block["pages"] == len(reader.pages)
    docs = {d["path"]: d for d in data["documents"]}
    placed = [rel for s in block["sections"] for rel in s["documents"]]
    assert len(placed) == len(set(placed))
    front = block["sections"][0]["first_page"] - 1
    converted = 0
    for rel in placed:
        if docs[rel]["format"] != "pdf":
            result_pages = to_pdf(us_j1 / rel, tmp_path / "c.pdf").pages
            converted += result_pages
    pdf_pages = sum(docs[rel]["pages"] for rel in placed if docs[rel]["format"] == "pdf")
    assert block["pages"] == front + pdf_pages + converted
    assert [s["item"] for s in block["sections"]][:2] == ["passport", "medical-diploma"]
    assert data["conversions"].get("photo.jpg") == "image"
    assert data["conversions"].get("personal-statement.txt") == "text"
    # every section's first page starts with its first document's text
    for section in block["sections"]:
        rel = section["documents"][0]
        if docs[rel]["format"] == "pdf":
            words = PdfReader(us_j1 / rel).pages[0].extract_text().split()[:4]
            page_text = reader.pages[section["first_page"] - 1].extract_text()
            assert " ".join(words) in " ".join(page_text.split())
    # index links land on the sections' first pages
    targets = set()
    for page in reader.pages[:front]:
        for annot in page.get("/Annots", []) or []:
            dest = annot.get_object()["/Dest"]
            targets.add(reader.get_page_number(dest[0].get_object()) + 1)
    assert {s["first_page"] for s in block["sections"]} <= targets
    assert all(
        any(s["first_page"] <= t <= s["last_page"] for s in block["sections"]) for t in targets
    )
    labels = reader.page_labels
    assert labels[0] == "i" and labels[front] == "1"
    # outline: one entry per section (item title), its documents under it
    titles = {i["id"]: i["title"] for i in data["items"]}
    top = [n for n in reader.outline if not isinstance(n, list)]
    nested = [n for n in reader.outline if isinstance(n, list)]
    assert [str(n.title) for n in top] == ["Cover and index"] + [
        titles.get(s["item"], "Other documents") for s in block["sections"]
    ]
    assert [[str(d.title) for d in docs if not isinstance(d, list)] for docs in nested] == [
        s["documents"] for s in block["sections"]
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pikepdf.open(out) as pdf:
            assert pdf.check_pdf_syntax() == []
    doc = pdfium.PdfDocument(str(out))
    try:
        assert len(doc) == block["pages"]
        for i in range(len(doc)):
            doc[i].render(scale=0.2)
    finally:
        doc.close()


def test_incomplete_folder_exits_1_but_writes_unless_strict(us_j1: Path, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    partial = tmp_path / "docs" / "us-j1"
    import shutil

    shutil.copytree(us_j1, partial)
    (partial / "passport.pdf").unlink()
    out = tmp_path / "d.pdf"
    result = CliRunner().invoke(
        cli, ["build", str(partial), "--as-of", "2026-11-29", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert out.is_file()
    out.unlink()
    result = CliRunner().invoke(
        cli, ["build", str(partial), "--as-of", "2026-11-29", "-o", str(out), "--strict"]
    )
    assert result.exit_code == 1
    assert not out.exists()
    assert "nothing written" in result.stderr


def test_output_over_a_source_document_is_exit_4(us_j1: Path) -> None:
    target = us_j1 / "passport.pdf"
    before = target.read_bytes()
    result = CliRunner().invoke(cli, ["build", str(us_j1), "-o", str(target)])
    assert result.exit_code == 4
    assert "passport.pdf" in result.stderr and "refusing to overwrite" in result.stderr
    assert target.read_bytes() == before


def test_unwritable_output_is_exit_4(us_j1: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(us_j1), "-o", str(tmp_path / "nope" / "d.pdf")])
    assert result.exit_code == 4
    assert "cannot write" in result.stderr


def test_missing_folder_is_exit_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "absent"), "--track", "us"])
    assert result.exit_code == 3


def test_page_size_is_validated_and_a4_is_used(us_j1: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["build", str(us_j1), "--page-size", "legal"]).exit_code == 2
    out = tmp_path / "a4.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(us_j1),
            "--as-of",
            "2026-11-29",
            "--page-size",
            "a4",
            "--no-stamp",
            "-o",
            str(out),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
