"""The PDF work of assembling a dossier, with pikepdf (qpdf in this process).

Opening (qpdf repairs what it can), named destinations renamed per document, source
outlines followed to their pages, scripts and launch actions dropped, large identical
streams kept once, links, page labels. Source files are only read: every change is made
to the output's copy of an object.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream, String

from .active_content import ACTIVE_ACTIONS

#: Bounds on walking untrusted trees (names, outlines, fields).
_MAX_NAMES = 200_000
_MAX_OUTLINE_DEPTH = 32
_MAX_OUTLINE_ITEMS = 20_000
_MAX_FIELDS = 100_000


def file_budget() -> int:
    """How many source PDFs may stay open as files at once (the rest are read into memory).

    The soft limit on open files is raised to the hard one where the OS allows, and a
    margin is left for everything else the process opens.
    """
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = hard if hard != resource.RLIM_INFINITY else 65536
        if soft != resource.RLIM_INFINITY and soft < wanted:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, 65536), hard))
                soft = min(wanted, 65536)
        return max(16, min(int(soft), 65536) - 128)
    except ImportError:  # Windows: the C runtime allows 8192 files; stay well below
        return 400


def open_pdf(path: Path, rel: str, *, in_memory: bool = False) -> tuple[Pdf | None, str]:
    """An open PDF (qpdf repairs damage it can) and its page count, or None and why not.

    The file stays open until closed: its streams are copied when the dossier is written.
    ``in_memory`` reads it whole first, so that it holds no open file.
    """
    try:
        pdf = Pdf.open(BytesIO(path.read_bytes())) if in_memory else Pdf.open(path)
    except pikepdf.PasswordError:
        return None, "encrypted: needs a password; save an unprotected copy"
    except MemoryError:
        return None, f"too-large: {rel} does not fit in memory"
    except Exception as exc:  # damaged beyond what qpdf recovers: left out, listed
        return None, f"damaged: {rel}: {_short(exc)}"
    try:
        count = len(pdf.pages)
    except Exception as exc:  # a page tree qpdf cannot walk
        pdf.close()
        return None, f"damaged: {rel}: {_short(exc)}"
    if count == 0:
        pdf.close()
        return None, "empty: the PDF has no pages"
    return pdf, ""


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- named destinations --------------------------------------------------------------------


def named_destinations(src: Pdf) -> dict[str, Any]:
    """Every named destination of ``src`` (name tree and PDF 1.1 /Dests), name -> target."""
    found: dict[str, Any] = {}
    root = src.Root
    with contextlib.suppress(Exception):  # an unreadable /Dests dictionary: no names
        old = root.get("/Dests")
        if isinstance(old, Dictionary):
            for key in list(old.keys())[:_MAX_NAMES]:
                found[key[1:]] = old[key]
    with contextlib.suppress(Exception):  # an unreadable name tree: links to names drop
        names = root.get("/Names")
        tree = names.get("/Dests") if isinstance(names, Dictionary) else None
        if isinstance(tree, Dictionary):
            for n, (key, value) in enumerate(pikepdf.NameTree(tree).items()):
                if n >= _MAX_NAMES:
                    break
                found[str(key)] = value
    return found


def _dest_array(value: Any) -> Array | None:
    """The explicit destination of a named destination's value (an array, or a dict's /D)."""
    if isinstance(value, Dictionary):
        value = value.get("/D")
    return value if isinstance(value, Array) and len(value) >= 1 else None


def _name_of(value: Any) -> str | None:
    if isinstance(value, Name):
        return str(value)[1:]
    if isinstance(value, String):
        return str(value)
    return None


def rename_links(pages: Iterator[pikepdf.Page], known: set[str], prefix: str) -> None:
    """Point the links of the output's copies of a document's pages at its renamed names."""
    for page in pages:
        with contextlib.suppress(Exception):  # a malformed page keeps what it has
            for annot in page.obj.get("/Annots") or []:
                if not isinstance(annot, Dictionary) or annot.get("/Subtype") != "/Link":
                    continue
                _rename_in(annot, "/Dest", known, prefix)
                action = annot.get("/A")
                if isinstance(action, Dictionary) and action.get("/S") == "/GoTo":
                    _rename_in(action, "/D", known, prefix)


def rename_links_at(out: Pdf, documents: list[tuple[int, int, set[str], str]]) -> None:
    """``rename_links`` for each (first page, pages, names, prefix) of ``out``, from one
    page list taken once (a slice of ``out.pages`` copies qpdf's whole page list once per
    page it returns: 0.1 s of a 3,000-page dossier, slice by slice)."""
    pages = list(out.pages) if documents else []
    for first, count, known, prefix in documents:
        rename_links(iter(pages[first : first + count]), known, prefix)


def _rename_in(holder: Dictionary, key: str, known: set[str], prefix: str) -> None:
    name = _name_of(holder.get(key))
    if name is not None and name in known:
        holder[key] = String(prefix + name)


def add_destinations(
    out: Pdf,
    src: Pdf,
    names: dict[str, Any],
    prefix: str,
    tree: dict[str, Any],
) -> None:
    """Add ``src``'s named destinations to ``tree`` (name -> destination in ``out``) as
    ``prefix + name``; ``name_tree`` makes the output's name tree of them at the end.

    Called after the pages were copied: qpdf copies every destination at once and points
    it at the copies of its pages (it remembers what it copied from ``src``), which took
    half the time of re-making each one here. To be copied at once they are held in one
    new array of ``src``: an object of the open file's copy in memory, never written to
    the source. A destination that is not a page's (a page of no document) points at null.
    """
    keys: list[str] = []
    arrays: list[Array] = []
    for name, value in names.items():
        array = _dest_array(value)
        if array is not None:
            keys.append(prefix + name)
            arrays.append(array)
    if not arrays:
        return
    try:
        copied: list[Any] = list(out.copy_foreign(src.make_indirect(Array(arrays))))
    except Exception:  # one qpdf cannot copy: each copied alone, what fails is dropped
        copied = []
        for array in arrays:
            try:
                copied.append(out.copy_foreign(src.make_indirect(Array([array])))[0])
            except Exception:  # untrusted objects: qpdf may raise anything; the name drops
                copied.append(None)
    for key, dest in zip(keys, copied, strict=True):
        if dest is not None:
            tree[key] = dest


#: Names in one leaf of the output's name tree (Acrobat writes a few dozen per node).
_LEAF_NAMES = 64


def _key_bytes(key: str) -> bytes:
    """A name's bytes as written in the file (ASCII as is; else as pikepdf encodes it)."""
    return key.encode("ascii") if key.isascii() else bytes(String(key))


def name_tree(out: Pdf, tree: dict[str, Any]) -> Any:
    """A name tree of ``tree`` (ISO 32000-1, 7.9.6): keys sorted by their bytes, leaves of
    ``_LEAF_NAMES`` names with their /Limits under one root (built at once: inserting name
    by name into qpdf's tree was most of the merge's time for a thesis with 1,300 names)."""
    keyed = sorted(tree.items(), key=lambda item: _key_bytes(item[0]))
    leaves: list[Any] = []
    for start in range(0, len(keyed), _LEAF_NAMES):
        chunk = keyed[start : start + _LEAF_NAMES]
        flat: list[Any] = []
        for key, value in chunk:
            flat += [String(key), value]
        limits = Array([String(chunk[0][0]), String(chunk[-1][0])])
        leaves.append(Dictionary(Names=Array(flat), Limits=limits))
    if len(leaves) <= 1:
        root = Dictionary(Names=leaves[0].Names if leaves else Array())
        return out.make_indirect(root)
    return out.make_indirect(Dictionary(Kids=Array([out.make_indirect(x) for x in leaves])))


# -- outlines ------------------------------------------------------------------------------


def source_outline(src: Pdf, names: dict[str, Any]) -> list[Any]:
    """The source's outline as nested (title, page index, location, children) tuples."""
    try:
        if "/Outlines" not in src.Root:
            return []  # most documents: no page index made, no outline opened
    except Exception:  # an unreadable catalog: no outline
        return []
    index: dict[Any, int] = {p.objgen: i for i, p in enumerate(src.pages)}
    count = [0]

    def target(item: pikepdf.OutlineItem) -> tuple[int, tuple[float | None, ...] | None]:
        dest: Any = item.destination
        if (
            dest is None
            and isinstance(item.action, Dictionary)
            and item.action.get("/S") == "/GoTo"
        ):
            dest = item.action.get("/D")
        name = _name_of(dest)
        if name is not None:
            dest = _dest_array(names.get(name))
        if not isinstance(dest, Array) or len(dest) == 0:
            return -1, None
        page: Any = dest[0]
        where = index.get(page.objgen, -1) if isinstance(page, Dictionary) else -1
        if where < 0 and isinstance(page, int) and 0 <= int(page) < len(index):
            where = int(page)  # a page number (as remote destinations write it)
        xyz = None
        if len(dest) >= 2 and dest[1] == Name.XYZ:
            xyz = tuple(_float(dest[k]) if len(dest) > k else None for k in (2, 3, 4))
        return where, xyz

    def walk(items: list[pikepdf.OutlineItem], depth: int) -> list[Any]:
        nodes: list[Any] = []
        for item in items:
            count[0] += 1
            if count[0] > _MAX_OUTLINE_ITEMS:
                break
            where, xyz = target(item)
            children = walk(item.children, depth + 1) if depth < _MAX_OUTLINE_DEPTH else []
            if where >= 0:
                nodes.append((str(item.title or "(untitled)"), where, xyz, children))
        return nodes

    try:
        # read, not edited: without ``with``, whose end writes the outline back into the
        # source for nothing (with the shortcut above: 17 instead of 28 ms at 1,000 pages)
        outline = src.open_outline(max_depth=_MAX_OUTLINE_DEPTH, strict=False)
        return walk(list(outline.root), 0)
    except Exception:  # a broken outline is dropped; the pages still merge
        return []


def page_dest(pages: list[pikepdf.Page], n: int, xyz: tuple[Any, Any, Any] | None = None) -> Any:
    """``[page /Fit]`` or ``[page /XYZ left top zoom]`` (a missing value is 0), as pikepdf
    makes from a page number; from a list of the pages taken once (``out.pages[n]`` copies
    qpdf's whole page list on every call, so a dossier of 3,000 pages paid that per entry)."""
    if xyz is None:
        return pikepdf.Array([pages[n].obj, pikepdf.Name.Fit])
    left, top, zoom = (0 if v is None else v for v in xyz)
    return pikepdf.Array([pages[n].obj, pikepdf.Name.XYZ, left, top, zoom])


def outline_items(
    nodes: list[Any], first: int, pages: list[pikepdf.Page]
) -> list[pikepdf.OutlineItem]:
    """Output outline items for source nodes, pages shifted by ``first``."""
    items = []
    for title, where, xyz, children in nodes:
        item = pikepdf.OutlineItem(title, page_dest(pages, first + where, xyz))
        item.children.extend(outline_items(children, first, pages))
        items.append(item)
    return items


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


# -- active content ------------------------------------------------------------------------


def strip_active_content(pages: Any) -> None:
    """Drop scripts and launch actions of pages, annotations and form fields; links stay."""
    fields = 0
    for page in pages:
        with contextlib.suppress(Exception):  # a malformed page keeps what it has
            obj = page.obj
            if "/AA" in obj:
                del obj["/AA"]
            for annot in obj.get("/Annots") or []:
                if not isinstance(annot, Dictionary):
                    continue
                if "/AA" in annot:
                    del annot["/AA"]
                action = annot.get("/A")
                if isinstance(action, Dictionary) and (
                    action.get("/S") in ACTIVE_ACTIONS or "/Next" in action
                ):
                    del annot["/A"]
                parent = annot.get("/Parent")  # a widget's field (and its parents)
                depth = 0
                while isinstance(parent, Dictionary) and depth < 12 and fields < _MAX_FIELDS:
                    fields += 1
                    depth += 1
                    if "/AA" in parent:
                        del parent["/AA"]
                    parent = parent.get("/Parent")


# -- shared streams ------------------------------------------------------------------------


def share_identical_streams(pages: Any) -> None:
    """Keep one copy of images and font files that several documents carry.

    Candidates are the pages' image XObjects and their fonts' embedded files of 512 bytes
    or more; they are grouped by declared length and dictionary first, and only streams
    in a group of two or more have their bytes compared. A resources, XObject or font
    dictionary that several pages share (most pages of a document) is looked at once.
    """
    slots: dict[tuple[Any, ...], list[tuple[Dictionary, str, Stream]]] = {}
    seen: set[tuple[tuple[int, int], str]] = set()
    met: set[tuple[int, int]] = set()  # shared dictionaries already looked at

    def first_time(obj: Any) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in met:
            return False
        met.add(obj.objgen)
        return True

    for page in pages:
        with contextlib.suppress(Exception):  # untrusted page: qpdf may raise anything here
            resources = page.obj.get("/Resources")
            if not isinstance(resources, Dictionary) or not first_time(resources):
                continue
            xobjects = resources.get("/XObject")
            if isinstance(xobjects, Dictionary) and first_time(xobjects):
                for key in list(xobjects.keys()):
                    _candidate(xobjects, key, slots, seen)
            fonts = resources.get("/Font")
            if isinstance(fonts, Dictionary) and first_time(fonts):
                for font in fonts.values():
                    if isinstance(font, Dictionary) and first_time(font):
                        _font_files(font, slots, seen)
    digests: dict[tuple[int, int], bytes] = {}
    for same_size in slots.values():
        if len(same_size) < 2 or len({stream.objgen for _, _, stream in same_size}) < 2:
            continue
        # of the streams of one length, those with the same dictionary too
        by_dict: dict[str, list[tuple[Dictionary, str, Stream]]] = {}
        for entry in same_size:
            with contextlib.suppress(Exception):  # an unreadable dictionary: not shared
                by_dict.setdefault(_dict_key(entry[2]), []).append(entry)
        for group in by_dict.values():
            if len(group) >= 2:
                _share(group, digests)


def _font_files(
    font: Dictionary,
    slots: dict[tuple[Any, ...], list[tuple[Dictionary, str, Stream]]],
    seen: set[tuple[tuple[int, int], str]],
) -> None:
    desc = font.get("/FontDescriptor")
    if isinstance(desc, Dictionary):
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in desc:
                _candidate(desc, key, slots, seen)


def _dict_key(stream: Stream) -> str:
    return repr(sorted((k, str(v)) for k, v in stream.items() if k != "/Length"))


def _share(
    group: list[tuple[Dictionary, str, Stream]], digests: dict[tuple[int, int], bytes]
) -> None:
    """Point every holder of a stream whose bytes another in ``group`` has at that one."""
    kept: dict[bytes, Stream] = {}
    for holder, key, stream in group:
        with contextlib.suppress(Exception):  # a stream qpdf cannot read stays unshared
            digest = digests.get(stream.objgen)
            if digest is None:
                digest = hashlib.sha256(stream.read_raw_bytes()).digest()
                digests[stream.objgen] = digest
            first = kept.setdefault(digest, stream)
            if first.objgen != stream.objgen:
                holder[key] = first


def _candidate(
    holder: Dictionary,
    key: str,
    slots: dict[tuple[Any, ...], list[tuple[Dictionary, str, Stream]]],
    seen: set[tuple[tuple[int, int], str]],
) -> None:
    stream = holder.get(key)
    if not isinstance(stream, Stream) or not stream.is_indirect:
        return
    if stream.get("/Subtype") == "/Form":
        return
    length = stream.get("/Length")
    try:
        size = int(length) if length is not None else 0
    except (TypeError, ValueError):
        return
    if size < 512:
        return
    slot = (size,)  # the dictionary is compared only among streams of the same length
    place = (holder.objgen if holder.is_indirect else (id(holder), -1), key)
    if place in seen:  # the same resources dictionary, met again on another page
        return
    seen.add(place)
    slots.setdefault(slot, []).append((holder, key, stream))


# -- links, labels -------------------------------------------------------------------------


def add_link(page: pikepdf.Page, rect: tuple[float, float, float, float], target: Any) -> None:
    """A borderless link on ``page`` over ``rect`` to the page object ``target``."""
    annot = page.obj.get("/Annots")
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array(list(rect)),
        Border=Array([0, 0, 0]),
        Dest=Array([target, Name.Fit]),
    )
    if not isinstance(annot, Array):
        annot = Array()
        page.obj.Annots = annot
    annot.append(link)


def set_page_labels(out: Pdf, front: int, total: int) -> None:
    """Roman for the front matter, then 1..N for the documents."""
    nums: list[Any] = [0, Dictionary(S=Name.r)]
    if total > front:
        nums += [front, Dictionary(S=Name.D, St=1)]
    out.Root.PageLabels = Dictionary(Nums=Array(nums))
