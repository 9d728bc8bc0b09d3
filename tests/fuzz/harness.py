"""Run ``dossier check`` and ``build`` on folders of hostile inputs and count what escaped.

Reproducible: input k of a run with seed S is class ``CLASSES[(S + k) % len]`` made from
seed ``S + k``. Each folder holds good documents (they must reach the dossier) and up to
``per_folder`` hostile ones; a hostile dossier.yaml gets a folder of its own. Every run is
a subprocess (``python -m img_dossier``, ``--no-cache``: every input is read) with a
deadline of (files x per-file limit + 60 s):

- crash: exit 5, a signal, or output that is not valid UTF-8 JSON;
- hang: past the deadline;
- missing: a file of the folder in neither the report's documents nor its ignored list;
- changed: a source file whose bytes differ after the runs;
- build: the dossier must be written and hold every good document.

``reuse_reads`` (the test run): ``check`` reads every input into a fresh read cache of its
own and ``build`` takes the readings from it (the same reading code in the same processes,
so it is not read twice); conversions, repairs and the ``audit`` are still done from cold.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from img_dossier.errors import ExitCode

from .hostile import CLASSES, ROOT, make

#: The good documents every folder starts with (they must be in every dossier).
GOOD = ("passport.pdf", "mspe.pdf", "photo.jpg", "personal-statement.txt", "cv-j1.docx")
PER_FILE_SECONDS = 30.0  # readers.Limits().seconds


@dataclass
class BuildRun:
    """One ``build`` of a folder: what it held and how it went."""

    classes: frozenset[str]
    files: int  # every entry of the folder but dossier.yaml (good and hostile)
    seconds: float
    exit: int | None
    dossier_written: bool
    good_placed: bool


@dataclass
class Stats:
    inputs: int = 0
    by_class: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    builds_without_good: list[str] = field(default_factory=list)
    peak_mb: float = 0.0
    peak_run: str = ""  # the run during which that peak was first reached
    builds: dict[str, BuildRun] = field(default_factory=dict)
    seconds: float = 0.0
    slowest: tuple[float, str] = (0.0, "")
    #: the largest share of its budget (files x per-file limit) one run used, and which
    worst_share: tuple[float, str] = (0.0, "")

    @property
    def failures(self) -> list[str]:
        return [*self.crashes, *self.hangs, *self.missing, *self.changed, *self.builds_without_good]

    def summary(self) -> str:
        lines = [
            f"inputs: {self.inputs} in {self.runs} runs, {self.seconds:.0f} s "
            f"(slowest run {self.slowest[0]:.1f} s: {self.slowest[1]})",
            f"largest share of files x per-file limit used by one run: "
            f"{self.worst_share[0]:.3f} ({self.worst_share[1]})",
            "by class: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_class.items())),
            f"crashes: {len(self.crashes)}",
            f"hangs: {len(self.hangs)}",
            f"files missing from the report: {len(self.missing)}",
            f"source files changed: {len(self.changed)}",
            f"builds without every good document: {len(self.builds_without_good)}",
            f"peak memory of one process: {self.peak_mb:.0f} MB ({self.peak_run})",
        ]
        lines += [f"  {line}" for line in self.failures[:50]]
        return "\n".join(lines)


def run(
    count: int,
    work: Path,
    *,
    seed: int = 0,
    per_folder: int = 40,
    scale: int = 1,
    build: bool = True,
    classes: tuple[str, ...] | None = None,
    reuse_reads: bool = False,
) -> Stats:
    """Make ``count`` hostile inputs under ``work`` and run the tool on them."""
    names = classes or tuple(CLASSES)
    stats = Stats()
    kinds: dict[Path, set[str]] = {}
    cache = None
    if reuse_reads:  # outside ``work``: the audit must not see it as a client
        cache = work.parent / f"{work.name}-read-cache"
        shutil.rmtree(cache, ignore_errors=True)
    start = time.monotonic()
    folder: Path | None = None
    in_folder = 0
    made: dict[Path, list[str]] = {}
    for k in range(count):
        kind = names[(seed + k) % len(names)]
        stats.inputs += 1
        stats.by_class[kind] += 1
        if kind == "hostile-yaml":
            own = _new_folder(work, f"yaml-{seed + k}")
            make(kind, seed + k, own, f"in{seed + k}", scale)
            made[own] = []
            continue
        if folder is None or in_folder >= per_folder:
            folder = _new_folder(work, f"f{seed + k}")
            made[folder] = []
            in_folder = 0
        made[folder] += make(kind, seed + k, folder, f"in{seed + k}-{kind}", scale)
        kinds.setdefault(folder, set()).add(kind)
        in_folder += 1
    for folder in made:
        _check_folder(folder, stats, build=build, cache=cache, classes=kinds.get(folder, set()))
    # every folder as one client of an audit (a hostile dossier.yaml is that client's row)
    rc, _out, err, took = _cli(
        ["audit", str(work), "--format", "json"],
        len(made) * PER_FILE_SECONDS * per_folder,
    )
    _account(stats, work, "audit", rc, err, took)
    stats.seconds = time.monotonic() - start
    return stats


def rerun(work: Path, *, build: bool = True) -> Stats:
    """Run the tool again on the folders a kept run made under ``work`` (bench/fuzz --rerun)."""
    stats = Stats()
    start = time.monotonic()
    folders = sorted(p for p in work.iterdir() if p.is_dir())
    for folder in folders:
        if folder.name.startswith("yaml-"):
            stats.inputs += 1
            stats.by_class["hostile-yaml"] += 1
        else:
            for name in {n.split(".")[0] for n in _entries(folder) if n.startswith("in")}:
                kind = name.split("-", 1)[1] if "-" in name else "?"
                kind = kind[:-2] if kind.endswith("-b") else kind
                stats.inputs += 1
                stats.by_class[kind] += 1
        _check_folder(folder, stats, build=build)
    rc, _out, err, took = _cli(
        ["audit", str(work), "--format", "json"], len(folders) * PER_FILE_SECONDS * 60
    )
    _account(stats, work, "audit", rc, err, took)
    stats.seconds = time.monotonic() - start
    return stats


def _new_folder(work: Path, name: str) -> Path:
    folder = work / name
    folder.mkdir(parents=True)
    for good in (*GOOD, "dossier.yaml"):  # a hostile dossier.yaml replaces the good one
        shutil.copyfile(ROOT / "samples" / "us-j1" / good, folder / good)
    return folder


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _digests(folder: Path) -> dict[str, str]:
    out = {}
    for name in _entries(folder):
        path = folder / name
        try:
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue
    return out


def _cli(
    args: list[str], deadline: float, cache: Path | None = None
) -> tuple[int | None, bytes, bytes, float]:
    """Run ``python -m img_dossier args`` (with ``--no-cache`` unless a read cache folder
    is given); (exit code or None when it hung, out, err, s)."""
    env = None
    if cache is None:
        args = [*args, "--no-cache"]
    else:
        env = {**os.environ, "IMG_DOSSIER_CACHE_DIR": str(cache)}
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "img_dossier", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )
    try:
        out, err = proc.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err, time.monotonic() - began
    return proc.returncode, out, err, time.monotonic() - began


def _check_folder(
    folder: Path,
    stats: Stats,
    *,
    build: bool,
    cache: Path | None = None,
    classes: set[str] | None = None,
) -> None:
    from img_dossier.pathtext import escaped

    names = [n for n in _entries(folder) if n != "dossier.yaml"]
    before = _digests(folder)
    deadline = len(names) * PER_FILE_SECONDS + 60
    budget = len(names) * PER_FILE_SECONDS
    rc, out, err, took = _cli(["check", str(folder), "--json"], deadline, cache)
    _account(stats, folder, "check", rc, err, took, budget)
    yaml_folder = folder.name.startswith("yaml-")
    report = None
    if rc is not None and rc != ExitCode.INTERNAL and rc >= 0:
        try:
            report = json.loads(out.decode("utf-8")) if out.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            stats.crashes.append(f"{folder.name} check: output is not UTF-8 JSON ({exc})")
    if (
        report is None
        and not (yaml_folder and rc == ExitCode.BAD_INPUT)
        and rc not in (None, ExitCode.INTERNAL)
    ):
        stats.crashes.append(f"{folder.name} check: exit {rc} and no report")
    if report is not None:
        listed = {d["path"] for d in report.get("documents", [])}
        listed |= {str(i).rstrip("/") for i in report.get("ignored", [])}
        for name in names:
            if escaped(name) not in listed:
                stats.missing.append(f"{folder.name}/{escaped(name)}")
    if build and not (yaml_folder and rc == ExitCode.BAD_INPUT):
        out_pdf = folder.parent / f"{folder.name}-dossier.pdf"
        rc, out, err, took = _cli(
            [
                "build",
                str(folder),
                "-o",
                str(out_pdf),
                "--json",
                "--include-unclassified",
            ],
            deadline,
            cache,
        )
        _account(stats, folder, "build", rc, err, took, budget)
        good = rc in (ExitCode.OK, ExitCode.INCOMPLETE) and _good_in_dossier(folder, out, stats)
        stats.builds[folder.name] = BuildRun(
            frozenset(classes or ()), len(names), took, rc, out_pdf.is_file(), good
        )
    after = _digests(folder)
    for name, digest in before.items():
        if after.get(name) != digest:
            stats.changed.append(f"{folder.name}/{escaped(name)}")


def _account(
    stats: Stats,
    folder: Path,
    what: str,
    rc: int | None,
    err: bytes,
    took: float,
    budget: float = 0.0,
) -> None:
    stats.runs += 1
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if peak > stats.peak_mb:
        stats.peak_mb, stats.peak_run = peak, f"{what} {folder.name}"
    if took > stats.slowest[0]:
        stats.slowest = (took, f"{what} {folder.name}")
    if budget and took / budget > stats.worst_share[0]:
        stats.worst_share = (took / budget, f"{what} {folder.name}, {took:.1f} s of {budget:.0f} s")
    if rc is None:
        stats.hangs.append(f"{folder.name} {what}: past its deadline ({took:.0f} s)")
    elif rc == ExitCode.INTERNAL or rc < 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        stats.crashes.append(f"{folder.name} {what}: exit {rc}: {tail[0][:300]}")


def _good_in_dossier(folder: Path, out: bytes, stats: Stats) -> bool:
    try:
        data = json.loads(out.decode("utf-8"))
        placed = {rel for s in data["dossier"]["sections"] for rel in s["documents"]}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        stats.crashes.append(f"{folder.name} build: no dossier in its JSON ({exc})")
        return False
    lost = [g for g in GOOD if g not in placed]
    if lost:
        stats.builds_without_good.append(f"{folder.name} build: left out {', '.join(lost)}")
    return not lost
