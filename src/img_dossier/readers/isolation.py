"""How a worker process is isolated on each operating system.

The reader workers (``pool.py``) and the external converters (LibreOffice) run untrusted
documents. Each gets a memory cap, a time limit, and dies with the process that started it,
by the means each system offers:

- Linux: fork; an address-space limit (``RLIMIT_AS``) set in the worker; the kernel kills a
  worker whose parent dies (``PR_SET_PDEATHSIG``).
- Windows: spawn; every worker is put in a Job Object that caps its committed memory and
  kills it when the parent's handle to the job closes (the parent exits or is killed).
- macOS (and any other system): spawn; a watchdog in the parent samples each busy worker's
  resident memory (psutil) and kills it over the cap; the worker exits when its parent is
  gone.

``IMG_DOSSIER_START_METHOD`` (fork, spawn, forkserver) and ``IMG_DOSSIER_MEMORY_GUARD``
(rlimit, job, watchdog) override the choice, so that the Windows and macOS paths are tested
on Linux too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, Literal

# kept in limits.py (the CLI's --jobs needs only them, not this module's imports)
from .limits import MAX_JOBS as MAX_JOBS
from .limits import WINDOWS_MAX_JOBS as WINDOWS_MAX_JOBS

MemoryGuard = Literal["rlimit", "job", "watchdog"]

_MIB = 1024 * 1024

#: Seconds between two samples of a busy worker's memory by the watchdog.
WATCHDOG_INTERVAL = 0.2


def start_method() -> str:
    """fork on Linux (fast, no re-import), spawn elsewhere; IMG_DOSSIER_START_METHOD decides."""
    chosen = os.environ.get("IMG_DOSSIER_START_METHOD", "").strip().lower()
    if chosen in ("fork", "spawn", "forkserver") and (chosen == "spawn" or hasattr(os, "fork")):
        return chosen
    return "fork" if sys.platform.startswith("linux") and hasattr(os, "fork") else "spawn"


def memory_guard() -> MemoryGuard:
    """The memory cap of this system (see the module's docstring)."""
    chosen = os.environ.get("IMG_DOSSIER_MEMORY_GUARD", "").strip().lower()
    if chosen == "rlimit" and _has_rlimit():
        return "rlimit"
    if chosen == "job" and sys.platform == "win32":
        return "job"
    if chosen == "watchdog":
        return "watchdog"
    if sys.platform.startswith("linux") and _has_rlimit():
        return "rlimit"
    if sys.platform == "win32":
        return "job"
    return "watchdog"


def cap_jobs(jobs: int) -> int:
    """``jobs`` within what this system can wait on (see MAX_JOBS)."""
    return max(1, min(jobs, MAX_JOBS))


def _has_rlimit() -> bool:
    try:
        import resource  # noqa: F401
    except ImportError:
        return False
    return True


# -- in the worker -------------------------------------------------------------------------


def cap_address_space(memory_mb: int) -> None:
    """Linux: cap the address space at memory_mb, or the start size plus 256 MB if larger."""
    try:
        import resource
    except ImportError:
        return
    try:
        with open("/proc/self/statm") as fh:
            baseline = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        baseline = 0
    cap = max(memory_mb * _MIB, baseline + 256 * _MIB)
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft == resource.RLIM_INFINITY or soft > cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


#: In a worker (``die_with_parent``): the process it ends with; None elsewhere.
_parent: int | None = None

#: The external programs (``run_bounded``) this process runs now, by pid: a worker that
#: finds its parent gone kills them (and what they started) before it ends.
_programs: dict[int, subprocess.Popen[Any]] = {}


def die_with_parent(parent: int) -> None:
    """End this worker when its parent goes away, even in the middle of a document.

    Linux asks the kernel (PR_SET_PDEATHSIG); everywhere a thread also checks once a second
    (on Windows the Job Object of the parent kills the worker as well). While an external
    program runs (``run_bounded``) the worker waits for it and watches its parent itself,
    so that the program is stopped too.
    """
    global _parent
    _parent = parent
    _death_signal(signal.SIGKILL)
    if not parent_alive(parent):  # it died before the kernel was asked to tell us
        os._exit(0)
    watcher = threading.Thread(target=_watch_parent, args=(parent,), daemon=True)
    watcher.start()


class WorkerStopped(BaseException):
    """Raised in a worker asked to stop (SIGTERM, ``child_signals(unwind=True)``): what it
    is doing unwinds (an external program is killed, temporary folders are removed), then
    the worker ends. A BaseException: no ``except Exception`` for a document catches it."""


def child_signals(*, unwind: bool = False) -> None:
    """In a worker: Ctrl-C is the parent's to handle (the terminal sends it to the whole
    process group; the parent stops its workers). SIGTERM ends the worker at once, or with
    ``unwind`` raises WorkerStopped, which the worker's loop catches (a forked worker must
    not keep the console's handler, which reports a stopped run)."""
    term: Any = _unwind if unwind else signal.SIG_DFL
    for signum, action in ((signal.SIGINT, signal.SIG_IGN), (signal.SIGTERM, term)):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signum, action)


def _unwind(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends the worker at once
    raise WorkerStopped()


def parent_alive(parent: int) -> bool:
    """Whether the process that started this one still runs."""
    if sys.platform == "win32":  # Windows never re-parents: ask whether the pid still runs
        try:
            import psutil

            return bool(psutil.pid_exists(parent))
        except ImportError:
            return True
    return os.getppid() == parent


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if not parent_alive(parent):
            _orphaned()


def _orphaned() -> None:
    """The parent is gone: stop the external programs this worker runs, then end."""
    for proc in list(_programs.values()):
        kill_tree(proc)
    os._exit(0)


def _death_signal(signum: int) -> None:
    """Linux: the signal this process gets when its parent dies (0: none)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signum, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# -- in the parent -------------------------------------------------------------------------


class Guard:
    """The parent's side of the memory cap for a pool's workers."""

    def __init__(self, kind: MemoryGuard, memory_mb: int) -> None:
        self.kind = kind
        self.limit = memory_mb * _MIB
        self._job: _WindowsJob | None = None
        self._procs: dict[int, Any] = {}
        if kind == "job":
            self._job = _WindowsJob(self.limit)

    @property
    def samples(self) -> bool:
        """Whether the parent must sample workers' memory (the watchdog)."""
        return self.kind == "watchdog"

    def attach(self, pid: int) -> None:
        """A new worker: put it in the job, or remember it for sampling."""
        if self._job is not None:
            self._job.assign(pid)
        elif self.kind == "watchdog":
            try:
                import psutil
            except ImportError:  # psutil missing: no sampling
                return
            try:
                self._procs[pid] = psutil.Process(pid)
            except (psutil.Error, OSError):  # the worker already gone: no sampling
                self._procs.pop(pid, None)

    def detach(self, pid: int) -> None:
        self._procs.pop(pid, None)

    def over(self, pid: int) -> bool:
        """Watchdog: whether the worker uses more memory than the cap (False if unknown)."""
        proc = self._procs.get(pid)
        if proc is None:
            return False
        import psutil  # imported by attach, which put proc here

        try:
            return int(proc.memory_info().rss) > self.limit
        except (psutil.Error, OSError):  # gone, or not ours to read: its exit is seen elsewhere
            return False

    def close(self) -> None:
        if self._job is not None:
            self._job.close()
            self._job = None
        self._procs.clear()


class _WindowsJob:
    """A Job Object: per-process memory limit, and kill-on-close for the parent's death."""

    _LIMIT_PROCESS_MEMORY = 0x100
    _LIMIT_KILL_ON_JOB_CLOSE = 0x2000
    _EXTENDED_LIMIT_INFORMATION = 9
    _PROCESS_SET_QUOTA = 0x0100
    _PROCESS_TERMINATE = 0x0001

    def __init__(self, limit: int | None) -> None:
        import ctypes
        from ctypes import wintypes

        self._ctypes = ctypes
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        self._kernel32 = kernel32

        class IoCounters(ctypes.Structure):
            _fields_ = [(name, ctypes.c_ulonglong) for name in (
                "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
                "ReadTransferCount", "WriteTransferCount", "OtherTransferCount",
            )]  # fmt: skip

        class BasicLimits(ctypes.Structure):
            _fields_ = [
                ("PerProcessUserTimeLimit", wintypes.LARGE_INTEGER),
                ("PerJobUserTimeLimit", wintypes.LARGE_INTEGER),
                ("LimitFlags", wintypes.DWORD),
                ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t),
                ("ActiveProcessLimit", wintypes.DWORD),
                ("Affinity", ctypes.c_size_t),
                ("PriorityClass", wintypes.DWORD),
                ("SchedulingClass", wintypes.DWORD),
            ]

        class ExtendedLimits(ctypes.Structure):
            _fields_ = [
                ("BasicLimitInformation", BasicLimits),
                ("IoInfo", IoCounters),
                ("ProcessMemoryLimit", ctypes.c_size_t),
                ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t),
                ("PeakJobMemoryUsed", ctypes.c_size_t),
            ]

        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        kernel32.OpenProcess.restype = wintypes.HANDLE
        handle = kernel32.CreateJobObjectW(None, None)
        if not handle:
            raise OSError(ctypes.get_last_error(), "CreateJobObject failed")  # type: ignore[attr-defined]
        info = ExtendedLimits()
        flags = self._LIMIT_KILL_ON_JOB_CLOSE
        if limit is not None:
            flags |= self._LIMIT_PROCESS_MEMORY
            info.ProcessMemoryLimit = limit
        info.BasicLimitInformation.LimitFlags = flags
        ok = kernel32.SetInformationJobObject(
            handle, self._EXTENDED_LIMIT_INFORMATION, ctypes.byref(info), ctypes.sizeof(info)
        )
        if not ok:
            kernel32.CloseHandle(handle)
            raise OSError(ctypes.get_last_error(), "SetInformationJobObject failed")  # type: ignore[attr-defined]
        self._handle = handle

    def assign(self, pid: int) -> None:
        k = self._kernel32
        process = k.OpenProcess(self._PROCESS_SET_QUOTA | self._PROCESS_TERMINATE, False, pid)
        if not process:
            return  # already gone: its exit is seen by the pool
        try:
            k.AssignProcessToJobObject(self._handle, process)
        finally:
            k.CloseHandle(process)

    def close(self) -> None:
        """Close the job: every worker still in it is killed (kill-on-close)."""
        if self._handle:
            self._kernel32.CloseHandle(self._handle)
            self._handle = None


# -- external programs (LibreOffice) -------------------------------------------------------


def run_bounded(command: Sequence[str], timeout: float, memory_mb: int | None = None) -> bool:
    """Run ``command`` with no input or output; kill it and every child when time is up.

    True when it exited by itself within ``timeout`` (the caller judges by what it wrote).
    LibreOffice's ``soffice`` is a launcher that starts ``soffice.bin``: killing only the
    launcher would leave a converter running on an untrusted document, so the whole group
    (POSIX) or process tree (Windows) goes. ``memory_mb`` is the program's own memory cap,
    whatever the caller's is (a worker's cap may be smaller or larger than what the program
    needs): its address space on Linux, its Job Object on Windows, else a watchdog on its
    process tree's resident memory.
    """
    kwargs: dict[str, Any] = {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
    }
    if sys.platform == "win32":
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | getattr(
            subprocess, "CREATE_NO_WINDOW", 0
        )
    else:
        kwargs["start_new_session"] = True
    guard = memory_guard() if memory_mb is not None else None
    if _parent is None and _can_guard():  # the console: nothing watches it but the guard
        command = [sys.executable, "-I", "-S", "-c", _GUARD, *command]
        kwargs["stdin"] = subprocess.PIPE
    with _watching_parent():
        return _run_bounded(command, timeout, memory_mb, guard, kwargs)


#: The program's guard, when the process that runs it is the console (``dossier letters``
#: converts there): a worker watches its parent (``die_with_parent``), but nothing watches
#: the console, which SIGKILL, a crash or the out-of-memory killer end with no clean-up. The
#: guard starts the program in its own process group (run_bounded makes the guard a group
#: leader) and waits for it; its standard input is a pipe only the console writes to, which
#: the system closes however the console ends: then the guard kills the group, itself, the
#: launcher and all the launcher started (LibreOffice's oosplash and soffice.bin).
_GUARD = """
import os, sys, threading

def watch():
    try:
        while os.read(0, 512):
            pass
    except OSError:
        pass
    os.killpg(0, 9)

threading.Thread(target=watch, daemon=True).start()
try:
    pid = os.posix_spawnp(
        sys.argv[1], sys.argv[1:], dict(os.environ),
        file_actions=[(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)],
    )
except OSError:
    os._exit(127)
_, status = os.waitpid(pid, 0)
os._exit(0 if status == 0 else 1)
"""


def _can_guard() -> bool:
    """POSIX (Windows: the Job Object kills the program when the console ends)."""
    return (
        sys.platform != "win32"
        and bool(sys.executable)
        and hasattr(os, "posix_spawnp")
        and hasattr(os, "killpg")
    )


@contextlib.contextmanager
def _watching_parent() -> Iterator[None]:
    """In a worker on Linux: no parent-death signal while an external program runs (the
    kernel's SIGKILL would leave the program behind); the wait watches the parent instead
    (``_wait``), and the worker's own check does (``_watch_parent``)."""
    if _parent is None:
        yield
        return
    _death_signal(0)
    try:
        yield
    finally:
        _death_signal(signal.SIGKILL)
        if not parent_alive(_parent):
            _orphaned()


def _run_bounded(
    command: Sequence[str],
    timeout: float,
    memory_mb: int | None,
    guard: MemoryGuard | None,
    kwargs: dict[str, Any],
) -> bool:
    try:
        with _address_space_of_children(memory_mb if guard == "rlimit" else None):
            proc = subprocess.Popen(list(command), **kwargs)
    except OSError:
        return False
    _programs[proc.pid] = proc
    job: _WindowsJob | None = None
    if sys.platform == "win32":  # what the launcher starts joins its job: closing it kills all
        with contextlib.suppress(OSError):
            job = _WindowsJob(memory_mb * _MIB if memory_mb is not None else None)
            job.assign(proc.pid)
    finished = True
    try:
        if guard == "watchdog" and memory_mb is not None:
            finished = _wait_watched(proc, timeout, memory_mb * _MIB)
        else:
            finished = _wait(proc, timeout)
    finally:
        kill_tree(proc)  # nothing it started may outlive the conversion
        if proc.stdin is not None:  # the guard's pipe (it is gone with the group already)
            with contextlib.suppress(OSError):
                proc.stdin.close()
        if job is not None:
            job.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        _programs.pop(proc.pid, None)
    return finished


def _wait(proc: subprocess.Popen[Any], timeout: float) -> bool:
    """Wait for ``proc`` up to ``timeout``; in a worker, end both when the parent is gone.
    True when it exited by itself."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        try:
            proc.wait(timeout=min(left, WATCHDOG_INTERVAL) if _parent is not None else left)
            return True
        except subprocess.TimeoutExpired:
            pass
        if _parent is not None and not parent_alive(_parent):
            _orphaned()


@contextlib.contextmanager
def _address_space_of_children(memory_mb: int | None) -> Any:
    """Linux: the soft ``RLIMIT_AS`` a child started inside this block inherits (raised or
    lowered to ``memory_mb``, never past the hard limit); this process's own is put back."""
    try:
        import resource
    except ImportError:
        resource = None  # type: ignore[assignment]
    if memory_mb is None or resource is None:
        yield
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory_mb * _MIB
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        yield  # cannot set it here: the child keeps this process's cap
        return
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _wait_watched(proc: subprocess.Popen[Any], timeout: float, limit: int) -> bool:
    """Wait for ``proc``, killing its tree when the tree's resident memory passes ``limit``
    (macOS: no address-space limit is enforced there). True when it exited by itself."""
    try:
        import psutil
    except ImportError:
        proc.wait(timeout=timeout)
        return True
    deadline = time.monotonic() + timeout
    while True:
        try:
            proc.wait(timeout=WATCHDOG_INTERVAL)
            return True
        except subprocess.TimeoutExpired:
            pass
        if _parent is not None and not parent_alive(_parent):
            _orphaned()
        if time.monotonic() > deadline:
            return False
        try:
            root = psutil.Process(proc.pid)
            tree = [root, *root.children(recursive=True)]
            used = 0
            for member in tree:
                with contextlib.suppress(psutil.Error):
                    used += member.memory_info().rss
        except psutil.Error:
            continue  # gone between two samples: the next wait sees it
        if used > limit:
            return False


def children_of(pid: int) -> list[Any]:
    """The processes ``pid`` started (and theirs), as psutil handles; [] when unknown."""
    try:
        import psutil
    except ImportError:
        return []
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except (psutil.Error, OSError):  # already gone: what it started is reaped by its group
        return []


def kill_all(processes: Sequence[Any]) -> None:
    """Kill each of ``processes`` (psutil handles: a pid used again is left alone)."""
    if not processes:
        return
    import psutil

    for proc in processes:
        with contextlib.suppress(psutil.Error, OSError):
            proc.kill()


def kill_tree(proc: subprocess.Popen[Any]) -> None:
    """Kill a process started by run_bounded and everything it started."""
    killpg = getattr(os, "killpg", None)
    if killpg is not None and sys.platform != "win32":
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            killpg(proc.pid, signal.SIGKILL)
        return
    children = []
    with contextlib.suppress(ImportError):  # psutil missing: the launcher alone is killed
        import psutil

        with contextlib.suppress(psutil.Error, OSError):  # the launcher already gone
            children = psutil.Process(proc.pid).children(recursive=True)
        for child in children:
            with contextlib.suppress(psutil.Error, OSError):  # gone already, or not ours
                child.kill()
    with contextlib.suppress(OSError):
        proc.kill()
