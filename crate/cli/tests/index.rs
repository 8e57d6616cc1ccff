//! `sparrow index --site` end to end on `tests/fixtures/site`. Needs model/build.

mod common;
use common::model_dir;

use std::path::Path;
use std::process::Command;

use sparrow_core::{Index, Query, SearchOptions};

#[test]
fn index_site_writes_manifest_and_loadable_shard() {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/site");
    let out = std::env::temp_dir().join(format!("sparrow-index-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_sparrow"))
        .args(["index", "--quiet", "--threads", "2", "--site"])
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .arg("--model")
        .arg(model_dir())
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], 1);
    assert_eq!(manifest["indexFormat"], sparrow_core::format::FORMAT_VERSION);
    assert_eq!(manifest["model"]["id"], "splade-tiny/int8");
    assert_eq!(manifest["model"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["mode"], "whole");
    assert_eq!(manifest["counts"]["pages"], 1);
    // "Hidden" has only ignored content, so one section.
    assert_eq!(manifest["counts"]["sections"], 1);
    let file = manifest["shards"][0]["file"].as_str().unwrap();
    assert!(file.starts_with("index-") && file.ends_with(".spi"), "{file}");
    let bytes = std::fs::read(out.join(file)).unwrap();
    assert_eq!(manifest["shards"][0]["bytes"], bytes.len());

    let index = Index::from_bytes(&bytes).unwrap();
    let hits = index.search(&Query::new("quokkafish"), &SearchOptions::default()).unwrap();
    assert_eq!(hits[0].id, "escaping.html#escaping");
    assert_eq!(hits[0].title.as_deref(), Some("Escaping check"));
    assert_eq!(hits[0].url.as_deref(), Some("escaping.html#escaping"));
    let doc = index.get("escaping.html#escaping").unwrap();
    assert!(doc.text.unwrap().contains("<script>alert(\"pwned\")</script>"));
    assert!(doc.has_sparse);
    // Navigation and ignored elements are not indexed.
    assert!(index.search(&Query::new("zebracorn"), &SearchOptions::default()).unwrap().is_empty());
    std::fs::remove_dir_all(&out).unwrap();
}
