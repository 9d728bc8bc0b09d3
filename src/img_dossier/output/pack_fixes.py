"""Fixes pack makes so that an upload obeys its portal's rules as ``dossier check`` reads them:
pages rescaled to the portal's paper size, photos below the portal's pixels refused.

The rules are the checklist's ``portals:`` data, judged by the same code as the check
(``checking.rules.portal``), so that pack and check never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pypdf import PdfWriter, Transformation
from pypdf.generic import RectangleObject

#: How far (points) a page may be from the portal's size and still count as that size
#: (the check's tolerance).
PAGE_TOLERANCE = 2.0


def same_page(size: Sequence[float], want: Sequence[float]) -> bool:
    """Whether a page of ``size`` is the ``want`` paper size, either way round."""
    w, h = float(size[0]), float(size[1])
    a, b = float(want[0]), float(want[1])
    return (abs(w - a) <= PAGE_TOLERANCE and abs(h - b) <= PAGE_TOLERANCE) or (
        abs(w - b) <= PAGE_TOLERANCE and abs(h - a) <= PAGE_TOLERANCE
    )


def _visible(page: Any) -> tuple[float, float, float, float]:
    box = page.cropbox if "/CropBox" in page else page.mediabox
    return (float(box.left), float(box.bottom), float(box.right), float(box.top))


def _turned(page: Any) -> bool:
    return int(page.get("/Rotate", 0) or 0) % 180 == 90


def pages_off(sizes: Sequence[Sequence[float]], want: Sequence[float] | None) -> bool:
    """Whether any page size is not the portal's paper size."""
    return want is not None and any(not same_page(s, want) for s in sizes)


def rescale_pages(writer: PdfWriter, want: Sequence[float]) -> int:
    """Scale every page that is not ``want`` (points, portrait) onto a page of that size,
    whole and centred, keeping its orientation (a landscape page goes on landscape paper).
    Returns how many pages were rescaled."""
    changed = 0
    for page in writer.pages:
        x0, y0, x1, y1 = _visible(page)
        w, h = x1 - x0, y1 - y0
        shown = (h, w) if _turned(page) else (w, h)
        if w <= 0 or h <= 0 or same_page(shown, want):
            continue
        tw, th = float(want[0]), float(want[1])
        if shown[0] > shown[1]:  # landscape as seen: landscape paper
            tw, th = th, tw
        if _turned(page):  # the page's own axes are the other way round
            tw, th = th, tw
        scale = min(tw / w, th / h)
        dx = (tw - w * scale) / 2 - x0 * scale
        dy = (th - h * scale) / 2 - y0 * scale
        page.add_transformation(Transformation().scale(scale, scale).translate(dx, dy))
        box = RectangleObject([0, 0, tw, th])
        page.mediabox = box
        page.cropbox = box
        for name in ("/TrimBox", "/BleedBox", "/ArtBox"):
            if name in page:
                del page[name]
        changed += 1
    return changed


def small_photo(size: tuple[int, int], least: tuple[int, int]) -> str | None:
    """Why a photo of ``size`` px is too small for a portal wanting ``least`` px, or None."""
    if least[0] <= 0 and least[1] <= 0:
        return None
    if size[0] >= least[0] and size[1] >= least[1]:
        return None
    return (
        f"{size[0]} x {size[1]} px, smaller than the {least[0]} x {least[1]} px the portal "
        "expects; enlarging it would blur it: not written. Use a larger photo (a new one, "
        "or the original of a cropped one)"
    )
