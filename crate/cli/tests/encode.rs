//! `sparrow encode` end to end. Needs model/build (run model/build.sh first).

mod common;
use common::model_dir;

use std::process::Command;

fn sparrow(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sparrow")).args(args).output().expect("run sparrow")
}

#[test]
fn encode_prints_json_with_top_terms() {
    let dir = model_dir();
    for variant in ["--int8", "--f32"] {
        let out = sparrow(&[
            "encode",
            "what causes the seasons on earth",
            "--model",
            dir.to_str().unwrap(),
            variant,
            "--top",
            "3",
            "--json",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let terms = v["terms"].as_array().unwrap();
        assert_eq!(terms.len(), 3);
        assert_eq!(terms[0]["token"], "seasons", "{variant}: {v}");
        assert_eq!(v["tokens"], 6);
        assert_eq!(v["model"]["variant"], variant.trim_start_matches("--"));
    }
}

#[test]
fn encode_prints_a_table() {
    let dir = model_dir();
    let out = sparrow(&[
        "encode",
        "How do I reset my password?",
        "--model",
        dir.to_str().unwrap(),
        "--top",
        "5",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("splade-tiny (int8) document: 7 tokens, 1 window"), "{text}");
    assert!(text.contains("reset"), "{text}");
    assert_eq!(text.lines().count(), 6, "{text}");
}

#[test]
fn missing_model_is_a_clear_error() {
    let out = sparrow(&["encode", "x", "--model", "/nonexistent/dir"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("model/build.sh"), "{err}");
}

#[test]
fn wrong_model_bytes_are_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("sparrow-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("splade-tiny.int8.onnx"), b"definitely not onnx").unwrap();
    std::fs::copy(model_dir().join("tokenizer.json"), dir.join("tokenizer.json")).unwrap();
    let out = sparrow(&["encode", "x", "--model", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Sparrow model"), "{err}");
}
