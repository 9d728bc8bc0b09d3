"""The dossier's contents while it is assembled: items (groups) and their documents (parts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pikepdf

from ..model import Document, ItemResult


@dataclass
class Part:
    """A document placed in the dossier: its open PDF and where its pages are."""

    doc: Document
    pdf: pikepdf.Pdf
    pages: int
    first: int = 0  # 0-based index of its first page among the documents' pages
    outline: list[Any] = field(default_factory=list)  # (title, page, xyz, children) nodes


@dataclass
class Group:
    item: ItemResult | None
    title: str
    parts: list[Part] = field(default_factory=list)
