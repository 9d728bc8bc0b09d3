"""Print pip constraints that pin every dependency to its pyproject floor (`>=X` -> `==X`).

CI installs the package with them (`pip install -c floors.txt -e '.[test]'`) and runs the
suite, so a floor in pyproject.toml is a version the code is tested with, not a guess:

    python tools/floors.py > floors.txt
    pip install -c floors.txt -e '.[test]' && pytest -q

Only the runtime dependencies are pinned by default: the test tools (ruff, mypy) judge the
code by their own version's rules, so pinning them old would test the tools, not the code.
`--extra test` pins those floors too. A dependency without a `>=` floor is left free.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# name, the `>=` floor, and the environment marker after `;` (kept: a floor for CPython only
# must not be installed on PyPy)
SPEC = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*"
    r"(?P<ranges>[^;]*?)\s*(?:;\s*(?P<marker>.+))?$"
)
FLOOR = re.compile(r">=\s*([0-9][A-Za-z0-9.+!-]*)")


def floors(requirements: list[str]) -> list[str]:
    """``name==floor[; marker]`` for each requirement that has a ``>=`` floor."""
    out = []
    for requirement in requirements:
        match = SPEC.match(requirement)
        if match is None:
            raise ValueError(f"pyproject.toml: cannot read the requirement {requirement!r}")
        floor = FLOOR.search(match["ranges"])
        if floor is None:
            continue
        line = f"{match['name']}=={floor[1]}"
        if match["marker"]:
            line += f"; {match['marker'].strip()}"
        out.append(line)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="append", default=[], help="also pin this extra")
    args = parser.parse_args(argv)
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in args.extra:
        requirements += project["optional-dependencies"][extra]
    sys.stdout.write("".join(line + "\n" for line in floors(requirements)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
