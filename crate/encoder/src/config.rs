//! [`EncoderConfig`]: windows, pruning, batching and the language policy.

use serde::{Deserialize, Serialize};

use crate::error::EncoderError;

/// What to do with documents that are not in English.
///
/// splade-tiny (like ELSER) was trained on English MS MARCO only: on other languages its
/// expansions are mostly noise that would pollute the sparse index, while BM25 still works.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum LanguagePolicy {
    /// Encode English text only. A document whose language is *reliably* detected as something
    /// else gets no vector ([`SkipReason::Language`](crate::SkipReason::Language)) and is indexed
    /// lexically only. Short texts and unreliable detections count as English.
    #[default]
    EnglishOnly,
    /// Encode every document, whatever its language (the language is still reported).
    Any,
}

/// How the encoder splits, prunes and batches. `Default` gives the values below.
///
/// Long documents are split into windows of `max_tokens` tokens (including `[CLS]`/`[SEP]`), so
/// each window holds `max_tokens - 2` text tokens; window `k` starts at text token `k * stride`.
/// With the defaults (256, 224) consecutive windows share 30 text tokens, so a phrase cut by one
/// window boundary is whole in the next window. The document vector is the max over the windows'
/// vectors (the same max-pooling SPLADE does over tokens), the windows after the first weighted
/// by `later_windows`. At most `max_windows` windows are encoded: with the defaults a document
/// is covered up to `254 + 15 * 224 = 3,614` text tokens (roughly 2,700 English words); anything
/// after that is not encoded and the document is reported as `truncated`.
///
/// Serialises in camelCase (`maxTokens`, ...) for the JS API; missing fields take defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct EncoderConfig {
    /// Drop expansion weights below this (weights `<= 0` are always dropped). Default `0.0`:
    /// SPLADE's ReLU already makes vectors sparse (13-81 non-zero terms for the reference texts,
    /// whose smallest weights are ~0.1 and still meaningful), and any pruning costs parity with
    /// the reference model. Raise it (e.g. 0.1-0.3) to trade recall for a smaller index.
    #[cfg_attr(feature = "ts", ts(as = "Option<f32>", optional))]
    pub threshold: f32,
    /// Tokens per window, including `[CLS]` and `[SEP]`. Default 256 (the length splade-tiny's
    /// reference vectors use; the model accepts up to 512, at twice the cost per token).
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub max_tokens: usize,
    /// Step between window starts, in text tokens; `1..=max_tokens - 2`. Default 224.
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub stride: usize,
    /// Windows per document; later text is not encoded and the document is flagged as
    /// truncated. Default 16. `1` encodes only the first window (what the reference vectors do).
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub max_windows: usize,
    /// The weight of every window after the first in the max-pooling, in `(0, 1]`: a document's
    /// vector is `max(first window, w x each later window)`. Default `0.6`. The first window
    /// holds the title and the opening, what the document is about (SPLADE was trained on
    /// passages of at most 256 tokens); later windows still add the expansion terms of the rest
    /// of the text, at a discount. Chosen on SciFact train (docs/BENCHMARKS.md, issue 13): the
    /// sparse arm's nDCG@10 0.6481 -> 0.6743 (+0.026, paired randomization p < 0.001), the
    /// hybrid's 0.7232 -> 0.7253 (no significant change); `1.0` is plain max-pooling.
    #[cfg_attr(feature = "ts", ts(as = "Option<f32>", optional))]
    pub later_windows: f32,
    /// Which documents get a learned-sparse vector. Default [`LanguagePolicy::EnglishOnly`]
    /// (JSON `"englishOnly"`).
    #[cfg_attr(feature = "ts", ts(as = "Option<LanguagePolicy>", optional))]
    pub language: LanguagePolicy,
    /// Tokens for a query, including `[CLS]`/`[SEP]` (one window; longer queries are cut).
    /// Default 64.
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub max_query_tokens: usize,
    /// Upper bound on `rows x padded length` per model run in
    /// [`encode_documents`](crate::SparseEncoder::encode_documents). The model's largest
    /// intermediate is `rows x length x vocab` f32 (~31 MB per 256-token window), so this bounds
    /// peak memory (about 125 MB at the default 1024), which matters in a browser tab.
    /// A single window longer than this still runs, alone.
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub batch_tokens: usize,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        EncoderConfig {
            threshold: 0.0,
            max_tokens: 256,
            stride: 224,
            max_windows: 16,
            later_windows: 0.6,
            language: LanguagePolicy::EnglishOnly,
            max_query_tokens: 64,
            batch_tokens: 1024,
        }
    }
}

impl EncoderConfig {
    /// Checks the fields against each other and against the model's limits.
    ///
    /// `special` is the number of special tokens the tokenizer adds per window (2 for BERT),
    /// `max_positions` the longest sequence the model accepts.
    pub(crate) fn validate(
        &self,
        special: usize,
        max_positions: usize,
    ) -> Result<(), EncoderError> {
        if !self.threshold.is_finite() || self.threshold < 0.0 {
            return Err(EncoderError::config(
                "threshold",
                format!("{} is not a finite number >= 0", self.threshold),
            ));
        }
        let check_len = |name: &'static str, v: usize| {
            if v <= special || v > max_positions {
                Err(EncoderError::config(
                    name,
                    format!("{v} is outside {}..={max_positions} (special tokens: {special}, model limit: {max_positions})", special + 1),
                ))
            } else {
                Ok(())
            }
        };
        check_len("max_tokens", self.max_tokens)?;
        check_len("max_query_tokens", self.max_query_tokens)?;
        let text_tokens = self.max_tokens - special;
        if self.stride == 0 || self.stride > text_tokens {
            return Err(EncoderError::config(
                "stride",
                format!("{} is outside 1..={text_tokens} (text tokens per window); windows would skip text", self.stride),
            ));
        }
        if self.max_windows == 0 {
            return Err(EncoderError::config("max_windows", "must be at least 1"));
        }
        if !(self.later_windows > 0.0 && self.later_windows <= 1.0) {
            return Err(EncoderError::config(
                "later_windows",
                format!("{} is outside (0, 1]", self.later_windows),
            ));
        }
        if self.batch_tokens == 0 {
            return Err(EncoderError::config("batch_tokens", "must be at least 1"));
        }
        Ok(())
    }

    /// Text tokens covered by at most `max_windows` windows.
    pub(crate) fn document_token_budget(&self, special: usize) -> usize {
        let per_window = self.max_tokens - special;
        per_window.saturating_add(self.stride.saturating_mul(self.max_windows - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        EncoderConfig::default().validate(2, 512).unwrap();
        assert_eq!(EncoderConfig::default().document_token_budget(2), 254 + 15 * 224);
    }

    #[test]
    fn out_of_range_fields_are_named() {
        let bad = |c: EncoderConfig| match c.validate(2, 512) {
            Err(EncoderError::InvalidConfig { name, .. }) => name,
            other => panic!("expected InvalidConfig, got {other:?}"),
        };
        let d = EncoderConfig::default;
        assert_eq!(bad(EncoderConfig { threshold: f32::NAN, ..d() }), "threshold");
        assert_eq!(bad(EncoderConfig { threshold: -1.0, ..d() }), "threshold");
        assert_eq!(bad(EncoderConfig { max_tokens: 2, ..d() }), "max_tokens");
        assert_eq!(bad(EncoderConfig { max_tokens: 513, ..d() }), "max_tokens");
        assert_eq!(bad(EncoderConfig { max_query_tokens: 0, ..d() }), "max_query_tokens");
        assert_eq!(bad(EncoderConfig { stride: 0, ..d() }), "stride");
        assert_eq!(bad(EncoderConfig { stride: 255, ..d() }), "stride");
        assert_eq!(bad(EncoderConfig { max_windows: 0, ..d() }), "max_windows");
        assert_eq!(bad(EncoderConfig { batch_tokens: 0, ..d() }), "batch_tokens");
        assert_eq!(bad(EncoderConfig { later_windows: 0.0, ..d() }), "later_windows");
        assert_eq!(bad(EncoderConfig { later_windows: 1.5, ..d() }), "later_windows");
        assert_eq!(bad(EncoderConfig { later_windows: f32::NAN, ..d() }), "later_windows");
        EncoderConfig { stride: 254, max_tokens: 256, ..d() }.validate(2, 512).unwrap();
    }

    #[test]
    fn serde_is_camel_case_with_defaults() {
        let c: EncoderConfig =
            serde_json::from_str(r#"{"maxWindows": 1, "language": "any"}"#).unwrap();
        assert_eq!(
            c,
            EncoderConfig { max_windows: 1, language: LanguagePolicy::Any, ..Default::default() }
        );
        assert!(serde_json::from_str::<EncoderConfig>(r#"{"maxWindow": 1}"#).is_err());
    }
}
