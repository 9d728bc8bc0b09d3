"""Native libraries' noise stays off the user's stderr also where a document is read in the
console process (no worker process could be started): found when the suite ran at the
dependency floors, where Pillow 10.0's libtiff warned about a damaged TIFF on stderr."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from img_dossier.readers import pool

    class NoWorker:  # as when the system refuses another process
        def __init__(self, *args, **kwargs):
            raise OSError("no process")

    real = pool.read_here

    def noisy(task, limits):  # a C library writing straight to descriptor 2
        os.write(2, b"TIFFAdvanceDirectory: Error fetching directory count.\\n")
        return real(task, limits)

    pool._Worker = NoWorker
    pool.read_here = noisy
    from img_dossier.cli import cli
    sys.argv = ["dossier", "check", sys.argv[1], "--json", "--no-cache"]
    cli()
    """
)


def test_noise_of_a_document_read_in_this_process_stays_off_stderr(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    shutil.copytree(ROOT / "samples" / "us-j1", folder)
    env = {k: v for k, v in os.environ.items() if k != "IMG_DOSSIER_NATIVE_STDERR"}  # not -v
    env["IMG_DOSSIER_CACHE_DIR"] = str(tmp_path / "cache")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder)],
        capture_output=True,
        check=False,
        timeout=300,
        env=env,
    )
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert b"TIFFAdvanceDirectory" not in proc.stderr
    assert b'"documents"' in proc.stdout  # the folder was still checked and reported
