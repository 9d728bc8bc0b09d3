"""What `build`'s console process does and does not do (issue 13: its fixed costs), as
structure: which modules it loads, what it keeps, which processes it starts. Timings are
measured by bench/, never asserted here."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from fuzz.hostile import raw_pdf
from img_dossier.cli import cli
from img_dossier.errors import ExitCode
from imported import modules_imported

ROOT = Path(__file__).resolve().parents[2]
US = ROOT / "samples" / "us-j1"

#: Modules only a conversion needs (python-docx rendering, text and image converters, and
#: xml.sax.saxutils, whose import pulls in urllib, http and ssl).
CONVERTERS = (
    "img_dossier.output.convert",
    "img_dossier.output.docx_render",
    "img_dossier.output.text",
    "img_dossier.output.images",
    "xml.sax.saxutils",
)


def test_a_warm_build_loads_no_converter_in_its_console_process(tmp_path: Path) -> None:
    """Conversions run in workers (or come from the cache): the console process looks up
    the cache without loading a converter, and writes the same dossier."""
    import os

    env = dict(os.environ, IMG_DOSSIER_CACHE_DIR=str(tmp_path / "cache"))
    first = CliRunner().invoke(
        cli, ["build", str(US), "-o", str(tmp_path / "a.pdf"), "-q", "--json"], env=env
    )
    assert first.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), first.output
    modules = modules_imported(["build", str(US), "-o", str(tmp_path / "b.pdf"), "-q"], env)
    assert "img_dossier.output.assemble" in modules
    assert sorted(m for m in modules if m in CONVERTERS) == []
    assert (tmp_path / "b.pdf").stat().st_size > 0


def test_the_conversion_key_does_not_depend_on_the_converters_being_loaded() -> None:
    """The key fingerprints the converters' code from their files, as the readers' cache
    fingerprints loaded modules: the console process (converters not loaded) and a worker
    (loaded) agree, and so do caches written before."""
    code = (
        "import sys\n"
        "from img_dossier.model import Document\n"
        "from img_dossier.output import conversions as c\n"
        "from img_dossier.output.engines import engine_for\n"
        "doc = Document(rel='a.docx', path=None, format='docx', bytes=1, sha256='ab', pages=None)\n"
        "before = c.conversion_key(doc, (612.0, 792.0), engine_for('docx'))\n"
        "assert 'img_dossier.output.convert' not in sys.modules\n"
        "from img_dossier.output import convert\n"
        "from img_dossier.readers.cache import code_fingerprint\n"
        "assert convert._engine_for('docx') == engine_for('docx')\n"
        "assert code_fingerprint(c.CONVERTER_MODULES) in before, before\n"
        "code_fingerprint.cache_clear()  # worked out again, the converters loaded\n"
        "assert c.conversion_key(doc, (612.0, 792.0), engine_for('docx')) == before\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_start_up_time_is_counted_from_the_process_start_exactly() -> None:
    """The ``start-up`` timing line: a fresh process's age is never more than the time its
    parent saw it run (psutil's boot time is whole seconds: up to 1 s too much)."""
    started = time.perf_counter()
    age = float(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from img_dossier.cli.timings import _process_age as a\nprint(a())",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    seen = time.perf_counter() - started
    assert 0.0 < age <= seen + 0.011  # one clock tick


def _copy_of_us(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "client"
    shutil.copytree(US, folder)
    return folder


def test_a_build_whose_files_are_as_it_left_them_starts_no_early_child(tmp_path: Path) -> None:
    """A warm build: every file is as the last build of the folder saw it, so nothing is
    prepared early (no process is forked, no file is hashed twice); one file saved again
    makes the next build's child prepare that file only."""
    import os

    from img_dossier.output import early
    from img_dossier.readers import DEFAULT_LIMITS
    from img_dossier.readers.cache import ReadCache

    if not early.enabled():
        import pytest

        pytest.skip("only where workers fork (Linux)")
    folder = _copy_of_us(tmp_path)
    env = {"IMG_DOSSIER_CACHE_DIR": str(tmp_path / "cache")}
    args = ["build", str(folder), "-o", str(tmp_path / "out.pdf"), "-q"]
    cache = ReadCache(tmp_path / "cache")
    letter = (612.0, 792.0)
    with early.early_prepare(folder, letter, DEFAULT_LIMITS, cache) as before:
        assert before is not None  # nothing remembered yet: the child starts
    assert CliRunner().invoke(cli, args, env=env).exit_code in (ExitCode.OK, ExitCode.INCOMPLETE)

    with early.early_prepare(folder, letter, DEFAULT_LIMITS, cache) as after:
        assert after is None
    with early.early_prepare(folder, (595.0, 842.0), DEFAULT_LIMITS, cache) as other_size:
        assert other_size is not None  # remembered for the page size it was built at

    photo = folder / "photo.jpg"
    os.utime(photo, ns=(photo.stat().st_atime_ns, photo.stat().st_mtime_ns + 10**9))
    with early.early_prepare(folder, letter, DEFAULT_LIMITS, cache) as changed:
        assert changed is not None
        changed.process.join(120)
        assert sorted(changed.take()) == []  # its conversion was in the cache already
        assert [
            f.rel for f in early._changed_files(folder, letter, cache, DEFAULT_LIMITS, None)
        ] == ["photo.jpg"]
    result = CliRunner().invoke(cli, [*args, "--json"], env=env)
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    assert (tmp_path / "out.pdf").stat().st_size > 0


def test_the_early_child_is_started_before_the_check_is_loaded(tmp_path: Path) -> None:
    """`build` forks the child before it loads the check and the PDF libraries (the child
    loads what preparing needs itself, on the core that loading leaves idle)."""
    code = (
        "import sys\n"
        "from img_dossier.output import early\n"
        "real = early.early_prepare\n"
        "seen = []\n"
        "def spy(*args, **kwargs):\n"
        "    heavy = {'pikepdf', 'reportlab', 'img_dossier.checking.pipeline', 'pypdfium2'}\n"
        "    seen.append(sorted(heavy & set(sys.modules)))\n"
        "    return real(*args, **kwargs)\n"
        "early.early_prepare = spy\n"
        "from img_dossier.cli import cli\n"
        f"args = ['build', {str(US)!r}, '-o', {str(tmp_path / 'out.pdf')!r}, '-q', '--no-cache']\n"
        "try:\n"
        "    cli(args)\n"
        "except SystemExit as done:\n"
        "    assert done.code in (0, 1), done.code\n"
        "assert seen == [[]], seen\n"
    )
    import os

    env = dict(os.environ, IMG_DOSSIER_EARLY_PREPARE="1")  # whatever the machine's load
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_a_pdf_with_an_object_qpdf_must_mend_is_not_merged_from_its_source(
    tmp_path: Path,
) -> None:
    """Every object is parsed in the worker (not only the pages' copy): a stream whose
    /Length lies, or a resources object that is not one, makes the PDF not clean, so the
    merge takes the worker's mended copy; a dangling reference (null, no warning) is clean."""
    from img_dossier.output.prepare import check_pdf

    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %s >>"
    cases = {
        "lying-length": (
            (
                catalog,
                pages,
                page % b"/Contents 4 0 R",
                b"<< /Length 900 >>\nstream\nq Q\nendstream",
            ),
            False,
        ),
        "garbage-resources": (
            (catalog, pages, page % b"/Resources 4 0 R", b"<< /Font << /F1 5 0 R >> >>", b"] >> ("),
            False,
        ),
        "dangling": ((catalog, pages, page % b"/Resources << /XObject << /X 9 0 R >> >>"), True),
    }
    for name, (objects, clean) in cases.items():
        src = tmp_path / f"{name}.pdf"
        src.write_bytes(raw_pdf(list(objects)))
        count, _repairs, is_clean = check_pdf(src, tmp_path / f"{name}-out.pdf", (612.0, 792.0))
        assert (count, is_clean) == (1, clean), name
        assert (tmp_path / f"{name}-out.pdf").exists() is not clean, name
