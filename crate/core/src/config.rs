//! Index configuration: analysis and BM25 parameters, fixed when the index is created and stored
//! in its bytes, so a loaded index analyses queries exactly as it analysed documents.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default BM25 `k1` (term-frequency saturation): 1.5, tuned with [`DEFAULT_B`] and the fusion
/// defaults for hybrid search on SciFact's train queries (`sparrow eval --tune`, see
/// docs/BENCHMARKS.md). Lucene and tantivy use 1.2.
pub const DEFAULT_K1: f32 = 1.5;
/// Default BM25 `b` (document-length normalisation): 0.95, tuned with [`DEFAULT_K1`] (Lucene and
/// tantivy use 0.75).
pub const DEFAULT_B: f32 = 0.95;
/// Default [`IndexConfig::max_text_bytes`]: 1 MiB.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 1 << 20;

/// Settings of an [`Index`](crate::Index). JSON: camelCase, every field optional.
///
/// ```
/// use sparrow_core::IndexConfig;
/// let c: IndexConfig = serde_json::from_str(r#"{"bm25": {"k1": 0.9}, "storeText": false}"#).unwrap();
/// assert_eq!(c.bm25.k1, 0.9);
/// assert_eq!(c.bm25.b, 0.95);
/// assert!(!c.store_text && c.analyzer.stemming);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct IndexConfig {
    /// How title and text are turned into BM25 terms.
    #[cfg_attr(feature = "ts", ts(as = "Option<AnalyzerConfig>", optional))]
    pub analyzer: AnalyzerConfig,
    /// BM25 parameters.
    #[cfg_attr(feature = "ts", ts(as = "Option<Bm25Params>", optional))]
    pub bm25: Bm25Params,
    /// Keep each document's text in the index so [`Index::get`](crate::Index::get) can return it
    /// (default `true`). Turn off to save space when the text lives elsewhere.
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub store_text: bool,
    /// Largest accepted title + text, in bytes (default 1 MiB); larger documents are rejected
    /// with [`Error::TextTooLarge`] (code `TEXT_TOO_LARGE`).
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub max_text_bytes: usize,
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            analyzer: AnalyzerConfig::default(),
            bm25: Bm25Params::default(),
            store_text: true,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
        }
    }
}

impl IndexConfig {
    /// Checks every value is in range.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the first bad setting.
    pub fn validate(&self) -> Result<()> {
        self.bm25.validate()
    }
}

/// Analysis settings for BM25 (see [`Analyzer`](crate::Analyzer)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct AnalyzerConfig {
    /// Apply the English Snowball stemmer to ASCII words (default `true`).
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub stemming: bool,
    /// Drop English stop words (Lucene's 33-word list, default `true`).
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub stopwords: bool,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig { stemming: true, stopwords: true }
    }
}

/// BM25 parameters.
///
/// `k1` (default 1.5) controls how fast repeated terms saturate, `k1 >= 0`; `b` (default 0.95)
/// how strongly long documents are penalised, `0 <= b <= 1`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct Bm25Params {
    /// Term-frequency saturation, `>= 0` (0 = binary term presence).
    #[cfg_attr(feature = "ts", ts(as = "Option<f32>", optional))]
    pub k1: f32,
    /// Length normalisation in `[0, 1]` (0 = none).
    #[cfg_attr(feature = "ts", ts(as = "Option<f32>", optional))]
    pub b: f32,
}

impl Default for Bm25Params {
    fn default() -> Self {
        Bm25Params { k1: DEFAULT_K1, b: DEFAULT_B }
    }
}

impl Bm25Params {
    /// Checks `k1 >= 0` (finite) and `0 <= b <= 1`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming `bm25.k1` or `bm25.b`.
    pub fn validate(&self) -> Result<()> {
        if !(self.k1.is_finite() && self.k1 >= 0.0) {
            return Err(Error::config(
                "bm25.k1",
                format!("must be a finite number >= 0, got {}", self.k1),
            ));
        }
        if !(0.0..=1.0).contains(&self.b) {
            return Err(Error::config("bm25.b", format!("must be in [0, 1], got {}", self.b)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_validation() {
        let c = IndexConfig::default();
        assert!(c.validate().is_ok());
        assert_eq!(c.max_text_bytes, 1 << 20);
        for (k1, b, name) in [
            (-1.0, 0.5, "bm25.k1"),
            (f32::NAN, 0.5, "bm25.k1"),
            (1.0, 1.5, "bm25.b"),
            (1.0, f32::NAN, "bm25.b"),
        ] {
            let e = Bm25Params { k1, b }.validate().unwrap_err();
            assert!(matches!(&e, Error::InvalidConfig { name: n, .. } if n == name), "{e}");
        }
    }

    #[test]
    fn json_is_camel_case() {
        let json = serde_json::to_value(IndexConfig::default()).unwrap();
        assert_eq!(json["storeText"], true);
        assert_eq!(json["maxTextBytes"], 1 << 20);
        assert_eq!(json["analyzer"]["stopwords"], true);
    }
}
