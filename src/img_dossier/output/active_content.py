"""Which PDF actions are active content, and stripping them from a pypdf writer's pages.

The dossier (pikepdf) and ``dossier pack`` (pypdf) drop the same actions: scripts,
programs launched, data imported and forms sent or reset; page and web links stay.
"""

from __future__ import annotations

import contextlib
from typing import Any

#: Actions a dossier for a program coordinator must not carry: scripts, programs, forms sent.
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm"})


def strip_writer(writer: Any) -> None:
    """Drop scripts and launch actions from a pypdf ``PdfWriter``'s pages and form fields."""
    from pypdf.generic import DictionaryObject, NameObject

    for page in writer.pages:
        with contextlib.suppress(Exception):  # a malformed page keeps what it has
            if "/AA" in page:
                del page[NameObject("/AA")]
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                if not isinstance(annot, DictionaryObject):
                    continue
                if "/AA" in annot:
                    del annot[NameObject("/AA")]
                action = annot.get("/A")
                action = action.get_object() if action is not None else None
                if isinstance(action, DictionaryObject) and (
                    action.get("/S") in ACTIVE_ACTIONS or "/Next" in action
                ):
                    del annot[NameObject("/A")]
    with contextlib.suppress(Exception):  # form fields' own scripts (keystroke, calculate)
        form = writer.root_object.get("/AcroForm")
        stack = list((form.get_object().get("/Fields") or []) if form is not None else [])
        seen: set[int] = set()
        while stack and len(seen) < 100_000:
            field = stack.pop().get_object()
            if not isinstance(field, DictionaryObject) or id(field) in seen:
                continue
            seen.add(id(field))
            if "/AA" in field:
                del field[NameObject("/AA")]
            stack.extend(field.get("/Kids") or [])
