"""Facts read from a document: dates, names, the passport MRZ, exam results, language,
a letter's origin and a Statement of Need's elements.

``document`` puts them together for one document; its public names are re-exported here.
"""

from __future__ import annotations

from .document import (
    DATE_FACTS,
    GENERIC_FACTS,
    MAX_TEXT,
    carried_facts,
    certification_statement,
    declared_dates,
    declared_key_applies,
    extract,
    fact_date,
    keep_carried,
    read_text,
    specialty,
)

__all__ = [
    "DATE_FACTS",
    "GENERIC_FACTS",
    "MAX_TEXT",
    "carried_facts",
    "certification_statement",
    "declared_dates",
    "declared_key_applies",
    "extract",
    "fact_date",
    "keep_carried",
    "read_text",
    "specialty",
]
