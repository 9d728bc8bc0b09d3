"""Lists in messages, worded one way everywhere."""

from __future__ import annotations


def either(values: tuple[str, ...] | list[str], word: str = "or") -> str:
    """``a, b or c`` (``a or b``; ``a``)."""
    if len(values) < 2:
        return "".join(values)
    return f"{', '.join(values[:-1])} {word} {values[-1]}"
