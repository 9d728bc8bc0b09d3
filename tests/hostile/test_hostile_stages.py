"""Issue 12: every case that escaped the fuzzing run, as a regression test with its file.

Each one reaches its problem code, never exit 5, and the rest of the folder is checked and
built (the good documents are in the dossier).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from click.testing import CliRunner

from fuzz import hostile
from fuzz.harness import GOOD, ROOT
from img_dossier.checking.pipeline import run_check
from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.output.assemble import assemble
from img_dossier.output.prepare import repair_pdf
from img_dossier.readers import DEFAULT_LIMITS, pool

SAMPLE = ROOT / "samples" / "us-j1"


@pytest.fixture(autouse=True)
def fresh_workers() -> Iterator[None]:
    pool.shutdown()
    yield
    pool.shutdown()


def folder_with_good(tmp_path: Path) -> Path:
    folder = tmp_path / "client"
    folder.mkdir()
    for name in (*GOOD, "dossier.yaml"):
        (folder / name).write_bytes((SAMPLE / name).read_bytes())
    return folder


def check_json(folder: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["check", str(folder), "--json"])
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    return result.exit_code, json.loads(result.output)


def problems(report: dict, path: str) -> list[str]:
    doc = next(d for d in report["documents"] if d["path"] == path)
    return [p["code"] for p in doc["problems"] if p["severity"] == "error"]


def build_json(folder: Path, out: Path) -> dict:
    result = CliRunner().invoke(
        cli, ["build", str(folder), "-o", str(out), "--json", "--include-unclassified"]
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    data = json.loads(result.output)
    placed = {rel for s in data["dossier"]["sections"] for rel in s["documents"]}
    assert set(GOOD) <= placed, placed
    with pikepdf.open(out) as pdf:
        pages = len(pdf.pages)
    assert len(pypdfium2.PdfDocument(str(out))) == pages
    return data


def left_out(data: dict) -> dict[str, str]:
    return {row["path"]: row["reason"] for row in data["dossier"]["left_out"]}


# -- the scan stage -------------------------------------------------------------------------


@pytest.mark.parametrize("how", [0, 1, 2], ids=["encrypted", "unknown-method", "bad-deflate"])
@pytest.mark.parametrize("name", ["archive.bin", "archive.docx"])
def test_zip_whose_content_types_cannot_be_read_is_reported(
    tmp_path: Path, how: int, name: str
) -> None:
    folder = folder_with_good(tmp_path)
    (folder / name).write_bytes(hostile.zip_sniff_bytes(how))
    _, report = check_json(folder)
    if name.endswith(".bin"):  # not a document by name or content: listed as ignored
        assert name in report["ignored"]
    else:
        codes = problems(report, name)
        assert set(codes) & {"unsupported-format", "wrong-format", "damaged"}
    build_json(folder, tmp_path / "out.pdf")


def test_huge_integer_in_dossier_yaml_is_bad_input_not_a_crash(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    (folder / "dossier.yaml").write_text("applicant:\n  birth_year: " + "9" * 5000 + "\n")
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "dossier.yaml" in result.output and "cannot be read" in result.output
    other = tmp_path / "other"
    other.mkdir()
    (other / "dossier.yaml").write_bytes((SAMPLE / "dossier.yaml").read_bytes())
    audit = CliRunner().invoke(cli, ["audit", str(tmp_path), "--format", "json"])
    assert audit.exit_code == ExitCode.INCOMPLETE, (
        audit.output
    )  # one client could not be checked, not exit 5
    assert "dossier.yaml" in audit.output


def test_one_gigabyte_dossier_yaml_is_refused_without_reading_it(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    with open(folder / "dossier.yaml", "wb") as fh:
        fh.truncate(1024 * 1024 * 1024)  # sparse: 1 GB of NULs
    began = time.monotonic()
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "over 4 MB" in result.output
    assert time.monotonic() - began < 20


def test_an_alias_that_contains_itself_in_dossier_yaml_is_bad_input(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    (folder / "dossier.yaml").write_text("track: us\napplicant:\n  other_names: &a [x, *a]\n")
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "an alias that contains itself" in result.output


@pytest.mark.slow
def test_a_name_that_is_not_utf8_is_escaped_with_its_bytes(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    name = os.fsdecode(b"\xff\xfe\xc3-scan.pdf")
    (folder / name).write_bytes((SAMPLE / "mspe.pdf").read_bytes() + b"\n% another copy\n")
    proc = subprocess.run(
        [sys.executable, "-m", "img_dossier", "check", str(folder), "--json"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode in (ExitCode.OK, ExitCode.INCOMPLETE), proc.stderr
    report = json.loads(proc.stdout.decode("utf-8"))  # valid UTF-8 JSON
    doc = next(d for d in report["documents"] if d["path"].endswith("-scan.pdf"))
    assert doc["path"] == "\\xff\\xfe\\xc3-scan.pdf"
    assert doc["path_bytes"] == b"\xff\xfe\xc3-scan.pdf".hex()
    text = subprocess.run(
        [sys.executable, "-m", "img_dossier", "check", str(folder), "-v"],
        capture_output=True,
        check=False,
    )
    assert text.returncode in (ExitCode.OK, ExitCode.INCOMPLETE)
    assert "\\xff\\xfe\\xc3-scan.pdf" in text.stdout.decode("utf-8")
    data = build_json(folder, tmp_path / "out.pdf")
    assert any(d["path"] == "\\xff\\xfe\\xc3-scan.pdf" for d in data["documents"])


def test_a_link_to_itself_is_damaged_and_the_rest_is_built(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    (folder / "loop.pdf").symlink_to("loop.pdf")
    (folder / "a.pdf").symlink_to("b.pdf")
    (folder / "b.pdf").symlink_to("a.pdf")
    _, report = check_json(folder)
    for name in ("loop.pdf", "a.pdf", "b.pdf"):
        assert problems(report, name) == ["damaged"]
    reasons = left_out(build_json(folder, tmp_path / "out.pdf"))
    assert reasons["loop.pdf"].startswith("damaged")
    result = CliRunner().invoke(
        cli, ["pack", str(folder), "--portal", "ecfmg", "-o", str(tmp_path / "pack")]
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output


# -- malformed structure --------------------------------------------------------------------


def _page_pdf(page_extra: bytes = b"", media: bytes = b"[0 0 612 792]") -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", *hostile._one_page(page_extra, media)]
    return hostile.raw_pdf(objs)


HOSTILE_PDFS = {
    "cropbox-deep.pdf": _page_pdf(b"/CropBox " + b"<< /A " * 100_000 + b"1" + b">>" * 100_000),
    "mediabox-deep.pdf": _page_pdf(media=b"[" * 100_000 + b"]" * 100_000),
    "mediabox-null.pdf": _page_pdf(media=b"null"),
    "mediabox-three.pdf": _page_pdf(media=b"[0 0 612]"),
    "cropbox-text.pdf": _page_pdf(b"/CropBox (four numbers) /Rotate 45 "),
    "annots-dict.pdf": _page_pdf(b"/Annots << /Not /AnArray >> "),
    "annots-junk.pdf": _page_pdf(b"/Annots [1 (two) null << /Subtype 5 /Rect [0 0 1] >>] "),
    "parent-loop.pdf": hostile.raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 3 0 R /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            hostile._stream(hostile._TEXT),
            hostile._FONT,
        ]
    ),
    "outline-loop.pdf": hostile.raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>",
            *hostile._one_page(),
            b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 2 >>",
            b"<< /Title (One) /Parent 6 0 R /Next 8 0 R /Dest [3 0 R /Fit] >>",
            b"<< /Title (Two) /Parent 6 0 R /Next 7 0 R /Dest [3 0 R /Fit] >>",
        ]
    ),
    "names-loop.pdf": hostile.raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /Dests 6 0 R >> >>",
            *hostile._one_page(
                b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /Dest (a) >>] "
            ),
            b"<< /Kids [6 0 R] >>",
        ]
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PDFS))
def test_malformed_structure_is_repaired_or_damaged_never_a_crash(
    tmp_path: Path, name: str
) -> None:
    src = tmp_path / name
    src.write_bytes(HOSTILE_PDFS[name])
    try:
        pages, repairs = repair_pdf(src, tmp_path / "fixed.pdf", (612.0, 792.0))
    except Exception as exc:  # only the module's own error, with a reason
        assert type(exc).__name__ == "DamagedError", exc
        return
    assert pages == 1
    with pikepdf.open(tmp_path / "fixed.pdf") as pdf:
        page = pdf.pages[0].obj
        box = [float(v) for v in page.MediaBox]
        assert len(box) == 4
        for key in ("/CropBox", "/TrimBox"):
            if key in page:
                assert len(page[key]) == 4
        assert "/Outlines" not in pdf.Root or name != "outline-loop.pdf"
        for annot in page.get("/Annots", []):
            assert isinstance(annot, pikepdf.Dictionary)
    if name == "outline-loop.pdf":  # qpdf itself mends boxes and /Annots when it reads pages
        assert repairs, name


def test_a_folder_of_every_malformed_structure_is_built(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    for name, data in HOSTILE_PDFS.items():
        (folder / name).write_bytes(data)
    result = CliRunner().invoke(
        cli, ["build", str(folder), "-o", str(tmp_path / "out.pdf"), "--include-unclassified"]
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    data = build_json(folder, tmp_path / "out2.pdf")
    reasons = left_out(data)
    for name in HOSTILE_PDFS:
        why = reasons.get(name, "")
        assert why == "" or why.split(":")[0] in ("damaged", "unclassified", "duplicate"), why


# -- bounded build stages ---------------------------------------------------------------------


def _docs_run(folder: Path):  # type: ignore[no-untyped-def]
    return run_check(folder, jobs=1)


def test_a_document_that_converts_too_slowly_is_timeout_and_the_rest_is_written(
    tmp_path: Path,
) -> None:
    folder = folder_with_good(tmp_path)
    hostile.make("chained-styles", 0, folder, "styles", scale=10)  # 20,000 chained styles
    run = _docs_run(folder)
    doc = next(d for d in run.report.documents if d.rel == "styles.docx")
    assert doc.readable  # the reader's limits let it through: the build must bound it
    limits = dataclasses.replace(DEFAULT_LIMITS, seconds=5.0)
    result = assemble(run, tmp_path / "out.pdf", limits=limits, include_unclassified=True)
    reasons = dict(result.left_out)
    placed = {rel for s in result.sections for rel in s.documents}
    # bounded: stopped at the limit, or converted within it (the renderer looks each style
    # up once since issue 13, so an idle machine may finish it in time)
    why = reasons.get("styles.docx")
    assert ("styles.docx" in placed) if why is None else why.startswith("timeout"), why
    assert {"passport.pdf", "mspe.pdf", "photo.jpg"} <= placed


# Pillow only warns of an image of 89-179 million pixels; a user's run goes on to decode it,
# and so must the worker here (forked under the suite's warnings-as-errors, it would stop
# at the warning, and the memory cap would be tested by nothing).
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_that_decodes_to_gigabytes_is_too_large_in_its_worker(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    # a valid 16-bit PNG of 99.99 million pixels (under the pixel limit), 590 KB: decoded,
    # 400 MB before it is made a page, more than the worker's cap leaves it
    (folder / "bomb.png").write_bytes(hostile.png_bomb(9_999, 10_000))
    # read without OCR: the reader's limits are what let it through (OCR of 100 million
    # pixels took 6 s idle and once ran past the reader's time limit at load 4)
    run = run_check(folder, jobs=1, limits=dataclasses.replace(DEFAULT_LIMITS, ocr=False))
    assert next(d for d in run.report.documents if d.rel == "bomb.png").readable
    # a 256 MB cap (no room for the OCR engine, which preparing a dossier does not load)
    limits = dataclasses.replace(DEFAULT_LIMITS, memory_mb=256, ocr=False)
    before = _max_rss_mb()
    result = assemble(run, tmp_path / "out.pdf", limits=limits, include_unclassified=True)
    reasons = dict(result.left_out)
    why = reasons.get("bomb.png", "converted: the memory cap did not stop it")
    assert why.split(":")[0] in ("too-large", "timeout"), why
    assert _max_rss_mb() - before < 200  # decoded in the worker, not here
    assert set(GOOD) <= {rel for s in result.sections for rel in s.documents}


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.slow
def test_a_many_frame_tiff_is_bounded(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    from PIL import Image

    frames = [Image.new("L", (850, 1100), k % 250) for k in range(509)]
    frames[0].save(
        folder / "fax.tif", save_all=True, append_images=frames[1:], compression="tiff_lzw"
    )
    run = _docs_run(folder)
    limits = dataclasses.replace(DEFAULT_LIMITS, seconds=5.0)
    began = time.monotonic()
    result = assemble(run, tmp_path / "out.pdf", limits=limits, include_unclassified=True)
    # converted within its limit on a fast machine, left out as timeout on a slow one:
    # never more than the per-file limit for each document
    assert time.monotonic() - began < len(run.report.documents) * 5.0 + 30
    why = dict(result.left_out).get("fax.tif", "")
    assert why == "" or why.startswith("timeout"), why
    placed = {rel for s in result.sections for rel in s.documents}
    assert {"passport.pdf", "mspe.pdf", "photo.jpg"} <= placed


@pytest.mark.parametrize("kind", ["xxe", "billion-laughs", "zip-bomb", "deep-xml", "broken-zip"])
def test_hostile_docx_is_a_problem_and_never_leaks(tmp_path: Path, kind: str) -> None:
    folder = folder_with_good(tmp_path)
    name = hostile.make(kind, 1, folder, f"hostile-{kind}")[0]
    _, report = check_json(folder)
    codes = problems(report, name)
    data = build_json(folder, tmp_path / "out.pdf")
    if codes:
        assert set(codes) <= {"damaged", "too-large", "unsupported-format", "wrong-format"}
    text = "".join(
        page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(tmp_path / "out.pdf")
    )
    assert "root:x:0:0" not in text  # no /etc/passwd through an external entity
    assert name not in {r for s in data["dossier"]["sections"] for r in s["documents"]} or not codes


# -- reader failures are damage; native noise stays off stderr --------------------------------


def test_bad_lzw_tiff_and_damaged_docx_are_damaged_not_a_bug_report(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    hostile.make("tiff-frames", 3, folder, "scan")
    hostile.make("broken-zip", 2, folder, "letter")
    proc = subprocess.run(
        [sys.executable, "-m", "img_dossier", "check", str(folder), "--json"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode in (ExitCode.OK, ExitCode.INCOMPLETE)
    assert proc.stderr == b""  # libtiff's warnings are not the user's to read
    report = json.loads(proc.stdout)
    for doc in report["documents"]:
        for p in doc["problems"]:
            assert "please report" not in p["message"]
    assert "please report" not in proc.stdout.decode()


def test_a_folder_whose_name_is_not_utf8_is_checked_and_built(tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"client-\xff\xfe")
    folder.mkdir()
    for name in (*GOOD, "dossier.yaml"):
        (folder / name).write_bytes((SAMPLE / name).read_bytes())
    proc = subprocess.run(
        [sys.executable, "-m", "img_dossier", "check", os.fsencode(folder), "--json"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode in (ExitCode.OK, ExitCode.INCOMPLETE), proc.stderr
    assert json.loads(proc.stdout.decode("utf-8"))["folder"].endswith("client-\\xff\\xfe")
    build_json(folder, tmp_path / "out.pdf")  # qpdf and reportlab get plain file names


def test_dossier_yaml_nested_100000_deep_is_bad_input_not_a_segfault(tmp_path: Path) -> None:
    folder = folder_with_good(tmp_path)
    (folder / "dossier.yaml").write_text("track: us\nx: " + "[" * 100_000 + "]" * 100_000 + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "img_dossier", "check", str(folder)],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == ExitCode.BAD_INPUT, (
        proc.stderr
    )  # the YAML parser's C stack is never reached
    assert b"nested more than" in proc.stderr + proc.stdout
