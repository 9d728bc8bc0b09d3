"""The fixed values of dossier.yaml fields and checklist conditions (one list each).

Read by the models (config/models.py, which make them the JSON Schemas' enums), by the
conditions of checklist items, and by the program screen. The statuses and the tracks
are data (checklists/tracks.yaml, config/tracks.py).
"""

from __future__ import annotations

from .tracks import statuses

VISAS = ("J-1", "H-1B", "none")
#: Every applicant.status any track knows (checklists/tracks.yaml; a checklist condition may
#: name any of them; which ones a track knows is said there too).
STATUSES = statuses()
PROVINCES = ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")
#: Kinds of US clinical experience; every kind but an observership is hands-on.
ROTATION_KINDS = ("clerkship", "sub-internship", "elective", "externship", "observership")
