"""Many client folders checked in parallel -> one summary row each, or an expiry calendar.

Every client is checked by ``check.run_check`` (the code path of ``dossier check``), one
client per worker process; rows stream back as clients finish and the reports stay in the
workers, so memory does not grow with the number of clients. A client whose folder or
dossier.yaml is broken is a row with its error, never the end of the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..config.profile import PROFILE_NAME
from ..errors import BadInputError, DossierError
from ..isodate import iso_date
from ..pathtext import resolved
from ..progress import CLIENTS, ProgressCallback
from ..readers.isolation import cap_jobs, start_method
from .client_cache import client_key, from_cache, storable, to_cache
from .rows import AuditOptions as AuditOptions
from .rows import AuditRow as AuditRow
from .rows import CalendarRow as CalendarRow
from .rows import Client as Client
from .rows import ClientResult as ClientResult
from .rows import Expiry as Expiry

if TYPE_CHECKING:
    from ..checking.pipeline import CheckRun
    from ..config.checklist import Checklist

#: Fact or ``dates:`` keys that name an expiry (``expiry``, ``passport_expiry``, ``expires``,
#: ``valid_until`` ...): any such key whose value is a date is an expiry.
EXPIRY_KEY = re.compile(r"expir|valid_until|valid_to|valid_through|not_after", re.IGNORECASE)

_JUNK = re.compile(r"^(\..*|~\$.*|Thumbs\.db|desktop\.ini|__MACOSX|__pycache__)$", re.IGNORECASE)


# -- discovery ---------------------------------------------------------------------------


def discover(paths: Sequence[Path]) -> list[Client]:
    """Each PATH is a client folder or a parent of client folders; BadInputError if unreadable.

    A folder is a client when it holds a dossier.yaml, or documents directly and no
    subfolder with a dossier.yaml, or nothing at all; otherwise its direct subfolders
    (dot-folders skipped) are the clients. The same folder given twice is checked once.
    """
    clients: list[Client] = []
    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        for client in _clients_of(given):
            key = resolved(client.path)
            if key not in seen:
                seen.add(key)
                clients.append(client)
    return clients


def _clients_of(given: Path) -> list[Client]:
    if not given.exists():
        raise BadInputError(f"{given}: no such folder; give a client folder or a folder of clients")
    if not given.is_dir():
        raise BadInputError(f"{given}: not a folder; give a client folder or a folder of clients")
    try:
        entries = sorted(os.scandir(given), key=lambda e: e.name)
    except OSError as exc:
        raise BadInputError(f"{given}: cannot be read ({exc.strerror or exc})") from None
    this = Client(given, str(given))
    if any(e.name == PROFILE_NAME for e in entries):
        return [this]
    subfolders: list[os.DirEntry[str]] = []
    has_files = False
    for e in entries:
        if _JUNK.match(e.name):
            continue
        try:
            if e.is_dir():
                subfolders.append(e)
            elif e.is_file():
                has_files = True
        except OSError:
            continue
    if not subfolders:
        return [this]
    if has_files and not any((Path(e.path) / PROFILE_NAME).is_file() for e in subfolders):
        return [this]
    return [Client(Path(e.path), str(given / e.name)) for e in subfolders]


# -- the audit ---------------------------------------------------------------------------


def audit(
    paths: Sequence[Path],
    *,
    track: str | None = None,
    as_of: date | None = None,
    expiring_within: int = 90,
    jobs: int | None = None,
    cache: object | None = None,
    strict: bool = False,
    progress: ProgressCallback | None = None,
) -> Iterator[AuditRow]:
    """Check every client of ``paths``; rows are yielded as clients finish.

    Raises BadInputError at once when a PATH itself cannot be read. ``progress("checking
    clients", done, total)`` is called as each client's row is ready.
    """
    clients = discover(paths)
    options = AuditOptions(as_of or date.today(), track, expiring_within, strict, cache)
    results = check_clients(clients, options, jobs=jobs)
    if progress is None:
        return (result.row for result in results)
    return _counted((r.row for r in results), len(clients), progress)


def _counted(
    rows: Iterator[AuditRow], total: int, progress: ProgressCallback
) -> Iterator[AuditRow]:
    for done, row in enumerate(rows, 1):
        progress(CLIENTS, done, total)
        yield row


def calendar(
    paths: Sequence[Path],
    *,
    track: str | None = None,
    as_of: date | None = None,
    expiring_within: int = 90,
    jobs: int | None = None,
    cache: object | None = None,
    strict: bool = False,
) -> Iterator[CalendarRow]:
    """Everything of every client that expires within ``expiring_within`` days, soonest first.

    Things already expired are included (negative ``days_left``): they come first.
    """
    clients = discover(paths)
    options = AuditOptions(as_of or date.today(), track, expiring_within, strict, cache)
    rows = [c for result in check_clients(clients, options, jobs=jobs) for c in result.calendar]
    return iter(sort_calendar(rows))


def check_clients(
    clients: Sequence[Client], options: AuditOptions, *, jobs: int | None = None
) -> Generator[ClientResult, None, None]:
    """Check the clients over ``jobs`` processes (default: CPUs); results in completion order.

    Closing the generator early stops the workers (pending clients are not checked).

    At most a few clients per worker are in flight at once, so a run over thousands of
    clients holds only the results not yet consumed. With one job (or one client) the
    checks run in this process.
    """
    workers = min(cap_jobs(jobs or _cpu_count()), len(clients))
    if workers <= 1:
        return (check_client(c, options) for c in clients)
    return _fan_out(clients, options, workers)


def _fan_out(
    clients: Sequence[Client], options: AuditOptions, workers: int
) -> Generator[ClientResult, None, None]:
    """Clients whose result is cached come from here; the others are checked in a pool of
    processes, started at the first client that needs checking (a warm audit starts none)."""
    queue = deque(clients)
    window = workers * 2
    suspects: list[Client] = []
    pool: cf.ProcessPoolExecutor | None = None
    running: dict[cf.Future[ClientResult], Client] = {}
    try:
        while queue or running:
            while queue and len(running) < window:
                client = queue.popleft()
                key = client_key(client, options)
                hit = _cached(options, key)
                if hit is not None:
                    yield hit
                    continue
                if pool is None:
                    from .. import collector
                    from ..checking import pipeline as check  # noqa: F401  (inherited by forked workers)

                    collector.settle()  # frozen before the fork: no worker walks it again
                    pool = _client_pool(workers)
                running[pool.submit(check_client, client, options, key)] = client
            if not running:
                continue
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            broken = False
            for future in done:
                client = running.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    suspects.append(client)
                    broken = True
            if broken:
                # A worker died (killed, out of memory): every client in flight failed with
                # it. Retry each alone, so that only the one that kills its worker is an error.
                suspects.extend(running.values())
                running.clear()
                assert pool is not None
                pool.shutdown(wait=True, cancel_futures=True)
                for client in suspects:
                    yield _alone(client, options)
                suspects.clear()
                pool = _client_pool(workers)
    except BaseException:  # interrupted, or closed early: the clients in flight are dropped
        if pool is not None:
            _stop_now(pool)
            pool = None
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _client_pool(workers: int) -> cf.ProcessPoolExecutor:
    """Client worker processes (``_start_client_worker``)."""
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_start_client_worker,
        initargs=(os.getpid(),),
    )


def _start_client_worker(parent: int) -> None:
    """In a new client worker: it ends with the audit, even a killed one (as the reader
    workers do, ``readers/isolation.py``), and so do the reader workers it starts; Ctrl-C
    is the audit's to handle. The garbage collector is paused until its first client's
    readers are imported, then frozen (``collector``), as the console does."""
    from .. import collector
    from ..readers import isolation

    isolation.die_with_parent(parent)
    isolation.child_signals()
    collector.pause()


def _stop_now(pool: cf.ProcessPoolExecutor) -> None:
    """Stop the client workers without waiting for the clients they are checking (their
    reader workers end with them); what is queued is cancelled."""
    processes = dict(getattr(pool, "_processes", None) or {})  # no public way before 3.14
    for process in processes.values():
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    """The start method of the reader workers (fork on Linux, spawn elsewhere)."""
    return multiprocessing.get_context(start_method())


def _alone(client: Client, options: AuditOptions) -> ClientResult:
    with _client_pool(1) as pool:
        try:
            return pool.submit(check_client, client, options).result()
        except BrokenProcessPool:
            pass
        except BaseException:
            _stop_now(pool)
            raise
    return ClientResult(
        error_row(
            client,
            "the process checking this folder died (killed or out of memory); "
            f"check it alone with `dossier check {client.folder} -v`",
            options.track,
            internal=True,
        )
    )


def check_client(client: Client, options: AuditOptions, key: str | None = "") -> ClientResult:
    """Check one client with ``run_check`` (jobs=1 inside); its errors become the row's.

    The result comes from the cache when the folder, dossier.yaml, the options and the
    tool are unchanged (``client_cache``); ``key`` is the client's key when the caller
    has computed it ("" to compute it here).
    """
    if key == "":
        key = client_key(client, options)
    hit = _cached(options, key)
    if hit is not None:
        return hit
    result, builtin = _check_client(client, options)
    if key is not None and storable(result, builtin):
        with contextlib.suppress(Exception):  # a cache that cannot store is ignored
            cast(Any, options.cache).put(key, to_cache(result))
    return result


def _cached(options: AuditOptions, key: str | None) -> ClientResult | None:
    """The stored result of the client of ``key``, or None."""
    if key is None:
        return None
    try:
        value = cast(Any, options.cache).get(key)
        return from_cache(value) if isinstance(value, dict) else None
    except Exception:  # a broken cache or entry is a miss, never a failure of the run
        return None


def _check_client(client: Client, options: AuditOptions) -> tuple[ClientResult, bool]:
    """The result of checking the client, and whether its checklist is a built-in one."""
    from ..checking.pipeline import run_check
    from ..readers import reader_limits

    try:
        run = run_check(
            client.path,
            track=options.track,
            as_of=options.as_of,
            strict=options.strict,
            expiring_within=options.expiring_within,
            jobs=1,
            cache=options.cache,
            limits=reader_limits(ocr=options.ocr),
        )
    except DossierError as exc:
        return ClientResult(error_row(client, str(exc), options.track)), False
    except Exception as exc:  # a bug must not end a 5,000-client run; it is reported (exit 5)
        message = (
            f"internal error: {type(exc).__name__}: {exc} (a bug; run "
            f"`dossier check {client.folder} -v` for the traceback and report it)"
        )
        return ClientResult(error_row(client, message, options.track, internal=True)), False
    return result_of(client, run, options), _builtin(run.checklist.path)


def _builtin(path: Path | None) -> bool:
    """True for a checklist file among the built-in ones."""
    if path is None:
        return False
    from ..config.resources import data_dir

    try:
        return resolved(path).is_relative_to(resolved(data_dir("checklists")))
    except OSError:
        return False


def error_row(
    client: Client, message: str, track: str | None, *, internal: bool = False
) -> AuditRow:
    """The row of a client that could not be checked."""
    return AuditRow(
        folder=client.folder,
        applicant=None,
        track=track,
        checklist=None,
        complete=False,
        error=message,
        internal=internal,
    )


def result_of(client: Client, run: CheckRun, options: AuditOptions) -> ClientResult:
    """The row and the calendar of one checked client (the report is not kept)."""
    report = run.report
    required = [i for i in report.items if i.required]

    def having(status: str) -> tuple[str, ...]:
        return tuple(i.id for i in required if i.status == status)

    severities = [p.severity for i in report.items for p in i.problems] + [
        p.severity for d in report.documents for p in d.problems
    ]
    soon = [e for e in expiries(run, options.as_of) if e.days_left <= options.expiring_within]
    ahead = sorted(
        (
            e
            for e in [*deadlines(run, options.as_of), *step_deadlines(run, None)]
            if e.days_left >= 0
        ),
        key=lambda e: (e.date, e.what),
    )
    row = AuditRow(
        folder=client.folder,
        applicant=report.applicant,
        track=run.checklist.track,
        checklist=run.checklist.id,
        complete=report.complete,
        missing=having("missing"),
        insufficient=having("insufficient"),
        invalid=having("invalid"),
        expired=having("expired"),
        errors=severities.count("error"),
        warnings=severities.count("warning"),
        earliest_expiry=soon[0] if soon else None,
        ocr_pages=report.ocr_pages,
        next_deadline=ahead[0] if ahead else None,
    )

    def whose(e: Expiry) -> CalendarRow:
        return CalendarRow(
            **dataclasses.asdict(e), folder=client.folder, applicant=report.applicant
        )

    calendar = [whose(e) for e in [*soon, *step_deadlines(run, options.expiring_within)]]
    screened = None
    if options.programs is not None:
        from ..programs.matrix import client_screen

        screened = client_screen(run, options.programs)
    return ClientResult(
        row,
        tuple(sort_calendar(calendar)),
        screened,
        deadlines=tuple(whose(e) for e in ahead),
    )


def is_step(entry: Expiry) -> bool:
    """True for a dated step of the checklist (it has no document; expiries always do)."""
    return entry.document is None


def step_deadlines(run: CheckRun, within: int | None) -> list[Expiry]:
    """The client's coming dated steps (checklist ``steps:``) within the window (None: all),
    as calendar entries; a step whose date is not published has no place on a calendar
    (``check`` lists it as not confirmed)."""
    found = []
    for step in run.report.steps:
        if step.date is None or step.days_left is None:
            continue
        if within is not None and step.days_left > within:
            continue
        what = f"step: {step.title}" + ("" if step.confirmed else " (date not confirmed)")
        found.append(Expiry(step.id, None, what, step.date, step.days_left))
    return found


# -- expiries ----------------------------------------------------------------------------


def expiries(run: CheckRun, as_of: date) -> list[Expiry]:
    """Every expiry of a checked folder, soonest first.

    From the documents' facts (any key naming an expiry whose value is a date, nested
    mappings included) and from dossier.yaml ``dates:`` (``passport_expiry`` -> item
    passport). A date that a document states is not repeated from dossier.yaml.
    """
    found: list[Expiry] = []
    seen: set[tuple[str | None, date]] = set()
    for doc in run.report.documents:
        dated: set[date] = set()
        # The plainest key first: "expiry" is shown rather than "mrz.expiry" of the same date.
        for key, when in sorted(_date_facts(doc.facts), key=lambda kv: (kv[0].count("."), kv[0])):
            if when in dated:
                continue
            dated.add(when)
            found.append(Expiry(doc.item, doc.rel, _what(key), when, (when - as_of).days))
            seen.add((doc.item, when))
    for key, when in _date_facts(run.profile.dates):
        item = _item_of_date_key(key, run.checklist)
        if (item, when) in seen:
            continue
        found.append(Expiry(item, PROFILE_NAME, _what(key), when, (when - as_of).days))
    found.sort(key=lambda e: (e.date, e.item or "", e.document or "", e.what))
    return found


#: dossier.yaml ``dates:`` keys that name a date to act by.
DEADLINE_KEY = re.compile(
    r"deadline|due|interview|submi|start|rank|match|apply|appointment|exam_date|test_date",
    re.IGNORECASE,
)
_TRAINING_START = "training starts"


def deadlines(run: CheckRun, as_of: date) -> list[Expiry]:
    """Dates to act by, soonest first: dossier.yaml ``training.start`` and every ``dates:``
    entry whose key names one (``eras_deadline``, ``carms_deadline``, ``interview`` ...)."""
    found: list[Expiry] = []
    start = run.profile.training.start
    if start is not None:
        found.append(Expiry(None, PROFILE_NAME, _TRAINING_START, start, (start - as_of).days))
    for key, value in run.profile.dates.items():
        when = _as_date(value)
        if when is None or EXPIRY_KEY.search(str(key)) or not DEADLINE_KEY.search(str(key)):
            continue
        found.append(Expiry(None, PROFILE_NAME, _what(str(key)), when, (when - as_of).days))
    found.sort(key=lambda e: (e.date, e.what))
    return found


def _date_facts(
    facts: Mapping[str, Any], prefix: str = "", depth: int = 0
) -> Iterable[tuple[str, date]]:
    for key, value in facts.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and depth < 3:
            yield from _date_facts(value, f"{name}.", depth + 1)
            continue
        if not EXPIRY_KEY.search(str(key)):
            continue
        when = _as_date(value)
        if when is not None:
            yield name, when


def _as_date(value: Any) -> date | None:
    return iso_date(value, strict=True)  # YYYY-MM-DD only: a number is not a date here


def _what(key: str) -> str:
    return key.replace("_", " ").replace(".", " ").strip()


def _item_of_date_key(key: str, checklist: Checklist) -> str | None:
    """``passport_expiry`` -> ``passport``; ``oet_expiry`` -> ``oet-medicine`` (unique prefix)."""
    stem = EXPIRY_KEY.split(key.lower())[0].strip("_- ").replace("_", "-")
    if not stem:
        return None
    ids = sorted(checklist.item_ids)
    if stem in ids:
        return stem
    matches = [i for i in ids if i.startswith(stem + "-")]
    return matches[0] if len(matches) == 1 else None


# -- order -------------------------------------------------------------------------------


def sort_rows(rows: Iterable[AuditRow]) -> list[AuditRow]:
    """Worst first: errors, then incomplete (most blocking items first), then by soonest
    expiry, then complete; ties by folder."""

    def key(row: AuditRow) -> tuple[int, int, float, str]:
        rank = 0 if row.error is not None else (1 if not row.complete else 2)
        days = row.earliest_expiry.days_left if row.earliest_expiry else float("inf")
        return (rank, -len(row.blocking), days, row.folder)

    return sorted(rows, key=key)


def sort_calendar(rows: Iterable[CalendarRow]) -> list[CalendarRow]:
    """Soonest first; ties by folder, item, document."""
    return sorted(rows, key=lambda r: (r.date, r.folder, r.item or "", r.document or "", r.what))


def summarize(rows: Iterable[AuditRow], expiring_within: int) -> dict[str, int]:
    """Counts of clients by status, and of those with something expiring in the window."""
    counts = {
        "clients": 0, "complete": 0, "incomplete": 0, "error": 0, "expiring": 0, "ocr_pages": 0
    }  # fmt: skip
    for row in rows:
        counts["clients"] += 1
        counts["ocr_pages"] += row.ocr_pages
        counts[row.status] += 1
        if row.earliest_expiry is not None and row.earliest_expiry.days_left <= expiring_within:
            counts["expiring"] += 1
    return counts


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
