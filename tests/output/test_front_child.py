"""The cover, index and stamps drawn by a child while the console process merges
(output/front_child.py): the same dossier as drawn in-process, a fallback when the merge
ends differently, and a console process that never loads reportlab."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from img_dossier import timing
from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from img_dossier.model import ItemResult
from img_dossier.output import dossier_pdf, front_child
from img_dossier.output.assemble import assemble
from imported import modules_imported
from output.test_assemble import (
    NAME,
    Run,
    document,
    link_targets,
    make_pdf,
    opens_cleanly,
    report,
)

ROOT = Path(__file__).resolve().parents[2]
US = ROOT / "samples" / "us-j1"

needs_fork = pytest.mark.skipif(
    not front_child.enabled(), reason="only where workers fork (Linux, 2+ CPUs)"
)


def _run(folder: Path, pages: dict[str, int], made: bool = False) -> Run:
    if not made:
        folder.mkdir()
        for name, n in pages.items():
            make_pdf(folder / name, name, n, dests=True)
    rels = tuple(pages)
    return Run(
        report(
            folder,
            [ItemResult("transcript", "Transcript", True, "ok", rels)],
            [document(folder, rel, "pdf", "transcript") for rel in rels],
        ),
        folder,
    )


def _seen(path: Path) -> list[Any]:
    """What a reader sees: each page's text and link targets, the outline, the labels."""
    reader = PdfReader(path)
    pages = [(p.extract_text(), link_targets(reader, i)) for i, p in enumerate(reader.pages)]
    with pikepdf.open(path) as pdf:
        labels = repr(pdf.Root.PageLabels)
        with pdf.open_outline() as outline:
            titles = [str(item.title) for item in outline.root]
    return [pages, labels, titles]


@needs_fork
def test_the_child_draws_the_same_dossier_as_the_console_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _run(tmp_path / "docs", {"a.pdf": 3, "b.pdf": 2})
    timing.take()
    assemble(run, tmp_path / "child.pdf")
    stages = [s.name for s in timing.take()]
    assert any("waiting for the child" in name for name in stages), stages
    monkeypatch.setenv("IMG_DOSSIER_FRONT_CHILD", "0")
    assemble(run, tmp_path / "here.pdf")
    stages = [s.name for s in timing.take()]
    assert not any("waiting for the child" in name for name in stages), stages
    child, here = _seen(tmp_path / "child.pdf"), _seen(tmp_path / "here.pdf")
    assert child == here
    assert f"{NAME} · page 5 of 5" in child[0][-1][0]


def test_a_document_left_out_while_merging_is_left_out_of_the_index_and_stamps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child drew for three documents; the merge kept two: the console process draws
    the cover, index and stamps again for what the dossier holds."""
    run = _run(tmp_path / "docs", {"a.pdf": 2, "b.pdf": 3, "c.pdf": 1})
    real = dossier_pdf.source_outline

    def failing(src: pikepdf.Pdf, names: dict[str, Any]) -> list[Any]:
        if len(src.pages) == 3:
            raise RuntimeError("cannot copy this one")
        return real(src, names)

    monkeypatch.setattr(dossier_pdf, "source_outline", failing)
    result = assemble(run, tmp_path / "d.pdf")
    assert [rel for rel, _ in result.left_out] == ["b.pdf"]
    assert result.sections[0].documents == ("a.pdf", "c.pdf")
    reader = PdfReader(tmp_path / "d.pdf")
    assert len(reader.pages) == 2 + 3
    index = reader.pages[1].extract_text()
    assert "Left out of the dossier" in index and "cannot copy this one" in index
    assert link_targets(reader, 1)[-2:] == [2, 4]  # a.pdf, c.pdf rows: their first pages
    assert f"{NAME} · page 3 of 3" in reader.pages[4].extract_text()


def test_when_the_child_sends_nothing_the_console_process_draws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _run(tmp_path / "docs", {"a.pdf": 2})
    assemble(run, tmp_path / "first.pdf")
    monkeypatch.setattr(front_child.Beside, "result", lambda self, seconds: self.stop())
    monkeypatch.setattr(front_child, "_child", lambda *args: os._exit(1))
    assemble(run, tmp_path / "again.pdf")
    assert _seen(tmp_path / "first.pdf") == _seen(tmp_path / "again.pdf")


@needs_fork
def test_a_build_console_process_loads_no_reportlab(tmp_path: Path) -> None:
    """The child draws with reportlab; the console process only merges and writes (a warm
    build: no worker's imports mixed in). Without the child it loads reportlab itself."""
    env = dict(os.environ, IMG_DOSSIER_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("IMG_DOSSIER_FRONT_CHILD", None)
    first = CliRunner().invoke(
        cli, ["build", str(US), "-o", str(tmp_path / "a.pdf"), "-q", "--json"], env=env
    )
    assert first.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), first.output
    args = ["build", str(US), "-o", str(tmp_path / "b.pdf"), "-q"]
    modules = modules_imported(args, env)
    assert "img_dossier.output.assemble" in modules
    assert sorted(m for m in modules if m.startswith("reportlab")) == []
    off = modules_imported(args, dict(env, IMG_DOSSIER_FRONT_CHILD="0"))
    assert "reportlab.platypus" in off
    assert _seen(tmp_path / "a.pdf") == _seen(tmp_path / "b.pdf")


def test_named_destinations_of_every_form_point_at_the_copies_of_their_pages(
    tmp_path: Path,
) -> None:
    """Values as arrays, as dictionaries with /D, held directly or indirectly, are copied
    at once pointing at the dossier's pages; one whose page is no page of the document
    lands nowhere, and the dossier still opens cleanly."""
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(folder / "a.pdf", "a.pdf", 3, dests=True)
    path = make_pdf(folder / "b.pdf", "b.pdf", 2, dests=True)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        first, second = pdf.pages[0].obj, pdf.pages[1].obj
        stray = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Page))
        tree = pikepdf.NameTree(pdf.Root.Names.Dests)
        tree["direct"] = pikepdf.Array([second, pikepdf.Name.Fit])
        tree["dict"] = pikepdf.Dictionary(D=pikepdf.Array([first, pikepdf.Name.XYZ, 0, 700, 0]))
        tree["indirect"] = pdf.make_indirect(pikepdf.Array([second, pikepdf.Name.Fit]))
        tree["stray"] = pikepdf.Array([stray, pikepdf.Name.Fit])
        pdf.save(path)
    result = assemble(_run(folder, {"a.pdf": 3, "b.pdf": 2}, made=True), tmp_path / "d.pdf")
    (_, _), (b_first, _) = result.sections[0].ranges
    opens_cleanly(tmp_path / "d.pdf")
    with pikepdf.open(tmp_path / "d.pdf") as out:
        index = {page.objgen: n for n, page in enumerate(out.pages)}
        names = dict(pikepdf.NameTree(out.Root.Names.Dests).items())

        def lands(name: str) -> int | None:
            value = names[name]
            dest = value.D if isinstance(value, pikepdf.Dictionary) else value
            page = dest[0]
            return index.get(page.objgen) if isinstance(page, pikepdf.Dictionary) else None

        prefix = next(n for n in names if n.endswith("direct") and "in" not in n)[: -len("direct")]
        assert lands(prefix + "direct") == b_first  # b's second page (0-based: b_first)
        assert lands(prefix + "indirect") == b_first
        assert lands(prefix + "dict") == b_first - 1
        assert lands(prefix + "page.2") == b_first
        assert prefix + "stray" not in names or lands(prefix + "stray") is None
        a_names = [n for n in names if not n.startswith(prefix)]
        assert len(a_names) == 4 and all(lands(n) is not None for n in a_names)
