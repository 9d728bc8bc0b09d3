"""Pickled configuration sealed by its sha256: the framing shared by the validated entries
of the cache folder (validated.py) and the shipped built-in snapshot (snapshot.py).

A sealed file is ``magic + sha256(body) as 64 hex digits + body``; a body whose hash does
not match is damaged and never unpickled."""

from __future__ import annotations

import hashlib
import pickle

#: What unpickling damaged or foreign bytes raises.
UNPICKLE_ERRORS = (
    pickle.UnpicklingError,
    EOFError,
    ImportError,
    AttributeError,
    TypeError,
    ValueError,
    IndexError,
    KeyError,
    MemoryError,
    RecursionError,
)


def seal(magic: bytes, body: bytes) -> bytes:
    """``body`` behind ``magic`` and its sha256."""
    return magic + hashlib.sha256(body).hexdigest().encode() + body


def unseal(magic: bytes, raw: bytes) -> bytes | None:
    """The body of a file ``seal`` made with ``magic``, or None (another kind, damaged)."""
    head = len(magic) + 64
    if not raw.startswith(magic) or len(raw) <= head:
        return None
    body = raw[head:]
    if hashlib.sha256(body).hexdigest().encode() != raw[len(magic) : head]:
        return None
    return body
