"""Upload-ready files, one per portal slot, fitted to the portal's format and size rules.

The portal rules are checklist data (``portals:``): ``formats``, ``max_bytes``, ``items``
(one upload per item, named after it, its documents joined into one file), ``one_file_each``
(items uploaded one file per document), ``referee_uploads`` (items a referee uploads),
``translations`` (``with-original``: after the original in its upload; ``separate``: a file
of their own; ``unaltered``: a file of their own, the translator's bytes kept), the floors
``min_dpi``, ``min_jpeg_quality`` and ``min_pixels``, and ``part_of`` / ``pack_with`` (a
portal packed along with another). A custom checklist may instead give ``slots``: a list of
``{id, items, join, uploaded_by}``. They are validated here when a portal is packed.
The output folder is built in a temp folder beside its target and renamed into place;
source documents are only read.

This module holds the entry points and the publishing of the output folder; the portal
rules are read in ``pack_rules``, uploads planned in ``pack_plan``, files made in
``pack_write`` (fixed to the portal's rules by ``pack_fixes``), results in ``pack_results``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from ..checking.pipeline import CheckRun, run_check
from ..errors import OutputError, cannot_write
from ..leftovers import folder_beside, replaced_beside, sweep_beside
from ..own_output import previous_outputs
from ..pathtext import resolved
from ..progress import PACKING, ProgressCallback
from ..readers import DEFAULT_LIMITS

#: The portals of INTERFACE.md; a custom checklist may define more.
from .pack_plan import _plan, _Upload
from .pack_results import PackResult, SlotResult, default_output, manifest_csv, safe_name
from .pack_rules import PORTALS, UnknownPortalError, packable, portal_rules
from .pack_write import _KEPT_ACTIVE, _failed

#: Limits of making one upload (converting, joining, shrinking its documents) in a worker.
PACK_LIMITS = dataclasses.replace(DEFAULT_LIMITS, seconds=DEFAULT_LIMITS.seconds * 4)


def _make_bounded(
    up: _Upload, family: str, work: Path, staging: Path, taken: set[str]
) -> SlotResult:
    """``pack_write._make`` in a reader worker under PACK_LIMITS: a document that makes
    converting or shrinking run past the time limit or the memory cap fails its slot
    (``timeout``, ``too-large``); the other slots are still packed."""
    from ..readers.pool import Job, run_jobs

    job = Job(0, "img_dossier.output.pack_write:_make", (up, family, work, staging, set(taken)))
    [outcome] = run_jobs([job], PACK_LIMITS, 1)
    if outcome.problem is None:
        result: SlotResult = outcome.value
        if result.file:
            taken.add(result.file)
        return result
    sources = tuple(d.rel for d in up.documents)
    base = SlotResult(
        slot=up.slot,
        portal=up.portal.id,
        item=up.item,
        status="failed",
        sources=sources,
        limit=up.portal.max_bytes,
    )
    problem = outcome.problem
    if problem.code == "timeout":
        why = f"making it took longer than {PACK_LIMITS.seconds:g} s"
    elif problem.code == "too-large":
        why = f"making it needed more than {PACK_LIMITS.memory_mb} MB of memory"
    else:
        why = problem.message
    return _failed(
        base,
        f"{', '.join(sources)}: {problem.code}: {why}; it may be crafted or corrupt: print it "
        "to a new PDF (or re-scan it) and replace the file",
    )


# -- the output folder ---------------------------------------------------------------------

#: The public API of pack (its parts live in pack_rules, pack_plan, pack_write, pack_results).
__all__ = [
    "PORTALS",
    "PackResult",
    "SlotResult",
    "UnknownPortalError",
    "check_output",
    "default_output",
    "manifest_csv",
    "pack",
    "pack_run",
    "packable",
    "portal_rules",
    "safe_name",
]


def check_output(out: Path, run: CheckRun, *, force: bool) -> None:
    """OutputError when writing ``out`` could touch a source or would overwrite without force."""
    target = resolved(out)
    folder = resolved(run.folder)
    if target == folder or folder.is_relative_to(target):
        raise OutputError(
            f"{out}: holds the applicant's folder {run.folder}; refusing to replace it. "
            "Choose another output with --out"
        )
    sources = [d.path for d in run.report.documents] + [run.folder / r for r in run.report.ignored]
    ours = previous_outputs(target)
    for src in sources:
        real = resolved(Path(src))  # a link loop: its own path
        if real.is_relative_to(target) and real not in ours:
            raise OutputError(
                f"{out}: holds source documents of {run.folder} (e.g. {src.name}); "
                "refusing to replace it. Choose another output with --out"
            )
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another output with --out")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise OutputError(
            f"{out}: exists and is not empty; use --force to replace it, or choose another --out"
        )
    if target.is_dir() and force:  # a pack writes only files: a folder of folders is not one
        sub = next((p for p in sorted(target.iterdir()) if p.is_dir()), None)
        if sub is not None:
            raise OutputError(
                f"{out}: holds the folder {sub.name}, so it is not an earlier pack's output; "
                "--force replaces only a folder of files. Choose another output with --out"
            )


def _publish(staging: Path, out: Path) -> None:
    """Rename the finished staging folder into place (an old folder is replaced whole).

    The old folder is moved aside under a name of this process's (``replaced_beside``):
    if the run is killed before the new one is in place, the next run puts it back."""
    old: Path | None = None
    if out.is_dir():
        if any(out.iterdir()):
            old = replaced_beside(out)
            out.rename(old)
        else:
            out.rmdir()
    try:
        staging.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)
        raise
    if old is not None and old.is_symlink():  # ``out`` was a link to a folder: the link goes
        old.unlink()
    elif old is not None:
        shutil.rmtree(old, ignore_errors=True)


# -- entry points --------------------------------------------------------------------------


def pack(
    folder: Path,
    portal: str,
    *,
    out: Path | None = None,
    force: bool = False,
    track: str | None = None,
    as_of: date | None = None,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    ocr: bool = True,
) -> PackResult:
    """Check ``folder``, then write one upload-ready file per slot of ``portal`` into ``out``.

    ``progress(stage, done, total)``: documents read, then uploads made (``progress``).
    ``ocr=False``: scans are not read by OCR (``--no-ocr``)."""
    from ..readers import reader_limits

    limits = reader_limits(ocr=ocr)
    run = run_check(
        Path(folder), track=track, as_of=as_of, jobs=jobs, progress=progress, limits=limits
    )
    return pack_run(run, portal, out=out, force=force, progress=progress)


def pack_run(
    run: CheckRun,
    portal: str,
    *,
    out: Path | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> PackResult:
    """Pack an already checked folder (see ``pack``)."""
    rules = portal_rules(run.checklist, portal)
    family = safe_name(run.profile.applicant.family_name or "", "applicant")
    family_name = run.profile.applicant.family_name
    out = Path(out) if out is not None else default_output(family_name, portal)
    # first: an earlier output that a killed run had moved aside is back, so it is judged
    # (not replaced without --force)
    sweep_beside(out.parent)
    check_output(out, run, force=force)
    plan = _plan(run, rules)
    if out.resolve().is_relative_to(run.folder.resolve()):
        rel = out.resolve().relative_to(run.folder.resolve()).as_posix()
        plan.notes.append(
            f"{out} is inside the applicant folder: its PDFs are marked as this tool's own and "
            "left out of checks, but a photo JPEG and the manifests are not; add "
            f'"{rel}/*": ignore under files: in dossier.yaml, or pack outside the folder'
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = folder_beside(out)  # named for this process: a killed run's is removed later
    except OSError as exc:
        raise OutputError(
            f"{out}: cannot create the output folder ({exc.strerror or exc}); "
            "choose another output with --out"
        ) from exc
    try:
        taken: set[str] = {"manifest.json", "manifest.csv"}
        made: list[SlotResult] = []
        with tempfile.TemporaryDirectory(prefix="dossier-pack-") as work:
            for n, up in enumerate(plan.uploads, 1):
                made.append(_make_bounded(up, family, Path(work), staging, taken))
                if progress is not None:
                    progress(PACKING, n, len(plan.uploads))
        order = {key: n for n, key in enumerate((p.id, s.id) for p in rules for s in p.slots)}
        slots = sorted([*made, *plan.rows], key=lambda s: _slot_rank(order, s))
        plan.notes.extend(f"{s.file}: {s.message}" for s in made if _KEPT_ACTIVE in s.actions)
        result = PackResult(
            portal=portal,
            folder=str(run.folder),
            output=out.resolve(),
            applicant=run.report.applicant,
            portals=rules,
            slots=tuple(slots),
            refused=tuple(plan.refused),
            notes=tuple(plan.notes),
            as_of=run.report.as_of,
        )
        (staging / "manifest.json").write_text(
            json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (staging / "manifest.csv").write_text(manifest_csv(result), encoding="utf-8")
        _publish(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise cannot_write(
            out, exc, "cannot be written", "choose another folder with --out"
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _slot_rank(order: Mapping[tuple[str, str], int], s: SlotResult) -> int:
    """A slot's place in the portal's data; numbered slots (reference-letter-2) and
    translations (transcript-translation) sort with their slot, unpaired ones last."""
    for (pid, sid), n in order.items():
        if pid == s.portal and (s.slot == sid or s.slot.startswith(f"{sid}-")):
            return n
    return len(order)
