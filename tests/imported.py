"""Shared check: which modules a ``dossier`` command imports (``python -X importtime``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence


def modules_imported(args: Sequence[str], env: Mapping[str, str]) -> set[str]:
    """The modules ``python -X importtime -m img_dossier ARGS`` imports (exit 0 or 1)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "img_dossier", *args],
        capture_output=True,
        text=True,
        env=dict(env),
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
