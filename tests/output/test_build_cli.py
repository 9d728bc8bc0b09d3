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
from img_dossier.errors import ExitCode
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
    assert result.exit_code == ExitCode.OK, result.output
    assert out.is_file()
    assert str(out) in result.stdout
    assert " pages, " in result.stdout and "KB" in result.stdout


def test_build_json_has_dossier_block_and_the_pdf_is_sound(us_j1: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    result = CliRunner().invoke(
        cli, ["build", str(us_j1), "--as-of", "2026-11-29", "--json", "-o", str(out)]
    )
    assert result.exit_code == ExitCode.OK, result.output
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
    assert result.exit_code == ExitCode.INCOMPLETE
    assert out.is_file()
    out.unlink()
    result = CliRunner().invoke(
        cli, ["build", str(partial), "--as-of", "2026-11-29", "-o", str(out), "--strict"]
    )
    assert result.exit_code == ExitCode.INCOMPLETE
    assert not out.exists()
    assert "nothing written" in result.stderr


def test_output_over_a_source_document_is_exit_4(us_j1: Path) -> None:
    target = us_j1 / "passport.pdf"
    before = target.read_bytes()
    result = CliRunner().invoke(cli, ["build", str(us_j1), "-o", str(target)])
    assert result.exit_code == ExitCode.OUTPUT
    assert "passport.pdf" in result.stderr and "refusing to overwrite" in result.stderr
    assert target.read_bytes() == before


def test_unwritable_output_is_exit_4(us_j1: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(us_j1), "-o", str(tmp_path / "nope" / "d.pdf")])
    assert result.exit_code == ExitCode.OUTPUT
    assert "cannot write" in result.stderr


def test_missing_folder_is_exit_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "absent"), "--track", "us"])
    assert result.exit_code == ExitCode.BAD_INPUT


def test_page_size_is_validated_and_a4_is_used(us_j1: Path, tmp_path: Path) -> None:
    assert (
        CliRunner().invoke(cli, ["build", str(us_j1), "--page-size", "legal"]).exit_code
        == ExitCode.USAGE
    )
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
    assert result.exit_code == ExitCode.OK, result.output
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


# From a review pass: build -o aimed at the user's own files: refused (exit 4) and left
# untouched.


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dossier.yaml").write_text("schema: 1\ntrack: us\n", encoding="utf-8")
    (docs / "personal-statement.txt").write_text("Personal statement\n\nI am.\n", "utf-8")
    (docs / ".notes").write_text("my private notes\n", encoding="utf-8")
    return docs


@pytest.mark.parametrize("name", ["dossier.yaml", ".notes"])
def test_output_over_a_file_the_check_passes_over_is_exit_4(folder: Path, name: str) -> None:
    target = folder / name
    before = target.read_bytes()
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(target), "-q"])
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert name in result.output and "refusing to overwrite" in result.output
    assert target.read_bytes() == before


def test_a_dossier_built_inside_the_folder_can_be_rebuilt(folder: Path) -> None:
    target = folder / "out.pdf"
    first = CliRunner().invoke(cli, ["build", str(folder), "-o", str(target), "-q"])
    assert first.exit_code == ExitCode.INCOMPLETE, first.output  # incomplete, written
    again = CliRunner().invoke(cli, ["build", str(folder), "-o", str(target), "-q"])
    assert again.exit_code == ExitCode.INCOMPLETE, again.output
    assert len(PdfReader(target).pages) >= 2


def test_a_duplicate_file_is_in_the_dossier_once_and_listed_as_left_out(folder: Path) -> None:
    from reportlab.pdfgen import canvas

    first = folder / "lor-smith.pdf"
    pdf = canvas.Canvas(str(first))
    pdf.drawString(72, 720, "Letter of Recommendation")
    pdf.drawString(72, 700, "Dear Program Director")
    pdf.save()
    (folder / "lor-smith copy.pdf").write_bytes(first.read_bytes())
    out = folder.parent / "d.pdf"
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "--json"])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    dossier = json.loads(result.stdout)["dossier"]
    placed = [rel for s in dossier["sections"] for rel in s["documents"]]
    copies = {"lor-smith.pdf", "lor-smith copy.pdf"}
    assert len(copies & set(placed)) == 1, placed
    (left,) = [x for x in dossier["left_out"] if x["path"] in copies]
    assert left["reason"].startswith("duplicate")


def test_index_calls_only_optional_items_optional_and_once(folder: Path) -> None:
    (folder / "dossier.yaml").write_text(
        "schema: 1\ntrack: us\ntraining:\n  visa: J-1\necfmg_certified: true\n", encoding="utf-8"
    )
    out = folder.parent / "d.pdf"
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "-q"])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    index = " ".join(page.extract_text() for page in PdfReader(out).pages[1:3])
    lines = [ln for ln in index.splitlines() if "Step 3" in ln or "Photograph" in ln]
    assert lines, index
    step3 = next(ln for ln in lines if "Step 3" in ln)
    assert "optional" not in step3  # not required (no H-1B), which is not "optional"
    photo = next(ln for ln in lines if "Photograph" in ln)
    assert photo.count("optional") == 1, photo


def test_scripts_and_launch_actions_of_a_source_pdf_stay_out_of_the_dossier(
    folder: Path,
) -> None:
    import pikepdf
    from reportlab.pdfgen import canvas

    plain = folder.parent / "plain.pdf"
    pdf = canvas.Canvas(str(plain))
    pdf.drawString(72, 720, "Letter of Recommendation")
    pdf.save()
    with pikepdf.open(plain) as src:
        page = src.pages[0].obj
        page.AA = pikepdf.Dictionary(
            O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )

        def link(action: pikepdf.Dictionary) -> pikepdf.Object:
            return src.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[72, 600, 300, 640],
                    A=action,
                )
            )

        page.Annots = pikepdf.Array(
            [
                link(pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))),
                link(
                    pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://aamc.org"))
                ),
            ]
        )
        src.save(folder / "lor-1.pdf")
    out = folder.parent / "d.pdf"
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "-q"])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    actions = []
    for page in PdfReader(out).pages:
        assert "/AA" not in page
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            assert "/AA" not in annot
            if "/A" in annot:
                actions.append(annot["/A"].get_object()["/S"])
    assert "/Launch" not in actions and "/JavaScript" not in actions
    assert "/URI" in actions  # an ordinary web link keeps working
