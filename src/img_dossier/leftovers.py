"""What a killed run leaves behind, and the next run removing it: only ours, only when dead.

A run ended by SIGKILL, a crash, the out-of-memory killer or a power cut runs no clean-up:
the temporary file beside an output (part of an applicant's dossier or letter) and the
temporary folders stay. So every temporary the tool makes carries its maker in its name:

- beside an output: ``.NAME.img-dossier-<machine>-<pid>-<start>-<random>.tmp`` (a file, or
  the folder ``pack`` fills before renaming it into place), and ``...<random>.old``, the
  earlier folder ``pack`` moves aside while it renames its new one into place;
- in the system's temporary folder: ``img-dossier-run-<machine>-<pid>-<start>-<random>``,
  the one folder under which a ``dossier`` command makes all its temporary files (the
  console entry point points ``TMPDIR`` there, so its workers and LibreOffice use it too).

``<machine>`` is 8 hex digits naming this machine, process namespace and user;
``<pid>`` the process that made it, and ``<start>`` that process's start time (clock ticks
since boot on Linux, milliseconds since the epoch elsewhere; base 36). Before the tool
writes into a folder, it removes the entries there (and, at a command's start, in the
temporary folder) that are proven stale: the name has exactly this form with our machine
tag, the entry is a plain file or folder (not a link) owned by the user, and no process runs
with that pid and that start time (the pid is unused, a zombie, or reused by a process
started at another time). A stale ``.old`` folder is put back as ``NAME`` when nothing is
there (its run was killed between its two renames: the earlier output stays, as it would
have had the run been killed a moment sooner) and removed when ``NAME`` is there (the new
output was in place). Anything else is left alone: another user's or another machine's
files, a live run's temporaries (however many run at once), names a person chose.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from pathlib import Path

__all__ = [
    "RUN_PREFIX",
    "end_run_folder",
    "file_beside",
    "folder_beside",
    "identity",
    "replaced_beside",
    "start_run_folder",
    "sweep_beside",
    "sweep_temp_root",
]

#: The start time in the name of a temporary whose maker could not read its own.
UNKNOWN = "0"

#: The start of a run's temporary folder's name (in the system's temporary folder).
RUN_PREFIX = "img-dossier-run-"

_ID = r"(?P<machine>[0-9a-f]{8})-(?P<pid>[1-9][0-9]{0,9})-(?P<start>[0-9a-z]{1,14})-[a-z0-9_]{8}"
_BESIDE = re.compile(r"\.(?P<name>.+)\.img-dossier-" + _ID + r"\.(?P<kind>tmp|old)")
_RUN = re.compile(re.escape(RUN_PREFIX) + _ID)

#: pid -> "<machine>-<pid>-<start>" of this process (a forked worker has its own pid)
_identities: dict[int, str] = {}
#: (pid, pattern, folder) already swept by this process
_swept: set[tuple[int, str, str]] = set()
#: (pid, folder) of the run folder this process made (``start_run_folder``)
_run_folder: tuple[int, Path] | None = None


# -- who made it ---------------------------------------------------------------------------


def identity() -> str:
    """``<machine>-<pid>-<start>`` of this process, for the name of a temporary it makes."""
    pid = os.getpid()
    found = _identities.get(pid)
    if found is None:
        start = _start_time(pid)
        known = _base36(start) if start is not None and start >= 0 else UNKNOWN
        found = f"{_machine()}-{pid}-{known}"
        _identities[pid] = found
    return found


def _machine() -> str:
    """8 hex digits for this machine, its process namespace and this user: a temporary
    with another tag was made where this process cannot see whether its maker runs."""
    import zlib

    parts = [_read("/etc/machine-id") or _read("/var/lib/dbus/machine-id")]
    if hasattr(os, "uname"):
        parts.append(os.uname().nodename)
    parts.append(os.environ.get("COMPUTERNAME", ""))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            parts.append(str(Path("/proc/self/ns/pid").readlink()))
    getuid = getattr(os, "getuid", None)
    parts.append(str(getuid()) if getuid is not None else os.environ.get("USERNAME", ""))
    return f"{zlib.crc32(chr(0).join(parts).encode('utf-8', 'replace')):08x}"


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def proc_stat(pid: int | str) -> list[bytes]:
    """The fields of Linux's ``/proc/PID/stat`` after the command name, from the state on
    (field 3 of proc(5) is [0], the start time in clock ticks after boot, field 22, is
    [19]); raises OSError or IndexError when it cannot be read."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        return fh.read().rsplit(b")", 1)[1].split()


def _start_time(pid: int) -> int | None:
    """When ``pid`` started (stable for the life of the process), None when it does not run
    (or is a zombie); -1 when it runs but its start cannot be read (not ours to judge)."""
    if sys.platform.startswith("linux") and Path("/proc/self").is_dir():
        try:
            fields = proc_stat(pid)
        except FileNotFoundError:
            return None
        except (OSError, IndexError):
            return -1
        if fields[:1] in ([b"Z"], [b"X"]):  # ended, not yet reaped by its parent
            return None
        try:
            return int(fields[19])  # field 22 of proc(5): clock ticks after boot
        except (IndexError, ValueError):
            return -1
    try:
        import psutil
    except ImportError:
        return -1
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return round(proc.create_time() * 1000)
    except psutil.NoSuchProcess:
        return None
    except (psutil.Error, OSError):
        return -1


def _maker_gone(pid: int, start: str) -> bool:
    """True only when no process with ``pid`` started at ``start`` (base 36) runs now."""
    if pid == os.getpid():
        return False
    now = _start_time(pid)
    if now is None:
        return True
    if now < 0 or start == UNKNOWN:
        return False  # it runs, and when it started cannot be told: keep what it made
    return _base36(now) != start


# -- making temporaries --------------------------------------------------------------------


def file_beside(target: Path) -> tuple[int, Path]:
    """A new empty file (mode 0600) beside ``target`` to write before renaming it into
    place, open for writing: (fd, path). Stale temporaries there are removed first."""
    import tempfile

    folder = target.parent
    sweep_beside(folder)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.img-dossier-{identity()}-", suffix=".tmp", dir=folder
    )
    return fd, Path(name)


def folder_beside(target: Path) -> Path:
    """A new empty folder (mode 0700) beside ``target``, to be renamed into its place."""
    import tempfile

    folder = target.parent
    sweep_beside(folder)
    return Path(
        tempfile.mkdtemp(
            prefix=f".{target.name}.img-dossier-{identity()}-", suffix=".tmp", dir=folder
        )
    )


def replaced_beside(target: Path) -> Path:
    """A free name beside ``target``, ``.NAME.img-dossier-<maker>-<random>.old``, to move
    the folder ``target`` to while its replacement is renamed into place. If this process
    is killed before it removes that folder, a later sweep puts it back (no ``target``) or
    removes it (``target`` there)."""
    import tempfile

    folder = target.parent
    sweep_beside(folder)
    reserved = Path(
        tempfile.mkdtemp(
            prefix=f".{target.name}.img-dossier-{identity()}-", suffix=".old", dir=folder
        )
    )
    reserved.rmdir()  # the name is free and ours (a rename onto a folder fails on Windows)
    return reserved


# -- removing stale ones -------------------------------------------------------------------


def sweep_beside(folder: Path) -> list[Path]:
    """Remove the stale temporaries beside outputs in ``folder`` (once per process)."""
    return _sweep(folder, _BESIDE)


def sweep_temp_root(folder: Path) -> list[Path]:
    """Remove the stale run folders in ``folder`` (the system's temporary folder)."""
    return _sweep(folder, _RUN)


def _sweep(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    key = (os.getpid(), pattern.pattern, str(Path(folder).absolute()))  # /tmp is both
    if key in _swept:
        return []
    _swept.add(key)
    removed: list[Path] = []
    machine = identity().split("-", 1)[0]
    try:
        with os.scandir(folder) as entries:
            found = [(e, m) for e in entries if (m := pattern.fullmatch(e.name)) is not None]
    except OSError:  # not there yet, or not readable: nothing of ours to remove
        return removed
    for entry, match in found:
        if match["machine"] != machine or not _maker_gone(int(match["pid"]), match["start"]):
            continue
        path = Path(entry.path)
        if match.groupdict().get("kind") == "old":  # a folder pack moved aside
            target = Path(folder) / match["name"]
            if not os.path.lexists(target):  # killed between its renames: undo the first
                if not _being_replaced(folder, match["name"], machine):
                    _put_back(path, target)
                continue
        if _remove(path):
            removed.append(path)
    return removed


def _being_replaced(folder: Path, name: str, machine: str) -> bool:
    """True when a run that may be live has moved ``name`` aside (its ``.old`` is there):
    ``name`` is missing only until that run renames its new folder in, so a killed run's
    earlier folder must not take the place (it would make that run fail, and the newer
    folder it moved aside be removed). Read afresh: it may have started after the sweep
    listed the folder."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries]
    except OSError:
        return True  # cannot tell
    for entry in names:
        found = _BESIDE.fullmatch(entry)
        if found is None or found["kind"] != "old" or found["name"] != name:
            continue
        if found["machine"] != machine or not _maker_gone(int(found["pid"]), found["start"]):
            return True
    return False


def _put_back(path: Path, target: Path) -> None:
    """A killed run moved the folder ``target`` aside to ``path`` and was killed before its
    new folder took the place: the earlier folder goes back. Only a plain folder of this
    user's (never a link). What took the place meanwhile stays (a rename onto a file or onto
    a folder with anything in it fails; on Windows, onto anything), and this one is then
    removed by a later sweep."""
    try:
        info = os.lstat(path)
        geteuid = getattr(os, "geteuid", None)
        if stat.S_ISDIR(info.st_mode) and (geteuid is None or info.st_uid == geteuid()):
            path.rename(target)
    except OSError:  # gone meanwhile (another run put it back), or the place taken
        pass


def _remove(path: Path) -> bool:
    """Remove a stale temporary: a plain file or folder of this user's, never a link."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and info.st_uid != geteuid():
        return False
    try:
        if stat.S_ISREG(info.st_mode):
            path.unlink()
            return True
        if stat.S_ISDIR(info.st_mode):
            import shutil

            shutil.rmtree(path, ignore_errors=True)
            return not os.path.lexists(path)
    except OSError:  # gone meanwhile, or in use (Windows): left for another run
        pass
    return False


# -- a run's temporary folder --------------------------------------------------------------


def start_run_folder() -> Path | None:
    """The console's: make this run's temporary folder and send every temporary file of
    the run there (``TMPDIR``, inherited by workers and LibreOffice), after removing the
    run folders of runs that were killed. None when no temporary folder is writable (the
    system's default is then left as it is)."""
    global _run_folder
    if _run_folder is not None and _run_folder[0] == os.getpid():
        return _run_folder[1]
    for root in _temp_roots():
        sweep_temp_root(root)
        folder = root / f"{RUN_PREFIX}{identity()}-{_random()}"
        try:
            folder.mkdir(0o700)
        except OSError:
            continue
        _run_folder = (os.getpid(), folder)
        names = ("TMPDIR", "TEMP", "TMP") if sys.platform == "win32" else ("TMPDIR",)
        for name in names:
            os.environ[name] = str(folder)
        if "tempfile" in sys.modules:  # loaded already (no cost): told again where to go
            import tempfile

            tempfile.tempdir = str(folder)
        return folder
    return None


def end_run_folder() -> None:
    """Remove this run's temporary folder (in the process that made it only)."""
    global _run_folder
    if _run_folder is None or _run_folder[0] != os.getpid():
        return
    folder = _run_folder[1]
    _run_folder = None
    try:
        folder.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _temp_roots() -> list[Path]:
    """Where the system keeps temporary files, in the order Python's tempfile tries them."""
    if sys.platform == "win32":
        import tempfile

        return [Path(tempfile.gettempdir())]
    told = getattr(sys.modules.get("tempfile"), "tempdir", None)
    chosen = [told] if isinstance(told, str) and told else []
    chosen += [os.environ.get(name, "") for name in ("TMPDIR", "TEMP", "TMP")]
    chosen += ["/tmp", "/var/tmp", "/usr/tmp"]
    roots: list[Path] = []
    for name in chosen:
        if name and Path(name).is_dir() and Path(name) not in roots:
            roots.append(Path(name))
    return roots


def _random() -> str:
    return os.urandom(4).hex()
