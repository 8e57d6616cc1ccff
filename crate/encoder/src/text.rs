//! Tokenization and windowing.
//!
//! The `tokenizer.json` shipped with splade-tiny switches on batch padding and truncation at
//! 512 tokens. Both are turned off here: windows are cut by this module, and padding is added
//! per model run. The attention mask still comes from each encoding, so a tokenizer that pads
//! anyway cannot make padding look like text.

use tokenizers::Tokenizer;

use crate::error::EncoderError;

/// `tokenizer.json` plus the special tokens its post-processor wraps every sequence in.
#[derive(Debug)]
pub(crate) struct TextTokenizer {
    tokenizer: Tokenizer,
    /// Special tokens before the text (`[CLS]`).
    prefix: Vec<u32>,
    /// Special tokens after the text (`[SEP]`).
    suffix: Vec<u32>,
}

/// The text tokens of a prefix of a document.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// Token ids of real tokens, without special tokens.
    pub(crate) ids: Vec<u32>,
    /// `true` if the text has more tokens than were asked for.
    pub(crate) truncated: bool,
    /// Bytes of the text that were tokenized (a prefix; the whole length when it was short).
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "what the tests check: huge texts are read only as far as needed"
        )
    )]
    pub(crate) read: usize,
}

impl TextTokenizer {
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, EncoderError> {
        let mut tokenizer =
            Tokenizer::from_bytes(bytes).map_err(|e| EncoderError::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None);
        tokenizer.with_truncation(None).map_err(|e| EncoderError::Tokenizer(e.to_string()))?;
        // Learn the special-token template ([CLS] a [SEP] for BERT) from the post-processor
        // instead of hard-coding ids, by encoding a one-token text with special tokens.
        let probe = tokenizer
            .encode("a", true)
            .map_err(|e| EncoderError::Tokenizer(format!("cannot encode a probe text: {e}")))?;
        let special = probe.get_special_tokens_mask();
        let ids = probe.get_ids();
        let Some(first) = special.iter().position(|&s| s == 0) else {
            return Err(EncoderError::Tokenizer(
                "the probe text \"a\" produced no text token".into(),
            ));
        };
        let last = special.iter().rposition(|&s| s == 0).unwrap_or(first);
        if special[first..=last].iter().any(|&s| s != 0) {
            return Err(EncoderError::Tokenizer(
                "special tokens inside the text are not supported".into(),
            ));
        }
        Ok(TextTokenizer {
            prefix: ids[..first].to_vec(),
            suffix: ids[last + 1..].to_vec(),
            tokenizer,
        })
    }

    /// Number of special tokens added per window.
    pub(crate) fn special_len(&self) -> usize {
        self.prefix.len() + self.suffix.len()
    }

    pub(crate) fn vocab_size(&self) -> usize {
        self.tokenizer.get_vocab_size(true)
    }

    pub(crate) fn token(&self, id: u32) -> Option<String> {
        self.tokenizer.id_to_token(id)
    }

    /// `prefix + ids + suffix`, as the model's int64 inputs.
    pub(crate) fn window(&self, ids: &[u32]) -> Vec<i64> {
        self.prefix.iter().chain(ids).chain(&self.suffix).map(|&id| i64::from(id)).collect()
    }

    /// `prefix + ids + suffix` as token ids.
    pub(crate) fn window_ids(&self, ids: &[u32]) -> Vec<u32> {
        self.prefix.iter().chain(ids).chain(&self.suffix).copied().collect()
    }

    fn encode(&self, text: &str) -> Result<Vec<u32>, EncoderError> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| EncoderError::Tokenize(e.to_string()))?;
        Ok(enc
            .get_ids()
            .iter()
            .zip(enc.get_attention_mask())
            .filter(|&(_, &m)| m != 0)
            .map(|(&id, _)| id)
            .collect())
    }

    /// The first `needed` text tokens of `text`, without tokenizing all of a huge text.
    ///
    /// Tokenizes a prefix cut at an ASCII whitespace; BERT's normalizer and pre-tokenizer work per
    /// character and split at whitespace, so the tokens before the cut are exactly the tokens
    /// the whole text has there. The prefix grows (x4) until it yields more than `needed`
    /// tokens plus a margin for the word the cut may have split, or until it is the whole text.
    pub(crate) fn first_tokens(&self, text: &str, needed: usize) -> Result<Tokens, EncoderError> {
        // ~4.5 bytes per token in English; start generously so one pass is the usual case.
        let mut limit = needed.saturating_mul(8).max(4096);
        loop {
            if limit >= text.len() {
                let mut ids = self.encode(text)?;
                let truncated = ids.len() > needed;
                ids.truncate(needed);
                return Ok(Tokens { ids, truncated, read: text.len() });
            }
            let cut = floor_char_boundary(text, limit);
            // ASCII whitespace only: BERT drops control characters such as U+000B (Rust
            // whitespace) and keeps U+2028 inside words, so cutting there could change tokens.
            let safe = text[..cut].rfind([' ', '\n', '\t', '\r']).unwrap_or(0);
            // Tokens of text[safe..cut] may differ from the whole text's; each needs at least one
            // normalized character, and normalization (NFD, lowercasing) expands a character to
            // at most a few.
            let margin = text[safe..cut].chars().count().saturating_mul(4);
            let mut ids = self.encode(&text[..cut])?;
            if ids.len() > needed.saturating_add(margin) {
                ids.truncate(needed);
                return Ok(Tokens { ids, truncated: true, read: cut });
            }
            limit = limit.saturating_mul(4);
        }
    }
}

/// The largest char boundary `<= i` (`str::floor_char_boundary` is not stable yet).
pub(crate) fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    (0..=i).rev().find(|&j| s.is_char_boundary(j)).unwrap_or(0)
}

/// Start offsets of the windows over `n` text tokens: `0, stride, 2*stride, ...`, until a
/// window reaches the end. `n == 0` gives no window.
pub(crate) fn window_starts(n: usize, per_window: usize, stride: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut start = 0;
    while start < n {
        starts.push(start);
        if start + per_window >= n {
            break;
        }
        start += stride;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_text_with_overlap() {
        assert!(window_starts(0, 254, 224).is_empty());
        assert_eq!(window_starts(1, 254, 224), [0]);
        assert_eq!(window_starts(254, 254, 224), [0]);
        assert_eq!(window_starts(255, 254, 224), [0, 224]);
        assert_eq!(window_starts(478, 254, 224), [0, 224]);
        assert_eq!(window_starts(479, 254, 224), [0, 224, 448]);
        for n in 1..2000 {
            let s = window_starts(n, 254, 224);
            assert!(s.last().unwrap() + 254 >= n, "n={n}: end not covered");
            assert!(s.windows(2).all(|w| w[1] - w[0] == 224));
        }
    }

    /// The built model's tokenizer.json (the test fails, never skips, when it is missing).
    fn tokenizer() -> TextTokenizer {
        let dir =
            std::env::var_os("SPARROW_MODEL_DIR").map(std::path::PathBuf::from).unwrap_or_else(
                || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../model/build"),
            );
        let path = dir.join("tokenizer.json");
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run model/build.sh first", path.display()));
        TextTokenizer::from_bytes(&bytes).unwrap()
    }

    #[test]
    fn prefix_tokenization_equals_full_tokenization() {
        let tok = tokenizer();
        assert_eq!((tok.prefix.as_slice(), tok.suffix.as_slice()), (&[101u32][..], &[102u32][..]));
        let pieces = [
            "word",
            "the",
            "Earth's",
            "naïve",
            "Ünïcödé",
            "東京",
            "🚀",
            "x",
            "--",
            "re-set",
            "internationalization",
            "ﬁ",
            "İstanbul",
            "a\u{301}",
            "\u{0}",
            "\t",
            "\n\n",
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for case in 0..40 {
            let mut text = String::new();
            while text.len() < 6000 + case * 500 {
                match next(20) {
                    // a long run without whitespace, sometimes straddling the first cut
                    0 => text.push_str(&"ab".repeat(next(3000))),
                    1 => text.push_str(&"東".repeat(next(500))),
                    _ => text.push_str(pieces[next(pieces.len())]),
                }
                text.push_str(
                    [" ", "  ", "\n", "", "\u{a0}", "\u{b}", "\u{2028}", "\u{85}"][next(8)],
                );
            }
            let full = tok.encode(&text).unwrap();
            for needed in [1, 254, 700, 3614] {
                let got = tok.first_tokens(&text, needed).unwrap();
                assert_eq!(got.truncated, full.len() > needed, "case {case}, needed {needed}");
                assert_eq!(got.ids, full[..needed.min(full.len())], "case {case}, needed {needed}");
            }
        }
    }

    #[test]
    fn huge_texts_are_read_only_as_far_as_needed() {
        let tok = tokenizer();
        let text = "The seasons are caused by the tilt of the axis. ".repeat(100_000); // 4.8 MB
        let needed = 254 + 15 * 224; // a document's default budget: 16 windows
        let got = tok.first_tokens(&text, needed).unwrap();
        assert!(got.truncated);
        assert_eq!(got.ids.len(), needed);
        assert!(got.read <= 64 * 1024, "read {} of {} bytes", got.read, text.len());
    }

    #[test]
    fn char_boundaries() {
        let s = "aé🚀b";
        assert_eq!(floor_char_boundary(s, 0), 0);
        assert_eq!(floor_char_boundary(s, 2), 1);
        assert_eq!(floor_char_boundary(s, 4), 3);
        assert_eq!(floor_char_boundary(s, 6), 3);
        assert_eq!(floor_char_boundary(s, 100), s.len());
    }
}
