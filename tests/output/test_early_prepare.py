"""Documents prepared while the folder is checked (output/early.py, issue 13): the dossier
is the one build writes without it; a file changed since is prepared again; it can be
turned off. (Its speed is measured by bench/run.py, never asserted here.)"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
import pytest
from click.testing import CliRunner

from img_dossier.checking.pipeline import run_check
from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.output import early
from img_dossier.output.assemble import assemble
from img_dossier.output.libreoffice import soffice_path
from img_dossier.readers import DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parents[2]
US = ROOT / "samples" / "us-j1"
CORPUS = ROOT.parent / "shared" / "corpus"
LETTER = (612.0, 792.0)

pytestmark = pytest.mark.skipif(not early.enabled(), reason="only where workers fork (Linux)")


def _folder(tmp_path: Path) -> Path:
    """us-j1 (a DOCX, a photo, a text file, PDFs) plus corpus PDFs with an outline, named
    destinations and links, and one with a damaged page tree (left out)."""
    folder = tmp_path / "client"
    shutil.copytree(US, folder)
    more = folder / "more"
    more.mkdir()
    for name in (
        "006-pdflatex-outline_pdflatex-outline.pdf",
        "016-libre-office-link_libre-office-link.pdf",
        "014-outlines_mistitled_outlines_example.pdf",
        "017-unreadable-meta-data_unreadablemetadata.pdf",
    ):
        if (CORPUS / name).exists():
            shutil.copy(CORPUS / name, more / name)
    return folder


def _structure(out: Path) -> dict[str, Any]:
    with pikepdf.open(out) as pdf:
        assert not pdf.get_warnings()
        pages = list(pdf.pages)
        where = {p.obj.objgen: n for n, p in enumerate(pages)}

        def walk(items: Any) -> list[Any]:
            return [
                (
                    i.title,
                    where.get(i.destination[0].objgen) if i.destination else None,
                    walk(i.children),
                )
                for i in items
            ]

        with pdf.open_outline() as outline:
            tree = walk(outline.root)
        labels = [p.label for p in pages]
        links = sum(len(p.obj.get("/Annots", ())) for p in pages)
        names = sorted(str(k) for k in pikepdf.NameTree(pdf.Root.Names.Dests))
    assert len(pypdfium2.PdfDocument(out)) == len(labels)
    return {"outline": tree, "labels": labels, "links": links, "names": names}


def _ran_out(handle: early.EarlyPrepare | None) -> early.EarlyPrepare:
    assert handle is not None
    handle.process.join(120)  # the test waits for the child to finish every file
    assert not handle.process.is_alive()
    return handle


def test_documents_prepared_while_checking_make_the_same_dossier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from img_dossier.readers import pool

    folder = _folder(tmp_path)
    plain_run = run_check(folder)
    plain = assemble(plain_run, tmp_path / "plain.pdf", include_unclassified=True)
    assert any("damaged" in why for _, why in plain.left_out)  # the broken page tree

    with early.early_prepare(folder, LETTER, DEFAULT_LIMITS, None) as started:
        handle = _ran_out(started)
        run = run_check(folder)

        real_run_jobs = pool.run_jobs

        def no_workers(work: list[Any], *args: Any, **kwargs: Any) -> list[Any]:
            # the child leaves Word files to LibreOffice on the ordinary path when it is
            # installed (output/early.py); every other document comes from the child
            again = [job.args[0].rel for job in work if job.args[0].format != "docx"]
            if again or soffice_path() is None:
                raise AssertionError(f"prepared again although the child had prepared it: {again}")
            return real_run_jobs(work, *args, **kwargs)

        monkeypatch.setattr(pool, "run_jobs", no_workers)
        ahead = assemble(run, tmp_path / "ahead.pdf", include_unclassified=True, early=handle)
    assert handle.take()  # the child's results were there to take
    assert (ahead.pages, ahead.sections, ahead.left_out, ahead.conversions) == (
        plain.pages,
        plain.sections,
        plain.left_out,
        plain.conversions,
    )
    assert _structure(tmp_path / "ahead.pdf") == _structure(tmp_path / "plain.pdf")


def test_a_file_changed_after_it_was_prepared_early_is_prepared_again(tmp_path: Path) -> None:
    """The child's result for passport.pdf is for its old bytes: the dossier has the new."""
    folder = _folder(tmp_path)
    with early.early_prepare(folder, LETTER, DEFAULT_LIMITS, None) as started:
        handle = _ran_out(started)
        assert "passport.pdf" in handle.take()
        with pikepdf.open(US / "passport.pdf") as one, pikepdf.Pdf.new() as two:
            two.pages.extend(one.pages)
            two.pages.extend(one.pages)  # now two pages, saved over the one it prepared
            two.save(folder / "passport.pdf")
        run = run_check(folder)
        result = assemble(run, tmp_path / "out.pdf", early=handle)
    (passport,) = [s for s in result.sections if s.item == "passport"]
    assert passport.documents == ("passport.pdf",)
    assert passport.last_page - passport.first_page + 1 == 2


def test_build_prepares_while_checking_unless_turned_off(tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    args = ["build", str(US), "-o", str(out), "-q"]
    env = {
        "IMG_DOSSIER_CACHE_DIR": str(tmp_path / "c1"),
        "IMG_DOSSIER_TIMINGS": "1",
        "IMG_DOSSIER_EARLY_PREPARE": "1",  # whatever the load of the machine running tests
    }
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == ExitCode.OK, result.output
    assert "of which prepared while checking" in result.stderr
    pages = len(pypdfium2.PdfDocument(out))

    env = {**env, "IMG_DOSSIER_CACHE_DIR": str(tmp_path / "c2"), "IMG_DOSSIER_EARLY_PREPARE": "0"}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == ExitCode.OK, result.output
    assert "of which prepared while checking" not in result.stderr
    assert len(pypdfium2.PdfDocument(out)) == pages


def test_the_child_dies_with_a_killed_build(tmp_path: Path) -> None:
    """A build killed while its child prepares (here: a document that never ends) leaves no
    process behind."""
    import sys

    from orphans import assert_worker_dies_with_parent

    pid_file = tmp_path / "child.pid"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from img_dossier.output import early\n"
        "from img_dossier.readers import DEFAULT_LIMITS\n"
        "early._prepare = lambda *args: time.sleep(300)\n"
        f"with early.early_prepare(Path({str(US)!r}), (612.0, 792.0), DEFAULT_LIMITS, None) as h:\n"
        f"    Path({str(pid_file)!r}).write_text(str(h.process.pid))\n"
        "    time.sleep(300)\n"
    )
    assert_worker_dies_with_parent([sys.executable, "-c", script], pid_file)
