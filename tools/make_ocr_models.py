"""Write the int8 OCR model img-dossier ships: src/img_dossier/readers/models/.

It is RapidOCR's own PP-OCR text recogniser (the float model in the ``rapidocr`` wheel,
Apache-2.0), quantized to 8-bit integers by ONNX Runtime's static quantization (weights per
channel), calibrated on the lines of pages of this repository's generated scans
(samples/make_scans.py: other people, seeds and captures than bench/ocr's). On a CPU it costs
about half the float model's time for the same text; bench/ocr measures speed and accuracy.
The softmax of the character scores and the Gelu activations stay in floating point. The
detector is not quantized: quantized the same way, it found text all over a blank page.

``models.json`` beside it records the model's sha256, the float model it comes from (name
and sha256), the rapidocr, onnxruntime and onnx versions used and how it was calibrated.
Run again when rapidocr ships new models (onnx is a development tool only: img-dossier does
not need it at run time):

    pip install onnx && python tools/make_ocr_models.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "img_dossier" / "readers" / "models"
sys.path.insert(0, str(ROOT / "samples"))
sys.path.insert(0, str(ROOT / "src"))

#: Documents of the calibration pages (US and Canada items, English, Spanish and French text,
#: a passport's machine-readable zone).
ITEMS = (
    ("us", "passport"), ("us", "medical-diploma"), ("us", "transcript"), ("us", "mspe"),
    ("us", "usmle-step1"), ("us", "ecfmg-certificate"), ("us", "letter-of-recommendation"),
    ("us", "statement-of-need"), ("canada", "citizenship-or-pr"), ("canada", "mccqe1"),
    ("canada", "language-proficiency"), ("us", "passport"),
)  # fmt: skip
#: The person of each calibration page: the accuracy set of bench/ocr uses 0-19.
PEOPLE = 40
SEED = 900


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def calibration_pages(folder: Path) -> list[Path]:
    """Upright captures (the recogniser only ever sees upright lines) of ITEMS."""
    import dataclasses

    import make_scans as sc

    looks = [look for look in sc.LOOKS if not look.turn and not look.exif_turn]
    pages = []
    for n, (track, item) in enumerate(ITEMS):
        look = dataclasses.replace(looks[n % len(looks)])
        path = folder / f"cal-{n:02d}.jpg"
        sc.scan_document(track, item, path, sc.varied_person(PEOPLE + n), look, seed=SEED + n)
        pages.append(path)
    return pages


def calibration_inputs(pages: list[Path]) -> list[Any]:
    """The recogniser's input of every line on the pages, made the way readers/ocr.py makes
    them (lines found by the float detector)."""
    import numpy as np
    from PIL import Image
    from rapidocr.utils.process_img import get_rotate_crop_image

    from img_dossier.readers import ocr, ocr_engine

    engine = ocr.load_float_engine()
    rec_inputs = []
    for path in pages:
        with Image.open(path) as im:
            page = im.convert("RGB")
        page.thumbnail((ocr.MAX_SIDE, ocr.MAX_SIDE), Image.Resampling.BILINEAR)
        pixels = np.asarray(page)
        for q in ocr._boxes(engine, pixels):
            if ocr._worth_reading(q):
                line = get_rotate_crop_image(pixels, np.array(q, dtype=np.float32))
                rec_inputs.append(ocr_engine.rec_input(line))
    return rec_inputs


def float_nodes(model: Any) -> list[str]:
    """Names of the nodes kept in floating point: Gelu's Div and Erf, and what follows the
    last MatMul (the character scores' bias and softmax). Keeping each Gelu whole in floating
    point was measured too: a little closer to the float model, a little slower."""
    nodes = list(model.graph.node)
    keep = [n.name for n in nodes if n.op_type == "Erf" or (n.op_type == "Div" and "Erf" in
            {m.op_type for m in nodes if n.output[0] in m.input})]  # fmt: skip
    matmuls = [i for i, n in enumerate(nodes) if n.op_type == "MatMul"]
    if matmuls and nodes[-1].op_type == "Softmax":
        keep += [n.name for n in nodes[matmuls[-1] + 1 :]]
    return keep


def quantize(source: Path, target: Path, inputs: list[Any]) -> None:
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(inputs)

        def get_next(self) -> dict[str, Any] | None:
            item = next(self.items, None)
            return None if item is None else {"x": item}

    with tempfile.TemporaryDirectory(prefix="ocr-models-") as tmp:
        # per-channel weights need opset 13 (DequantizeLinear's axis); the models are 11
        upgraded = Path(tmp) / "opset17.onnx"
        onnx.save(version_converter.convert_version(onnx.load(source), 17), upgraded)
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(upgraded), str(prepared), skip_symbolic_shape=True)
        excluded = float_nodes(onnx.load(prepared))
        written = Path(tmp) / "int8.onnx"
        quantize_static(
            str(prepared), str(written), Reader(),
            quant_format=QuantFormat.QDQ, per_channel=True,
            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
            nodes_to_exclude=excluded,
        )  # fmt: skip
        written.replace(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from img_dossier.readers import ocr

    folder = ocr.float_model_dir()
    if folder is None:
        sys.stderr.write("rapidocr is not installed\n")
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    record_path = args.out / "models.json"
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    with tempfile.TemporaryDirectory(prefix="ocr-calibration-") as tmp:
        pages = calibration_pages(Path(tmp))
        inputs = calibration_inputs(pages)
    source = folder / ocr.FLOAT_MODELS["rec"]
    target = args.out / ocr.INT8_MODELS["rec"]
    quantize(source, target, inputs)
    record[target.name] = {
        "sha256": sha256(target),
        "source": source.name,
        "source_sha256": sha256(source),
        "rapidocr": metadata.version("rapidocr"),
        "onnxruntime": metadata.version("onnxruntime"),
        "onnx": metadata.version("onnx"),
        "calibration": f"{len(inputs)} lines from {len(pages)} pages of "
        "samples/make_scans.py (tools/make_ocr_models.py)",
    }
    sys.stdout.write(f"{target}: {target.stat().st_size / 1e6:.1f} MB\n")
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
