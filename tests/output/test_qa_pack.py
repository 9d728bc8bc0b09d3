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
    assert result.exit_code in (0, 1), result.output
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
    assert again.exit_code in (0, 1), again.output
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
    assert result.exit_code in (0, 1), result.output
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
