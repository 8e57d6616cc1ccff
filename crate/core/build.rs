//! Generates the accent-stripping table of the core's WordPiece (`src/wordpiece.rs`).
//!
//! BERT's normaliser strips accents as "NFD, then drop non-spacing marks (Mn)", with the Unicode
//! tables of `unicode-normalization-alignments` and `unicode_categories` (what HuggingFace
//! `tokenizers` uses). Linking those crates into the search-only wasm module costs ~40 kB of
//! compressed bytes (their tables cover composition and compatibility forms we never use), so
//! this script runs them here, natively, over every code point and writes only what
//! accent-stripping needs: for each character whose canonical decomposition differs from itself
//! (Hangul syllables excepted: they decompose by formula), that decomposition (~2,000 entries),
//! and the canonical combining class of every character that has one (~900), with which NFD
//! reorders combining marks (a run of them, stable-sorted by class). The marks are dropped after
//! the reordering, but not all of them: the two crates disagree on some newer characters (which
//! have a class but which `unicode_categories`' older tables do not call Mn), so the order is
//! kept exactly as `tokenizers` computes it.

use std::fmt::Write as _;

use unicode_normalization_alignments::char::{canonical_combining_class, decompose_canonical};
use unicode_normalization_alignments::UnicodeNormalization;

const HANGUL: std::ops::RangeInclusive<u32> = 0xAC00..=0xD7A3;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let mut keys = Vec::new();
    let mut text = String::new();
    let mut ends = Vec::new();
    let (mut ccc_keys, mut ccc_values) = (Vec::new(), Vec::new());
    for cp in 0..=0x10FFFFu32 {
        let Some(c) = char::from_u32(cp) else { continue };
        if canonical_combining_class(c) != 0 {
            ccc_keys.push(cp);
            ccc_values.push(canonical_combining_class(c));
        }
        let mut d = String::new();
        decompose_canonical(c, |x| d.push(x));
        if HANGUL.contains(&cp) {
            assert_eq!(d, hangul(cp), "U+{cp:04X}: the Hangul formula differs from the crate");
            continue;
        }
        if d.chars().eq(std::iter::once(c)) {
            continue;
        }
        // A single character's NFD (the string form) is its decomposition, reordered.
        assert_eq!(d, c.to_string().as_str().nfd().map(|(x, _)| x).collect::<String>());
        keys.push(cp);
        text.push_str(&d);
        ends.push(u16::try_from(text.len()).expect("table text under 64 KiB"));
    }
    let mut out = String::new();
    writeln!(
        out,
        "/// Characters with a non-zero canonical combining class, ascending, and their class."
    )
    .unwrap();
    writeln!(out, "static CCC_KEYS: [u32; {}] = {ccc_keys:?};", ccc_keys.len()).unwrap();
    writeln!(out, "static CCC_VALUES: [u8; {}] = {ccc_values:?};", ccc_values.len()).unwrap();
    writeln!(out, "/// Characters whose canonical decomposition differs from themselves (Hangul syllables excepted), ascending.").unwrap();
    writeln!(out, "static STRIP_KEYS: [u32; {}] = {keys:?};", keys.len()).unwrap();
    writeln!(out, "/// End of each key's decomposition in [`STRIP_TEXT`].").unwrap();
    writeln!(out, "static STRIP_ENDS: [u16; {}] = {ends:?};", ends.len()).unwrap();
    writeln!(out, "/// The decompositions, concatenated.").unwrap();
    writeln!(out, "static STRIP_TEXT: &str = {text:?};").unwrap();
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("strip_accents.rs");
    std::fs::write(path, out).unwrap();
}

/// The canonical decomposition of a precomposed Hangul syllable (Unicode 3.12).
fn hangul(cp: u32) -> String {
    let s = cp - 0xAC00;
    let (l, v, t) = (0x1100 + s / 588, 0x1161 + (s % 588) / 28, 0x11A7 + s % 28);
    let mut out: String = [l, v].iter().map(|&x| char::from_u32(x).unwrap()).collect();
    if t != 0x11A7 {
        out.push(char::from_u32(t).unwrap());
    }
    out
}
