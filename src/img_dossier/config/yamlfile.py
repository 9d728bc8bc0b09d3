"""Reading YAML files: YAML 1.2 (``NO`` is text, ``010`` is ten), a duplicate key is an error.

Every configuration file (checklists, dossier.yaml, letter templates' field files) is read
here, with ruamel.yaml's safe loader (its C parser when ruamel.yaml.clib is installed).
PyYAML reads YAML 1.1, where ``country: NO`` is ``False`` and a repeated key silently wins.
Messages name the file, the line and the column. ``line_of`` finds where a field is, so
that a validation message can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import BadInputError

__all__ = ["line_in", "line_of", "parse_yaml", "read_yaml", "rt_tree"]


class _Constructor(SafeConstructor):
    """The safe constructor, with impossible dates (2030-02-30) kept as text for the field
    checks, which name the field (a bare ValueError would name nothing)."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _safe(pure: bool = False) -> YAML:
    # pure=False: the C parser when ruamel.yaml.clib is there (about 8x faster), else Python
    yaml = YAML(typ="safe", pure=pure)
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


#: Largest YAML file read (a dossier.yaml is a few kB, a checklist under 100 kB): a 1 GB
#: file is refused after reading this much, never read whole.
MAX_YAML_BYTES = 4 * 1024 * 1024

#: Most distinct lists and mappings, and nesting levels, in a file; an alias that contains
#: itself is refused too (walking it would never end).
MAX_YAML_VALUES = 200_000
MAX_YAML_DEPTH = 100


def _text(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise BadInputError(
                f"{path}: over {MAX_YAML_BYTES // (1024 * 1024)} MB, far larger than such a "
                "file can be; it is not a settings file: replace it"
            )
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInputError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_yaml(path: Path) -> Any:
    """The parsed YAML of a file; unreadable or malformed files are BadInputError naming the
    file, line and column (a duplicate key names both lines)."""
    return parse_yaml(_text(path), str(path))


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text (``name`` says where it came from in messages)."""
    data = _parse(text, name)
    if not _bounded(data):
        raise BadInputError(
            f"{name}: holds more than {MAX_YAML_VALUES} lists or {MAX_YAML_DEPTH} levels, or "
            "an alias that contains itself; write it out plainly"
        )
    return data


#: Deepest [ ] / { } nesting parsed: ruamel.yaml's C parser recurses per level, and 100,000
#: levels overflow the C stack (a segmentation fault, not an exception).
MAX_FLOW_DEPTH = 1000
_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth_ok(text: str) -> bool:
    """False when brackets nest deeper than MAX_FLOW_DEPTH (counted over the whole text: a
    bracket in a quoted string or a comment counts too, which only errs on the safe side)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_FLOW_DEPTH:
            return False
        depth = max(depth, 0)
    return True


def _parse(text: str, name: str) -> Any:
    if not _flow_depth_ok(text):
        raise BadInputError(
            f"{name}: not valid YAML: lists or mappings nested more than {MAX_FLOW_DEPTH} "
            "levels deep; write it out plainly"
        )
    try:
        return _safe().load(text)
    except YAMLError:
        pass  # the C parser's libyaml is YAML 1.1 in places (`url: https://x` in {...}):
    except (ValueError, RecursionError, OverflowError) as exc:
        raise _unreadable_value(name, exc) from None
    try:  # the Python parser decides, and its message is the one shown
        return _safe(pure=True).load(text)
    except MarkedYAMLError as exc:
        raise BadInputError(f"{name}: {_describe(exc, text)}") from None
    except YAMLError as exc:
        raise BadInputError(f"{name}: not valid YAML: {exc}") from None
    except (ValueError, RecursionError, OverflowError) as exc:
        raise _unreadable_value(name, exc) from None


def _unreadable_value(name: str, exc: Exception) -> BadInputError:
    """An integer of more than 4,300 digits (Python refuses to convert it), or nesting past
    the parser's recursion: bad input, never a crash."""
    return BadInputError(
        f"{name}: not valid YAML: a value it holds cannot be read ({str(exc)[:100]})"
    )


def _bounded(data: Any) -> bool:
    """True when ``data`` has no alias that contains itself, at most MAX_YAML_DEPTH levels and
    MAX_YAML_VALUES distinct lists and mappings (an alias used many times is walked once:
    the fields that read it bound what they take, with their own messages)."""
    seen: set[int] = set()

    def walk(value: Any, depth: int, above: frozenset[int]) -> bool:
        if not isinstance(value, Mapping | list):
            return True
        key = id(value)
        if key in above or depth > MAX_YAML_DEPTH:
            return False  # an alias inside itself, or nested too deep
        if key in seen:
            return True
        seen.add(key)
        if len(seen) > MAX_YAML_VALUES:
            return False
        children = (
            [v for pair in value.items() for v in pair] if isinstance(value, Mapping) else value
        )
        inner = above | {key}
        return all(walk(child, depth + 1, inner) for child in children)

    return walk(data, 0, frozenset())


def _describe(exc: MarkedYAMLError, text: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = str(exc.problem or "malformed").strip()
    if problem.startswith("found duplicate key"):
        first = exc.context_mark
        also = f" (first at line {first.line + 1})" if first is not None else ""
        key = problem.split('"')[1] if problem.count('"') >= 2 else "a key"
        return (
            f"line {mark.line + 1 if mark else '?'}: duplicate key {key}{also}; a key may "
            "appear once in a mapping: keep one and delete the other"
        )
    if mark is not None and _tab_at(text, mark.line, mark.column):
        problem += "; it is a tab: indent with spaces, never tabs"
    return f"not valid YAML{where}: {problem}"


def _tab_at(text: str, line: int, column: int) -> bool:
    """True when the YAML error is at (or just after) a tab of the line's indentation."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return False
    return "\t" in lines[line][: column + 1]


def rt_tree(path: Path | None) -> Any:
    """The file parsed with positions (for ``line_in``), or None when it cannot be."""
    if path is None:
        return None
    try:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError, ValueError, RecursionError):
        return None


def line_of(path: Path | None, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the field at ``loc`` (keys and list indexes) in a YAML file, or of
    its nearest parent that is there; None when the file cannot say."""
    return line_in(rt_tree(path), loc)


def line_in(node: Any, loc: Sequence[str | int]) -> int | None:
    """``line_of`` in a tree ``rt_tree`` gave."""
    line: int | None = None
    for key in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and key in node:
                line = lc.key(key)[0] + 1 if lc is not None else line
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                line = lc.item(key)[0] + 1 if lc is not None else line
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line
