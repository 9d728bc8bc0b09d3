"""Page sizes by name, in points, without loading reportlab (``build`` needs its page size
before anything heavy is loaded: see ``output.early``)."""

from __future__ import annotations

_MM = 72.0 / 2.54 * 0.1  # reportlab.lib.units.mm

#: reportlab.lib.pagesizes' LETTER and A4, the same floats.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "letter": (612.0, 792.0),
    "a4": (210 * _MM, 297 * _MM),
}


def page_size(name: str | tuple[float, float]) -> tuple[float, float]:
    """``letter`` / ``a4`` (or an explicit size) -> (width, height) in points."""
    if isinstance(name, tuple):
        return name
    try:
        return PAGE_SIZES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown page size {name!r}; use letter or a4") from None
