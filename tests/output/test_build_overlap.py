"""When `build` starts the early-prepare child (issue 13: fixed costs): not for a small
folder, unless asked. The dossier is the same either way. Timings are measured by bench/,
never asserted here."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from click.testing import CliRunner

from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.output import early
from img_dossier.readers import DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parents[2]
US = ROOT / "samples" / "us-j1"


def _dossier(out: Path) -> tuple[int, list[str], list[str]]:
    with pikepdf.open(out) as pdf:
        assert not pdf.get_warnings()
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        labels = [str(p.label) for p in pdf.pages]
        assert len(pypdfium2.PdfDocument(out)) == len(pdf.pages)
        return len(pdf.pages), labels, titles


def test_build_starts_no_early_child_for_a_small_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No child for a folder of fewer than MIN_FILES files (checked too soon for the child
    to finish much); IMG_DOSSIER_EARLY_PREPARE=1 starts it anyway. The dossier is the same
    either way, with OCR and without."""
    if not early.enabled():
        pytest.skip("only where workers fork (Linux)")
    monkeypatch.delenv("IMG_DOSSIER_EARLY_PREPARE", raising=False)
    assert not early.forced()
    small = len([p for p in US.rglob("*") if p.is_file()])
    assert small < early.MIN_FILES  # us-j1 is a small folder
    seen = {}
    for name, extra, env in (
        ("small", [], {}),
        ("no-ocr", ["--no-ocr"], {"IMG_DOSSIER_EARLY_PREPARE": ""}),
        ("forced", [], {"IMG_DOSSIER_EARLY_PREPARE": "1"}),
        ("forced-no-ocr", ["--no-ocr"], {"IMG_DOSSIER_EARLY_PREPARE": "on"}),
    ):
        out = tmp_path / f"{name}.pdf"
        env = {"IMG_DOSSIER_CACHE_DIR": str(tmp_path / name), "IMG_DOSSIER_TIMINGS": "1", **env}
        args = ["build", str(US), "-o", str(out), "-q", "--json", *extra]
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == ExitCode.OK, result.output
        child = "of which prepared while checking" in result.stderr
        assert child is name.startswith("forced"), name
        seen[name] = _dossier(out)
    assert seen["small"] == seen["forced"]
    assert seen["no-ocr"] == seen["forced-no-ocr"]


def test_a_folder_of_many_files_gets_the_early_child(tmp_path: Path) -> None:
    if not early.enabled():
        pytest.skip("only where workers fork (Linux)")
    import shutil

    folder = tmp_path / "client"
    shutil.copytree(US, folder)
    (folder / "more").mkdir()
    source = (US / "passport.pdf").read_bytes()
    for n in range(early.MIN_FILES):
        (folder / "more" / f"copy-{n:02d}.pdf").write_bytes(source + f"%{n}\n".encode())
    letter = (612.0, 792.0)
    with early.early_prepare(folder, letter, DEFAULT_LIMITS, None, min_files=early.MIN_FILES) as ok:
        assert ok is not None
    with early.early_prepare(
        folder, letter, DEFAULT_LIMITS, None, min_files=10 * early.MIN_FILES
    ) as too_few:
        assert too_few is None
