"""What `build`'s console process does and does not do (issue 13: its fixed costs), as
structure: which modules it loads, what it keeps, which processes it starts. Timings are
measured by bench/, never asserted here."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from img_dossier.cli import cli

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


def _imported(args: list[str], env: dict[str, str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "img_dossier", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }


def test_a_warm_build_loads_no_converter_in_its_console_process(tmp_path: Path) -> None:
    """Conversions run in workers (or come from the cache): the console process looks up
    the cache without loading a converter, and writes the same dossier."""
    import os

    env = dict(os.environ, IMG_DOSSIER_CACHE_DIR=str(tmp_path / "cache"))
    first = CliRunner().invoke(
        cli, ["build", str(US), "-o", str(tmp_path / "a.pdf"), "-q", "--json"], env=env
    )
    assert first.exit_code in (0, 1), first.output
    modules = _imported(["build", str(US), "-o", str(tmp_path / "b.pdf"), "-q"], env)
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
        "doc = Document(rel='a.docx', path=None, format='docx', bytes=1, sha256='ab', pages=None)\n"
        "before = c.conversion_key(doc, (612.0, 792.0), c.engine_for('docx'))\n"
        "assert 'img_dossier.output.convert' not in sys.modules\n"
        "from img_dossier.output import convert\n"
        "from img_dossier.readers.cache import code_fingerprint\n"
        "assert convert._engine_for('docx') == c.engine_for('docx')\n"
        "assert code_fingerprint(c.CONVERTER_MODULES) in before, before\n"
        "c._converter_fingerprint.cache_clear()\n"
        "assert c.conversion_key(doc, (612.0, 792.0), c.engine_for('docx')) == before\n"
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
