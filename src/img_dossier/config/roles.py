"""Item roles: what the tool does with an item's documents, so code never names an item.

A checklist item lists its roles (``roles: [identity]``); the code asks the checklist for the
items with a role (``Checklist.with_role``) instead of writing an item id.
"""

from __future__ import annotations

#: What the tool does with an item's documents besides checking them, so that the code
#: finds the item by its role and never by its id. An item may have several roles.
ROLES: dict[str, str] = {
    "certified-translations": "its documents are certified translations of other items' "
    "documents (the translation rule and pack pair them with their originals)",
    "identity": "its documents may hold the applicant's passport (dossier init reads the "
    "name from its machine-readable zone)",
    "ecfmg-certification": "holding it shows ECFMG certification (dossier programs screen)",
    "language-test": "a language test result (dossier programs screen)",
    "recommendation-letters": "letters of recommendation or reference (dossier programs "
    "screen counts them)",
}
