"""Document -> item id: dossier.yaml ``files:`` first, then the file name, then content evidence.

OWNER: helper "core" (stub until then).
"""

from __future__ import annotations

from collections.abc import Sequence

from .checklist import Checklist
from .model import Document
from .profile import Profile


def classify(documents: Sequence[Document], checklist: Checklist, profile: Profile) -> list[Document]:
    """Return the documents with item, classified_by and evidence set (unclassified: a problem)."""
    raise NotImplementedError
