//! Windows, truncation, the language guard, pruning and edge-case texts. Needs model/build.

mod common;

use common::encoder;
use sparrow_encoder::{EncoderConfig, LanguagePolicy, SkipReason};

const SENTENCE: &str = "The seasons are caused by the tilt of Earth's rotational axis relative to its orbital plane around the Sun. ";

fn long_text(sentences: usize) -> String {
    SENTENCE.repeat(sentences)
}

#[test]
fn long_documents_are_windowed_and_max_pooled() {
    let enc = encoder("int8", EncoderConfig::default());
    let tokens_per_sentence = enc.token_ids(SENTENCE).unwrap().len() - 2;
    // ~1000 text tokens: 254 + 224k >= n  ->  k = 4 extra windows.
    let n_sent = 1000 / tokens_per_sentence;
    let text = long_text(n_sent);
    let doc = enc.encode_document(&text).unwrap();
    let n = n_sent * tokens_per_sentence;
    assert_eq!(doc.tokens, n);
    assert_eq!(doc.windows, 1 + (n - 254).div_ceil(224));
    assert!(!doc.truncated);
    let v = doc.vector.unwrap();
    // Max-pooling: every term of the first window is in the document vector, at least as heavy.
    let first = EncoderConfig { max_windows: 1, ..EncoderConfig::default() };
    let one = encoder("int8", first).encode_document(&text).unwrap();
    assert!(one.truncated);
    for (id, w) in one.vector.unwrap().iter() {
        assert!(v.get(id).is_some_and(|x| x >= w - 1e-6), "term {id} lost in pooling");
    }
}

#[test]
fn later_windows_are_weighted_before_pooling() {
    // Two different texts in two windows: the pooled vector is max(first, w x second).
    let first_text = SENTENCE.repeat(254 / 20 + 4);
    let second =
        "Vaccines train the immune system to recognise a pathogen without causing disease. ";
    let text = format!("{first_text}{}", second.repeat(40));
    let cfg = |max_windows, later_windows| EncoderConfig {
        max_windows,
        later_windows,
        ..EncoderConfig::default()
    };
    let plain = encoder("int8", cfg(2, 1.0)).encode_document(&text).unwrap();
    let half = encoder("int8", cfg(2, 0.5)).encode_document(&text).unwrap();
    let one = encoder("int8", cfg(1, 1.0)).encode_document(&text).unwrap();
    assert_eq!((plain.windows, half.windows), (2, 2));
    let (plain, half, one) = (plain.vector.unwrap(), half.vector.unwrap(), one.vector.unwrap());
    assert_eq!(plain.ids(), half.ids(), "weighting keeps every term");
    let mut lowered = 0;
    for (id, w) in plain.iter() {
        let first = one.get(id).unwrap_or(0.0);
        let expected = first.max(if w > first { 0.5 * w } else { 0.0 });
        let got = half.get(id).unwrap();
        assert!((got - expected).abs() < 1e-4, "term {id}: {got} != max({first}, 0.5 x {w})");
        lowered += usize::from(got < w - 1e-4);
    }
    assert!(lowered > 10, "the second window's own terms are halved ({lowered})");
}

#[test]
fn documents_beyond_max_windows_are_truncated() {
    let cfg = EncoderConfig { max_windows: 2, ..EncoderConfig::default() };
    let enc = encoder("int8", cfg);
    let doc = enc.encode_document(&long_text(200)).unwrap();
    assert!(doc.truncated);
    assert_eq!((doc.windows, doc.tokens), (2, 254 + 224));
    // Exactly at the limit: not truncated.
    let ids = enc.token_ids(&long_text(200)).unwrap();
    assert_eq!(ids.len(), 256);
}

#[test]
fn huge_documents_only_tokenize_what_is_needed() {
    // 5 MB of text: the encoder stops at max_windows and reports truncation (that it reads only
    // a prefix is `text::tests::huge_texts_are_read_only_as_far_as_needed`; no timing here).
    let enc = encoder("int8", EncoderConfig::default());
    let text = long_text(50_000);
    let doc = enc.encode_document(&text).unwrap();
    assert!(doc.truncated);
    assert_eq!(doc.windows, 16);
    assert_eq!(doc.tokens, 254 + 15 * 224);
    // The prefix tokenization gives the same tokens as the whole text would.
    let no_spaces = "x".repeat(300_000);
    let doc = enc.encode_document(&no_spaces).unwrap();
    assert_eq!(doc.tokens, 1, "a 300k-char word is one [UNK]");
}

#[test]
fn non_english_documents_are_skipped_under_english_only() {
    let fr = "Les saisons sont causées par l'inclinaison de l'axe de rotation de la Terre par rapport à son plan orbital autour du Soleil.";
    let enc = encoder("int8", EncoderConfig::default());
    let doc = enc.encode_document(fr).unwrap();
    assert_eq!(doc.skipped, Some(SkipReason::Language));
    assert_eq!(doc.language.as_deref(), Some("fra"));
    assert!(doc.vector.is_none());
    assert_eq!(doc.windows, 0);

    let en = enc.encode_document(SENTENCE).unwrap();
    assert_eq!(en.language.as_deref(), Some("eng"));
    assert!(en.vector.is_some() && en.skipped.is_none());

    // Short text: no reliable detection, counts as English.
    let short = enc.encode_document("café au lait").unwrap();
    assert_eq!(short.language, None);
    assert!(short.vector.is_some());

    let any = encoder(
        "int8",
        EncoderConfig { language: LanguagePolicy::Any, ..EncoderConfig::default() },
    );
    let doc = any.encode_document(fr).unwrap();
    assert_eq!(doc.language.as_deref(), Some("fra"));
    assert!(doc.vector.is_some());
    // Queries have no language guard.
    assert!(!enc.encode_query(fr).unwrap().is_empty());
}

#[test]
fn empty_texts_have_no_vector() {
    let enc = encoder("int8", EncoderConfig::default());
    for text in ["", "   \n\t ", "\u{0}\u{1}"] {
        let doc = enc.encode_document(text).unwrap();
        assert_eq!(doc.skipped, Some(SkipReason::Empty), "{text:?}");
        assert_eq!((doc.tokens, doc.windows, doc.truncated), (0, 0, false));
        assert!(enc.encode_query(text).unwrap().is_empty());
    }
    assert_eq!(enc.token_ids("").unwrap(), [101, 102]);
    let docs = enc.encode_documents(&[]).unwrap();
    assert!(docs.is_empty());
}

#[test]
fn threshold_prunes_small_weights() {
    let all = encoder("f32", EncoderConfig::default()).encode_query(SENTENCE).unwrap();
    let pruned = encoder("f32", EncoderConfig { threshold: 0.5, ..EncoderConfig::default() })
        .encode_query(SENTENCE)
        .unwrap();
    assert!(pruned.len() < all.len());
    assert!(pruned.weights().iter().all(|&w| w >= 0.5));
    let kept: Vec<(u32, f32)> = all.iter().filter(|&(_, w)| w >= 0.5).collect();
    assert_eq!(pruned.iter().collect::<Vec<_>>(), kept);
}

#[test]
fn queries_are_cut_at_max_query_tokens() {
    let enc = encoder("int8", EncoderConfig { max_query_tokens: 8, ..EncoderConfig::default() });
    let long = enc.encode_query(&long_text(3)).unwrap();
    let head = enc.encode_query("The seasons are caused by the tilt").unwrap();
    assert_eq!(long, head, "only the first 6 text tokens count");
}

#[test]
fn model_info_and_vocabulary() {
    for variant in ["f32", "int8"] {
        let enc = encoder(variant, EncoderConfig::default());
        let info = enc.model_info();
        assert_eq!(info.name, "splade-tiny");
        assert_eq!(info.variant, variant);
        assert_eq!(info.graph_version, 1);
        assert_eq!((info.vocab_size, info.max_positions), (30522, 512));
        assert_eq!(enc.vocab_size(), 30522);
        assert_eq!(enc.token(3692).as_deref(), Some("seasons"));
        assert_eq!(enc.token(101).as_deref(), Some("[CLS]"));
        assert_eq!(enc.token(30522), None);
    }
}

#[test]
fn unicode_and_odd_texts_do_not_fail() {
    let enc = encoder(
        "int8",
        EncoderConfig { language: LanguagePolicy::Any, ..EncoderConfig::default() },
    );
    for text in [
        "🚀🚀🚀",
        "東京都庁",
        "\u{feff}bom",
        "a\u{301}\u{301}\u{301}",
        "\u{10ffff}",
        &"é".repeat(10_000),
    ] {
        let doc = enc.encode_document(text).unwrap();
        assert!(doc.vector.is_some() || doc.skipped == Some(SkipReason::Empty), "{text:?}");
    }
}
