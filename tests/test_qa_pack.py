"""pack --out --force aimed at a folder of the user's own: refused (exit 4), nothing deleted."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from img_dossier.cli import cli


def test_force_does_not_replace_a_folder_that_holds_folders(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dossier.yaml").write_text("schema: 1\ntrack: canada\n", encoding="utf-8")
    (docs / "personal-letter.txt").write_text("Personal letter\n\nDear program.\n", "utf-8")
    desktop = tmp_path / "Desktop"
    (desktop / "photos").mkdir(parents=True)
    (desktop / "taxes.txt").write_text("important", encoding="utf-8")
    (desktop / "photos" / "a.jpg").write_bytes(b"x")
    result = CliRunner().invoke(
        cli, ["pack", str(docs), "--portal", "carms", "--out", str(desktop), "--force"]
    )
    assert result.exit_code == 4, result.output
    assert "photos" in result.output and "--out" in result.output
    assert (desktop / "taxes.txt").read_text(encoding="utf-8") == "important"
    assert (desktop / "photos" / "a.jpg").is_file()


def test_eras_lor_portal_gets_one_file_per_letter_for_the_referee(tmp_path: Path) -> None:
    import json

    from reportlab.pdfgen import canvas

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dossier.yaml").write_text("schema: 1\ntrack: us\n", encoding="utf-8")
    for n in (1, 2, 3):
        pdf = canvas.Canvas(str(docs / f"lor-{n}.pdf"), pagesize=(612, 792))
        pdf.drawString(72, 720, f"Letter of Recommendation {n}")
        pdf.save()
    out = tmp_path / "lorp"
    result = CliRunner().invoke(
        cli, ["pack", str(docs), "--portal", "eras-lorp", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    slots = json.loads(result.stdout)["slots"]
    files = sorted(s["file"] for s in slots if s["status"] == "packed")
    assert len(files) == 3, slots
    assert all("uploaded by the referee" in s["message"] for s in slots), slots
