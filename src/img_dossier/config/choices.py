"""The fixed values of dossier.yaml fields and checklist conditions (one list each).

Read by the models (config/models.py, which make them the JSON Schemas' enums), by the
conditions of checklist items, and by the program screen.
"""

from __future__ import annotations

VISAS = ("J-1", "H-1B", "none")
US_STATUSES = ("citizen", "permanent-resident", "none")
CANADA_STATUSES = ("citizen", "permanent-resident")
#: Every status any track knows (a checklist condition may name any of them).
STATUSES = tuple(dict.fromkeys(US_STATUSES + CANADA_STATUSES))
PROVINCES = ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")
BUILTIN_TRACKS = ("us", "canada")
#: Kinds of US clinical experience; every kind but an observership is hands-on.
ROTATION_KINDS = ("clerkship", "sub-internship", "elective", "externship", "observership")
