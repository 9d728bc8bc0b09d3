"""build -o aimed at the user's own files: refused (exit 4) and left untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from img_dossier.cli import cli


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
    assert result.exit_code == 4, result.output
    assert name in result.output and "refusing to overwrite" in result.output
    assert target.read_bytes() == before


def test_a_dossier_built_inside_the_folder_can_be_rebuilt(folder: Path) -> None:
    target = folder / "out.pdf"
    first = CliRunner().invoke(cli, ["build", str(folder), "-o", str(target), "-q"])
    assert first.exit_code == 1, first.output  # incomplete, written
    again = CliRunner().invoke(cli, ["build", str(folder), "-o", str(target), "-q"])
    assert again.exit_code == 1, again.output
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
    assert result.exit_code == 1, result.output
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
    assert result.exit_code == 1, result.output
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
    assert result.exit_code == 1, result.output
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
