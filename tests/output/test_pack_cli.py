"""dossier pack: exit codes, --json manifest, text summary, default folder, --force."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from img_dossier.cli import cli
from img_dossier.errors import ExitCode

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
AS_OF = ["--as-of", "2026-11-29"]


@pytest.fixture
def canada(tmp_path: Path) -> Path:
    """A copy of the complete canada sample folder."""
    return Path(shutil.copytree(SAMPLES / "canada", tmp_path / "canada"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["pack", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_complete_folder_packs_with_exit_0_and_json_is_the_manifest(
    canada: Path, tmp_path: Path
) -> None:
    out = tmp_path / "upload"
    code, stdout, _ = run(str(canada), "--portal", "carms", "--out", str(out), "--json", *AS_OF)
    assert code == ExitCode.OK
    data = json.loads(stdout)  # nothing but JSON on stdout
    assert data == json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["complete"] is True and data["portal"] == "carms"
    assert [p["id"] for p in data["portals"]] == ["carms", "carms-photo"]
    files = {s["file"] for s in data["slots"]}
    assert {"transcript_Haddad.pdf", "photo_Haddad.jpg", "citizenship-or-pr_Haddad.pdf"} <= files
    for s in data["slots"]:
        assert s["status"] == "packed"
        assert (out / s["file"]).stat().st_size == s["bytes"] <= s["limit_bytes"]
        if s["format"] == "pdf":
            assert len(PdfReader(out / s["file"]).pages) == s["pages"]
    assert (out / "manifest.csv").read_text(encoding="utf-8").startswith("slot,portal,item,")


def test_text_output_names_each_file_and_the_folder(canada: Path, tmp_path: Path) -> None:
    out = tmp_path / "upload"
    code, stdout, _ = run(str(canada), "--portal", "mcc", "-o", str(out), *AS_OF)
    assert code == ExitCode.OK
    assert "medical-diploma_Haddad.pdf" in stdout and "transcript_Haddad.pdf" in stdout
    assert f"2 of 2 uploads written to {out.resolve()}" in stdout


def test_default_output_is_family_name_and_portal_in_the_current_folder(
    canada: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["pack", str(canada), "--portal", "carms", "-q", *AS_OF])
    assert result.exit_code == ExitCode.OK, result.output
    folder = Path.cwd() / "haddad-carms"
    assert (folder / "manifest.json").is_file() and (folder / "cv_Haddad.pdf").is_file()
    assert "ok " not in result.stdout  # -q: only problems and the result line


@pytest.mark.slow
def test_a_missing_item_or_an_encrypted_document_is_exit_1(canada: Path, tmp_path: Path) -> None:
    (canada / "mspr.pdf").unlink()
    code, stdout, _ = run(str(canada), "--portal", "carms", "-o", str(tmp_path / "a"), *AS_OF)
    assert code == ExitCode.INCOMPLETE
    assert "MISSING  mspr (carms)" in stdout

    c = Canvas(str(tmp_path / "plain.pdf"))
    c.drawString(72, 720, "Medical Student Performance Record")
    c.save()
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "plain.pdf"))
    writer.encrypt(user_password="pw", owner_password="pw2", algorithm="AES-128")
    with open(canada / "mspr.pdf", "wb") as fh:
        writer.write(fh)
    out = tmp_path / "b"
    code, stdout, _ = run(str(canada), "--portal", "carms", "-o", str(out), "--json", *AS_OF)
    assert code == ExitCode.INCOMPLETE
    data = json.loads(stdout)
    assert [r["path"] for r in data["refused"]] == ["mspr.pdf"]
    assert not list(out.glob("mspr_*"))


def test_an_existing_output_folder_is_exit_4_without_force(canada: Path, tmp_path: Path) -> None:
    out = tmp_path / "upload"
    out.mkdir()
    (out / "old.pdf").write_bytes(b"old")
    code, _, stderr = run(str(canada), "--portal", "mcc", "-o", str(out), *AS_OF)
    assert code == ExitCode.OUTPUT
    assert "--force" in stderr and (out / "old.pdf").is_file()
    code, _, _ = run(str(canada), "--portal", "mcc", "-o", str(out), "--force", *AS_OF)
    assert code == ExitCode.OK
    assert not (out / "old.pdf").exists() and (out / "manifest.json").is_file()


def test_output_over_the_applicant_folder_is_exit_4(canada: Path) -> None:
    code, _, stderr = run(str(canada), "--portal", "carms", "-o", str(canada), "--force", *AS_OF)
    assert code == ExitCode.OUTPUT
    assert "refusing" in stderr
    assert (canada / "transcript.pdf").is_file()


def test_a_portal_the_checklist_lacks_is_a_usage_error(canada: Path, tmp_path: Path) -> None:
    code, _, stderr = run(str(canada), "--portal", "evsp", "-o", str(tmp_path / "x"), *AS_OF)
    assert code == ExitCode.USAGE
    assert "--portal" in stderr and "carms, carms-photo, mcc" in stderr
    assert not (tmp_path / "x").exists()


def test_a_missing_folder_is_exit_3_and_portal_is_required(tmp_path: Path) -> None:
    code, _, stderr = run(str(tmp_path / "nope"), "--portal", "carms")
    assert code == ExitCode.BAD_INPUT and "no such folder" in stderr
    code, _, stderr = run(str(tmp_path))
    assert code == ExitCode.USAGE and "--portal" in stderr


def test_us_sample_packs_for_evsp_with_the_cv_converted_from_word(tmp_path: Path) -> None:
    us = shutil.copytree(SAMPLES / "us-j1", tmp_path / "us")
    out = tmp_path / "evsp"
    code, stdout, _ = run(str(us), "--portal", "evsp", "-o", str(out), "--json", *AS_OF)
    assert code == ExitCode.OK
    slots = {s["slot"]: s for s in json.loads(stdout)["slots"]}
    assert set(slots) == {"passport", "cv", "training-contract"}
    assert slots["cv"]["sources"] == ["cv-j1.docx"] and slots["cv"]["format"] == "pdf"
    assert any(a.startswith("converted cv-j1.docx") for a in slots["cv"]["actions"])


def test_help_names_the_portals() -> None:
    result = CliRunner().invoke(cli, ["pack", "--help"])
    assert result.exit_code == ExitCode.OK
    assert "carms|mcc|ecfmg|evsp" in result.output and "--force" in result.output


# From a review pass: pack --out --force aimed at a folder of the user's own: refused (exit 4),
# nothing deleted.


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
    assert result.exit_code == ExitCode.OUTPUT, result.output
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
    assert result.exit_code == ExitCode.OK, result.output
    slots = json.loads(result.stdout)["slots"]
    files = sorted(s["file"] for s in slots if s["status"] == "packed")
    assert len(files) == 3, slots
    assert all("uploaded by the referee" in s["message"] for s in slots), slots


def _active_pdf(path: Path, *, signed: bool) -> Path:
    """A one-page CV that runs JavaScript on open, on its page and from a link (launch)."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject
    from pypdf.generic import TextStringObject as Text
    from reportlab.pdfgen import canvas

    plain = path.with_suffix(".plain")
    pdf = canvas.Canvas(str(plain), pagesize=(612, 792))
    pdf.drawString(72, 720, "Curriculum Vitae")
    pdf.drawString(72, 700, "Education and Experience")
    pdf.save()
    writer = PdfWriter(clone_from=str(plain))
    plain.unlink()
    named = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): Text("app.alert('hello');"),
        }
    )
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([Text("hello"), writer._add_object(named)])}
            )
        }
    )
    js = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): Text("app.alert('open');")}
    )
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(js)
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): writer._add_object(
                DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/JavaScript"),
                        NameObject("/JS"): Text("app.alert('page');"),
                    }
                )
            )
        }
    )
    launch = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (72, 600, 200, 620)]),
            NameObject("/A"): DictionaryObject(
                {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): Text("calc.exe")}
            ),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(launch)])
    if signed:
        sig = DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Sig"),
                NameObject("/T"): Text("Signature1"),
                NameObject("/V"): DictionaryObject({NameObject("/Type"): NameObject("/Sig")}),
            }
        )
        writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
            {
                NameObject("/Fields"): ArrayObject([writer._add_object(sig)]),
                NameObject("/SigFlags"): NumberObject(3),
            }
        )
    with path.open("wb") as out:
        writer.write(out)
    return path


def _pack_cv(tmp_path: Path, *, signed: bool) -> tuple[object, dict[str, object], Path]:
    import json

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dossier.yaml").write_text("schema: 1\ntrack: canada\n", encoding="utf-8")
    _active_pdf(docs / "cv.pdf", signed=signed)
    out = tmp_path / "carms"
    result = CliRunner().invoke(
        cli, ["pack", str(docs), "--portal", "carms", "--out", str(out), "--json"]
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    cv = next(s for s in json.loads(result.stdout)["slots"] if s["sources"] == ["cv.pdf"])
    assert cv["status"] == "packed", cv
    return result, cv, out / str(cv["file"])


def test_pack_strips_scripts_and_launch_actions_from_an_unsigned_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    _result, cv, packed = _pack_cv(tmp_path, signed=False)
    assert "copied unchanged" not in cv["actions"]
    assert any("removed scripts" in a and "cv.pdf" in a for a in cv["actions"]), cv
    reader = PdfReader(packed)
    root = reader.trailer["/Root"]
    assert "/OpenAction" not in root and "/JavaScript" not in (root.get("/Names") or {})
    page = reader.pages[0]
    assert "/AA" not in page
    for ref in page.get("/Annots") or []:
        action = ref.get_object().get("/A")
        assert action is None or action.get("/S") != "/Launch"
    assert "Curriculum Vitae" in page.extract_text()


def test_pack_keeps_a_signed_pdf_byte_for_byte_and_says_its_scripts_need_fixing(
    tmp_path: Path,
) -> None:
    result, cv, packed = _pack_cv(tmp_path, signed=True)
    source = (tmp_path / "docs" / "cv.pdf").read_bytes()
    assert packed.read_bytes().startswith(source)  # the signature stays valid
    assert "copied unchanged" in cv["actions"]
    message = str(cv["message"])
    assert "JavaScript" in message and "Launch" in message and "signed" in message
    assert "issuer" in message
    assert "cv.pdf carries" not in result.stderr  # --json: stdout only, the manifest says it
    again = CliRunner().invoke(
        cli, ["pack", str(tmp_path / "docs"), "--portal", "carms", "--out", str(tmp_path / "again")]
    )
    assert again.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), again.output
    assert "note" in again.stderr and "cv.pdf carries" in again.stderr


def test_pack_strips_a_pdf_whose_scan_for_scripts_breaks_partway(tmp_path: Path) -> None:
    """A broken structure before a script must not make the file count as script-free."""
    import pikepdf
    from reportlab.pdfgen import canvas

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dossier.yaml").write_text("schema: 1\ntrack: canada\n", encoding="utf-8")
    plain = tmp_path / "plain.pdf"
    pdf = canvas.Canvas(str(plain), pagesize=(612, 792))
    for n in (1, 2):
        pdf.drawString(72, 720, f"Curriculum Vitae, page {n}")
        pdf.showPage()
    pdf.save()
    with pikepdf.open(plain) as doc:
        doc.pages[0].obj.Annots = 7  # not an array: the scan stops here
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[72, 700, 300, 730],
            A=script,
        )
        doc.pages[1].obj.Annots = doc.make_indirect(pikepdf.Array([link]))
        doc.save(docs / "cv.pdf")
    out = tmp_path / "carms"
    result = CliRunner().invoke(
        cli, ["pack", str(docs), "--portal", "carms", "--out", str(out), "--json"]
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    import json

    cv = next(s for s in json.loads(result.stdout)["slots"] if s["sources"] == ["cv.pdf"])
    assert cv["status"] == "packed", cv
    assert "copied unchanged" not in cv["actions"], cv
    assert any("could not be scanned" in a for a in cv["actions"]), cv
    with pikepdf.open(out / str(cv["file"])) as packed:
        for page in packed.pages:
            annots = page.obj.get("/Annots")
            for annot in annots if isinstance(annots, pikepdf.Array) else []:
                action = annot.get("/A")
                assert action is None or action.get("/S") != pikepdf.Name.JavaScript
