//! `sparrow export` and `sparrow query-vector` end to end: the three inputs (BEIR, an index file,
//! a site manifest), the files each format writes, the engines' rules on real vectors, and clear
//! errors. Needs model/build. The real-engine proof (Lucene) is `tests/engines/anserini.test.mjs`;
//! the client request types, `tests/engines/client-types.test.mjs`.

mod common;
use common::model_dir;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sparrow_core::WordPiece;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

fn tmp(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sparrow-export-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sparrow(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sparrow"))
        .args(args)
        .arg("--model")
        .arg(model_dir())
        .env("SPARROW_EVAL_CACHE", cache)
        .output()
        .expect("run sparrow")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

fn lines(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The bulk files' documents: id -> source.
fn bulk_docs(dir: &Path) -> BTreeMap<String, Value> {
    let mut parts: Vec<PathBuf> =
        std::fs::read_dir(dir.join("bulk")).unwrap().map(|e| e.unwrap().path()).collect();
    parts.sort();
    let mut out = BTreeMap::new();
    for p in parts {
        let l = lines(&p);
        for pair in l.chunks(2) {
            let id = pair[0]["index"]["_id"].as_str().unwrap().to_owned();
            assert!(out.insert(id, pair[1].clone()).is_none(), "each document once");
        }
    }
    out
}

#[test]
fn beir_input_to_every_format() {
    let base = tmp("beir");
    let beir = repo("tests/fixtures/beir-mini");
    for format in ["elasticsearch", "opensearch", "anserini"] {
        let out = base.join(format);
        ok(&sparrow(
            &[
                "export",
                "--beir",
                beir.to_str().unwrap(),
                "--split",
                "test",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
            &base,
        ));
        let meta = read_json(&out.join("export.json"));
        assert_eq!(meta["format"], format);
        assert_eq!(
            (meta["documents"].as_u64(), meta["documentsWithVectors"].as_u64()),
            (Some(12), Some(12))
        );
        // beir-mini's test qrels judge five queries (one with grade 0 only): all are written.
        assert_eq!(meta["topics"], 5);
        assert_eq!(meta["bm25"], serde_json::json!({ "k1": 1.5, "b": 0.95 }));
        let md = std::fs::read_to_string(out.join("queries.md")).unwrap();
        match format {
            "anserini" => {
                assert!(
                    md.contains("JsonVectorCollection") && md.contains("-impact -pretokenized")
                );
                let docs = lines(&out.join("vectors/part-00000.jsonl"));
                assert_eq!(docs.len(), 12);
                let d01 = docs.iter().find(|d| d["id"] == "d01").unwrap();
                assert_eq!(
                    d01["contents"],
                    "Volcanoes\nLava flows from a volcanic eruption cool into basalt rock."
                );
                let vector = d01["vector"].as_object().unwrap();
                assert!(
                    vector.values().all(|w| w.as_u64().is_some_and(|w| w >= 1)),
                    "integer impacts"
                );
                assert!(vector["volcano"].as_u64().unwrap() > 100, "weight x 100");
                let topics = lines(&out.join("topics-test.sparse.jsonl"));
                assert_eq!(topics.len(), 5);
                assert!(topics.iter().all(|t| t["title"].as_str().is_some_and(|s| !s.is_empty())));
                assert_eq!(
                    lines(&out.join("topics-test.lexical.jsonl"))[0]["title"],
                    "volcanic eruption"
                );
            }
            _ => {
                let index = read_json(&out.join("index.json"));
                let sparse_type =
                    if format == "elasticsearch" { "sparse_vector" } else { "rank_features" };
                assert_eq!(index["mappings"]["properties"]["sparse"]["type"], sparse_type);
                assert_eq!(index["settings"]["index"]["similarity"]["sparrow_bm25"]["k1"], 1.5);
                let docs = bulk_docs(&out);
                assert_eq!(docs.len(), 12);
                let d01 = &docs["d01"];
                assert_eq!(d01["title"], "Volcanoes");
                assert!(d01["sparse"]["volcano"].as_f64().unwrap() > 1.0);
                assert!(md.contains("_bulk") && md.contains("search/hybrid.json"));
                let ids = std::fs::read_to_string(out.join("topics-test.ids.txt")).unwrap();
                assert_eq!(ids.lines().count(), 5);
                assert_eq!(
                    lines(&out.join("topics-test.sparse.ndjson")).len(),
                    10,
                    "header + body per query"
                );
                if format == "opensearch" {
                    let p = read_json(&out.join("pipeline.json"));
                    let c =
                        &p["phase_results_processors"][0]["normalization-processor"]["combination"];
                    assert_eq!(c["parameters"]["weights"], serde_json::json!([0.65, 0.35]));
                    assert!(md.contains("search_pipeline=sparrow-hybrid"));
                }
            }
        }
    }
}

/// An index file and a site manifest export the vectors Sparrow scores, named by the right
/// vocabulary (the model's, or the site's ranks).
#[test]
fn index_file_and_site_manifest_inputs() {
    let base = tmp("index");
    let beir = repo("tests/fixtures/beir-mini");
    let index_file = base.join("mini.sparrow");
    ok(&sparrow(
        &[
            "eval",
            "--beir",
            beir.to_str().unwrap(),
            "--split",
            "test",
            "--mode",
            "sparse",
            "--variant",
            "int8",
            "--query",
            "model",
            "--write-index",
            index_file.to_str().unwrap(),
        ],
        &base,
    ));
    let from_beir = base.join("from-beir");
    let from_index = base.join("from-index");
    ok(&sparrow(
        &[
            "export",
            "--beir",
            beir.to_str().unwrap(),
            "--format",
            "elasticsearch",
            "--out",
            from_beir.to_str().unwrap(),
        ],
        &base,
    ));
    let out = sparrow(
        &[
            "export",
            "--index",
            index_file.to_str().unwrap(),
            "--format",
            "elasticsearch",
            "--out",
            from_index.to_str().unwrap(),
        ],
        &base,
    );
    ok(&out);
    // The eval index keeps no text: said once, and the vectors are the same.
    assert!(String::from_utf8_lossy(&out.stderr).contains("12 documents have no stored text"));
    let (a, b) = (bulk_docs(&from_beir), bulk_docs(&from_index));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (id, doc) in &a {
        assert_eq!(doc["sparse"], b[id]["sparse"], "{id}");
    }

    // A site index: its manifest names its vocabulary (ranks, not model ids).
    let site = base.join("site");
    let built = Command::new(env!("CARGO_BIN_EXE_sparrow"))
        .args(["index", "--quiet", "--threads", "2", "--site"])
        .arg(repo("tests/fixtures/site"))
        .arg("--out")
        .arg(&site)
        .arg("--model")
        .arg(model_dir())
        .output()
        .unwrap();
    ok(&built);
    let out = base.join("from-site");
    ok(&sparrow(
        &[
            "export",
            "--index",
            site.join("manifest.json").to_str().unwrap(),
            "--format",
            "opensearch",
            "--out",
            out.to_str().unwrap(),
            "--query",
            "lookup",
        ],
        &base,
    ));
    let docs = bulk_docs(&out);
    assert!(!docs.is_empty());
    let words: Vec<&String> =
        docs.values().flat_map(|d| d["sparse"].as_object().unwrap().keys()).collect();
    assert!(words.iter().any(|w| w.as_str() == "html" || w.as_str() == "escaping"), "{words:?}");
    // Lookup query vectors come from the index's token counts: IDF weights of the query's tokens.
    let q = read_json(&out.join("search/sparse.json"));
    let tokens = q["query"]["neural_sparse"]["sparse"]["query_tokens"].as_object().unwrap();
    assert!(
        tokens
            .keys()
            .all(|k| ["how", "do", "volcanoes", "form", "volcano", "##es"].contains(&k.as_str())),
        "{tokens:?}"
    );
}

#[test]
fn query_vector_prints_the_body() {
    let base = tmp("qv");
    let out =
        ok(&sparrow(&["query-vector", "why is the sky blue?", "--format", "elasticsearch"], &base));
    let body: Value = serde_json::from_str(&out).unwrap();
    let v = body["query"]["sparse_vector"]["query_vector"].as_object().unwrap();
    assert!(v.contains_key("sky") && v.contains_key("blue"), "{v:?}");
    // The "?" and "." tokens are kept; a dot is renamed (Elasticsearch refuses dots).
    assert!(v.keys().all(|k| !k.contains('.')));
    assert!(v.values().all(|w| w.as_f64().is_some_and(|w| w > 0.0 && w <= 64.0)));

    let out = sparrow(
        &["query-vector", "sky", "--format", "opensearch", "--mode", "hybrid", "--fusion", "rrf"],
        &base,
    );
    let body: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(body["query"]["hybrid"]["queries"][0]["match"]["content"]["query"], "sky");
    let hint = String::from_utf8_lossy(&out.stderr);
    assert!(hint.contains("search_pipeline") && hint.contains("score-ranker-processor"), "{hint}");

    let out = ok(&sparrow(&["query-vector", "sky", "--format", "anserini"], &base));
    let body: Value = serde_json::from_str(&out).unwrap();
    assert!(
        body["title"].as_str().unwrap().split(' ').filter(|t| *t == "sky").count() > 50,
        "{body}"
    );

    let out = sparrow(&["query-vector", "sky", "--format", "anserini", "--mode", "hybrid"], &base);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FuseRuns"));
}

#[test]
fn bad_input_is_one_clear_error() {
    let base = tmp("bad");
    let junk = base.join("junk.bin");
    std::fs::write(&junk, b"not an index at all").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "export",
                "--index",
                junk.to_str().unwrap(),
                "--format",
                "anserini",
                "--out",
                base.to_str().unwrap(),
            ],
            "is not a Sparrow index",
        ),
        (
            vec!["export", "--format", "anserini", "--out", base.to_str().unwrap()],
            "pass the documents as --index FILE",
        ),
        (
            vec![
                "export",
                "--index",
                junk.to_str().unwrap(),
                "--split",
                "test",
                "--format",
                "anserini",
                "--out",
                base.to_str().unwrap(),
            ],
            "--split needs --beir",
        ),
        (
            vec![
                "export",
                "--index",
                junk.to_str().unwrap(),
                "--format",
                "anserini",
                "--scale",
                "0",
                "--out",
                base.to_str().unwrap(),
            ],
            "--scale must be a positive number",
        ),
    ];
    for (args, want) in cases {
        let out = sparrow(&args, &base);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// The dot replacement cannot collide: no token of the model's vocabulary contains U+2024, and
/// the vocabulary does have tokens with dots (so the rule is needed).
#[test]
fn dot_replacement_is_unambiguous_for_the_model_vocabulary() {
    let wp =
        WordPiece::from_tokenizer_json(&std::fs::read(model_dir().join("tokenizer.json")).unwrap())
            .unwrap();
    let tokens: Vec<&str> = wp.sorted_tokens().collect();
    assert!(tokens.len() > 30_000);
    assert!(tokens.iter().all(|t| !t.contains(sparrow_core::export::DOT)));
    assert!(tokens.iter().filter(|t| t.contains('.')).count() >= 2, "'.' and '...' at least");
}

/// The README's "When you outgrow the browser" commands, run as written (the demo's site index
/// is replaced by one built from the test site; outputs go to a temp dir), and what the text
/// says they write.
#[test]
fn readme_commands_run() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let section =
        readme.split("## When you outgrow the browser").nth(1).expect("the README section");
    let block = section.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    let base = tmp("readme");
    let site = base.join("site");
    ok(&Command::new(env!("CARGO_BIN_EXE_sparrow"))
        .args(["index", "--quiet", "--threads", "2", "--site"])
        .arg(repo("tests/fixtures/site"))
        .arg("--out")
        .arg(&site)
        .arg("--model")
        .arg(model_dir())
        .output()
        .unwrap());
    let mut printed = Vec::new();
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        // Words, with "double-quoted" ones kept whole.
        let mut words: Vec<String> = Vec::new();
        for (i, part) in line.split('"').enumerate() {
            if i % 2 == 1 {
                words.push(part.to_owned());
            } else {
                words.extend(part.split_whitespace().map(str::to_owned));
            }
        }
        assert_eq!(words.remove(0), "sparrow", "{line}");
        let args: Vec<String> = words
            .into_iter()
            .map(|w| match w.as_str() {
                "www/public/generated/nodejs/manifest.json" => {
                    site.join("manifest.json").display().to_string()
                }
                w if w.starts_with("export/") => base.join(w).display().to_string(),
                _ => w,
            })
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_sparrow"))
            .current_dir(repo(""))
            .args(&args)
            .arg("--model")
            .arg(model_dir())
            .env("SPARROW_EVAL_CACHE", &base)
            .output()
            .unwrap();
        printed.push(ok(&out));
    }
    assert_eq!(printed.len(), 3);
    let es = base.join("export/es");
    for f in [
        "index.json",
        "bulk/part-00000.ndjson",
        "search/lexical.json",
        "search/sparse.json",
        "search/hybrid.json",
        "search/hybrid-rrf.json",
        "queries.md",
    ] {
        assert!(es.join(f).is_file(), "{f}");
    }
    assert!(base.join("export/os/pipeline.json").is_file());
    let body: Value = serde_json::from_str(&printed[2]).unwrap();
    let linear = &body["retriever"]["linear"]["retrievers"];
    assert_eq!(linear[0]["normalizer"], "minmax");
    assert!(
        linear[1]["retriever"]["standard"]["query"]["sparse_vector"]["query_vector"]["volcanoes"]
            .as_f64()
            .unwrap()
            > 1.0
    );
}
