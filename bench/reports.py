#!/usr/bin/env python3
"""What the reports of issue 17 cost, as ratios to the same command without them:

    python bench/reports.py          # ~2 min on an idle 2-core machine

- ``check DIR --html FILE`` vs ``check DIR`` (samples/us-j1, samples/problems): thumbnails
  (PDFium, in an isolated child) and the page; also the page's size against the 2 MB cap;
- ``build`` of a small folder whose applicant is named 김민준 vs the same folder named
  Min Jun Kim: finding, reading and converting a Chinese/Korean font (fonts-noto-cjk);
- ``audit`` of 60 generated clients with ``--html --xlsx`` vs without.

Runs alternate (A, B, A, B ...) after one warm-up each; medians and the load average are
printed, since the machine may be shared.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
DOSSIER = [sys.executable, "-m", "img_dossier"]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def pair(name: str, base: list[str], other: list[str], runs: int) -> None:
    timed(base), timed(other)
    a, b = [], []
    for _ in range(runs):
        a.append(timed(base))
        b.append(timed(other))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{name}: {ma:.2f} s -> {mb:.2f} s = {mb / ma:.2f}x (median of {runs})")


def main() -> None:
    from clients import make_clients

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        work = Path(tmp)
        for sample in ("us-j1", "problems"):
            page = work / f"{sample}.html"
            folder = str(ROOT / "samples" / sample)
            pair(f"check {sample} --html", [*DOSSIER, "check", folder, "-q"],
                 [*DOSSIER, "check", folder, "-q", "--html", str(page)], 5)
            print(f"  {page.name}: {page.stat().st_size} bytes = "
                  f"{page.stat().st_size / (2 * 1024 * 1024):.3f} of the 2 MB cap")
        names = {}
        for label, given, family in (("latin", "Min Jun", "Kim"), ("hangul", "민준", "김")):
            folder = work / label
            folder.mkdir()
            for name in ("passport.pdf", "cv-j1.docx", "personal-statement.txt"):
                shutil.copy(ROOT / "samples" / "us-j1" / name, folder / name)
            text = (ROOT / "samples" / "us-j1" / "dossier.yaml").read_text(encoding="utf-8")
            text = text.replace('"Lucia Fernanda"', f'"{given}"').replace(
                '"Quispe Mamani"', f'"{family}"')
            (folder / "dossier.yaml").write_text(text, encoding="utf-8")
            names[label] = folder
        pair("build, name Min Jun Kim -> 김민준",
             [*DOSSIER, "build", str(names["latin"]), "-q", "-o", str(work / "a.pdf")],
             [*DOSSIER, "build", str(names["hangul"]), "-q", "-o", str(work / "b.pdf")], 3)
        clients = make_clients(work / "clients", 60)
        env_cache = ["--as-of", "2026-11-29", "-q"]
        pair("audit 60 clients, + --html --xlsx",
             [*DOSSIER, "audit", str(clients), *env_cache],
             [*DOSSIER, "audit", str(clients), *env_cache, "--html", str(work / "d.html"),
              "--xlsx", str(work / "d.xlsx")], 3)


if __name__ == "__main__":
    main()
