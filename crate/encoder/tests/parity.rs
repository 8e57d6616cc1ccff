//! Parity with the transformers reference (tests/fixtures/splade/reference-vectors.jsonl, copied
//! from /work/shared/reference/splade-tiny): identical token ids, f32 cosine >= 0.9999, int8
//! cosine >= 0.99. Needs model/build (run model/build.sh first).

#![allow(clippy::print_stdout)] // the per-text cosines are the report (run with --nocapture)

mod common;

use common::{cosine, encoder, references};
use sparrow_encoder::{EncoderConfig, LanguagePolicy};

/// The reference truncates at 256 tokens and encodes every text: one window, no language guard.
fn reference_config() -> EncoderConfig {
    EncoderConfig {
        max_tokens: 256,
        max_windows: 1,
        language: LanguagePolicy::Any,
        ..EncoderConfig::default()
    }
}

#[test]
fn token_ids_match_the_reference() {
    let enc = encoder("f32", reference_config());
    let refs = references();
    assert_eq!(refs.len(), 12);
    for r in &refs {
        assert_eq!(r.max_tokens, 256);
        assert_eq!(enc.token_ids(&r.text).unwrap(), r.input_ids, "token ids of {:?}", r.text);
    }
}

fn check_parity(variant: &str, min_cosine: f64) {
    let enc = encoder(variant, reference_config());
    let mut worst = 1.0f64;
    for r in references() {
        let doc = enc.encode_document(&r.text).unwrap();
        let v =
            doc.vector.as_ref().unwrap_or_else(|| panic!("no vector for {:?}: {doc:?}", r.text));
        let c = cosine(v, &r.weights);
        println!(
            "{variant} cosine {c:.8}  nnz {:3} (ref {:3})  {:?}",
            v.len(),
            r.weights.len(),
            r.text.chars().take(40).collect::<String>()
        );
        assert!(c >= min_cosine, "{variant}: cosine {c} < {min_cosine} for {:?}", r.text);
        assert_eq!(doc.windows, 1);
        assert_eq!(doc.tokens + 2, r.input_ids.len());
        worst = worst.min(c);
    }
    println!("{variant}: worst cosine {worst:.8}");
}

#[test]
fn f32_vectors_match_the_reference() {
    check_parity("f32", 0.9999);
}

#[test]
fn int8_vectors_match_the_reference() {
    check_parity("int8", 0.99);
}

#[test]
fn long_reference_text_is_truncated_with_one_window() {
    let enc = encoder("f32", reference_config());
    let long = references()
        .into_iter()
        .find(|r| r.input_ids.len() == 256)
        .expect("the >256-token reference");
    let doc = enc.encode_document(&long.text).unwrap();
    assert!(doc.truncated);
    assert_eq!((doc.windows, doc.tokens), (1, 254));
}

#[test]
fn batched_documents_equal_single_documents() {
    let enc = encoder("f32", reference_config());
    let refs = references();
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let batch = enc.encode_documents(&texts).unwrap();
    assert_eq!(batch.len(), texts.len());
    for (text, b) in texts.iter().zip(&batch) {
        let single = enc.encode_document(text).unwrap();
        let (s, b) = (single.vector.unwrap(), b.vector.clone().unwrap());
        assert_eq!(s.ids(), b.ids(), "{text:?}");
        for (x, y) in s.weights().iter().zip(b.weights()) {
            assert!((x - y).abs() < 1e-4, "{text:?}: {x} vs {y}");
        }
    }
}

#[test]
fn short_queries_equal_their_document_vector() {
    let enc = encoder("f32", reference_config());
    for r in references().iter().filter(|r| r.input_ids.len() <= 64) {
        let q = enc.encode_query(&r.text).unwrap();
        let d = enc.encode_document(&r.text).unwrap().vector.unwrap();
        assert_eq!(q.ids(), d.ids(), "{:?}", r.text);
        assert!(cosine(&q, &r.weights) >= 0.9999);
    }
}
