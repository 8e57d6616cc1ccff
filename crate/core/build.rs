//! Generates the accent-stripping table of the core's WordPiece (`src/wordpiece.rs`), and its
//! character classes (non-spacing marks, punctuation, "other") as range tables.
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

use unicode_categories::UnicodeCategories;
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
        "/// Characters with a non-zero canonical combining class, as runs (first, last, class), ascending."
    )
    .unwrap();
    // Runs of consecutive characters with the same class: (first, last, class).
    let mut ccc: Vec<(u32, u32, u8)> = Vec::new();
    for (&cp, &class) in ccc_keys.iter().zip(&ccc_values) {
        match ccc.last_mut() {
            Some((_, last, c)) if *last + 1 == cp && *c == class => *last = cp,
            _ => ccc.push((cp, cp, class)),
        }
    }
    writeln!(out, "static CCC: [(u32, u32, u8); {}] = {ccc:?};", ccc.len()).unwrap();
    writeln!(out, "/// Characters whose canonical decomposition differs from themselves (Hangul syllables excepted), as runs of consecutive characters (first, last, index of the first in `STRIP_ENDS`), ascending.").unwrap();
    // Runs of consecutive keys: (first, last, index of the first key).
    let mut runs: Vec<(u32, u32, u16)> = Vec::new();
    for (i, &cp) in keys.iter().enumerate() {
        match runs.last_mut() {
            Some((_, last, _)) if *last + 1 == cp => *last = cp,
            _ => runs.push((cp, cp, u16::try_from(i).expect("under 64 Ki keys"))),
        }
    }
    writeln!(out, "static STRIP_RUNS: [(u32, u32, u16); {}] = {runs:?};", runs.len()).unwrap();
    writeln!(out, "/// End of each key's decomposition in [`STRIP_TEXT`].").unwrap();
    writeln!(out, "static STRIP_ENDS: [u16; {}] = {ends:?};", ends.len()).unwrap();
    writeln!(out, "/// The decompositions, concatenated.").unwrap();
    writeln!(out, "static STRIP_TEXT: &str = {text:?};").unwrap();
    // The three character classes WordPiece asks `unicode_categories` about, as ranges: the
    // crate keeps each class as a list of every character (4 bytes each, ~11 kB for these three
    // in the search-only module); runs of consecutive characters take a fraction of that.
    for (name, doc, class) in [
        ("MARK_NONSPACING", "Mn", (|c: char| c.is_mark_nonspacing()) as fn(char) -> bool),
        ("PUNCTUATION", "P*", |c: char| c.is_punctuation()),
        ("OTHER", "Cc, Cf, Co", |c: char| c.is_other()),
    ] {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32).filter(|&c| class(c)) {
            let cp = c as u32;
            match ranges.last_mut() {
                Some((_, end)) if *end + 1 == cp => *end = cp,
                _ => ranges.push((cp, cp)),
            }
        }
        writeln!(
            out,
            "/// `unicode_categories`' {doc} characters, as inclusive ranges, ascending."
        )
        .unwrap();
        writeln!(out, "static {name}: [(u32, u32); {}] = {ranges:?};", ranges.len()).unwrap();
    }
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
