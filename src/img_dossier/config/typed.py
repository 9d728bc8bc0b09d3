"""pydantic's validation errors as this tool's messages: file, field, what was found, the fix,
and the line when the file says where the field is.

Every message has the shape ``FILE: a.b.c: what was wrong (got VALUE) (line N)``. In a
checklist, items, steps and notices are named by their id (``items.passport.min``) and
rules by their number and type (``items.passport.rules[2] (valid-until).months``), as a
checklist author counts them; in other files lists are numbered from 0.
"""

from __future__ import annotations

import re
import reprlib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .yamlfile import line_in, rt_tree

__all__ = ["Found", "Style", "errors_of", "got", "messages"]

_SHOWN = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxdict = 1, 4, 4
_SHOWN.maxstring = _SHOWN.maxother = 60


def got(value: Any) -> str:
    """What was found, short: a pasted paragraph or a nested alias tree stays one line."""
    if isinstance(value, str):
        shown = value if len(value) <= 80 else value[:77] + "..."
        return f'(got "{shown}")'
    return f"(got {_SHOWN.repr(value)})"


@dataclass(frozen=True)
class Style:
    """How one kind of file names its fields in messages."""

    #: lists whose entries are named by their ``id`` (a checklist's items, steps, notices)
    by_id: frozenset[str] = frozenset()
    #: lists numbered from 1 (a checklist's rules, evidence groups, ``when`` groups)
    one_based: bool = False
    #: ("Model.field", error type) -> what to say instead of pydantic's words ("*": any)
    say: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: nouns for an unknown key, by the model it is found in
    unknown: Mapping[str, str] = field(default_factory=dict)
    #: list entries shown with this key's value: ``fields[0] (referee_name): example: ...``
    named: str | None = None


_HEADER = "missing; every checklist needs an id, a title, a version and a track"

CHECKLIST = Style(
    by_id=frozenset({"items", "steps", "notices"}),
    one_based=True,
    say={
        **{(f"FullChecklist.{k}", "missing"): _HEADER for k in ("id", "title", "version", "track")},
        ("FullChecklist.items", "missing"): "a checklist needs a list of items",
        ("FullItem.title", "missing"): "missing; every item needs a title (what the document is)",
        ("FullItem.source", "missing"): "missing; every item needs a source (the page or agency "
        "the requirement comes from)",
        ("Portal.source", "missing"): "missing; every portal rule needs a source",
        ("FullChecklist.languages", "string_pattern_mismatch"): "must be an ISO 639-1 code such "
        "as en",
    },
    unknown={
        "Item": "unknown field",
        "FullItem": "unknown field",
        "Conditions": "unknown condition",
        "ConditionGroup": "unknown condition",
    },
)

DOSSIER = Style(
    say={
        ("MedicalSchool.language", "string_pattern_mismatch"): "must be a two-letter ISO 639-1 "
        "code such as es or fr",
        ("DossierFile.dates[key]", "string_pattern_mismatch"): "must be a lower-case name such "
        "as passport_expiry",
        ("MedicalSchool.graduation_year", "*"): "must be a year such as 2021",
    }
)

TEMPLATE = Style(
    named="name",
    say={
        ("TemplateFile.fields", "too_short"): "must be a list of fields (name, description, "
        "required or default, example)",
        ("TemplateFile.fields", "list_type"): "must be a list of fields (name, description, "
        "required or default, example)",
        ("TemplateField.name", "string_pattern_mismatch"): "must be a dotted name such as "
        "referee_name or applicant.family_name",
        ("TemplateField.example", "missing"): "give an example value (shown by `letters show`)",
    },
)


def errors_of(
    exc: ValidationError,
    name: str,
    path: Path | None,
    data: Any,
    model: type[BaseModel],
    style: Style = Style(),
    file_data: Any = None,
) -> list[str]:
    """One message per wrong field of ``data`` (what ``model`` was given); ``file_data`` is
    the file's own content when ``data`` was merged from more (a checklist's ``extends``)."""
    tree = rt_tree(path)
    found = []
    best: dict[tuple[Any, ...], tuple[int, str]] = {}  # union -> the branch the user meant
    for err in exc.errors(include_url=False):
        shown, file_loc, branches, what = _describe(err, data, file_data, model, style)
        line = line_in(tree, file_loc) if tree is not None else None
        found.append((shown, what, line, branches))
        for union, branch, fit in branches:
            if union not in best or fit > best[union][0]:
                best[union] = (fit, branch)
    # one message for the same mistake in every entry of a list (an alias repeated 1,000 times)
    alike: dict[tuple[str, str], list[tuple[str, str, int | None]]] = {}
    for shown, what, line, branches in found:
        if all(best[union][1] == branch for union, branch, _ in branches):
            key = (_INDEX.sub("[]", shown), what.split(" (got ")[0])
            if (shown, what, line) not in alike.setdefault(key, []):
                alike[key].append((shown, what, line))
    out = []
    for same in alike.values():
        shown, what, line = same[0]
        message = f"{name}: {shown}: {what}" if shown else f"{name}: {what}"
        if len(same) > 1:
            message += f" (and {len(same) - 1} more like it)"
        out.append(message + (f" (line {line})" if line is not None else ""))
    return out


_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Found:
    """An error a loader finds beyond what its model checks (an id given twice, a name that
    refers to nothing), said like the model's: the field as shown, what is wrong with the
    fix, and the field's place in the file (keys and list indexes), for its line."""

    field: str
    what: str
    loc: tuple[str | int, ...] = ()


def messages(name: str, path: Path | None, found: Sequence[Found]) -> list[str]:
    """``FILE: field: what (line N)`` for each error (the line when the file says where)."""
    tree = rt_tree(path) if found else None
    out = []
    for f in found:
        line = line_in(tree, f.loc) if tree is not None and f.loc else None
        message = f"{name}: {f.field}: {f.what}" if f.field else f"{name}: {f.what}"
        out.append(message + (f" (line {line})" if line is not None else ""))
    return out


def _describe(
    err: Any, data: Any, file_data: Any, model: type[BaseModel], style: Style
) -> tuple[str, list[str | int], list[tuple[tuple[Any, ...], str, int]], str]:
    """(the field as shown, its place in the file, the union branches taken with how well
    each fits the value given, what is wrong)."""
    node, file_node = data, data if file_data is None else file_data
    shown = ""
    file_loc: list[str | int] = []
    file_ok = True
    model_loc: list[str | int] = []
    branches: list[tuple[tuple[Any, ...], str, int]] = []
    in_when = False
    sep = "."
    rule_type: str | None = None
    last = ""
    loc = list(err["loc"])
    for n, part in enumerate(loc):
        final = n == len(loc) - 1
        if isinstance(part, int):
            model_loc.append(part)
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            here: str | int | None = None
            if (
                last in style.by_id
                and isinstance(node, Mapping)
                and isinstance(node.get("id"), str)
            ):
                shown += f".{node['id']}" if shown else str(node["id"])
                here = _index_of_id(file_node, node["id"])
            else:
                if not in_when or last == "when":
                    shown += f"[{part + 1 if style.one_based else part}]"
                named = node.get(style.named) if style.named and isinstance(node, Mapping) else None
                if isinstance(named, str):
                    shown += f" ({named})"
                    sep = ": "
                here = part if isinstance(file_node, list) and part < len(file_node) else None
            if last == "rules" and isinstance(node, Mapping):
                rule_type = str(node.get("type"))
                if loc[n + 1 : n + 3] not in (["source"], [rule_type, "source"]):
                    shown += f" ({rule_type})"
            file_ok = file_ok and here is not None
            if file_ok and here is not None:
                file_loc.append(here)
                file_node = file_node[here]
            continue
        if part == rule_type:  # the rule's own type, which names its model: said above
            model_loc.append(part)
            continue
        missing_key = final and err["type"] == "missing"
        if (isinstance(node, Mapping) and (part in node or missing_key)) or part == "[key]":
            if part == "[key]":
                continue
            model_loc.append(part)
            if not in_when or last == "when":
                shown += f"{sep}{part}" if shown else part
                sep = "."
            in_when = in_when or part == "when"
            last = part
            node = node.get(part) if isinstance(node, Mapping) else None
            if file_ok and isinstance(file_node, Mapping) and part in file_node:
                file_loc.append(part)
                file_node = file_node[part]
            else:
                file_ok = False
            continue
        # a union branch pydantic tried (list[...], a model's name): not a field
        branches.append((tuple(loc[:n]), part, _fit(part, node)))
        model_loc.append(part)
    return shown, file_loc, branches, _what(err, last, model, model_loc, style, in_when, rule_type)


def index_of_id(entries: Any, eid: str) -> int | None:
    """The index of the entry whose ``id`` is ``eid`` in a list from a file, or None."""
    return _index_of_id(entries, eid)


def _index_of_id(entries: Any, eid: str) -> int | None:
    if not isinstance(entries, list):
        return None
    return next(
        (i for i, e in enumerate(entries) if isinstance(e, Mapping) and e.get("id") == eid), None
    )


def _fit(branch: str, value: Any) -> int:
    """How well a union branch suits the value given: the error of the branch the user meant
    is the one worth showing (a list's, for a list)."""
    if isinstance(value, list):
        return 2 if branch.startswith(("list[", "tuple[")) else 0
    if isinstance(value, Mapping):
        return 2 if branch[:1].isupper() or branch.startswith("dict[") else 0
    container = branch.startswith(("list[", "tuple[", "dict[")) or branch[:1].isupper()
    return 0 if container else 1


def _what(
    err: Any,
    last: str,
    model: type[BaseModel],
    loc: list[str | int],
    style: Style,
    in_when: bool,
    rule_type: str | None,
) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == r"\S":
        kind = "string_too_short"  # the pattern of text that must say something
    if rule_type is not None and last == "source" and kind in ("missing", "string_too_short"):
        return f"every rule needs a source (rule {rule_type})"
    if kind == "union_tag_invalid":
        tags = str(err.get("ctx", {}).get("expected_tags", "")).replace("'", "")
        return f"unknown rule type; expected one of: {', '.join(sorted(tags.split(', ')))}"
    if kind == "union_tag_not_found":
        return "each rule needs a type"
    parent = _model_at(model, loc[:-1])
    place = f"{parent.__name__ if parent else ''}.{last}"
    if err["loc"][-1:] == ("[key]",):
        outer = _model_at(model, loc[:-2])
        place = f"{outer.__name__ if outer else ''}.{loc[-2] if len(loc) > 1 else ''}[key]"
    said = style.say.get((place, kind)) or style.say.get((place, "*"))
    if said is not None:
        return said if kind == "missing" else f"{said} {got(value)}"
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        keys = sorted(f.alias or k for k, f in parent.model_fields.items()) if parent else []
        noun = "unknown key"
        if parent is not None:
            noun = style.unknown.get(parent.__name__, noun)
            if rule_type is not None and parent.__name__ not in style.unknown:
                noun = "unknown parameter"
            if noun == "unknown parameter":
                keys = [k for k in keys if k not in ("type", "source")]
        return f"{noun}; expected one of: {', '.join(keys)}" if keys else noun
    if kind == "missing":
        return "missing; it is required"
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace("'", "")
        expected = expected.replace(" or ", ", ")
        if in_when:
            return f"unknown value {value!r}; expected one of: {expected}"
        return f"must be one of {expected} {got(value)}"
    if kind.startswith(("date_", "datetime_")):
        return f"not a date {got(value)}; write it as YYYY-MM-DD"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    fixed = {
        "bool_type": "must be true or false",
        "string_type": "must be text",
        "string_too_short": "must be non-empty text",
        "int_type": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_type": "must be a number",
        "list_type": "must be a list",
        "tuple_type": "must be a list such as [width, height]",
        "dict_type": "must be a mapping",
        "model_type": "must be a mapping",
        "model_attributes_type": "must be a mapping",
    }.get(kind)
    if fixed is None:
        fixed = _message(str(err["msg"]))
    return f"{fixed} {got(value)}"


def _message(msg: str) -> str:
    msg = msg.replace("Input should be", "must be").replace("input should be", "must be")
    msg = msg.replace("List should have", "must have").replace("Tuple should have", "must have")
    msg = msg.replace("Dictionary should have", "must have")
    return msg[:1].lower() + msg[1:]


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model found at ``loc`` inside ``root`` (its fields name what may be there)."""
    current: Any = root
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    models = [m for m in _members(current) if _is_model(m)]
    return models[0] if len(models) == 1 else None


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _unwrap(t: Any) -> Any:
    while typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    return t


def _members(t: Any) -> tuple[Any, ...]:
    t = _unwrap(t)
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        return tuple(_unwrap(m) for m in typing.get_args(t))
    return (t,)


def _step(t: Any, part: str | int) -> Any:
    members = _members(t)
    if isinstance(part, str):
        for m in members:  # a branch named by its model or its tag
            if _is_model(m) and (m.__name__ == part or _tag(m) == part):
                return m
        if "[" in part:
            return t  # a union branch such as list[str]: the same value
    for m in members:
        origin = typing.get_origin(m)
        args = typing.get_args(m)
        if _is_model(m) and isinstance(part, str):
            for name, info in m.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
        elif origin in (list, tuple) and isinstance(part, int) and args:
            return args[0]
        elif origin is dict and isinstance(part, str) and len(args) == 2:
            return args[1]
    return None


def _tag(m: type[BaseModel]) -> str | None:
    info = m.model_fields.get("type")
    args = typing.get_args(info.annotation) if info is not None else ()
    return str(args[0]) if len(args) == 1 else None
