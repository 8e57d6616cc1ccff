//! `sparrow eval` end to end on tests/fixtures/beir-mini (12 synthetic documents; the expected
//! lexical metrics are computed by hand in its README). Tests with the model need model/build
//! (run model/build.sh first).

mod common;
use common::model_dir;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/beir-mini")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sparrow-eval-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sparrow(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sparrow"))
        .args(args)
        .env_remove("SPARROW_BEIR_DIR")
        .output()
        .expect("run sparrow")
}

fn ok_json_lines(out: &std::process::Output) -> Vec<Value> {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("no number {key} in {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// The hand-computed lexical metrics (see the fixture's README).
const LEXICAL_NDCG: f64 = 0.714_929_7;

#[test]
fn lexical_without_a_model() {
    let dir = fixture();
    let out = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--split",
        "test",
        "--mode",
        "lexical",
        "--model",
        "/nonexistent",
        "--no-cache",
        "--json",
    ]);
    let runs = ok_json_lines(&out);
    assert_eq!(runs.len(), 1, "{runs:?}");
    let r = &runs[0];
    assert_eq!(r["mode"], "lexical");
    assert!(r["fusion"].is_null() && r["model"].is_null(), "{r}");
    assert_eq!(r["split"], "test");
    assert_eq!(r["queries"], 4, "t5 has no relevant document and is skipped");
    let third = 1.0 / 3f64.log2();
    let t3 = (1.0 + 2.0 * third) / (2.0 + third);
    assert!(close(LEXICAL_NDCG, (2.0 + t3) / 4.0));
    assert!(close(num(r, "ndcg@10"), LEXICAL_NDCG), "{r}");
    assert!(close(num(r, "recall@100"), 0.75), "{r}");
    assert!(close(num(r, "mrr@10"), 0.75), "{r}");
    for k in ["p50Ms", "p95Ms", "meanMs"] {
        assert!(r["latency"][k].as_f64().is_some_and(|x| x >= 0.0), "{r}");
    }
}

#[test]
fn lexical_table_for_people() {
    let dir = fixture();
    let out =
        sparrow(&["eval", "--beir", dir.to_str().unwrap(), "--mode", "lexical", "--no-cache"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("beir-mini test (4 queries)"), "{text}");
    assert!(
        text.contains("| sparrow-native-lexical | lexical | - | - | 0.7149 | 0.7500 | 0.7500 |"),
        "{text}"
    );
}

#[test]
fn scores_trec_and_json_run_files() {
    let dir = fixture();
    let work = tmp("runs");
    // t1 perfect; t2 relevant at rank 2; t3 ideal (d05 then d06); t4 nothing; t5 skipped.
    let trec = "t1 Q0 d01 1 3.0 mine\nt2 Q0 d09 1 2.0 mine\nt2 Q0 d02 2 1.0 mine\nt3 Q0 d05 1 2.0 mine\nt3 Q0 d06 2 1.0 mine\nt5 Q0 d10 1 1.0 mine\n";
    std::fs::write(work.join("run.trec"), trec).unwrap();
    let json = r#"{"name": "same", "system": "test", "latency": {"p50Ms": 1.5}, "results": {"t1": [["d01", 3]], "t2": [["d09", 2], ["d02", 1]], "t3": {"d06": 1, "d05": 2}}}"#;
    std::fs::write(work.join("run.json"), json).unwrap();
    let out = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--split",
        "test",
        "--json",
        "--run",
        work.join("run.trec").to_str().unwrap(),
        "--run",
        work.join("run.json").to_str().unwrap(),
    ]);
    let runs = ok_json_lines(&out);
    assert_eq!(runs.len(), 2);
    let ndcg = (1.0 + 2.0 / 3f64.log2() / 2.0 + 1.0) / 4.0; // t2: gain 2 at rank 2, ideal 2
    for r in &runs {
        assert!(close(num(r, "ndcg@10"), ndcg), "{r}");
        assert!(close(num(r, "recall@100"), 0.75), "{r}");
        assert!(close(num(r, "mrr@10"), (1.0 + 0.5 + 1.0) / 4.0), "{r}");
        assert_eq!(r["queries"], 4);
        assert_eq!(r["missingQueries"], 1, "t4 is not in the run");
    }
    assert_eq!(runs[0]["name"], "mine");
    assert_eq!(runs[1]["name"], "same");
    assert_eq!(runs[1]["latency"]["p50Ms"], 1.5, "metadata is passed through");

    // --baseline: each run against a baseline that only answers t1, query by query.
    std::fs::write(work.join("base.trec"), "t1 Q0 d01 1 1.0 base\n").unwrap();
    let out = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--split",
        "test",
        "--json",
        "--run",
        work.join("run.trec").to_str().unwrap(),
        "--run",
        work.join("base.trec").to_str().unwrap(),
        "--baseline",
        work.join("base.trec").to_str().unwrap(),
    ]);
    let runs = ok_json_lines(&out);
    std::fs::remove_dir_all(&work).ok();
    let (better, same) = (&runs[0]["vsBaseline"], &runs[1]["vsBaseline"]);
    assert_eq!(better["baseline"], "base");
    assert_eq!(better["queries"], 4);
    // t2 and t3 gain, t1 and t4 tie: the mean difference is the two gains over 4 queries.
    assert!(close(num(better, "deltaNdcg10"), (2.0 / 3f64.log2() / 2.0 + 1.0) / 4.0), "{better}");
    let ci: Vec<f64> =
        better["ci95"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let delta = num(better, "deltaNdcg10");
    assert!(0.0 <= ci[0] && ci[0] < delta && delta < ci[1] && ci[1] <= 1.0, "{better}");
    // With 2 of 4 queries different, 1 in 2 sign flips reaches the observed mean.
    assert!((num(better, "p") - 0.5).abs() < 0.05, "{better}");
    assert_eq!((num(same, "deltaNdcg10"), num(same, "p")), (0.0, 1.0), "{same}");
    let table = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--split",
        "test",
        "--run",
        work.join("none.trec").to_str().unwrap(),
        "--baseline",
        work.join("missing.trec").to_str().unwrap(),
    ]);
    assert!(!table.status.success());
    let err = String::from_utf8_lossy(&table.stderr);
    assert!(err.contains("--baseline") && err.contains("missing.trec"), "{err}");
}

#[test]
fn clear_errors() {
    let out = sparrow(&["eval", "--mode", "lexical"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--beir"));
    let out = sparrow(&["eval", "--beir", "/nonexistent/beir", "--mode", "lexical"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/beir"));
    let dir = fixture();
    let out = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--mode",
        "sparse",
        "--model",
        "/nonexistent/model",
        "--no-cache",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("model/build.sh"));
}

fn messy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/beir-messy")
}

/// Empty documents, duplicates, dangling judgments, malformed lines, BOMs and blank lines are
/// counted and left out, never fatal; the metrics are the hand-computed ones in the fixture's
/// README (a judged document that was skipped is a miss).
#[test]
fn messy_input_is_counted_not_fatal() {
    let dir = messy();
    let out = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--mode",
        "lexical",
        "--no-cache",
        "--json",
    ]);
    let runs = ok_json_lines(&out);
    let r = &runs[0];
    assert_eq!(r["queries"], 4, "{r}");
    let l3 = 3f64.log2();
    let t3 = (1.0 + 2.0 / l3) / (2.0 + 1.0 / l3 + 0.5);
    assert!(close(num(r, "ndcg@10"), (2.0 + t3) / 4.0), "{r}");
    assert!(close(num(r, "recall@100"), (2.0 + 2.0 / 3.0) / 4.0), "{r}");
    assert!(close(num(r, "mrr@10"), 0.75), "{r}");
    let input = &r["input"];
    let expected = serde_json::json!({
        "byteOrderMarks": 2,
        "blankLines": 4,
        "malformedLines": 3,
        "duplicateDocuments": 1,
        "refusedDocuments": { "EMPTY_DOCUMENT": 2 },
        "duplicateQueries": 1,
        "duplicateJudgments": 1,
        "judgedQueriesWithoutText": 1,
        "judgedDocumentsNotIndexed": 2,
    });
    for (k, v) in expected.as_object().unwrap() {
        assert_eq!(&input[k], v, "{k} in {input}");
    }
    assert!(input["firstMalformed"].as_str().is_some_and(|s| s.contains("test.tsv:")), "{input}");
    // One summary line for a person, on stderr.
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("input: skipped")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    for part in [
        "2 documents the index refuses",
        "EMPTY_DOCUMENT 2",
        "1 duplicate document ids",
        "3 malformed lines",
        "2 judgments name a document not indexed",
    ] {
        assert!(lines[0].contains(part), "{part:?} not in {:?}", lines[0]);
    }
    // With the model: the refused documents are never encoded, and every run completes.
    let model = model_dir();
    let out = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--mode",
        "sparse,hybrid",
        "--fusion",
        "weighted",
        "--variant",
        "int8",
        "--model",
        model.to_str().unwrap(),
        "--no-cache",
        "--json",
    ]);
    let runs = ok_json_lines(&out);
    assert_eq!(runs.len(), 4, "sparse and hybrid, model and lookup queries: {runs:?}");
    for r in &runs {
        assert_eq!(r["index"]["documents"], 12, "{r}");
        assert_eq!(r["input"], *input, "{r}");
        assert!(
            num(r, "recall@100") <= (2.0 + 2.0 / 3.0 + 0.5) / 4.0 + 1e-9,
            "e1 and dx are misses (t3 finds 2 of 3 at most, t4 1 of 2): {r}"
        );
    }
    // A clean dataset reports nothing skipped.
    let out = sparrow(&[
        "eval",
        "--beir",
        fixture().to_str().unwrap(),
        "--mode",
        "lexical",
        "--no-cache",
        "--json",
    ]);
    let runs = ok_json_lines(&out);
    assert_eq!(runs[0]["input"]["malformedLines"], 0);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("input:"));
}

/// Input with nothing to evaluate gets one line saying so.
#[test]
fn unusable_input_is_one_clear_line() {
    let dir = tmp("unusable");
    std::fs::create_dir_all(dir.join("qrels")).unwrap();
    std::fs::write(dir.join("corpus.jsonl"), "{\"_id\": \"a\", \"text\": \"\"}\n\n").unwrap();
    std::fs::write(dir.join("queries.jsonl"), "{\"_id\": \"q\", \"text\": \"x\"}\n").unwrap();
    std::fs::write(dir.join("qrels/test.tsv"), "q\ta\t1\n").unwrap();
    let run =
        || sparrow(&["eval", "--beir", dir.to_str().unwrap(), "--mode", "lexical", "--no-cache"]);
    let out = run();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no document the index accepts") && err.contains("EMPTY_DOCUMENT 1"),
        "{err}"
    );
    std::fs::write(dir.join("corpus.jsonl"), "{\"_id\": \"a\", \"text\": \"x\"}\n").unwrap();
    std::fs::write(dir.join("qrels/test.tsv"), "nosuch\ta\t1\n").unwrap();
    let out = run();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("judges no query") && err.contains("1 judged queries without text"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_mode_with_the_model() {
    let model = model_dir();
    let dir = fixture();
    let work = tmp("model");
    let (cache, runs_dir, index) =
        (work.join("cache"), work.join("runs"), work.join("mini.sparrow"));
    let args = [
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--split",
        "test",
        "--model",
        model.to_str().unwrap(),
        "--cache",
        cache.to_str().unwrap(),
        "--write-runs",
        runs_dir.to_str().unwrap(),
        "--write-index",
        index.to_str().unwrap(),
        "--json",
    ];
    let runs = ok_json_lines(&sparrow(&args));
    let shape: Vec<[String; 4]> = runs
        .iter()
        .map(|r| {
            [&r["mode"], &r["fusion"]["kind"], &r["model"], &r["queryEncoder"]]
                .map(|v| v.to_string())
        })
        .collect();
    // Every sparse and hybrid run twice: the model's query expansion, then the lookup query.
    let expected: Vec<[String; 4]> = [
        ["lexical", "null", "null", "null"],
        ["sparse", "null", "int8", "model"],
        ["sparse", "null", "int8", "lookup"],
        ["hybrid", "rrf", "int8", "model"],
        ["hybrid", "rrf", "int8", "lookup"],
        ["hybrid", "weighted", "int8", "model"],
        ["hybrid", "weighted", "int8", "lookup"],
        ["sparse", "null", "f32", "model"],
        ["sparse", "null", "f32", "lookup"],
        ["hybrid", "rrf", "f32", "model"],
        ["hybrid", "rrf", "f32", "lookup"],
        ["hybrid", "weighted", "f32", "model"],
        ["hybrid", "weighted", "f32", "lookup"],
    ]
    .iter()
    .map(|row| row.map(|s| if s == "null" { s.to_owned() } else { format!("\"{s}\"") }))
    .collect();
    assert_eq!(shape, expected);
    let name = |i: usize| runs[i]["name"].as_str().unwrap().to_owned();
    assert_eq!(
        (name(5), name(6)),
        (
            "sparrow-native-hybrid-weighted-int8".into(),
            "sparrow-native-hybrid-weighted-int8-lookup".into()
        )
    );
    for r in &runs {
        for k in ["ndcg@10", "recall@100", "mrr@10"] {
            assert!((0.0..=1.0).contains(&num(r, k)), "{r}");
        }
        assert_eq!(r["queries"], 4);
        assert!(r["latency"]["p95Ms"].as_f64().is_some(), "{r}");
        if r["mode"] != "lexical" {
            assert!(r["latency"]["encodeP50Ms"].as_f64().is_some(), "{r}");
        }
    }
    assert!(close(num(&runs[0], "ndcg@10"), LEXICAL_NDCG));
    // The written runs score the same through --run.
    let written: Vec<String> = runs
        .iter()
        .map(|r| {
            runs_dir
                .join(format!("{}.json", r["name"].as_str().unwrap()))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut rescore = vec!["eval", "--beir", dir.to_str().unwrap(), "--split", "test", "--json"];
    for w in &written {
        rescore.extend(["--run", w.as_str()]);
    }
    let again = ok_json_lines(&sparrow(&rescore));
    for (a, b) in runs.iter().zip(&again) {
        for k in ["ndcg@10", "recall@100", "mrr@10"] {
            assert_eq!(a[k], b[k], "{a} vs {b}");
        }
        assert_eq!(a["mode"], b["mode"]);
    }
    // The index loads, and the vectors were cached.
    let bytes = std::fs::read(&index).unwrap();
    let loaded = sparrow_core::Index::from_bytes(&bytes).expect("a valid index");
    assert_eq!(loaded.len(), 12);
    assert_eq!(loaded.stats().sparse_documents, 12);
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 2, "one cache file per variant");
    // Second run reads the cache and gives the same numbers.
    let cached = ok_json_lines(&sparrow(&args));
    for (a, b) in runs.iter().zip(&cached) {
        assert_eq!(a["ndcg@10"], b["ndcg@10"]);
    }
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn tune_fuses_as_hybrid_search_does() {
    let model = model_dir();
    let dir = fixture();
    let work = tmp("tune");
    let out_json = work.join("grid.json");
    let out = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--split",
        "train",
        "--variant",
        "int8",
        "--model",
        model.to_str().unwrap(),
        "--no-cache",
        "--tune",
        "--tune-out",
        out_json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("check: rrf through Index::search (hybrid) matches the grid's fusion"),
        "{text}"
    );
    assert!(
        text.contains(
            "check: weighted (min-max) through Index::search (hybrid) matches the grid's fusion"
        ),
        "{text}"
    );
    let grid: Value = serde_json::from_slice(&std::fs::read(&out_json).unwrap()).unwrap();
    assert_eq!(grid["split"], "train");
    assert!(grid["grid"].as_array().unwrap().len() > 1000);
    std::fs::remove_dir_all(&work).ok();
}

/// `--write-vocab`: the written index is keyed by the vocabulary file's ranks and answers lookup
/// queries with that file alone, exactly as the eval's own lookup run ranked them.
#[test]
fn write_vocab_gives_an_index_for_the_search_only_module() {
    use sparrow_core::{Index, Query, SearchOptions, WordPiece};
    let model = model_dir();
    let dir = fixture();
    let work = tmp("vocab");
    let (index_path, vocab_path) = (work.join("mini.spi"), work.join("mini.spv"));
    let runs = ok_json_lines(&sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--split",
        "test",
        "--model",
        model.to_str().unwrap(),
        "--cache",
        work.join("cache").to_str().unwrap(),
        "--mode",
        "hybrid",
        "--fusion",
        "weighted",
        "--variant",
        "int8",
        "--query",
        "lookup",
        "--write-runs",
        work.join("runs").to_str().unwrap(),
        "--write-index",
        index_path.to_str().unwrap(),
        "--write-vocab",
        vocab_path.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(runs[0]["dataset"], "beir-mini");
    let index = Index::from_bytes(&std::fs::read(&index_path).unwrap()).unwrap();
    let vocab = WordPiece::from_vocab_bytes(&std::fs::read(&vocab_path).unwrap()).unwrap();
    index.check_term_space(vocab.term_space()).unwrap();
    let run: Value = serde_json::from_slice(
        &std::fs::read(
            work.join("runs").join(format!("{}.json", runs[0]["name"].as_str().unwrap())),
        )
        .unwrap(),
    )
    .unwrap();
    for (q, ranking) in run["results"].as_object().unwrap() {
        let text = std::fs::read_to_string(dir.join("queries.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|v| v["_id"] == q.as_str())
            .map(|v| v["text"].as_str().unwrap().to_owned())
            .unwrap();
        let query = Query::new(&text).with_tokens(vocab.ids(&text));
        let hits = index
            .search(&query, &SearchOptions { limit: 100, ..SearchOptions::default() })
            .unwrap();
        let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        let expected: Vec<&str> =
            ranking.as_array().unwrap().iter().map(|p| p[0].as_str().unwrap()).collect();
        assert_eq!(ids, expected, "{q}: {text}");
    }
    // Without a model there is nothing to key by.
    let out = sparrow(&[
        "eval",
        "--beir",
        dir.to_str().unwrap(),
        "--split",
        "test",
        "--mode",
        "lexical",
        "--write-index",
        index_path.to_str().unwrap(),
        "--write-vocab",
        vocab_path.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--write-vocab needs a model"));
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn prf_is_a_named_what_if_of_the_float_path() {
    let (model, dir, work) = (model_dir(), fixture(), tmp("prf"));
    let run = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--beir",
            dir.to_str().unwrap(),
            "--split",
            "test",
            "--model",
            model.to_str().unwrap(),
            "--mode",
            "sparse",
            "--variant",
            "int8",
            "--query",
            "model",
            "--cache",
            work.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        ok_json_lines(&sparrow(&args))
    };
    let plain = run(&["--exact-sparse"]);
    let prf = run(&["--prf-docs", "2", "--prf-weight", "0.5", "--prf-terms", "10"]);
    let none = run(&["--prf-docs", "2", "--prf-weight", "0"]);
    std::fs::remove_dir_all(&work).ok();
    assert_eq!(prf[0]["name"], "sparrow-native-sparse-int8-exact-prf2");
    assert_eq!(
        (prf[0]["exactSparse"].as_bool(), prf[0]["libraryDefaults"].as_bool()),
        (Some(true), Some(false))
    );
    assert!((0.0..=1.0).contains(&num(&prf[0], "ndcg@10")), "{}", prf[0]);
    // A feedback weight of 0 leaves the query as it was.
    for k in ["ndcg@10", "recall@100", "mrr@10"] {
        assert_eq!(none[0][k], plain[0][k], "{k}");
    }
}
