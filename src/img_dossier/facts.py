"""Facts read from a document's text: dates, outcomes, scores, names, the passport MRZ.

OWNER: helper "deeper checks" (issue 7). Until then no facts are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Document
from .profile import Profile


def extract(doc: Document, profile: Profile) -> Mapping[str, Any]:
    """Facts of a classified document (keys such as ``expiry``, ``outcome``, ``name``)."""
    return {}
