//! [`SparseEncoder`]: text in, learned-sparse vector out.

use serde::Serialize;
use sparrow_core::SparseVector;

use crate::config::{EncoderConfig, LanguagePolicy};
use crate::error::EncoderError;
use crate::language;
use crate::model::{ModelInfo, SpladeModel};
use crate::text::{window_starts, TextTokenizer};

/// Why a document got no learned-sparse vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum SkipReason {
    /// Reliably detected as not English under [`LanguagePolicy::EnglishOnly`].
    Language,
    /// No text token (empty or whitespace-only text), or every weight was pruned.
    Empty,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SkipReason::Language => "language",
            SkipReason::Empty => "empty",
        })
    }
}

/// The result of encoding one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentEncoding {
    /// The learned-sparse vector; `None` exactly when [`skipped`](Self::skipped) is set.
    pub vector: Option<SparseVector>,
    /// Language detected (ISO 639-3, e.g. `"eng"`), when the detection is reliable; `None` for
    /// short texts and unreliable detections, which count as English.
    pub language: Option<String>,
    /// Why there is no vector.
    pub skipped: Option<SkipReason>,
    /// Text tokens encoded (without special tokens; overlapping tokens counted once).
    pub tokens: usize,
    /// Windows run through the model.
    pub windows: usize,
    /// `true` if the text has more tokens than `max_windows` windows cover; the rest is not in
    /// the vector (the lexical index still has all of it).
    pub truncated: bool,
}

/// A SPLADE encoder: a tokenizer and a tract plan, loaded from bytes.
///
/// Immutable once built, `Send + Sync`; encode from several threads by sharing a reference.
///
/// # Examples
///
/// ```no_run
/// use sparrow_encoder::{EncoderConfig, SparseEncoder};
/// let model = std::fs::read("model/build/splade-tiny.int8.onnx")?;
/// let tokenizer = std::fs::read("model/build/tokenizer.json")?;
/// let encoder = SparseEncoder::from_bytes(&model, &tokenizer, EncoderConfig::default())?;
/// let query = encoder.encode_query("what causes the seasons")?;
/// for (id, weight) in query.iter() {
///     println!("{} {weight:.2}", encoder.token(id).unwrap_or_default());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SparseEncoder {
    model: SpladeModel,
    tokenizer: TextTokenizer,
    config: EncoderConfig,
}

/// One model input row: a window of one document.
struct Window {
    doc: usize,
    ids: Vec<i64>,
    /// What the window's weights are multiplied by before pooling (`later_windows` for every
    /// window of a document after its first, else 1).
    scale: f32,
}

impl SparseEncoder {
    /// Loads a model built by `model/build.sh` and its `tokenizer.json`, both as bytes (the
    /// encoder never touches files: in a browser the bytes come from `fetch`).
    ///
    /// Verifies that the model is a Sparrow SPLADE graph (ONNX metadata and I/O names) before
    /// tract analyses it, that its vocabulary matches the tokenizer's, and that `config` fits
    /// the model. Then tract optimises the graph once (a few hundred ms natively).
    ///
    /// # Errors
    ///
    /// - [`EncoderError::NotSparrowModel`]: not ONNX, or ONNX that `model/build.py` did not make
    ///   (random bytes, a truncated file and foreign models all end up here or in `Model`).
    /// - [`EncoderError::UnsupportedModel`]: a Sparrow model of another graph version.
    /// - [`EncoderError::Model`]: tract could not load the graph.
    /// - [`EncoderError::Tokenizer`]: `tokenizer_json` is not a usable `tokenizer.json`.
    /// - [`EncoderError::VocabMismatch`]: model and tokenizer vocabularies differ in size.
    /// - [`EncoderError::InvalidConfig`]: a config field is out of range.
    pub fn from_bytes(
        model: &[u8],
        tokenizer_json: &[u8],
        config: EncoderConfig,
    ) -> Result<Self, EncoderError> {
        // `tokenizers` runs some steps on rayon unless told not to. There are no threads in
        // wasm, and a library should not start a thread pool behind its caller's back, so
        // parallelism is off everywhere (one code path for wasm and native).
        tokenizers::utils::parallelism::set_parallelism(false);
        let tokenizer = TextTokenizer::from_bytes(tokenizer_json)?;
        let model = SpladeModel::from_bytes(model)?;
        if model.info.vocab_size != tokenizer.vocab_size() {
            return Err(EncoderError::VocabMismatch {
                model: model.info.vocab_size,
                tokenizer: tokenizer.vocab_size(),
            });
        }
        if model.decoder_vocab() != model.info.vocab_size {
            return Err(EncoderError::not_sparrow(format!(
                "`sparrow.vocab_size` is {}, the decoder has {} rows",
                model.info.vocab_size,
                model.decoder_vocab()
            )));
        }
        config.validate(tokenizer.special_len(), model.info.max_positions)?;
        Ok(SparseEncoder { model, tokenizer, config })
    }

    /// Encodes one document (language guard, windows, max-pooling). See
    /// [`encode_documents`](Self::encode_documents).
    ///
    /// # Errors
    ///
    /// [`EncoderError::Tokenize`] or [`EncoderError::Inference`]; neither is expected with a
    /// model built by `model/build.sh`.
    pub fn encode_document(&self, text: &str) -> Result<DocumentEncoding, EncoderError> {
        let mut out = self.encode_documents(&[text])?;
        out.pop().ok_or_else(|| EncoderError::Inference("no encoding returned".into()))
    }

    /// Encodes documents; the result has one entry per text, in order.
    ///
    /// Each text is checked by the language policy, tokenized (only as far as `max_windows`
    /// windows reach), and split into windows. The windows of all texts are sorted by length
    /// and run in batches of at most `batch_tokens` padded tokens (padding is masked in the
    /// graph), so short documents share model runs. Each document's vector is the max over its
    /// windows, pruned at `threshold`.
    ///
    /// # Errors
    ///
    /// As [`encode_document`](Self::encode_document). One failing text fails the call.
    pub fn encode_documents(&self, texts: &[&str]) -> Result<Vec<DocumentEncoding>, EncoderError> {
        let special = self.tokenizer.special_len();
        let per_window = self.config.max_tokens - special;
        let budget = self.config.document_token_budget(special);
        let mut results = Vec::with_capacity(texts.len());
        let mut windows = Vec::new();
        for (doc, text) in texts.iter().enumerate() {
            let detection = language::detect(text);
            let mut enc = DocumentEncoding {
                vector: None,
                language: detection.map(|d| d.code().to_owned()),
                skipped: None,
                tokens: 0,
                windows: 0,
                truncated: false,
            };
            if self.config.language == LanguagePolicy::EnglishOnly
                && detection.is_some_and(|d| !d.is_english())
            {
                enc.skipped = Some(SkipReason::Language);
                results.push(enc);
                continue;
            }
            let tokens = self.tokenizer.first_tokens(text, budget)?;
            let starts = window_starts(tokens.ids.len(), per_window, self.config.stride);
            enc.tokens = tokens.ids.len();
            enc.windows = starts.len();
            enc.truncated = tokens.truncated;
            for (k, start) in starts.into_iter().enumerate() {
                let end = (start + per_window).min(tokens.ids.len());
                let scale = if k == 0 { 1.0 } else { self.config.later_windows };
                windows.push(Window {
                    doc,
                    ids: self.tokenizer.window(&tokens.ids[start..end]),
                    scale,
                });
            }
            results.push(enc);
        }

        let mut pairs: Vec<Vec<(u32, f32)>> = vec![Vec::new(); texts.len()];
        self.run_windows(windows, &mut pairs)?;
        for (enc, pairs) in results.iter_mut().zip(pairs) {
            if enc.skipped.is_some() {
                continue;
            }
            let vector = to_vector(pairs)?;
            if vector.is_empty() {
                enc.skipped = Some(SkipReason::Empty);
            } else {
                enc.vector = Some(vector);
            }
        }
        Ok(results)
    }

    /// Encodes a query: one window of at most `max_query_tokens` tokens, no language guard
    /// (a query is short and its language detection unreliable; the lexical side handles
    /// anything). Empty text gives an empty vector.
    ///
    /// # Errors
    ///
    /// As [`encode_document`](Self::encode_document).
    pub fn encode_query(&self, text: &str) -> Result<SparseVector, EncoderError> {
        let needed = self.config.max_query_tokens - self.tokenizer.special_len();
        let tokens = self.tokenizer.first_tokens(text, needed)?;
        let mut pairs = vec![Vec::new()];
        if !tokens.ids.is_empty() {
            self.run_windows(
                vec![Window { doc: 0, ids: self.tokenizer.window(&tokens.ids), scale: 1.0 }],
                &mut pairs,
            )?;
        }
        to_vector(pairs.pop().unwrap_or_default())
    }

    /// Encodes texts given as token ids (without special tokens; each row becomes one window
    /// `[CLS] ids [SEP]`, cut at `max_tokens`). For tables the model derives per token, such as
    /// the weight it gives a token alone (`sparrow eval --query lookup-self`).
    ///
    /// # Errors
    ///
    /// As [`encode_document`](Self::encode_document).
    pub fn encode_token_ids(&self, rows: &[Vec<u32>]) -> Result<Vec<SparseVector>, EncoderError> {
        let per_window = self.config.max_tokens - self.tokenizer.special_len();
        let windows = rows
            .iter()
            .enumerate()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(doc, ids)| Window {
                doc,
                ids: self.tokenizer.window(&ids[..ids.len().min(per_window)]),
                scale: 1.0,
            })
            .collect();
        let mut pairs = vec![Vec::new(); rows.len()];
        self.run_windows(windows, &mut pairs)?;
        pairs.into_iter().map(to_vector).collect()
    }

    /// The model's input ids for `text`: `[CLS] ... [SEP]`, cut at `max_tokens` like the first
    /// window of a document (for parity tests and explanations).
    ///
    /// # Errors
    ///
    /// [`EncoderError::Tokenize`].
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, EncoderError> {
        let needed = self.config.max_tokens - self.tokenizer.special_len();
        let tokens = self.tokenizer.first_tokens(text, needed)?;
        Ok(self.tokenizer.window_ids(&tokens.ids))
    }

    /// The vocabulary entry of a term id (`"seasons"`, `"##yn"`), to show expansions.
    pub fn token(&self, id: u32) -> Option<String> {
        self.tokenizer.token(id)
    }

    /// Size of the vocabulary, i.e. of the dense output before sparsification.
    pub fn vocab_size(&self) -> usize {
        self.model.info.vocab_size
    }

    /// The model's identity, from its ONNX metadata.
    pub fn model_info(&self) -> &ModelInfo {
        &self.model.info
    }

    /// The configuration in use (validated).
    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// Runs windows in length-sorted batches and appends each row's non-pruned weights to
    /// its document's pair list.
    fn run_windows(
        &self,
        mut windows: Vec<Window>,
        pairs: &mut [Vec<(u32, f32)>],
    ) -> Result<(), EncoderError> {
        // Longest first, so each batch's padding is small; stable, so the order is deterministic.
        windows.sort_by_key(|w| std::cmp::Reverse(w.ids.len()));
        let vocab = self.model.info.vocab_size;
        let threshold = self.config.threshold;
        let mut rest = &windows[..];
        while let Some(first) = rest.first() {
            let len = first.ids.len();
            let rows = (self.config.batch_tokens / len.max(1)).clamp(1, rest.len());
            let (batch, tail) = rest.split_at(rows);
            rest = tail;
            let mut ids = vec![0i64; rows * len];
            let mut mask = vec![0i64; rows * len];
            for (r, w) in batch.iter().enumerate() {
                ids[r * len..r * len + w.ids.len()].copy_from_slice(&w.ids);
                mask[r * len..r * len + w.ids.len()].fill(1);
            }
            let out = self.model.run(rows, len, &ids, &mask)?;
            for (w, row) in batch.iter().zip(out.chunks_exact(vocab)) {
                let doc_pairs = &mut pairs[w.doc];
                for (id, &weight) in row.iter().enumerate() {
                    let weight = weight * w.scale;
                    // NaN is kept so that `to_vector` rejects it instead of hiding a broken model.
                    if weight.is_nan() || (weight > 0.0 && weight >= threshold) {
                        let id = u32::try_from(id).map_err(|_| {
                            EncoderError::Inference("vocabulary larger than u32".into())
                        })?;
                        doc_pairs.push((id, weight));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Max-pools duplicate ids (several windows) and builds the vector.
fn to_vector(mut pairs: Vec<(u32, f32)>) -> Result<SparseVector, EncoderError> {
    if pairs.iter().any(|(_, w)| !w.is_finite()) {
        return Err(EncoderError::Inference("the model produced a non-finite weight".into()));
    }
    pairs.sort_by_key(|p| p.0);
    pairs.dedup_by(|later, kept| {
        if later.0 == kept.0 {
            kept.1 = kept.1.max(later.1);
            true
        } else {
            false
        }
    });
    SparseVector::from_pairs(pairs).map_err(|e| EncoderError::Inference(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_vector_max_pools_windows() {
        let v = to_vector(vec![(7, 0.5), (3, 1.0), (7, 0.9), (3, 0.2)]).unwrap();
        assert_eq!(v.ids(), &[3, 7]);
        assert_eq!(v.weights(), &[1.0, 0.9]);
        assert!(to_vector(vec![(1, f32::NAN)]).is_err());
        assert!(to_vector(vec![]).unwrap().is_empty());
    }

    #[test]
    fn encoder_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<SparseEncoder>();
    }
}
