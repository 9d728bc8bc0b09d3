"""Python's cyclic garbage collector while the console command starts (issue 13).

Importing the check path (click, the checking code, pikepdf, PDFium, python-docx...)
creates ~100,000 long-lived objects; the collector walks all of them again and again as
they are created, and the reader workers forked afterwards walk (and so copy) them once
more. None of it is garbage. The console entry point therefore pauses the collector while
it starts, and ``settle`` -- called once the readers are imported, just before the first
worker is forked, or when a command needs nothing more -- moves everything that exists
then into the collector's permanent generation (``gc.freeze``, made for this: "disable
early in the parent, freeze right before fork") and turns the collector on again. Later
garbage is collected as usual.

Only the console process does this: called as a library (or under click's CliRunner),
``settle`` does nothing, so a host program's objects are never frozen.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Turn the collector off until ``settle`` (the console entry point only)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def settle() -> None:
    """Start-up is over: freeze what exists and turn the collector on again, if ``pause``
    turned it off; otherwise nothing."""
    global _paused
    if not _paused:
        return
    _paused = False
    gc.freeze()
    gc.enable()


def paused() -> bool:
    """True between ``pause`` and ``settle``."""
    return _paused
