//! `sparrow_core::WordPiece` (what lookup queries and the search-only wasm module tokenize with)
//! gives exactly the ids of HuggingFace `tokenizers` (what the encoder tokenizes with), on the
//! model's own `tokenizer.json`: over real text (the Node.js API docs that `scripts/setup.sh`
//! unpacks, the test fixtures) and over random Unicode. `tokenizers` is only a dev-dependency of
//! the core: the reference. Needs model/build and the docs; fails, never skips, without them.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sparrow_core::{VocabPart, VocabParts, WordPiece, WordPieceSettings};
use tokenizers::Tokenizer;

/// `model/build/tokenizer.json` (or `$SPARROW_MODEL_DIR/tokenizer.json`).
fn tokenizer_bytes() -> Vec<u8> {
    let dir = std::env::var_os("SPARROW_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../model/build"));
    let path = dir.join("tokenizer.json");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run model/build.sh first", path.display()))
}

fn tokenizer() -> Tokenizer {
    let mut t = Tokenizer::from_bytes(tokenizer_bytes()).expect("tokenizer.json");
    t.with_padding(None);
    t.with_truncation(None).expect("no truncation");
    t
}

fn wordpiece() -> WordPiece {
    WordPiece::from_tokenizer_json(&tokenizer_bytes()).expect("core reads tokenizer.json")
}

fn reference_ids(t: &Tokenizer, text: &str) -> Vec<u32> {
    t.encode(text, false).expect("tokenizers encodes").get_ids().to_vec()
}

/// `tokenizers`' normalizer output: compared too, because marks reordered or stripped wrongly
/// inside a word the vocabulary does not have would still give the same `[UNK]` id.
fn reference_normalized(t: &Tokenizer, text: &str) -> String {
    use tokenizers::{NormalizedString, Normalizer};
    let mut n = NormalizedString::from(text);
    t.get_normalizer().expect("a normalizer").normalize(&mut n).expect("normalizes");
    n.get().to_owned()
}

/// The Node.js API docs (`NODEJS_DOCS`, or where `scripts/setup.sh` unpacks them).
fn nodejs_docs() -> PathBuf {
    let dir = std::env::var_os("NODEJS_DOCS").map(PathBuf::from).unwrap_or_else(|| {
        let cache = std::env::var_os("SPARROW_CACHE").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/sparrow")
        });
        cache.join("nodejs-doc/usr/share/doc/nodejs/api")
    });
    assert!(
        dir.join("fs.html").is_file(),
        "{}/fs.html not found: run scripts/setup.sh",
        dir.display()
    );
    dir
}

#[test]
fn same_ids_as_tokenizers_on_real_text() {
    let (t, wp) = (tokenizer(), wordpiece());
    let mut texts: Vec<String> = Vec::new();
    let dir = nodejs_docs();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert!(pages.len() > 50, "{} pages in {}", pages.len(), dir.display());
    for p in &pages {
        // Raw HTML: markup, entities, code and prose, in pieces of a few kB (as queries and
        // sections are); every line of every page.
        let html = std::fs::read_to_string(p).expect("page");
        texts.extend(html.lines().map(str::to_owned));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    for f in [
        "beir-mini/corpus.jsonl",
        "beir-mini/queries.jsonl",
        "site/escaping.html",
        "splade/reference-vectors.jsonl",
    ] {
        texts.extend(
            std::fs::read_to_string(root.join(f)).expect("fixture").lines().map(str::to_owned),
        );
    }
    // NFD reorders marks by combining class: 226 then 216 becomes 216, 226.
    texts.push("a\u{1D16D}\u{1D165} x\u{08D4}\u{0316}\u{1B44}".to_owned());
    let mut checked = 0;
    for text in &texts {
        assert_eq!(wp.ids(text), reference_ids(&t, text), "text: {text:?}");
        assert_eq!(wp.normalized(text), reference_normalized(&t, text), "text: {text:?}");
        checked += 1;
    }
    assert!(checked > 100_000, "only {checked} lines");
}

#[test]
fn sorted_rank_vocabulary_gives_the_same_tokens() {
    // A site's vocabulary file stores the tokens sorted, ids = ranks: same tokens, other ids.
    let (t, wp) = (tokenizer(), wordpiece());
    let sorted: Vec<String> = wp.sorted_tokens().map(str::to_owned).collect();
    let added = wp
        .added_tokens()
        .iter()
        .map(|(tok, _)| {
            (tok.clone(), sorted.binary_search(tok).expect("added token in vocab") as u32)
        })
        .collect();
    let ranked =
        WordPiece::from_sorted(wp.settings().clone(), sorted, added).expect("sorted vocab");
    assert_eq!(ranked.len(), t.get_vocab_size(true));
    for text in [
        "Hello, World! naïve café [MASK] 東京タワー ﬁx",
        "wait some seconds before calling my function",
    ] {
        let a: Vec<String> =
            reference_ids(&t, text).iter().map(|&id| t.id_to_token(id).unwrap()).collect();
        let b: Vec<&str> = ranked.ids(text).iter().map(|&r| ranked.token(r).unwrap()).collect();
        assert_eq!(a, b, "{text}");
    }
    assert_eq!(
        *wp.settings(),
        WordPieceSettings::default(),
        "splade-tiny uses bert-base-uncased's settings"
    );
}

/// Text made of the pieces tokenization cares about: words, accents, punctuation of every
/// script, CJK, whitespace and control characters, the added tokens, long runs.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z]{1,12}",
        Just("[MASK]".to_owned()),
        Just("[CLS]".to_owned()),
        Just("[unused3]".to_owned()),
        "[àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÉÎÕÜ]{1,3}",
        "[\\p{P}]{1,3}",
        "[\\p{S}]{1,2}",
        "[\\p{Han}\\p{Hiragana}\\p{Hangul}]{1,4}",
        "[\\p{Mn}\\p{Cf}\\p{Cc}\\p{Zs}\\p{Zl}]{1,2}",
        // Combining marks of every class, some newer than `unicode_categories` knows (U+08D4..):
        // NFD reorders them before the Mn are dropped.
        "[a-z\\u{0627}\\u{0915}][\\u{0300}-\\u{0315}\\u{0316}-\\u{0333}\\u{08D3}-\\u{08FF}\\u{093C}\\u{094D}\\u{0951}\\u{1AB0}-\\u{1ABE}\\u{1DC0}-\\u{1DFF}\\u{20D0}-\\u{20F0}]{1,5}",
        // Marks with a combining class that `unicode_categories` does not call Mn (they survive
        // the stripping, so their NFD order shows).
        "[a-z][\\u{1D165}\\u{1D16D}\\u{302E}\\u{1B44}\\u{08D4}\\u{11446}\\u{0300}\\u{0316}]{2,4}",
        "[\\u{AC00}-\\u{D7A3}\\u{F900}-\\u{FAFF}\\u{1E00}-\\u{1EFF}\\u{0400}-\\u{04FF}\\u{1F00}-\\u{1FFF}]{1,4}",
        "[\\p{Greek}\\p{Cyrillic}\\p{Arabic}\\p{Devanagari}]{1,6}",
        any::<char>().prop_map(String::from),
        "[a-z]{90,110}",
        Just(" ".to_owned()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn same_ids_as_tokenizers_on_random_unicode(text in any::<String>()) {
        thread_local! { static BOTH: (Tokenizer, WordPiece) = (tokenizer(), wordpiece()); }
        BOTH.with(|(t, wp)| {
            prop_assert_eq!(wp.ids(&text), reference_ids(t, &text));
            prop_assert_eq!(wp.normalized(&text), reference_normalized(t, &text));
            Ok(())
        })?;
    }

    #[test]
    fn same_ids_as_tokenizers_on_tricky_text(text in tricky_text()) {
        thread_local! { static BOTH: (Tokenizer, WordPiece) = (tokenizer(), wordpiece()); }
        BOTH.with(|(t, wp)| {
            prop_assert_eq!(wp.ids(&text), reference_ids(t, &text));
            prop_assert_eq!(wp.normalized(&text), reference_normalized(t, &text));
            Ok(())
        })?;
    }
}

/// The site vocabulary (ids = ranks) and its parts as a static site gets them.
fn ranked_and_parts() -> (WordPiece, Vec<VocabPart>) {
    let ranked = WordPiece::from_vocab_bytes(&wordpiece().with_rank_ids().to_vocab_bytes())
        .expect("site vocabulary");
    let parts = ranked
        .to_vocab_parts(4096)
        .iter()
        .map(|p| VocabPart::from_bytes(&p.to_bytes()).expect("part reads back"))
        .collect();
    (ranked, parts)
}

/// Loads the first part, then the parts `missing_leads` names (twice: added tokens are known
/// only once the first part is in), and tokenizes.
fn ids_from_parts(parts: &[VocabPart], text: &str) -> (Vec<u32>, usize) {
    let mut vocab = VocabParts::new(parts[0].clone()).expect("first part");
    for _ in 0..2 {
        for lead in vocab.missing_leads(text) {
            let part = parts.iter().find(|p| p.leads().contains(&lead)).expect("a part per byte");
            vocab.add(part.clone()).expect("part adds");
        }
    }
    let loaded = parts.iter().filter(|p| p.leads().all(|l| vocab.covers(l))).count();
    (vocab.ids(text).expect("every needed part loaded"), loaded)
}

#[test]
fn vocabulary_parts_cover_every_first_byte_once() {
    let (ranked, parts) = ranked_and_parts();
    assert!(parts.len() > 10, "{} parts", parts.len());
    assert_eq!(*parts[0].leads().start(), 0);
    assert_eq!(*parts[parts.len() - 1].leads().end(), u8::MAX);
    for w in parts.windows(2) {
        assert_eq!(*w[0].leads().end() + 1, *w[1].leads().start());
    }
    assert_eq!(parts.iter().map(VocabPart::len).sum::<usize>(), ranked.len());
    // The first part holds `##…`, `[UNK]` and the added tokens: every query needs it.
    assert!(parts[0].leads().contains(&b'#') && parts[0].leads().contains(&b'['));
    assert!(parts.iter().all(|p| p.term_space() == ranked.term_space()));
    // One letter per part (BERT's letters each hold more than the 4 KiB target but a few).
    let s = parts.iter().find(|p| p.leads().contains(&b's')).expect("s");
    assert_eq!(s.leads(), b's'..=b's');
    // All parts loaded: the whole vocabulary, same ids.
    let mut all = VocabParts::new(parts[3].clone()).expect("any part first");
    for p in &parts {
        all.add(p.clone()).expect("adds");
    }
    assert!(!all.add(parts[1].clone()).expect("twice is a no-op"));
    let wp = all.wordpiece().expect("complete");
    assert_eq!(wp.term_space(), ranked.term_space());
    for (tok, rank) in ranked.sorted_tokens().zip(0u32..) {
        assert_eq!(wp.id(tok), Some(rank), "{tok}");
        assert_eq!(wp.token(rank), Some(tok));
    }
}

#[test]
fn vocabulary_parts_tokenize_like_tokenizers_with_only_the_parts_a_text_needs() {
    let (t, ranked, (_, parts)) = (tokenizer(), wordpiece(), ranked_and_parts());
    let site = ranked.with_rank_ids();
    for text in [
        "add two numbers without overflowing",
        "wait some seconds before calling my function",
        "Hello, World! naïve café [MASK] 東京タワー ﬁx",
        "",
    ] {
        let (ids, loaded) = ids_from_parts(&parts, text);
        let names: Vec<&str> = ids.iter().map(|&r| site.token(r).expect("rank")).collect();
        let reference: Vec<String> =
            reference_ids(&t, text).iter().map(|&id| t.id_to_token(id).expect("id")).collect();
        assert_eq!(names, reference, "{text}");
        assert!(loaded < parts.len(), "{text}: loaded {loaded} of {} parts", parts.len());
    }
    // A part missing: an error naming it, never another tokenization.
    let vocab = VocabParts::new(parts[0].clone()).expect("first part");
    let err = vocab.ids("numbers").unwrap_err();
    assert_eq!(err.code(), "VOCAB_PARTS_NOT_LOADED");
    assert!(matches!(err, sparrow_core::Error::VocabPartsNotLoaded { ref leads } if leads == b"n"));
}

#[test]
fn vocabulary_parts_refuse_what_is_not_theirs() {
    let (ranked, parts) = ranked_and_parts();
    // A whole file is not a part, and a part is not a whole file.
    assert!(VocabPart::from_bytes(&ranked.to_vocab_bytes()).is_err());
    let err = WordPiece::from_vocab_bytes(&parts[1].to_bytes()).unwrap_err();
    assert!(err.to_string().contains("part"), "{err}");
    // Truncated or flipped bytes fail on the header's length or CRC.
    let bytes = parts[2].to_bytes();
    assert!(VocabPart::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    // A part of another vocabulary.
    let other = WordPiece::from_sorted(
        WordPieceSettings::default(),
        ["##s", "[UNK]", "numbers"].map(String::from).to_vec(),
        vec![],
    )
    .expect("tiny vocab");
    let mut vocab = VocabParts::new(parts[0].clone()).expect("first part");
    let foreign = other.to_vocab_parts(1).pop().expect("a part");
    assert_eq!(vocab.add(foreign).unwrap_err().code(), "INVALID_VOCAB");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn vocabulary_parts_give_the_whole_vocabularys_ids(text in tricky_text()) {
        thread_local! { static BOTH: (WordPiece, Vec<VocabPart>) = ranked_and_parts(); }
        BOTH.with(|(ranked, parts)| {
            prop_assert_eq!(ids_from_parts(parts, &text).0, ranked.ids(&text));
            Ok(())
        })?;
    }
}
