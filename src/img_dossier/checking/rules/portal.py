"""The ``portal-file`` rule: the file rules of a portal (format, size, pages, name, ...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from ...config.checklist import Item, Rule
from ...model import Document, Problem
from ...sizes import format_size
from .base import RuleContext, RuleOutcome

_PORTAL_KEYS = (
    "formats", "max_bytes", "encryption", "digital_signatures", "page_size_pt",
    "forbidden_filename_chars", "max_chars", "aspect", "min_pixels",
)  # fmt: skip


_FORMAT_ALIASES = {"jpg": "jpeg", "tif": "tiff"}


def _portal(rule: Rule, item: Item, ctx: RuleContext) -> tuple[str, Mapping[str, Any]]:
    pid = rule.params.get("portal") or item.portal
    spec = dict(ctx.checklist.portals.get(str(pid), {})) if pid else {}
    spec.update({k: v for k, v in rule.params.items() if k in _PORTAL_KEYS})
    return str(pid or "portal"), spec


def _page_ok(size: Sequence[float], want: Sequence[float]) -> bool:
    w, h = float(size[0]), float(size[1])
    a, b = float(want[0]), float(want[1])
    return (abs(w - a) <= 2 and abs(h - b) <= 2) or (abs(w - b) <= 2 and abs(h - a) <= 2)


def _page_name(size: Sequence[float]) -> str:
    known = {"US Letter": (612, 792), "A4": (595.3, 841.9), "US Legal": (612, 1008)}
    for name, want in known.items():
        if _page_ok(size, want):
            return f" ({name})"
    return ""


def _portal_checks(doc: Document, portal: str, spec: Mapping[str, Any]) -> list[str]:
    title = str(spec.get("title") or portal)
    found: list[str] = []
    formats = [str(f).lower() for f in spec.get("formats") or ()]
    formats = [_FORMAT_ALIASES.get(f, f) for f in formats]
    if formats and doc.format not in formats:
        found.append(
            f"a {(doc.format or 'unknown').upper()} file, but {title} takes "
            f"{' or '.join(f.upper() for f in formats)} only; convert it"
        )
    max_bytes = spec.get("max_bytes")
    if isinstance(max_bytes, int) and doc.bytes > max_bytes:
        found.append(
            f"{_size(doc.bytes)}, over the {_size(max_bytes)} limit of {title}; make it smaller"
        )
    if spec.get("encryption") is False and doc.info.get("encrypted"):
        found.append(
            f"encrypted or password-protected, which {title} refuses; save it without a password"
        )
    if spec.get("digital_signatures") is False and doc.info.get("signed"):
        found.append(
            f"carries a digital signature, which {title} refuses; print it to a new PDF without it"
        )
    want = spec.get("page_size_pt")
    sizes = doc.info.get("page_sizes") or ()
    if isinstance(want, list | tuple) and len(want) == 2 and doc.format == "pdf":
        for n, size in enumerate(sizes, start=1):
            if isinstance(size, list | tuple) and len(size) == 2 and not _page_ok(size, want):
                found.append(
                    f"page {n} is {float(size[0]):g} x {float(size[1]):g} pt"
                    f"{_page_name(size)}, but "
                    f"{title} needs {float(want[0]):g} x {float(want[1]):g} pt{_page_name(want)}; "
                    "re-save it on that paper size"
                )
                break
    chars = str(spec.get("forbidden_filename_chars") or "")
    name = PurePosixPath(doc.rel).name
    bad = sorted({c for c in name if c in chars})
    if bad:
        found.append(
            f"its file name has {' '.join(bad)}, which {title} does not allow "
            f"(no {' '.join(chars)}); rename it"
        )
    max_chars = spec.get("max_chars")
    count = doc.info.get("chars", len(doc.text.strip()))
    if isinstance(max_chars, int) and isinstance(count, int) and count > max_chars:
        found.append(f"{count:,} characters, over the {max_chars:,} limit of {title}; shorten it")
    aspect = spec.get("aspect")
    width, height = doc.info.get("width"), doc.info.get("height")
    if (
        isinstance(aspect, list | tuple)
        and len(aspect) == 2
        and isinstance(width, int)
        and isinstance(height, int)
        and width > 0
        and height > 0
    ):
        ratio, target = width / height, float(aspect[0]) / float(aspect[1])
        if abs(ratio - target) / target > 0.03:
            found.append(
                f"{width} x {height} px, not the {aspect[0]}:{aspect[1]} shape {title} expects; "
                "crop it"
            )
    least = spec.get("min_pixels")
    if (
        isinstance(least, list | tuple)
        and len(least) == 2
        and isinstance(width, int)
        and isinstance(height, int)
        and (width < least[0] or height < least[1])
    ):
        found.append(
            f"{width} x {height} px, smaller than the {least[0]} x {least[1]} px {title} "
            "expects; use a larger photo"
        )
    return found


def _portal_file(rule: Rule, item: Item, docs: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    portal, spec = _portal(rule, item, ctx)
    problems: dict[str, tuple[Problem, ...]] = {}
    for doc in docs:
        found = _portal_checks(doc, portal, spec)
        if found:
            problems[doc.rel] = tuple(
                Problem("over-portal-limit", "warning", f"{doc.rel}: {what} ({portal})")
                for what in found
            )
    return RuleOutcome(document_problems=problems)


def _size(n: int) -> str:
    """Sizes compared with a limit: the one convention of sizes.py, exact bytes added."""
    return format_size(n, exact=True)
