"""ruff (lint and format) and mypy, as configured in pyproject.toml, are clean on the library
(and ruff on tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    # run from this interpreter's environment: a venv that is not activated has no `ruff`
    # on PATH, and a skipped lint would hide errors
    pytest.importorskip("ruff")
    done = _run(sys.executable, "-m", "ruff", "check", "src", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_applied() -> None:
    """`ruff format src tests` leaves nothing to change (one style, no churn in reviews)."""
    pytest.importorskip("ruff")
    done = _run(sys.executable, "-m", "ruff", "format", "--check", "src", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    pytest.importorskip("mypy")
    done = _run(sys.executable, "-m", "mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_complexity_caps_are_configured() -> None:
    """ruff's complexity caps are on (C901 and the pylint counts), at the levels chosen; a
    function over them is split or says why on its `def` line (`# noqa: C901`)."""
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    lint = config["tool"]["ruff"]["lint"]
    assert {"C90", "PLR0911", "PLR0912", "PLR0915"} <= set(lint["select"])
    assert lint["mccabe"]["max-complexity"] <= 20
    assert lint["pylint"]["max-branches"] <= 20


# markers pytest itself defines: used without being registered
BUILTIN_MARKERS = {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings"}


def test_markers_are_strict_registered_and_each_used() -> None:
    """An unknown marker is an error (a misspelt `slow` marker would silently keep a
    test in the quick loop), and every registered marker is used by some test."""
    import re
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    assert "--strict-markers" in options["addopts"].split()
    registered = {line.partition(":")[0].strip() for line in options["markers"]}
    used = {
        name
        for path in (REPO / "tests").rglob("*.py")
        for name in re.findall(r"pytest\.mark\.(\w+)", path.read_text(encoding="utf-8"))
    } - BUILTIN_MARKERS
    assert registered == used, (
        f"registered but unused: {registered - used}; unregistered: {used - registered}"
    )


def test_the_floors_script_pins_every_runtime_dependency_to_its_floor() -> None:
    """tools/floors.py (the CI `floors` job's constraints) pins each `>=X` to `==X`, keeps
    environment markers, and leaves out nothing that has a floor."""
    import tomllib

    done = _run(sys.executable, "tools/floors.py")
    assert done.returncode == 0, done.stderr
    pins = dict(line.split("==", 1) for line in done.stdout.splitlines())
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert len(pins) == len([d for d in project["dependencies"] if ">=" in d])
    assert pins["click"] == "8.2" and pins["pypdf"].startswith("6.")
    assert pins["ruamel.yaml.clib"].endswith("; platform_python_implementation == 'CPython'")
    assert "pytest" not in pins  # the test tools stay free unless --extra test
    extra = _run(sys.executable, "tools/floors.py", "--extra", "test")
    assert "pytest==" in extra.stdout


def test_tests_compare_exit_codes_by_name() -> None:
    """`result.exit_code == ExitCode.BAD_INPUT`, never `== 3`: the name says what is meant
    and INTERFACE.md's table is in one place (img_dossier.errors.ExitCode)."""
    import re

    number = re.compile(r"\.exit_code\s*(?:==|!=|in|not in)\s*[(\[{]?\s*\d")
    found = [
        f"{path.relative_to(REPO).as_posix()}:{n}"
        for path in sorted((REPO / "tests").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if number.search(line)
    ]
    assert not found, f"compare exit codes by ExitCode name, not number: {found}"
