//! Text analysis for BM25: Unicode words → lowercase → stop words → English stemming.
//!
//! Why this pipeline: UAX #29 word boundaries (`unicode-segmentation`) split any script sensibly
//! without a dictionary, and keep "can't" or "3.14" whole; lowercasing and the Snowball English
//! stemmer (`rust-stemmers`) make "Running"/"runs" match "run". The stemmer is applied only to
//! ASCII words: it is an *English* stemmer, and on other scripts it can only do harm. Stop words
//! are Lucene's default English set (33 words), small on purpose: BM25's idf already discounts
//! common words, the list only saves postings.

use std::fmt;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

use crate::config::AnalyzerConfig;

/// Lucene's `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`, sorted (binary-searched).
pub const ENGLISH_STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Turns text into BM25 terms according to an [`AnalyzerConfig`].
///
/// ```
/// use sparrow_core::{Analyzer, AnalyzerConfig};
/// let a = Analyzer::new(&AnalyzerConfig::default());
/// assert_eq!(a.analyze("The runners were Running!"), ["runner", "were", "run"]);
/// let plain = Analyzer::new(&AnalyzerConfig { stemming: false, stopwords: false });
/// assert_eq!(plain.analyze("The Café"), ["the", "café"]);
/// ```
pub struct Analyzer {
    config: AnalyzerConfig,
    stemmer: Option<Stemmer>,
}

impl Analyzer {
    /// Creates an analyzer.
    pub fn new(config: &AnalyzerConfig) -> Self {
        Analyzer {
            config: config.clone(),
            stemmer: config.stemming.then(|| Stemmer::create(Algorithm::English)),
        }
    }

    /// The configuration this analyzer was built with.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// Calls `f` with each term of `text`, in order (duplicates included).
    pub fn analyze_with(&self, text: &str, mut f: impl FnMut(&str)) {
        for word in Self::words(text) {
            self.normalize(word, &mut f);
        }
    }

    /// The words of `text` (UAX #29), before normalisation.
    pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
        text.unicode_words()
    }

    /// Lowercases, drops stop words and stems one word; calls `f` with the term, if any.
    pub(crate) fn normalize(&self, word: &str, f: impl FnOnce(&str)) {
        let lower = word.to_lowercase();
        if self.config.stopwords && is_stop_word(&lower) {
            return;
        }
        match &self.stemmer {
            Some(stemmer) if lower.is_ascii() => {
                let stem = stemmer.stem(&lower);
                if !stem.is_empty() {
                    f(&stem);
                }
            }
            _ => f(&lower),
        }
    }

    /// The terms of `text`, in order (duplicates included).
    pub fn analyze(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.analyze_with(text, |t| out.push(t.to_owned()));
        out
    }
}

/// `true` if `lowercase_word` is in [`ENGLISH_STOP_WORDS`].
pub fn is_stop_word(lowercase_word: &str) -> bool {
    ENGLISH_STOP_WORDS.binary_search(&lowercase_word).is_ok()
}

impl Clone for Analyzer {
    fn clone(&self) -> Self {
        Analyzer::new(&self.config)
    }
}

impl fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Analyzer").field("config", &self.config).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stop_words_sorted() {
        assert!(ENGLISH_STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn pipeline() {
        let a = Analyzer::new(&AnalyzerConfig::default());
        assert_eq!(
            a.analyze("Searching THE indexes, can't stop; 3.14 ünïcödé 東京"),
            ["search", "index", "can't", "stop", "3.14", "ünïcödé", "東", "京"]
        );
        assert!(a.analyze("   \n\t ").is_empty());
        assert!(a.analyze("the and of").is_empty());
    }

    #[test]
    fn config_switches() {
        let a = Analyzer::new(&AnalyzerConfig { stemming: false, stopwords: true });
        assert_eq!(a.analyze("the runs"), ["runs"]);
        let a = Analyzer::new(&AnalyzerConfig { stemming: true, stopwords: false });
        assert_eq!(a.analyze("the runs"), ["the", "run"]);
        assert_eq!(a.clone().config(), a.config());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics_and_terms_are_nonempty(s in "\\PC{0,64}") {
            let a = Analyzer::new(&AnalyzerConfig::default());
            for t in a.analyze(&s) {
                prop_assert!(!t.is_empty());
            }
        }
    }
}
