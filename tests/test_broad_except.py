"""`except Exception` only where it must be broad, and each one says why.

A broad handler is right at a boundary: a worker turning any library failure on an untrusted
document into `damaged`, a cache whose failure is a miss, the CLI turning a bug into one
line. Anywhere else it hides bugs (one did: pypdf's DeprecationError in shrink made pack's
de-duplication silently never run). So every `except Exception`, `except BaseException` and
bare `except:` in src/ carries a comment on its line (or as the first line of its body)
saying why it must be broad, and so does `contextlib.suppress(Exception)`; `except
BaseException` that re-raises (clean up, then let it go) needs none. A new unexplained one
fails here: narrow it to the exceptions that can really occur, or say why it cannot be
narrowed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "img_dossier"
BROAD = {"Exception", "BaseException"}

# The only modules where a catch-all may stand, and the boundary each one is. Anywhere else a
# broad except fails `test_broad_excepts_stand_only_at_boundaries`: narrow it to what can
# occur (OSError, pikepdf.PdfError, psutil.Error, ...). A module here with none left fails
# too, so the list only shrinks with the code.
_DOCUMENT = "untrusted document: a third-party parser's failure on it is a problem, not a crash"
BOUNDARIES = {
    # process and worker boundaries
    "cli/__init__.py": "process: a bug is one line and exit 5",
    "audit/run.py": "worker: one client's bug is its row; a broken cache entry is a miss",
    "readers/pool.py": "worker: a reader's failure on one file is that file's problem",
    "readers/__init__.py": "in-process reader of one file; the read cache",
    "output/convert.py": "one document's conversion: a failure is that document's problem",
    "readers/ocr.py": "the OCR engine starting: a broken install turns OCR off",
    "output/libreoffice.py": "LibreOffice's output: unusable means the built-in renderer",
    "output/early.py": "the early-preparation child process; the ordinary path redoes its work",
    "output/front_child.py": "the child drawing the cover beside the merge; the parent redraws",
    # on-disk caches: any failure is a miss
    "readers/cache.py": "cache",
    "output/conversions.py": "cache",
    "readers/ocr_engine.py": "cache (OCR models optimised ahead: unusable means the model file)",
    "output/prepare.py": "cache; a PDF neither pikepdf nor pypdf opens is damaged",
    "audit/client_cache.py": "a client folder that cannot be listed is checked every time",
    "checking/more_pages.py": "cache (the second reading pass's results)",
    "checking/report_cache.py": "cache (a kept check report): a folder that cannot be listed is "
    "checked every time, a broken entry is a miss",
    "patternstore.py": "cache (compiled patterns): anything unexpected means re.compile",
    # untrusted documents handed to pypdf, pikepdf, PDFium, Pillow, python-docx, lxml, zipfile
    "readers/pdf.py": _DOCUMENT,
    "readers/image.py": _DOCUMENT,
    "readers/docx.py": _DOCUMENT,
    "readers/sniff.py": _DOCUMENT,
    "readers/scans.py": _DOCUMENT,
    "readers/pages.py": _DOCUMENT,
    "checking/pipeline.py": _DOCUMENT,
    "letters/render.py": _DOCUMENT + " (a user's Word template)",
    "output/active_content.py": _DOCUMENT,
    "output/assemble.py": _DOCUMENT,
    "output/dossier_pdf.py": _DOCUMENT,
    "output/docx_render.py": _DOCUMENT,
    "output/docx_styles.py": _DOCUMENT,
    "output/pack_write.py": _DOCUMENT,
    "output/shrink.py": _DOCUMENT,
    "output/thumbnails.py": _DOCUMENT,
    "output/glyphs.py": "untrusted font files found on the system",
    "output/textshape.py": "a found font reportlab cannot load falls back to the base font",
}


def _broad(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type
    if kinds is None:
        return True
    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
    return any(isinstance(n, ast.Name) and n.id in BROAD for n in names)


def _reraises(handler: ast.ExceptHandler) -> bool:
    last = handler.body[-1]
    return isinstance(last, ast.Raise) and last.exc is None


def _explained(lines: list[str], handler: ast.ExceptHandler) -> bool:
    """A comment of a few words on the except line, or as the first line of its body."""
    here = lines[handler.lineno - 1]
    after = lines[handler.lineno].strip() if handler.lineno < len(lines) else ""
    comment = here.partition("#")[2] if "#" in here else (after[1:] if after[:1] == "#" else "")
    return len(comment.split()) >= 3


def _broad_suppress(node: ast.AST) -> bool:
    """``suppress(Exception)`` / ``contextlib.suppress(BaseException, ...)``."""
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return name == "suppress" and any(isinstance(a, ast.Name) and a.id in BROAD for a in node.args)


def unexplained(source: str) -> list[int]:
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ExceptHandler) and _broad(node) and not _reraises(node):
            if not _explained(lines, node):
                found.append(node.lineno)
        elif isinstance(node, ast.With):
            for item in node.items:
                if _broad_suppress(item.context_expr) and not _explained(lines, node):
                    found.append(node.lineno)
    return sorted(found)


def test_every_broad_except_says_why() -> None:
    found = [
        f"{path.relative_to(SRC).as_posix()}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        for line in unexplained(path.read_text(encoding="utf-8"))
    ]
    assert not found, (
        "broad except without a reason: narrow it to what can really occur, or say on its "
        f"line why it must catch everything: {found}"
    )


def _catch_all(node: ast.AST) -> bool:
    if isinstance(node, ast.ExceptHandler):
        return _broad(node) and not _reraises(node)
    return isinstance(node, ast.With) and any(_broad_suppress(i.context_expr) for i in node.items)


def broad_lines(source: str) -> list[int]:
    """Every catch-all, explained or not (``except BaseException`` that re-raises aside)."""
    return sorted(n.lineno for n in ast.walk(ast.parse(source)) if _catch_all(n))


def test_broad_excepts_stand_only_at_boundaries() -> None:
    found = {
        path.relative_to(SRC).as_posix(): broad_lines(path.read_text(encoding="utf-8"))
        for path in sorted(SRC.rglob("*.py"))
    }
    outside = [
        f"{rel}:{line}" for rel, lines in found.items() if rel not in BOUNDARIES for line in lines
    ]
    assert not outside, (
        "a catch-all outside the boundary modules of tests/test_broad_except.py: narrow it to "
        f"the exceptions that can occur, or add its module with the boundary it is: {outside}"
    )
    stale = sorted(rel for rel in BOUNDARIES if not found.get(rel))
    assert not stale, f"no catch-all left in {stale}: take them out of BOUNDARIES"


def test_the_scan_sees_an_unexplained_broad_except() -> None:
    source = (
        "try:\n    f()\nexcept Exception:\n    pass\n"  # 3: no reason
        "try:\n    f()\nexcept (ValueError, Exception):\n    pass\n"  # 7: hidden in a tuple
        "try:\n    f()\nexcept:\n    pass\n"  # 11: bare
        "try:\n    f()\nexcept Exception:  # untrusted input: any failure is damage\n    pass\n"
        "try:\n    f()\nexcept BaseException:\n    cleanup()\n    raise\n"
        "try:\n    f()\nexcept Exception:\n    # a worker boundary: any failure is reported\n"
        "    pass\n"
        "try:\n    f()\nexcept ValueError:\n    pass\n"
        "with contextlib.suppress(Exception):\n    f()\n"  # 31
        "with suppress(OSError, BaseException):\n    f()\n"  # 33
        "with suppress(Exception):  # a cache that cannot store is ignored\n    f()\n"
        "with suppress(OSError):\n    f()\n"
    )
    assert unexplained(source) == [3, 7, 11, 31, 33]


def test_a_pypdf_api_change_is_not_taken_for_a_damaged_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """shrink's per-page catch-alls let a pypdf DeprecationError through (the bug that hid
    pack's de-duplication would now fail loudly)."""
    from pypdf import PdfWriter
    from pypdf._page import PageObject
    from pypdf.errors import DeprecationError

    from img_dossier.output.shrink import Floors, fit_pdf, pdf_bytes

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    data = pdf_bytes(writer)

    def removed(self: PageObject) -> None:
        raise DeprecationError("compress_content_streams is removed")

    monkeypatch.setattr(PageObject, "compress_content_streams", removed)
    with pytest.raises(DeprecationError):
        fit_pdf(data, len(data) - 1, Floors())


def test_every_catch_all_is_found_for_the_boundary_check() -> None:
    source = (
        "try:\n    f()\nexcept Exception:  # a reason is not a boundary\n    pass\n"  # 3
        "with suppress(OSError, Exception):\n    f()\n"  # 5
        "try:\n    f()\nexcept BaseException:\n    cleanup()\n    raise\n"
        "try:\n    f()\nexcept (OSError, ValueError):\n    pass\n"
    )
    assert broad_lines(source) == [3, 5]
