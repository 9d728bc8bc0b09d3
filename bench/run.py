#!/usr/bin/env python3
"""img-dossier against native tools, whole processes, as ratios (issue 13). One command:

    python bench/run.py            # 50 -> 3,000 pages, 200 audit clients (< ~10 min idle)
    python bench/run.py --quick    # 50 -> 1,000 pages, 100 audit clients (~3 min)

Folders are made of samples/us-j1 plus copies of ../shared/corpus PDFs (each copy made
unique by a trailing comment, so none is a duplicate) and JPEG scans, to the page count.
Each measurement alternates img-dossier and its baseline, repeated; medians of the
ratios are printed, with the load average (the machine may be shared):

- build, fresh cache and warm, vs ``qpdf --empty --pages`` on the same PDFs (wall, CPU,
  peak RSS of the largest process); images are converted by build only; OCR apart (the
  cold build again with ``--no-ocr``); the overlap of preparing with checking (the cold
  build with IMG_DOSSIER_EARLY_PREPARE=1 against it with =0, up to 1,000 pages: the
  default starts no child for a folder of fewer than 64 files); where the
  time goes (build's own ``timing:`` lines, IMG_DOSSIER_TIMINGS=1, one cold and one warm
  run). The folders' DOCX is converted by the built-in renderer in every measured run
  (LibreOffice's time is reported apart, as the issue asks: where it is installed, one
  more row per size up to 1,000 pages times the same cold build with LibreOffice);
- check, cold and warm, vs ``pdftotext -l 2`` per PDF, sequential (CPU); "cold": no
  document read yet, the checklist and dossier.yaml validated and the OCR models optimised
  by an earlier run (kept in the cache: config/validated.py, readers/ocr_engine.py);
  "nothing cached" is also measured (first run); check reads the
  scans (image-only PDFs, JPEGs) by OCR, which pdftotext does not, so check --no-ocr is
  measured too and the difference printed as the OCR's time;
- audit of N clients, cold and warm, vs ``xargs -P 2 pdftotext -l 2`` (wall), with and
  without OCR (each client has a photo, which is looked at by OCR); cold as for check, and
  nothing cached (first run) too;
- the same work by native tools: check and build read scans by OCR, which pdftotext and
  qpdf do not; ``bench/native_read`` reads the same files the native way (pdftotext; a PDF
  without a text layer rendered by pdftoppm at 200 dpi and read by tesseract, first 2
  pages; images by tesseract), so check (CPU, sequential), build (wall, qpdf then the
  reading by ``xargs -P 2``) and audit (wall, ``xargs -P 2``) are also given as ratios to
  it, when tesseract and pdftoppm are installed (no target: the issue's targets are
  against pdftotext and qpdf alone);
- ``dossier --help`` vs ``python -c "import click"`` (wall);
- growth: build seconds and MiB per page from the smallest to the largest folder.

Targets (issue 13): build <= 3x qpdf at 250 pages, <= 2x at 1,000 and 3,000, warm <= 1.5x
at 1,000; peak memory <= qpdf's + 100 MiB at 3,000; check cold <= 1.0x CPU, warm <= 0.2x
cold; audit cold <= 1.0x wall, warm <= 0.1x cold; --help <= 2x; growth linear or better.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE = ROOT / "samples" / "us-j1"
NATIVE_READ = ROOT / "bench" / "native_read"
#: tesseract and pdftoppm installed: the "same work" baselines (OCR included) are measured
#: Where bench_size finds LibreOffice for its one row with it (the measured runs have it off).
LIBREOFFICE_ENV = "BENCH_SOFFICE"
NATIVE_OCR = bool(shutil.which("tesseract") and shutil.which("pdftoppm"))
IMAGES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
SKIP = ("005-", "017-")  # encrypted, damaged: left out of a dossier, not a merge's work


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss_mib: float
    err: bytes = b""


def run(cmd: Sequence[str], env: dict[str, str] | None = None, ok: Sequence[int] = (0, 1)) -> Run:
    """Wall, CPU (the process and its reaped children) and peak RSS of the largest one."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, err)


def shell(script: str, env: dict[str, str] | None = None) -> Run:
    return run(["bash", "-c", script], env)


# -- folders -------------------------------------------------------------------------------


def _pages(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def make_folder(folder: Path, pages: int, seed: int = 0) -> tuple[list[Path], int]:
    """samples/us-j1 plus corpus PDFs and JPEG scans up to ``pages``; (every PDF, pages)."""
    from PIL import Image

    shutil.copytree(SAMPLE, folder)
    pdfs = sorted(folder.rglob("*.pdf"))
    total = sum(_pages(p) for p in pdfs) + 3  # the DOCX, photo and text file: ~3 pages
    corpus = [(p, _pages(p)) for p in sorted(CORPUS.glob("*.pdf")) if not p.name.startswith(SKIP)]
    extra = folder / "more"
    extra.mkdir()
    n = 0
    while total < pages:
        src, count = corpus[n % len(corpus)]
        if count > pages - total and count > 4:  # the 117-page thesis only where it fits
            n += 1
            if all(c > pages - total for _, c in corpus):
                break
            continue
        dst = extra / f"{n:05d}-{src.name}"
        dst.write_bytes(src.read_bytes() + f"\n% copy {seed}.{n}\n".encode())
        pdfs.append(dst)
        total += count
        n += 1
        if n % 40 == 0:  # a phone scan every 40 files
            im = Image.effect_noise((850, 1100), 40 + n % 30).convert("RGB")
            im.save(extra / f"{n:05d}-scan.jpg", quality=70)
            total += 1
    return pdfs, total


def images_in(folder: Path) -> list[Path]:
    """The images of a folder (the photos and phone scans check reads by OCR)."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGES and p.is_file())


def make_clients(root: Path, clients: int) -> list[Path]:
    """bench/audit's client folders (16 files each, mostly small PDFs)."""
    loader = importlib.machinery.SourceFileLoader("bench_audit", str(ROOT / "bench" / "audit"))
    spec = importlib.util.spec_from_loader("bench_audit", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    _, pdfs = module.generate(root, clients)
    return list(pdfs)


# -- measuring -----------------------------------------------------------------------------


def keep_config_only(cache: Path) -> None:
    """Leave only what any earlier run leaves whatever folder it read: the validated
    configuration (``*.cfg``: checklists, dossier.yaml files, see config/validated.py) and
    the OCR models optimised for this machine (``ocr-models/``, readers/ocr_engine.py). Runs
    seeded with it read every document afresh, the way a folder is first checked by someone
    who has run the tool before; "nothing cached" (first run) is measured apart."""
    for path in sorted(cache.rglob("*"), reverse=True):
        if path.is_file() and path.suffix != ".cfg" and "ocr-models" not in path.parts:
            path.unlink()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pairs(
    a: Callable[[int], Run], b: Callable[[int], Run], repeat: int
) -> tuple[list[Run], list[Run]]:
    """Alternate a and b ``repeat`` times (a, b, b, a, a, b...): load drift hits both."""
    ra: list[Run] = []
    rb: list[Run] = []
    for k in range(repeat):
        if k % 2 == 0:
            ra.append(a(k))
            rb.append(b(k))
        else:
            rb.append(b(k))
            ra.append(a(k))
    return ra, rb


def ratio(xs: list[Run], ys: list[Run], what: str = "wall") -> float:
    return median(
        [getattr(x, what) / max(getattr(y, what), 1e-9) for x, y in zip(xs, ys, strict=True)]
    )


def line(name: str, value: float, target: float | None, unit: str = "x") -> str:
    mark = "" if target is None else ("  ok" if value <= target else "  MISSED")
    goal = "" if target is None else f"  (target <= {target}{unit})"
    return f"  {name:<58} {value:7.2f}{unit}{goal}{mark}"


def bench_check(
    size: int,
    work: Path,
    folder: Path,
    listing: Path,
    native_seq: str,
    dossier: list[str],
    base_env: dict[str, str],
    repeat: int,
    cache_env: Callable[[bool, str], dict[str, str]],
) -> list[str]:
    """check, cold (OCR on and off, first run) and warm, against pdftotext and the same
    reading by native tools."""
    results: list[str] = []
    check = [*dossier, "check", str(folder), "-q"]
    pdftotext_seq = (
        f'while IFS= read -r -d "" f; do pdftotext -l 2 "$f" - >/dev/null 2>&1; done < {listing}'
    )
    seed = work / f"seed-c{size}"
    run(check, dict(base_env, IMG_DOSSIER_CACHE_DIR=str(seed)))  # OCR on: models optimised
    keep_config_only(seed)

    def cold_env(tag: str) -> dict[str, str]:
        """A cache with nothing read yet, the configuration validated (as after any run)."""
        env = cache_env(True, tag)
        shutil.copytree(seed, env["IMG_DOSSIER_CACHE_DIR"], dirs_exist_ok=True)
        return env

    native_check: list[Run] = []  # the same reading by native tools, OCR included

    def pdftotext_and_native(_: int) -> Run:
        if NATIVE_OCR:
            native_check.append(shell(native_seq, base_env))
        return shell(pdftotext_seq, base_env)

    ccold, cbase = pairs(
        lambda _: run(check, cold_env(f"c{size}")),
        pdftotext_and_native,
        repeat,
    )
    cnocr, cbase2 = pairs(
        lambda _: run([*check, "--no-ocr"], cold_env(f"n{size}")),
        lambda _: shell(pdftotext_seq, base_env),
        repeat,
    )
    cfirst, cbase3 = pairs(  # nothing cached at all: the configuration validated too
        lambda _: run([*check, "--no-ocr"], cache_env(True, f"f{size}")),
        lambda _: shell(pdftotext_seq, base_env),
        repeat,
    )
    cwarm_env = cache_env(False, f"c{size}")
    run(check, cwarm_env)
    cwarm, ccold2 = pairs(
        lambda _: run(check, cwarm_env),
        lambda _: run(check, cold_env(f"c{size}")),
        repeat,
    )
    results.append(
        line(
            "check cold / pdftotext -l 2 per PDF, sequential (CPU)",
            ratio(ccold, cbase, "cpu"),
            1.0,
        )
    )
    if native_check:
        results.append(
            line(
                "check cold / native reading incl. OCR, sequential (CPU)",
                ratio(ccold, native_check, "cpu"),
                None,
            )
        )
        results.append(
            f"    native reading (bench/native_read: pdftotext; scans pdftoppm -r 200 + "
            f"tesseract) {median([r.cpu for r in native_check]):.2f} s CPU"
        )
    results.append(
        line(
            "check cold --no-ocr (OCR apart) / pdftotext (CPU)",
            ratio(cnocr, cbase2, "cpu"),
            1.0,
        )
    )
    results.append(
        line(
            "check --no-ocr, nothing cached (first run) / pdftotext (CPU)",
            ratio(cfirst, cbase3, "cpu"),
            None,
        )
    )
    ocr_cpu = median([r.cpu for r in ccold]) - median([r.cpu for r in cnocr])
    results.append(
        f"    OCR of the scans: {ocr_cpu:.2f} s CPU of check's "
        f"{median([r.cpu for r in ccold]):.2f} s (check --no-ocr "
        f"{median([r.cpu for r in cnocr]):.2f} s CPU, {median([r.wall for r in cnocr]):.2f} s)"
    )
    results.append(line("check warm / check cold (wall)", ratio(cwarm, ccold2), 0.2))
    results.append(
        f"    check {median([r.wall for r in ccold]):.2f} s cold "
        f"({median([r.cpu for r in ccold]):.2f} s CPU), "
        f"{median([r.wall for r in cwarm]):.2f} s warm; pdftotext "
        f"{median([r.cpu for r in cbase]):.2f} s CPU"
    )
    return results


def bench_size(
    size: int, work: Path, dossier: list[str], base_env: dict[str, str], repeat: int, keep: bool
) -> tuple[list[str], tuple[int, float, float]]:
    """Build and check one folder of ``size`` pages against qpdf and pdftotext."""
    results: list[str] = []
    folder = work / f"f{size}"
    pdfs, pages = make_folder(folder, size)
    listing = work / f"f{size}.txt"
    listing.write_bytes(b"\0".join(str(p).encode() for p in pdfs) + b"\0")
    # the same reading by native tools: every PDF and image (scans by pdftoppm + tesseract)
    everything = work / f"f{size}-all.txt"
    everything.write_bytes(b"\0".join(str(p).encode() for p in [*pdfs, *images_in(folder)]) + b"\0")
    native_seq = f"xargs -0 {NATIVE_READ} < {everything} >/dev/null"
    native_par = f"xargs -0 -P 2 -n 8 {NATIVE_READ} < {everything} >/dev/null"
    out = work / f"out{size}.pdf"
    qpdf_out = work / f"qpdf{size}.pdf"
    counter = iter(range(10_000))

    def cache_env(fresh: bool, tag: str) -> dict[str, str]:
        path = work / f"cache-{tag}-{next(counter) if fresh else 'warm'}"
        return dict(base_env, IMG_DOSSIER_CACHE_DIR=str(path))

    build = [*dossier, "build", str(folder), "-o", str(out), "-q", "--include-unclassified"]
    qpdf = ["qpdf", "--empty", "--pages", *map(str, pdfs), "--", str(qpdf_out)]
    native_build: list[Run] = []  # qpdf, then the same reading by native tools

    def qpdf_and_native(_: int) -> Run:
        if NATIVE_OCR:
            native_build.append(shell(f"{shlex.join(qpdf)}; {native_par}", base_env))
        return run(qpdf, base_env, ok=(0, 3))

    cold, base = pairs(
        lambda _: run(build, cache_env(True, f"b{size}")),
        qpdf_and_native,
        repeat,
    )
    warm_env = cache_env(False, f"b{size}")
    run(build, warm_env)  # fill the warm cache
    warm, base2 = pairs(
        lambda _: run(build, warm_env),
        lambda _: run(qpdf, base_env, ok=(0, 3)),
        repeat,
    )
    # OCR apart: the same cold build with OCR off (qpdf reads no scan either)
    no_ocr, base3 = pairs(
        lambda _: run([*build, "--no-ocr"], cache_env(True, f"b{size}")),
        lambda _: run(qpdf, base_env, ok=(0, 3)),
        repeat,
    )
    # the overlap (output/early.py): documents prepared while the folder is checked, or
    # after it (IMG_DOSSIER_EARLY_PREPARE=0), alternating; up to 1,000 pages (time)
    overlap: tuple[list[Run], list[Run]] | None = None
    if size <= 1000:
        overlap = pairs(
            lambda _: run(build, dict(cache_env(True, f"b{size}"), IMG_DOSSIER_EARLY_PREPARE="1")),
            lambda _: run(build, dict(cache_env(True, f"b{size}"), IMG_DOSSIER_EARLY_PREPARE="0")),
            repeat,
        )
    # LibreOffice apart: the same cold build converting the Word file with LibreOffice
    # (when installed) against it with the built-in renderer, alternating; up to 1,000 pages
    with_lo: tuple[list[Run], list[Run]] | None = None
    if size <= 1000 and base_env.get(LIBREOFFICE_ENV):
        lo_env = {"IMG_DOSSIER_SOFFICE": base_env[LIBREOFFICE_ENV]}
        with_lo = pairs(
            lambda _: run(build, dict(cache_env(True, f"b{size}"), **lo_env)),
            lambda _: run(build, cache_env(True, f"b{size}")),
            repeat,
        )
    # where the time goes: build's own timing lines, one cold and one warm run
    timed = dict(base_env, IMG_DOSSIER_TIMINGS="1")
    stages_cold = run(build, dict(cache_env(True, f"b{size}"), IMG_DOSSIER_TIMINGS="1")).err
    stages_warm = run(
        build, dict(timed, IMG_DOSSIER_CACHE_DIR=warm_env["IMG_DOSSIER_CACHE_DIR"])
    ).err
    results.append(f"{pages} pages ({len(pdfs)} PDFs + images, DOCX, text)")
    target = 3.0 if size <= 250 else 2.0
    results.append(
        line(
            "build, fresh cache / qpdf --empty --pages (wall)",
            ratio(cold, base),
            target if size >= 250 else None,
        )
    )
    results.append(line("build, fresh cache / qpdf (CPU)", ratio(cold, base, "cpu"), None))
    if native_build:
        results.append(
            line(
                "build, fresh / qpdf + native reading incl. OCR, -P 2 (wall)",
                ratio(cold, native_build),
                None,
            )
        )
    results.append(
        line(
            "build, warm cache / qpdf (wall)",
            ratio(warm, base2),
            1.5 if size == 1000 else None,
        )
    )
    results.append(line("build, warm cache / qpdf (CPU)", ratio(warm, base2, "cpu"), None))
    results.append(line("build, fresh cache, --no-ocr / qpdf (wall)", ratio(no_ocr, base3), None))
    if overlap is not None:
        results.append(
            line(
                "build fresh, prepared while checking / after it (wall)",
                ratio(*overlap),
                None,
            )
        )
    if with_lo is not None:
        results.append(
            line("build fresh, Word file by LibreOffice / built-in (wall)", ratio(*with_lo), None)
        )
        results.append(
            f"    LibreOffice's part: {median([r.wall for r in with_lo[0]]):.2f} s against "
            f"{median([r.wall for r in with_lo[1]]):.2f} s wall "
            f"({median([r.cpu for r in with_lo[0]]):.2f} s against "
            f"{median([r.cpu for r in with_lo[1]]):.2f} s CPU)"
        )
    results.append(
        f"    build {median([r.wall for r in cold]):.2f} s cold "
        f"({median([r.cpu for r in cold]):.2f} s CPU), "
        f"{median([r.wall for r in no_ocr]):.2f} s cold without OCR, "
        f"{median([r.wall for r in warm]):.2f} s warm ({median([r.cpu for r in warm]):.2f} s CPU); "
        f"qpdf {median([r.wall for r in base]):.2f} s ({median([r.cpu for r in base]):.2f} s CPU)"
    )
    for label, err in (("cold", stages_cold), ("warm", stages_warm)):
        for text in err.decode(errors="replace").splitlines():
            if text.startswith("timing:"):
                results.append(f"    {label} {text}")
    rss, qrss = median([r.rss_mib for r in cold]), median([r.rss_mib for r in base])
    results.append(
        line(
            "build peak RSS - qpdf peak RSS (MiB)",
            rss - qrss,
            100.0 if size >= 3000 else None,
            " MiB",
        )
    )
    results.append(f"    {rss:.0f} MiB vs qpdf {qrss:.0f} MiB")
    results.extend(
        bench_check(size, work, folder, listing, native_seq, dossier, base_env, repeat, cache_env)
    )
    print("\n".join(results), flush=True)
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return results, (pages, median([r.wall for r in cold]), rss)


def bench_audit(
    work: Path, dossier: list[str], base_env: dict[str, str], clients: int, repeat: int
) -> list[str]:
    """audit of ``clients`` client folders, cold (OCR on and off, first run) and warm."""
    results: list[str] = []
    root = work / "clients"
    pdfs = make_clients(root, clients)
    listing = work / "clients.txt"
    listing.write_bytes(b"\0".join(str(p).encode() for p in pdfs) + b"\0")
    audit = [*dossier, "audit", str(root), "--format", "jsonl", "-q"]
    par = f"xargs -0 -P 2 -I{{}} pdftotext -l 2 {{}} - < {listing} >/dev/null 2>&1"
    counter2 = iter(range(10_000))
    aseed = work / "seed-a"
    run(audit, dict(base_env, IMG_DOSSIER_CACHE_DIR=str(aseed)))  # OCR on: models optimised
    keep_config_only(aseed)

    def acold_env(seeded: bool = True) -> dict[str, str]:
        """Nothing read yet; the configuration validated (as after any run) if seeded."""
        path = work / f"cache-a{next(counter2)}"
        if seeded:
            shutil.copytree(aseed, path)
        return dict(base_env, IMG_DOSSIER_CACHE_DIR=str(path))

    everything = work / "clients-all.txt"
    everything.write_bytes(b"\0".join(str(p).encode() for p in [*pdfs, *images_in(root)]) + b"\0")
    native_audit: list[Run] = []  # the same reading by native tools, OCR included

    def par_and_native(_: int) -> Run:
        if NATIVE_OCR:
            native_audit.append(
                shell(f"xargs -0 -P 2 -n 8 {NATIVE_READ} < {everything} >/dev/null", base_env)
            )
        return shell(par, base_env)

    acold, abase = pairs(
        lambda _: run(audit, acold_env()),
        par_and_native,
        repeat,
    )
    anocr, abase2 = pairs(
        lambda _: run([*audit, "--no-ocr"], acold_env()),
        lambda _: shell(par, base_env),
        repeat,
    )
    afirst, abase3 = pairs(
        lambda _: run([*audit, "--no-ocr"], acold_env(seeded=False)),
        lambda _: shell(par, base_env),
        repeat,
    )
    aenv = dict(base_env, IMG_DOSSIER_CACHE_DIR=str(work / "cache-a-warm"))
    run(audit, aenv)
    awarm, acold2 = pairs(
        lambda _: run(audit, aenv),
        lambda _: run(audit, acold_env()),
        repeat,
    )
    results.append(f"audit, {clients} clients ({len(pdfs)} PDFs)")
    results.append(line("audit cold / xargs -P 2 pdftotext -l 2 (wall)", ratio(acold, abase), 1.0))
    results.append(line("audit cold / xargs ... (CPU)", ratio(acold, abase, "cpu"), None))
    if native_audit:
        results.append(
            line(
                "audit cold / xargs -P 2 native reading incl. OCR (wall)",
                ratio(acold, native_audit),
                None,
            )
        )
        results.append(
            f"    native reading {median([r.wall for r in native_audit]):.2f} s "
            f"({median([r.cpu for r in native_audit]):.2f} s CPU)"
        )
    results.append(
        line("audit cold --no-ocr (OCR apart) / xargs (wall)", ratio(anocr, abase2), 1.0)
    )
    results.append(line("audit cold --no-ocr / xargs (CPU)", ratio(anocr, abase2, "cpu"), None))
    results.append(
        line(
            "audit --no-ocr, nothing cached (first run) / xargs (wall)",
            ratio(afirst, abase3),
            None,
        )
    )
    results.append(line("audit warm / audit cold (wall)", ratio(awarm, acold2), 0.1))
    results.append(
        f"    audit {median([r.wall for r in acold]):.2f} s cold "
        f"({median([r.cpu for r in acold]):.2f} s CPU), --no-ocr "
        f"{median([r.wall for r in anocr]):.2f} s, "
        f"{median([r.wall for r in awarm]):.2f} s warm; pdftotext "
        f"{median([r.wall for r in abase]):.2f} s ({median([r.cpu for r in abase]):.2f} s CPU)"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="50 -> 1,000 pages, 100 clients")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument(
        "--make", nargs=2, metavar=("DIR", "PAGES"), help="only write one folder (to profile)"
    )
    args = parser.parse_args()
    if args.make:
        pdfs, pages = make_folder(Path(args.make[0]), int(args.make[1]))
        print(f"{args.make[0]}: {pages} pages, {len(pdfs)} PDFs")
        return
    for tool in ("qpdf", "pdftotext", "xargs"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed for the baselines")
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS}: the shared corpus is needed")
    sizes = args.sizes or ([50, 250, 1000] if args.quick else [50, 250, 1000, 3000])
    clients = args.clients or (100 if args.quick else 200)
    dossier = [sys.executable, "-m", "img_dossier"]
    exe = shutil.which("dossier", path=str(Path(sys.executable).parent))
    if exe:
        dossier = [exe]
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    # LibreOffice's time is reported apart (issue 13): every measured run converts the
    # folders' Word file with the built-in renderer (an empty IMG_DOSSIER_SOFFICE turns
    # LibreOffice off), and one row per size times the same cold build with it
    soffice = os.environ.get("IMG_DOSSIER_SOFFICE", shutil.which("soffice") or "").strip()
    base_env = dict(os.environ, NO_COLOR="1", IMG_DOSSIER_SOFFICE="")
    if soffice:
        base_env[LIBREOFFICE_ENV] = soffice
    # as installed: pip compiles the package's bytecode; a shell that sets
    # PYTHONDONTWRITEBYTECODE would make every dossier run compile its modules again
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    import img_dossier

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(img_dossier.__file__).parent)],
        env=base_env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    results: list[str] = []
    growth: list[tuple[int, float, float]] = []
    print(
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs; repeat {args.repeat}; work in {work}"
    )
    try:
        # -- start-up ----------------------------------------------------------------
        help_runs, click_runs = pairs(
            lambda _: run([*dossier, "--help"], base_env),
            lambda _: run([sys.executable, "-c", "import click"], base_env),
            max(5, args.repeat),
        )
        results.append("start-up")
        results.append(
            line(
                "dossier --help / python -c 'import click' (wall)",
                ratio(help_runs, click_runs),
                2.0,
            )
        )
        results.append(
            f"    {median([r.wall for r in help_runs]):.3f} s vs "
            f"{median([r.wall for r in click_runs]):.3f} s"
        )

        # -- build and check per size ------------------------------------------------
        for size in sizes:
            lines, grown = bench_size(size, work, dossier, base_env, args.repeat, args.keep)
            results.extend(lines)
            growth.append(grown)

        # -- audit -------------------------------------------------------------------
        results.extend(bench_audit(work, dossier, base_env, clients, args.repeat))

        # -- growth ------------------------------------------------------------------
        (p0, t0, m0), (p1, t1, m1) = growth[0], growth[-1]
        results.append(f"growth {p0} -> {p1} pages ({p1 / p0:.0f}x pages)")
        results.append(
            line("build seconds per page, largest / smallest", (t1 / p1) / (t0 / p0), 1.0)
        )
        results.append(line("build peak RSS growth / page growth", (m1 / m0) / (p1 / p0), 1.0))
        for pages, seconds, mib in growth:
            results.append(f"    {pages:5d} pages: {seconds:6.2f} s, {mib:6.0f} MiB peak")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"img-dossier bench (python bench/run.py{' --quick' if args.quick else ''}), "
        f"medians of {args.repeat} alternating runs"
    )
    print("\n".join(results))
    print(
        f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs"
    )
    print(json.dumps({"load_end": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
