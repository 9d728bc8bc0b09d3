"""An audit loads the OCR engine once per process that checks clients, not once per client:
each client process keeps its reader worker from client to client."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from img_dossier.audit.run import audit

pytestmark = pytest.mark.fork_only  # the workers inherit the recording patch


def clients(root: Path, count: int) -> Path:
    for n in range(count):
        folder = root / f"client-{n}"
        folder.mkdir(parents=True)
        c = canvas.Canvas(str(folder / "letter.pdf"))
        c.drawString(72, 720, f"Letter of client {n}")
        c.save()
        Image.effect_noise((425, 550), 30 + n).convert("RGB").save(folder / "scan.jpg")
    return root


@pytest.mark.parametrize(("jobs", "most"), [(1, 1), (2, 2)])
def test_the_engine_is_loaded_once_per_client_process(
    tmp_path: Path, ocr_loads: Path, jobs: int, most: int
) -> None:
    loads = ocr_loads
    rows = list(audit([clients(tmp_path / "clients", 5)], track="us", jobs=jobs, cache=None))
    assert len(rows) == 5 and not any(row.error for row in rows)
    used = loads.read_text().split()
    assert len(used) == 5  # every client's scan was looked at by OCR
    assert 1 <= len(set(used)) <= most
    assert str(os.getpid()) not in used
