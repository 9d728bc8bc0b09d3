"""Long-lived worker processes that read files one at a time under a time and memory cap.

Each worker takes many files (no process per file), so reading thousands of small PDFs
costs little more than parsing them. A worker past the wall-clock limit is killed and
replaced; one that dies (out of memory, a crash in a C library) is replaced too; the file
it held gets a ``timeout`` or ``too-large`` problem, the others are still read.

The workers outlive one call: a process keeps one pool (started lazily, stopped at exit),
so checking client after client (``dossier audit``) forks no new workers per client. A
pool belongs to the process that started it; a forked child starts its own. A thread
that finds the pool in use by another thread reads with a pool of its own.

A new worker says when it is ready; only then does the time limit of its first file start
(a spawned worker imports the readers first). A worker that dies or hangs before it is
ready is not a document's fault: the run stops with WorkerStartError saying why. How the
memory cap and the parent's death are enforced on each system is in ``isolation.py``.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, cast

from ..errors import DossierError
from ..model import Problem
from . import isolation
from .dispatch import (
    failed_document,
    memory_problem,
    read_source,
    reader_failed,
    timeout_problem,
)
from .quiet import native_stderr_captured, showing
from .schedule import Queue
from .tasks import FollowUp as FollowUp
from .tasks import Job as Job
from .tasks import JobOutcome as JobOutcome
from .tasks import Outcome as Outcome
from .tasks import Task as Task

if TYPE_CHECKING:
    from .limits import Limits

_MIB = 1024 * 1024

#: Files a worker reads before it is replaced by a fresh one (bounds any slow growth).
TASKS_PER_WORKER = 1000

#: Seconds a new worker may take to start (import the readers) before the run stops.
STARTUP_SECONDS = 120.0

#: Seconds a busy worker that is stopped (SIGTERM) has to clean up before it is killed.
STOP_SECONDS = 1.0

#: What a worker sends once it is ready to read, and when it takes a task.
_READY = "ready"
_TOOK = "took"

#: Times one task is handed out again when its worker died before taking it (killed
#: from outside while idle); a task whose worker keeps dying that way then fails.
REQUEUES = 2


class WorkerStartError(DossierError):
    """Reader worker processes cannot start here: no document is to blame."""


def read_in_workers(
    tasks: Sequence[Task],
    limits: Limits,
    jobs: int,
    on_read: Callable[[Outcome], None] | None = None,
    *,
    follow: FollowUp | None = None,
    ocr_backlog: int = 3,
) -> list[Outcome]:
    """Read every task in at most ``jobs`` worker processes; one Outcome per task, any order.

    ``on_read(outcome)`` is called in this process as each task is done (for progress).
    The first ``jobs`` workers of this process's pool are used, always the same ones: so
    a later call with ``jobs=1`` reads in the worker that already loaded what it needs.

    With ``follow`` (OCR on), the reading of a task becomes the reading of the task
    ``follow(outcome)`` returns, if any, which is read as soon as a worker that may run
    OCR is free, while the other tasks are still being read (see ``Queue``: one worker
    loads the OCR engine as soon as there is OCR to do; another one only when at least
    ``ocr_backlog`` OCR readings wait for it and it has nothing else to read).
    """
    return cast(list[Outcome], _in_workers(tasks, limits, jobs, on_read, follow, ocr_backlog))


def run_jobs(
    work: Sequence[Job], limits: Limits, jobs: int, on_done: Callable[[], None] | None = None
) -> list[JobOutcome]:
    """Run every Job in at most ``jobs`` worker processes (the readers' pool, its limits);
    one JobOutcome per job, any order. Never raises for what a job does."""
    done = None if on_done is None else (lambda _: on_done())
    return cast(list[JobOutcome], _in_workers(work, limits, jobs, done))


def _in_workers(
    tasks: Sequence[Task | Job],
    limits: Limits,
    jobs: int,
    on_read: Callable[[Any], None] | None = None,
    follow: FollowUp | None = None,
    ocr_backlog: int = 3,
) -> list[Any]:
    if not tasks:
        return []
    if multiprocessing.current_process().daemon:  # a daemon may not start processes
        outcomes = []
        waiting: deque[Task | Job] = deque(tasks)
        while waiting:
            outcome = _quiet_here(waiting.popleft(), limits)
            again = _followed(follow, outcome)
            if again is not None:
                waiting.appendleft(again)
                continue
            outcomes.append(outcome)
            if on_read is not None:
                on_read(outcome)
        return outcomes
    size = isolation.cap_jobs(min(jobs, len(tasks)))
    queue = Queue(tasks, scheduled=follow is not None and limits.ocr, backlog=ocr_backlog)
    if not _lock.acquire(blocking=False):  # another thread is reading: a pool of its own
        pool = _Pool(limits)
        try:
            return pool.run(queue, size, on_read, follow)
        finally:
            pool.close()
    try:
        return _shared_pool(limits).run(queue, size, on_read, follow)
    finally:
        _lock.release()


def _followed(follow: FollowUp | None, outcome: Outcome | JobOutcome) -> Task | None:
    """The task that reads the outcome's file again instead (None: the outcome stands)."""
    if follow is None or not isinstance(outcome, Outcome):
        return None
    return follow(outcome)


def shutdown() -> None:
    """Stop this process's reader workers (they start again on the next read)."""
    if not _lock.acquire(blocking=False):
        return  # a thread is reading with them; exit stops them (daemons, parent-death signal)
    try:
        _shutdown()
    finally:
        _lock.release()


#: This process's pool: reused while the limits stay the same; _lock guards it.
_shared: _Pool | None = None
_lock = threading.Lock()


def _shutdown() -> None:
    global _shared
    pool, _shared = _shared, None
    if pool is not None and pool.owner == os.getpid():
        pool.close()


def _new_lock_in_child() -> None:
    """After fork: the parent's lock may be held by a thread that does not exist here."""
    global _lock
    _lock = threading.Lock()


def _shared_pool(limits: Limits) -> _Pool:
    """The pool of this process for these limits; a pool inherited through fork is dropped."""
    global _shared
    pool = _shared
    if pool is not None and pool.owner != os.getpid():
        pool.forget()  # the parent's workers: never sent to, never stopped from here
        pool = _shared = None
    if pool is not None and (pool.limits != limits or pool.showing != showing()):
        _shutdown()  # other limits, or -v's native stderr now set or unset (quiet.py)
        pool = None
    if pool is None:
        pool = _shared = _Pool(limits)
    return pool


atexit.register(shutdown)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_in_child)


class _Worker:
    """One child process and the task it is reading (if any)."""

    def __init__(
        self,
        context: multiprocessing.context.BaseContext,
        limits: Limits,
        guard: isolation.Guard,
    ) -> None:
        parent, child = context.Pipe(duplex=True)
        self.limits_ocr = limits.ocr
        self.conn: Connection = parent
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, parent, os.getpid(), limits, guard.kind), daemon=True
        )
        try:
            self.process.start()
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        assert self.process.pid is not None
        self.pid: int = self.process.pid
        guard.attach(self.pid)
        self.ready = False
        self.started = time.monotonic()
        self.task: Task | Job | None = None
        self.engine = False  # it was given a task read with OCR: it holds the OCR engine
        self.took = False  # the worker said it has the task (it died of it, if it dies)
        self.deadline = 0.0
        self.seconds = 0.0
        self.done = 0

    def give(self, task: Task | Job, seconds: float) -> bool:
        """Hand over a task; False when the pipe is broken (the worker died).

        A worker that is not ready yet gets the task queued; its time starts when it is.
        """
        self.task = task
        self.took = False
        self.seconds = seconds
        if isinstance(task, Task) and task.ocr and self.limits_ocr:
            self.engine = True
        now = time.monotonic()
        self.deadline = now + seconds if self.ready else self.started + STARTUP_SECONDS
        try:
            self.conn.send(task)
        except (OSError, ValueError):
            return False
        return True

    def mark_ready(self) -> None:
        self.ready = True
        if self.task is not None:
            self.deadline = time.monotonic() + self.seconds

    def stop(self, *, force: bool, clean: bool = True) -> None:
        """Stop the worker: asked (None) unless ``force``; then SIGTERM, which lets it clean
        up for STOP_SECONDS (not when ``clean`` is False: over its memory cap), then killed."""
        if not force:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.process.join(timeout=1.0)
        if self.process.is_alive():
            started = isolation.children_of(self.pid)  # a converter (LibreOffice) goes too
            if clean:
                with contextlib.suppress(OSError, ValueError):
                    self.process.terminate()  # it unwinds: its temporary folders are removed
                self.process.join(timeout=STOP_SECONDS)
            if self.process.is_alive():  # stuck in a library's code: no clean-up then
                self.process.kill()
                self.process.join(timeout=5.0)
            isolation.kill_all(started)
        self.conn.close()


class _Pool:
    """Worker processes started on demand up to the size a run asks for, kept between runs."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.showing = showing()  # the workers' environment has it as this process has now
        self.owner = os.getpid()
        self.context = multiprocessing.get_context(isolation.start_method())
        self.guard = isolation.Guard(isolation.memory_guard(), limits.worker_memory_mb)
        self.workers: list[_Worker] = []

    def run(
        self,
        pending: Queue,
        size: int,
        on_read: Callable[[Any], None] | None = None,
        follow: FollowUp | None = None,
    ) -> list[Outcome | JobOutcome]:
        outcomes: list[Outcome | JobOutcome] = []
        requeued: dict[int, int] = {}

        def finish(outcome: Outcome | JobOutcome) -> None:
            again = _followed(follow, outcome)
            if again is not None:  # read again (with OCR): that reading is the task's
                pending.push(again)
                return
            outcomes.append(outcome)
            if on_read is not None:
                on_read(outcome)

        try:
            while pending or any(w.task is not None for w in self.workers):
                for done in self._feed(pending, size):
                    finish(done)
                busy = [w for w in self.workers if w.task is not None]
                if not busy:
                    continue
                timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
                if self.guard.samples:
                    timeout = min(timeout, isolation.WATCHDOG_INTERVAL)
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
                for worker in busy:
                    task = worker.task
                    outcome = self._collect(worker, ready)
                    if outcome is _REQUEUE:  # died before taking it: not the task's fault
                        assert task is not None
                        requeued[task.index] = requeued.get(task.index, 0) + 1
                        if requeued[task.index] <= REQUEUES:
                            pending.push(task, front=True)
                            continue
                        outcome = self._failed(task, memory_problem(self.limits))
                    if outcome is not None:
                        assert not isinstance(outcome, str)
                        finish(outcome)
        except BaseException:  # interrupted: a worker's late answer must not reach the next run
            for worker in [w for w in self.workers if w.task is not None]:
                self._replace(worker)
            raise
        return outcomes

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(force=worker.task is not None)
        self.workers.clear()
        self.guard.close()

    def forget(self) -> None:
        """In a forked child: close our copies of the pipes, leave the workers to their owner."""
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.conn.close()
        self.workers.clear()

    def _feed(self, pending: Queue, size: int) -> list[Outcome | JobOutcome]:
        """Give idle workers a task each (as the queue lets them), starting workers (up to
        size) for what is left; what had to be read here (no worker could start)."""
        here: list[Outcome | JobOutcome] = []
        engines = sum(1 for w in self.workers[:size] if w.engine)
        for worker in [w for w in self.workers[:size] if w.task is None]:
            if not pending:
                break
            task = pending.take(worker.engine, engines)
            if task is None:
                continue
            had_engine = worker.engine
            if worker.process.is_alive() and worker.give(task, self.limits.seconds):
                if worker.engine and not had_engine:
                    engines += 1
                    self._first(worker)
            else:  # died while idle (killed from outside): its task goes to another worker
                pending.push(task, front=True)
                worker.task = None
                self._replace(worker)
                engines = sum(1 for w in self.workers[:size] if w.engine)
        while pending.wants_worker(engines) and len(self.workers) < size:
            _flush_std()
            try:
                worker = _Worker(self.context, self.limits, self.guard)
            except OSError:  # no process can be started (limits): read here, unisolated
                if self.workers:
                    break
                task = pending.take(True, engines)
                assert task is not None
                here.append(_quiet_here(task, self.limits))
                continue
            self.workers.append(worker)
            task = pending.take(False, engines)
            assert task is not None
            worker.give(task, self.limits.seconds)  # if it died, _collect says so
            if worker.engine:
                engines += 1
                self._first(worker)
        return here

    def _first(self, worker: _Worker) -> None:
        """Put a worker that holds the OCR engine first: a later run with fewer workers
        (``jobs=1``, the further pages of a scan) uses it rather than load the engine again."""
        self.workers.remove(worker)
        self.workers.insert(0, worker)

    def _collect(
        self, worker: _Worker, ready: Sequence[object]
    ) -> Outcome | JobOutcome | str | None:
        """The worker's outcome, None while it works, or _REQUEUE when it died before it
        took its task (killed from outside while idle)."""
        task = worker.task
        assert task is not None
        if worker.conn in ready or worker.process.sentinel in ready:
            try:
                if worker.conn.poll():
                    message: Outcome | JobOutcome | str = worker.conn.recv()
                    if message == _TOOK:
                        worker.took = True
                        return None
                    if isinstance(message, str):  # _READY: the task's time starts now
                        worker.mark_ready()
                        return None
                    outcome = message
                    worker.task = None
                    worker.done += 1
                    if not outcome.cacheable:  # the worker ran out of memory and exits
                        self._replace(worker)
                    elif worker.done >= TASKS_PER_WORKER:
                        self._retire(worker)
                    return outcome
            except (EOFError, OSError):
                pass
            if not worker.process.is_alive() or worker.process.sentinel in ready:
                self._replace(worker)
                if not worker.ready:
                    raise _start_error(worker)
                if not worker.took:  # every message was read: it never had the task
                    return _REQUEUE
                return self._failed(task, memory_problem(self.limits))
        if worker.ready and self.guard.over(worker.pid):  # the watchdog's memory cap
            self._replace(worker, clean=False)  # no time to grow further
            return self._failed(task, memory_problem(self.limits))
        if time.monotonic() >= worker.deadline:
            self._replace(worker)
            if not worker.ready:
                raise _start_error(worker)
            return self._failed(task, timeout_problem(self.limits))
        return None

    def _replace(self, worker: _Worker, *, clean: bool = True) -> None:
        worker.stop(force=True, clean=clean)
        self.guard.detach(worker.pid)
        self.workers.remove(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.stop(force=False)
        self.guard.detach(worker.pid)
        self.workers.remove(worker)

    def _failed(self, task: Task | Job, problem: Problem) -> Outcome | JobOutcome:
        if isinstance(task, Job):
            return JobOutcome(task.index, None, problem, cacheable=False)
        doc = failed_document(task.source, task.sha256, task.size, problem)
        return Outcome(task.index, doc, cacheable=False, ocr=task.ocr and self.limits.ocr)


#: What _collect returns for a task to hand out again.
_REQUEUE = "requeue"


def _start_error(worker: _Worker) -> WorkerStartError:
    code = worker.process.exitcode
    how = "did not start in time" if code is None else f"exited with code {code} while starting"
    return WorkerStartError(
        f"a reader worker process {how} ({isolation.start_method()} start method), so no "
        "document could be read safely. If you call img_dossier from your own script on "
        'Windows or macOS, put the calls under `if __name__ == "__main__":` (the spawn '
        "start method imports your script again in each worker); otherwise check that the "
        "system allows this program to start processes, and run with -v"
    )


def _flush_std() -> None:
    """Flush stdout and stderr before a fork: a child must not re-flush our buffers."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed or no stream
            stream.flush()


def _here(task: Task | Job, limits: Limits) -> Outcome | JobOutcome:
    return read_here(task, limits) if isinstance(task, Task) else run_job(task, limits)


def run_job(job: Job, limits: Limits) -> JobOutcome:
    """Run one Job in this process (no time limit); a failure is its JobOutcome's problem."""
    import importlib

    from .result import error

    try:
        module, _, name = job.target.partition(":")
        function = getattr(importlib.import_module(module), name)
        return JobOutcome(job.index, function(*job.args), None)
    except MemoryError:
        return JobOutcome(job.index, None, memory_problem(limits), cacheable=False)
    except Exception as exc:  # an untrusted document can make any library fail
        why = f"{type(exc).__name__}: {str(exc)[:200]}"
        return JobOutcome(job.index, None, error("damaged", f"could not be processed ({why})"))


def read_here(task: Task, limits: Limits) -> Outcome:
    """Read one task in this process (no time limit): when no worker can be started."""
    if not task.ocr and limits.ocr:
        limits = dataclasses.replace(limits, ocr=False)
    try:
        doc = read_source(task.source, task.sha256, task.size, limits, partial=task.partial)
        return Outcome(task.index, doc, cacheable=True, ocr=limits.ocr)
    except MemoryError:
        doc = failed_document(task.source, task.sha256, task.size, memory_problem(limits))
    except Exception as exc:  # a reader bug: this file fails, the run goes on
        doc = failed_document(task.source, task.sha256, task.size, reader_failed(exc))
    return Outcome(task.index, doc, cacheable=False, ocr=limits.ocr)


def _serve(
    conn: Connection, parent_end: Connection, parent: int, limits: Limits, guard: str
) -> None:
    """The worker loop: read tasks until told to stop (None) or the parent goes away."""
    parent_end.close()
    isolation.die_with_parent(parent)
    isolation.child_signals(unwind=True)  # Ctrl-C is the parent's; SIGTERM: clean up, end
    if guard == "rlimit":
        isolation.cap_address_space(limits.worker_memory_mb)
    with contextlib.suppress(isolation.WorkerStopped):
        _loop(conn, parent, limits)
    conn.close()
    os._exit(0)  # skip interpreter shutdown: nothing of the parent's is flushed twice


def _loop(conn: Connection, parent: int, limits: Limits) -> None:
    try:
        conn.send(_READY)
    except (OSError, ValueError):
        return
    while True:
        try:
            while not conn.poll(1.0):
                if not isolation.parent_alive(parent):  # others may hold our pipe open
                    os._exit(0)
            task: Task | Job | None = conn.recv()
        except (EOFError, OSError):
            break
        if task is None:
            break
        try:
            conn.send(_TOOK)
        except (OSError, ValueError):
            break
        outcome = _quiet_here(task, limits)
        try:
            conn.send(outcome)
        except (OSError, ValueError):
            break
        if not outcome.cacheable:
            break  # a worker that ran out of memory is not trusted with another file


def _quiet_here(task: Task | Job, limits: Limits) -> Outcome | JobOutcome:
    """``_here`` with native libraries' noise kept off stderr and put into the document's
    ``damaged`` problem: in a worker, and where a document is read in this process (no
    process can be started, or this one is a daemon)."""
    with native_stderr_captured() as noise:
        outcome = _here(task, limits)
    return _explained(outcome, noise.note())


def _explained(outcome: Outcome | JobOutcome, note: str) -> Outcome | JobOutcome:
    """What a native library wrote while failing on a document goes into its ``damaged``
    problem (never onto the user's stderr)."""
    if not note:
        return outcome
    if isinstance(outcome, JobOutcome):
        p = outcome.problem
        if p is None or p.code != "damaged":
            return outcome
        return dataclasses.replace(outcome, problem=_noted(p, note))
    doc = outcome.document
    if not any(p.code == "damaged" for p in doc.problems):
        return outcome
    problems = tuple(_noted(p, note) if p.code == "damaged" else p for p in doc.problems)
    return dataclasses.replace(outcome, document=dataclasses.replace(doc, problems=problems))


def _noted(problem: Problem, note: str) -> Problem:
    return dataclasses.replace(problem, message=f"{problem.message} (the decoder said: {note})")
