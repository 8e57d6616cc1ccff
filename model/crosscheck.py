#!/usr/bin/env python3
"""Cross-checks model/build/ against the reference vectors with onnxruntime + tokenizers.

Not part of the build (needs model/requirements-dev.txt). The Rust parity tests
(crate/encoder/tests/parity.rs) are the gate; this is a quick check of the graph alone.
  model/.venv/bin/python model/crosscheck.py [model/build] [tests/fixtures/splade/reference-vectors.jsonl]
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "build")
ref_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "tests", "fixtures", "splade", "reference-vectors.jsonl")
refs = [json.loads(line) for line in open(ref_path, encoding="utf-8")]
tok = Tokenizer.from_file(os.path.join(build, "tokenizer.json"))
tok.no_padding()
vocab = tok.get_vocab_size()


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


sessions = {v: ort.InferenceSession(os.path.join(build, f"splade-tiny.{v}.onnx"), providers=["CPUExecutionProvider"]) for v in ("f32", "int8")}
worst = {"f32": 1.0, "int8": 1.0}
for r in refs:
    tok.enable_truncation(r["max_tokens"])
    ids = tok.encode(r["text"]).ids
    assert ids == r["input_ids"], (r["text"], ids, r["input_ids"])
    ref = np.zeros(vocab, dtype=np.float64)
    for k, w in r["weights"].items():
        ref[int(k)] = w
    line = []
    for v, s in sessions.items():
        out = s.run(["sparse"], {"input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.ones((1, len(ids)), dtype=np.int64)})[0][0]
        c = cosine(out.astype(np.float64), ref)
        worst[v] = min(worst[v], c)
        line.append(f"{v} {c:.6f} nnz {int((out > 0).sum())}")
    print(f"{r['text'][:40]!r:44} ref nnz {len(r['weights']):3}  " + "  ".join(line))
# Padding: the same texts in one padded batch must give the same vectors.
tok.enable_truncation(256)
tok.enable_padding()
enc = tok.encode_batch([r["text"] for r in refs])
ids = np.array([e.ids for e in enc], dtype=np.int64)
mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
batched = sessions["f32"].run(["sparse"], {"input_ids": ids, "attention_mask": mask})[0]
for i, e in enumerate(enc):
    n = sum(e.attention_mask)
    single = sessions["f32"].run(["sparse"], {"input_ids": ids[i : i + 1, :n], "attention_mask": mask[i : i + 1, :n]})[0][0]
    assert np.max(np.abs(single - batched[i])) < 1e-4, i
print(f"worst cosine: f32 {worst['f32']:.6f}  int8 {worst['int8']:.6f}; padded batch == single: ok")
