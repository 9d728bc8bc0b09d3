"""Letter templates: discovery, validation, sandboxed rendering to DOCX and PDF.

A template is ``NAME.docx`` (Jinja tags, rendered by docxtpl) plus ``NAME.yaml`` declaring
its fields. Templates run in Jinja's sandbox with StrictUndefined and autoescape, so a
missing value, a reach for Python internals or an ``&`` in a name can never produce a
broken or half-filled letter. Values come from letters_values; PDFs from convert.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, meta, nodes
from jinja2 import Template as JinjaTemplate
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import ValidationError

from ..atomic import write_bytes
from ..config import typed
from ..config.models import TemplateField, TemplateFile, template_name_errors
from ..config.profile import load_profile, read_yaml
from ..config.resources import data_dir
from ..errors import BadInputError, OutputError, cannot_write
from ..model import OWN_OUTPUT_KEY
from ..outdir import make_folder
from ..output.glyphs import collect_missing
from ..progress import LETTERS, ProgressCallback
from .naming import file_stems
from .naming import slug as slug  # letters.render.slug, as before
from .template import Field, Template
from .values import COMPUTED, Rows, build_contexts, longdate, parse_date, read_csv

BUILTIN = "built-in"
FORMATS = ("docx", "pdf", "both")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Written:
    """One file a render wrote; ``row`` is the CSV row (from 1), None without a CSV."""

    template: str
    row: int | None
    path: Path
    format: str
    engine: str | None = None  # PDF only: "libreoffice" or "built-in"
    missing_glyphs: tuple[str, ...] = ()  # PDF only: characters no font could draw

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "row": self.row,
            "path": str(self.path),
            "format": self.format,
        }


# -- discovery --------------------------------------------------------------------------


def _candidates(folder: Path) -> Iterator[str]:
    try:
        paths = sorted(folder.iterdir())
    except OSError as exc:
        raise BadInputError(f"{folder}: cannot be read ({exc.strerror or exc})") from None
    for path in paths:
        if path.name.startswith((".", "~$")) or path.suffix.lower() not in (".yaml", ".docx"):
            continue
        yield path.stem


def discover(user_dir: Path | None = None) -> dict[str, tuple[Path, str]]:
    """Template name -> (folder, source); a user folder's templates override built-ins."""
    found: dict[str, tuple[Path, str]] = {}
    builtin = data_dir("templates")
    if builtin.is_dir():
        for name in _candidates(builtin):
            found[name] = (builtin, BUILTIN)
    if user_dir is not None:
        if not user_dir.is_dir():
            raise BadInputError(
                f"{user_dir}: templates folder not found; give --templates the folder that "
                "holds your NAME.docx and NAME.yaml files"
            )
        for name in _candidates(user_dir):
            found[name] = (user_dir, str(user_dir / f"{name}.docx"))
    return dict(sorted(found.items()))


def list_templates(user_dir: Path | None = None) -> list[Template]:
    """Every template (built-in and user), with its declared fields; the .docx is not opened."""
    return [
        _read_meta(name, folder, source) for name, (folder, source) in discover(user_dir).items()
    ]


def load_template(name: str, user_dir: Path | None = None) -> Template:
    """A template by name, its .yaml and .docx validated against each other."""
    found = discover(user_dir)
    if name not in found:
        raise BadInputError(
            f"unknown letter template {name!r}; `dossier letters list` shows them: "
            f"{', '.join(found) or 'none'}"
        )
    folder, source = found[name]
    template = _read_meta(name, folder, source)
    check_template(template)
    return template


# -- the .yaml ----------------------------------------------------------------------------


def _read_meta(name: str, folder: Path, source: str) -> Template:
    yaml_path, docx_path = folder / f"{name}.yaml", folder / f"{name}.docx"
    if not _NAME.match(name):
        raise BadInputError(f"{folder / name}: a template name is letters, digits, - and _ only")
    if not yaml_path.is_file():
        raise BadInputError(
            f"{docx_path}: no {yaml_path.name} beside it declaring its fields; "
            "write one (see `dossier letters show lor-request` for the shape)"
        )
    if not docx_path.is_file():
        raise BadInputError(f"{yaml_path}: no {docx_path.name} beside it (the Word template)")
    data = read_yaml(yaml_path)
    if not isinstance(data, Mapping):
        raise BadInputError(
            f"{yaml_path}: must be a mapping with description, fields, filename_field"
        )
    try:  # the model is the schema: `dossier schema letter-template`
        meta = TemplateFile.model_validate(data)
    except ValidationError as exc:
        # the checks across fields: all of them, with every other error (the model's own
        # check of them runs only when every field is right, and says the first)
        names = typed.messages(str(yaml_path), yaml_path, _name_errors(data))
        found = typed.errors_of(exc, str(yaml_path), yaml_path, data, TemplateFile, typed.TEMPLATE)
        if names and any(not e["loc"] for e in exc.errors()):
            found = []  # the model's check is the only error: said in full below
        raise BadInputError("\n".join(found + names)) from None
    return Template(
        name=name,
        description=meta.description.strip(),
        source=source,
        docx_path=docx_path,
        yaml_path=yaml_path,
        fields=tuple(_field(yaml_path, i, f) for i, f in enumerate(meta.fields)),
        filename_field=str(meta.filename_field),  # the model made sure it names a field
    )


def _name_errors(data: Mapping[str, Any]) -> list[typed.Found]:
    """The checks across a template's fields (config/models.template_name_errors), on the
    plain data, for a file whose model found other errors too."""
    fields = data.get("fields")
    entries = fields if isinstance(fields, list) else []
    names = [f.get("name") if isinstance(f, Mapping) else None for f in entries]
    return [typed.Found(*e) for e in template_name_errors(names, data.get("filename_field"))]


def _field(yaml_path: Path, index: int, field: TemplateField) -> Field:
    """A validated field as the renderer reads it: a date field's values as dates."""
    default, example = field.default, field.example
    if field.type == "date":
        try:
            default = None if default is None else parse_date(default)
        except ValueError:
            raise BadInputError(_not_a_date(yaml_path, index, "default", default)) from None
        try:
            example = parse_date(example)
        except ValueError:
            raise BadInputError(_not_a_date(yaml_path, index, "example", example)) from None
    required = field.required
    if required is None:  # a field with a default (even null) is optional
        required = "default" not in field.model_fields_set
    return Field(
        name=field.name,
        description=field.description.strip(),
        required=required,
        default=default,
        example=example,
        type=field.type,
    )


def _not_a_date(yaml_path: Path, index: int, key: str, value: object) -> str:
    return f"{yaml_path}: fields[{index}].{key}: not a date (got {value!r}); write it as YYYY-MM-DD"


# -- the .docx ----------------------------------------------------------------------------


class Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox every template runs in: no internals, no undefined values, XML-escaped.

    docxtpl compiles the same document XML for every letter; each distinct source is
    compiled once per environment, so one environment serves a whole run.
    """

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self.filters["longdate"] = longdate
        del self.filters["safe"]  # would let a value inject Word XML past the escaping
        self._compiled: dict[str, JinjaTemplate] = {}

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[JinjaTemplate] | None = None,
    ) -> JinjaTemplate:
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


def jinja_env() -> Sandbox:
    """A fresh sandbox for templates (see Sandbox)."""
    return Sandbox()


def _parts(data: bytes) -> list[tuple[str, str]]:
    """(part, Jinja source) of every part docxtpl renders: body, headers, footers, properties."""
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(BytesIO(data))
    tpl.init_docx()
    parts = [("body", tpl.patch_xml(tpl.get_xml()))]
    for rel in tpl.docx._part.rels.values():
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI) and rel.target_part.blob:
            kind = "header" if rel.reltype == tpl.HEADER_URI else "footer"
            xml = tpl.xml_to_string(parse_xml(rel.target_part.blob))
            parts.append((kind, tpl.patch_xml(xml)))
    props = tpl.docx.core_properties
    for prop in ("author", "comments", "identifier", "language", "subject", "title"):
        parts.append((f"document property {prop}", getattr(props, prop) or ""))
    return parts


def _chain(node: nodes.Node) -> str | None:
    """``a.b['c']`` -> ``a.b.c``; None for anything that is not a plain path."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _chain(node.node)
        return f"{base}.{node.attr}" if base else None
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        base = _chain(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


def _used(node: nodes.Node, roots: set[str], out: set[str]) -> None:
    """Collect the dotted paths under ``roots`` (names the template does not set itself)."""
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        path = _chain(node)
        if path is not None and path.split(".")[0] in roots:
            out.add(path)
            return
    for child in node.iter_child_nodes():
        _used(child, roots, out)


def _internals(tree: nodes.Template) -> list[str]:
    """Attribute names a template reaches for that start with ``_`` (Python internals)."""
    found: list[str] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        name: Any = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem):
            name = node.arg.value if isinstance(node.arg, nodes.Const) else None
        elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
            first = node.args[0]
            name = first.value if isinstance(first, nodes.Const) else None
        if isinstance(name, str) and name.startswith("_"):
            found.append(name)
    return found


def _covered(path: str, declared: set[str]) -> bool:
    """A path is fine when it is a field, inside one (``x.upper``), or a group of fields."""
    if path in declared or path in COMPUTED:
        return True
    return any(
        path.startswith(f + ".") or f.startswith(path + ".") for f in declared | set(COMPUTED)
    )


def check_template(template: Template) -> None:
    """The .docx is a Word file whose tags parse, use only declared fields and no internals."""
    try:
        data = template.docx_path.read_bytes()
    except OSError as exc:
        raise BadInputError(
            f"{template.docx_path}: cannot be read ({exc.strerror or exc})"
        ) from None
    try:
        parts = _parts(data)
    except Exception as exc:  # python-docx, lxml and zipfile raise many kinds for a bad file
        raise BadInputError(
            f"{template.docx_path}: not a Word (.docx) document that can be "
            f"used as a template ({type(exc).__name__}: {exc}); save it from "
            "Word as .docx"
        ) from None
    env = jinja_env()
    declared = {f.name for f in template.fields}
    undeclared: set[str] = set()
    for part, source in parts:
        try:
            tree = env.parse(source)
            internals = _internals(tree)
            if internals:
                raise BadInputError(
                    f"{template.docx_path}: template {template.name} reaches for "
                    f"Python internals ({internals[0]}); a template may only use "
                    "its declared fields"
                )
            # compiles the tree too: an unknown filter or test fails here, not mid-run
            roots = meta.find_undeclared_variables(tree) - set(env.globals)
        except TemplateSyntaxError as exc:
            where = f"paragraph {exc.lineno}" if part == "body" and exc.lineno else part
            raise BadInputError(
                f"{template.docx_path}: template error in the {where}: "
                f"{exc.message}; fix the {{{{ }}}} / {{% %}} tags in Word"
            ) from None
        used: set[str] = set()
        _used(tree, roots, used)
        undeclared |= {p for p in used if not _covered(p, declared)}
    if undeclared:
        raise BadInputError(
            f"{template.docx_path}: uses {', '.join(sorted(undeclared))}, not "
            f"declared in {template.yaml_path.name}; add each to its fields "
            "(name, description, required or default, example)"
        )


def render_docx(
    template: Template,
    context: Mapping[str, Any],
    data: bytes | None = None,
    env: Sandbox | None = None,
) -> bytes:
    """One letter as DOCX bytes; a template error is a BadInputError naming the template."""
    from docxtpl import DocxTemplate

    if data is None:
        data = template.docx_path.read_bytes()
    tpl = DocxTemplate(BytesIO(data))
    where = f"{template.docx_path} (template {template.name})"
    try:
        tpl.render(dict(context), env or jinja_env(), autoescape=True)
    except SecurityError as exc:
        raise BadInputError(
            f"{where}: reaches for Python internals ({exc}); a template may "
            "only use its declared fields"
        ) from None
    except UndefinedError as exc:
        raise BadInputError(
            f"{where}: uses a value nobody gave ({exc}); declare the field in "
            f"{template.yaml_path.name} and give it a value"
        ) from None
    except TemplateError as exc:
        raise BadInputError(f"{where}: cannot be rendered: {exc}") from None
    except (TypeError, ValueError) as exc:  # a filter given the wrong kind of value
        raise BadInputError(f"{where}: cannot be rendered: {exc}") from None
    except SyntaxError as exc:  # lxml's XMLSyntaxError: the tags produced broken XML
        raise BadInputError(
            f"{where}: renders to a broken Word file ({exc}); check its tags"
        ) from None
    # marked as this tool's own, so that a letter written into the applicant folder (a
    # request to a referee in letters/) is never taken for one of the applicant's documents
    tpl.docx.core_properties.category = f"img-dossier letter ({OWN_OUTPUT_KEY.lstrip('/')})"
    out = BytesIO()
    tpl.save(out)
    return out.getvalue()


# -- output ---------------------------------------------------------------------------------


def _write_bytes(target: Path, data: bytes) -> None:
    try:
        write_bytes(target, data)  # atomically, mode 0600 (a letter holds personal data)
    except OSError as exc:
        raise cannot_write(
            target, exc, "cannot be written", "choose another folder with --out"
        ) from None


def _page_size(data: bytes) -> tuple[float, float]:
    import docx

    section = docx.Document(BytesIO(data)).sections[0]
    width, height = section.page_width, section.page_height
    if width is None or height is None:
        return (612.0, 792.0)
    return (float(width.pt), float(height.pt))


def _write_pdf(target: Path, data: bytes) -> str:
    """Convert through a DOCX in a private temp folder; convert writes the PDF atomically."""
    from ..output.convert import ConversionError, docx_to_pdf

    with tempfile.TemporaryDirectory(prefix="img-dossier-letter-") as work:
        src = Path(work) / f"{target.stem}.docx"
        try:
            src.write_bytes(data)
            return docx_to_pdf(src, target, _page_size(data))
        except ConversionError as exc:
            raise OutputError(f"{target}: the letter could not be made a PDF ({exc})") from None
        except OSError as exc:
            raise cannot_write(
                target, exc, "cannot be written", "choose another folder with --out"
            ) from None


def write_letters(
    template: Template,
    contexts: Sequence[Mapping[str, Any]],
    *,
    out_dir: Path,
    fmt: str = "docx",
    force: bool = False,
    numbered: bool = False,
    progress: ProgressCallback | None = None,
) -> list[Written]:
    """Render every letter, then write them; nothing is written if any would overwrite.

    ``progress("rendering letters", done, total)`` is called after each letter."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    formats = ("docx", "pdf") if fmt == "both" else (fmt,)
    stems = file_stems(template, contexts)
    targets = [[out_dir / f"{stem}.{f}" for f in formats] for stem in stems]
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a folder; choose another --out")
    if not force:
        existing = [t for row in targets for t in row if t.exists()]
        if existing:
            shown = ", ".join(str(p) for p in existing[:5])
            more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
            raise OutputError(
                f"{shown}{more} already {'exists' if len(existing) == 1 else 'exist'}; "
                "nothing was written. Use --force to "
                "overwrite, or --out another folder"
            )
    data = template.docx_path.read_bytes()
    env = jinja_env()
    rendered = [render_docx(template, context, data, env) for context in contexts]
    make_folder(out_dir, fix="choose another folder with --out")
    written: list[Written] = []
    for number, (docx_bytes, row) in enumerate(zip(rendered, targets, strict=True), 1):
        for f, target in zip(formats, row, strict=True):
            engine = None
            missing: set[str] = set()
            if f == "docx":
                _write_bytes(target, docx_bytes)
            else:
                with collect_missing() as missing:
                    engine = _write_pdf(target, docx_bytes)
            written.append(
                Written(
                    template.name,
                    number if numbered else None,
                    target,
                    f,
                    engine,
                    tuple(sorted(missing)),
                )
            )
        if progress is not None:
            progress(LETTERS, number, len(rendered))
    return written


def render(
    name: str,
    folder: Path | None = None,
    *,
    data: Path | None = None,
    sets: Mapping[str, str] | None = None,
    out_dir: Path = Path("letters"),
    fmt: str = "docx",
    force: bool = False,
    user_dir: Path | None = None,
    today: date | None = None,
    progress: ProgressCallback | None = None,
) -> list[Written]:
    """``dossier letters render``: values from folder/dossier.yaml, CSV rows, then ``sets``."""
    template = load_template(name, user_dir)
    base: dict[str, Any] = {}
    if folder is not None:
        if not folder.is_dir():
            raise BadInputError(
                f"{folder}: folder not found; give the applicant folder that holds dossier.yaml, "
                "or leave DIR out and give every value with --set or --data"
            )
        base = load_profile(folder).values()
    rows: Rows | None = read_csv(data) if data is not None else None
    contexts = build_contexts(template, base, rows=rows, sets=sets, today=today)
    return write_letters(
        template,
        contexts,
        out_dir=out_dir,
        fmt=fmt,
        force=force,
        numbered=rows is not None,
        progress=progress,
    )
