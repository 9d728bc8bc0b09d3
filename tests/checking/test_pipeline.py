"""checking/pipeline.py as a user sees it through `check`: duplicates, `files:` notes, names,
links out of the folder, and the tool's own outputs left in the folder."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from reportlab.pdfgen import canvas

from img_dossier.cli import cli
from img_dossier.errors import ExitCode


def test_the_download_copy_not_the_original_is_the_duplicate(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("schema: 1\ntrack: canada\n", encoding="utf-8")
    letters = tmp_path / "letters"
    letters.mkdir()
    original = letters / "reference-1.pdf"
    pdf = canvas.Canvas(str(original))
    pdf.drawString(72, 720, "Reference letter")
    pdf.save()
    (letters / "reference-1 (1).pdf").write_bytes(original.read_bytes())
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--json"])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    docs = {d["path"]: d for d in json.loads(result.stdout)["documents"]}
    assert [p["code"] for p in docs["letters/reference-1.pdf"]["problems"]] == []
    (dup,) = docs["letters/reference-1 (1).pdf"]["problems"]
    assert dup["code"] == "duplicate"
    assert "the same file as letters/reference-1.pdf" in dup["message"]


def test_a_files_entry_that_matches_nothing_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text(
        'schema: 1\ntrack: canada\nfiles:\n  "Scan_0002.pdf": cv\n  "notes/*": ignore\n'
        '  "cv-final.txt": cv\n',
        encoding="utf-8",
    )
    (tmp_path / "cv-final.txt").write_text("Curriculum vitae\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--json"])
    notes = json.loads(result.stdout)["notes"]
    unmatched = [n for n in notes if "matches no file" in n]
    assert len(unmatched) == 2, notes
    assert any('"Scan_0002.pdf"' in n for n in unmatched)
    assert any('"notes/*"' in n for n in unmatched)
    text = CliRunner().invoke(cli, ["check", str(tmp_path)]).stdout
    assert 'dossier.yaml files: "Scan_0002.pdf" matches no file' in text


def test_a_line_break_in_a_file_name_cannot_forge_a_line_of_the_report(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text("schema: 1\ntrack: canada\n", encoding="utf-8")
    name = "cv.txt\n  ok: Proof of Canadian citizenship"
    try:
        (tmp_path / name).write_text("Curriculum vitae\n", encoding="utf-8")
    except OSError:
        import pytest

        pytest.skip("this file system refuses line breaks in names")
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    lines = result.stdout.splitlines()
    assert not any(ln.startswith("  ok: Proof of Canadian citizenship") for ln in lines)
    assert any("cv.txt\\n  ok: Proof" in ln for ln in lines)


def test_an_iphone_photo_is_read_and_an_old_word_file_named_with_the_way_out(
    tmp_path: Path,
) -> None:
    (tmp_path / "dossier.yaml").write_text("schema: 1\ntrack: us\n", encoding="utf-8")
    (tmp_path / "passport.HEIC").write_bytes(b"\0\0\0\x18ftypheic" + b"\0" * 100)
    (tmp_path / "cv.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--json"])
    report = json.loads(result.stdout)
    assert report["ignored"] == ["cv.doc"]
    heic = next(d for d in report["documents"] if d["path"] == "passport.HEIC")
    assert heic["format"] == "heic"  # read (pillow-heif): this one is broken, so damaged
    assert [p["code"] for p in heic["problems"]] == ["damaged"]
    notes = report["notes"]
    assert any(n.startswith("cv.doc: an old Word document") and ".docx" in n for n in notes)


def _us_folder(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "dossier.yaml").write_text("schema: 1\ntrack: us\n", encoding="utf-8")
    return root


def test_a_linked_folder_outside_is_reported_once_with_what_to_do(tmp_path: Path) -> None:
    app = _us_folder(tmp_path / "app")
    (tmp_path / "out").mkdir()
    (app / "linkdir").symlink_to(tmp_path / "out", target_is_directory=True)
    result = CliRunner().invoke(cli, ["check", str(app)])
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    assert result.output.count("linkdir") == 1, result.output
    assert "Not recognised" not in result.output
    assert "outside-folder" in result.output and "into the folder" in result.output
    data = json.loads(CliRunner().invoke(cli, ["check", str(app), "--json"]).stdout)
    link = next(d for d in data["documents"] if d["path"] == "linkdir")
    assert [p["code"] for p in link["problems"]] == ["outside-folder"]


def test_a_packed_pdf_moved_into_the_folder_counts_as_the_document(tmp_path: Path) -> None:
    app = _us_folder(tmp_path / "app")
    pdf = canvas.Canvas(str(app / "passport.pdf"), pagesize=(612, 792))
    pdf.drawString(72, 720, "PASSPORT  Republic of Peru")
    pdf.save()
    out = tmp_path / "evsp"
    packed = CliRunner().invoke(cli, ["pack", str(app), "--portal", "evsp", "--out", str(out)])
    assert packed.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), packed.output
    copies = sorted(out.glob("passport_*.pdf"))
    assert len(copies) == 1, sorted(p.name for p in out.iterdir())
    (app / "passport.pdf").unlink()
    (app / copies[0].name).write_bytes(copies[0].read_bytes())
    data = json.loads(CliRunner().invoke(cli, ["check", str(app), "--json"]).stdout)
    passport = next(i for i in data["items"] if i["id"] == "passport")
    assert passport["status"] != "missing", passport
    assert passport["documents"] == [copies[0].name]


def test_a_built_dossier_in_the_folder_is_still_left_out(tmp_path: Path) -> None:
    app = _us_folder(tmp_path / "app")
    pdf = canvas.Canvas(str(app / "passport.pdf"), pagesize=(612, 792))
    pdf.drawString(72, 720, "PASSPORT  Republic of Peru")
    pdf.save()
    built = CliRunner().invoke(cli, ["build", str(app), "-o", str(app / "mine-dossier.pdf")])
    assert built.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), built.output
    assert (app / "mine-dossier.pdf").is_file()
    data = json.loads(CliRunner().invoke(cli, ["check", str(app), "--json"]).stdout)
    assert [d["path"] for d in data["documents"]] == ["passport.pdf"]
    assert "mine-dossier.pdf" not in data["ignored"]
