#!/usr/bin/env python3
"""The plain reference's runs as files, to compare Sparrow with it query by query.

Usage: reference-runs.py REFERENCE_SCRIPT BEIR_DIR MODEL_ONNX TOKENIZER_JSON CACHE_DIR OUT_DIR

REFERENCE_SCRIPT is ../shared/tools/sparse_query_variants.py (onnxruntime, title + " " + text
truncated to 256 tokens, exhaustive float dot product, a plain BM25, min-max fusion). It runs as
it is (it prints its own table; KINDS=full,idf is set unless given), then its own functions make
each split's runs again and this writes them as JSON run files `sparrow eval --run FILE` and
`--baseline FILE` read:

  OUT_DIR/{split}-ref-bm25.json             its BM25 (k1 1.2, b 0.75)
  OUT_DIR/{split}-ref-sparse-{kind}.json    the sparse arm (kind: full = the model's query,
                                            idf = tokens weighted by IDF)
  OUT_DIR/{split}-ref-hybrid-{kind}.json    min-max fusion with BM25 at alpha 0.35

BEIR_DIR may hold corpus.jsonl.gz (as ../shared/data/scifact does): the reference reads plain
JSONL, so a plain copy is written to OUT_DIR/<its name> first.

Needs a venv with `numpy onnxruntime tokenizers snowballstemmer` (model/requirements-dev.txt
plus snowballstemmer).
"""
import gzip
import json
import os
import shutil
import runpy
import sys

if len(sys.argv) != 7:
    sys.exit(__doc__)
script, beir, model, tokenizer, cache, out = sys.argv[1:]
os.makedirs(out, exist_ok=True)
if not os.path.exists(os.path.join(beir, "corpus.jsonl")):
    plain = os.path.join(out, os.path.basename(beir.rstrip("/")))
    os.makedirs(plain, exist_ok=True)
    with gzip.open(os.path.join(beir, "corpus.jsonl.gz"), "rb") as src, \
            open(os.path.join(plain, "corpus.jsonl"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copy(os.path.join(beir, "queries.jsonl"), plain)
    shutil.copytree(os.path.join(beir, "qrels"), os.path.join(plain, "qrels"), dirs_exist_ok=True)
    beir = plain
os.environ.setdefault("KINDS", "full,idf")
sys.argv = [script, beir, model, tokenizer, cache]
g = runpy.run_path(script, run_name="reference")
docs, queries = g["docs"], g["queries"]
ALPHA = 0.35


def write(name, split, ranking_of):
    results = {}
    for q, ranked in ranking_of.items():
        # Strictly decreasing scores keep each run's order whatever the reader's tie rule.
        results[q] = [[docs[d]["_id"], s] for d, s in ranked]
    meta = {"name": name, "system": "reference (../shared/tools/sparse_query_variants.py)",
            "split": split, "results": results}
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(meta, f)


for split, qrels in g["splits"].items():
    if not qrels:
        continue
    qids = sorted(qrels)
    full, _ = g["encode"]([queries[q] for q in qids])
    bm = {q: g["bm25_run"](queries[q]) for q in qids}
    write(f"{split}-ref-bm25", split, bm)
    for kind in os.environ["KINDS"].split(","):
        runs = {q: g["sparse_run"](g["qvec"](kind, queries[q], f)) for q, f in zip(qids, full)}
        write(f"{split}-ref-sparse-{kind}", split, runs)
        fused = {q: [(d, 1000.0 - r) for r, d in enumerate(g["fuse"](runs[q], bm[q], ALPHA)[:100])]
                 for q in qids}
        write(f"{split}-ref-hybrid-{kind}", split, fused)
    print(f"{split}: runs written to {out}", flush=True)
