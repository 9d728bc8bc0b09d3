"""What a user sees cited by a checklist: every text and source, checked for public pages.

``checklists validate`` refuses a source without a public web address and any text that cites
a project file, an issue or a notes index; ``unconfirmed`` lists the values marked
``confirmed: false`` (``checklists show`` and the README list them).
"""

from __future__ import annotations

import re

from .checklist import Checklist

#: A public web address: a scheme, or a host name with a known top-level domain.
_WEB_ADDRESS = re.compile(
    r"https?://|\b(?:[a-z0-9-]+\.)+(?:org|com|ca|gov|edu|net|jp|dev|in|io|uk|info|us)\b",
    re.IGNORECASE,
)
#: Citations a user cannot follow: a project file (other than their own dossier.yaml), an
#: issue number, an index entry of research notes (S12), a local path.
_INTERNAL = re.compile(
    r"\b(?!dossier\.yaml\b)[\w-]+\.(?:md|ya?ml|py)\b|(?<![\w/])issue\s*#?\s*\d+|(?<![\w/.-])S\d{1,2}\b"
    r"|/work/|\bresearch notes?\b",
    re.IGNORECASE,
)


def user_texts(checklist: Checklist) -> list[tuple[str, str, bool]]:
    """Every text of a checklist a user can see: (where, text, is a source)."""
    out: list[tuple[str, str, bool]] = []
    for item in checklist.items:
        where = f"items.{item.id}"
        out += [(f"{where}.source", item.source, True), (f"{where}.title", item.title, False)]
        out += [
            (f"{where}.{k}", v, False)
            for k, v in (
                ("advice", item.advice),
                ("count_note", item.count_note),
                ("note", item.note),
            )
            if v
        ]
        if item.read_pages is not None:
            out.append((f"{where}.read_pages.source", item.read_pages.source, True))
        for n, rule in enumerate(item.rules, start=1):
            out.append((f"{where}.rules[{n}].source", rule.source, True))
            out += [
                (f"{where}.rules[{n}].{k}", str(rule.params[k]), False)
                for k in ("why", "note")
                if rule.params.get(k)
            ]
    for pid, spec in checklist.portals.items():
        for key in ("source", "pack_source"):
            if spec.get(key):
                out.append((f"portals.{pid}.{key}", str(spec[key]), True))
        out += [
            (f"portals.{pid}.{k}", str(spec[k]), False) for k in ("title", "note") if spec.get(k)
        ]
    for step in checklist.steps:
        out.append((f"steps.{step.id}.source", step.source, True))
        out += [
            (f"steps.{step.id}.{k}", v, False)
            for k, v in (("title", step.title), ("note", step.note), ("advice", step.advice))
            if v
        ]
    for notice in checklist.notices:
        out.append((f"notices.{notice.id}.source", notice.source, True))
        out.append((f"notices.{notice.id}.text", notice.text, False))
        if notice.note:
            out.append((f"notices.{notice.id}.note", notice.note, False))
    return out


def public_source_errors(checklist: Checklist) -> list[str]:
    """What a user would see cited that they cannot look up: a source without a public web
    address, or any text citing a project file, an issue or a research-notes index."""
    name = str(checklist.path) if checklist.path else checklist.id
    errors = []
    for where, text, is_source in user_texts(checklist):
        internal = _INTERNAL.search(text)
        if internal:
            errors.append(
                f"{name}: {where}: cites {internal.group(0)!r}, which a user cannot look up; "
                "cite the public page instead"
            )
        elif is_source and not _WEB_ADDRESS.search(text):
            errors.append(
                f"{name}: {where}: no public web address in the source ({text[:60]!r}); "
                "name the page the requirement comes from (e.g. https://www.ecfmg.org/...)"
            )
    return errors


def unconfirmed(checklist: Checklist) -> list[tuple[str, str]]:
    """Every value marked ``confirmed: false``: (where, its note)."""
    found: list[tuple[str, str]] = []
    for item in checklist.items:
        if not item.confirmed:
            found.append((f"items.{item.id}", item.note))
        for n, rule in enumerate(item.rules, start=1):
            if rule.params.get("confirmed") is False:
                where = f"items.{item.id}.rules[{n}] ({rule.type})"
                found.append((where, str(rule.params.get("note", ""))))
    for pid, spec in checklist.portals.items():
        if spec.get("confirmed") is False:
            found.append((f"portals.{pid}", str(spec.get("note", ""))))
    for step in checklist.steps:
        if not step.confirmed:
            found.append((f"steps.{step.id}", step.note))
    for notice in checklist.notices:
        if not notice.confirmed:
            found.append((f"notices.{notice.id}", notice.note))
    return found
