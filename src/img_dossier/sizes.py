"""Byte sizes as people read them: one convention for every message and table.

Decimal units, as the portals write their limits and as macOS shows files: 1 KB is 1,000
bytes, 1 MB is 1,000,000 bytes. Where a size is compared with a limit the exact number
of bytes follows in brackets, so that no rounding can hide which one is larger.
"""

from __future__ import annotations

__all__ = ["format_size"]

_UNITS = ((1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "KB"))


def format_size(n: int, *, exact: bool = False) -> str:
    """``1_300_000`` -> ``1.30 MB``; with ``exact``: ``1.30 MB (1,300,000 bytes)``."""
    for factor, unit in _UNITS:
        if n >= factor:
            shown = f"{n / factor:.2f} {unit}" if unit != "KB" else f"{n / factor:.0f} KB"
            return f"{shown} ({n:,} bytes)" if exact else shown
    return f"{n:,} bytes"
