//! BERT WordPiece tokenization without the model runtime: text → the model's vocabulary ids,
//! exactly as HuggingFace `tokenizers` computes them for a BERT `tokenizer.json`
//! (`BertNormalizer` → `BertPreTokenizer` → `WordPiece`, plus the added tokens).
//!
//! It is what lookup queries ([`LookupWeights`](crate::LookupWeights)) are made of: a query is its
//! WordPiece tokens, each weighted from a table, so a search needs no model in the page. It lives
//! in the core, not in the encoder crate, because the search-only wasm module must not carry
//! `tokenizers`: that crate (regex engines, the JSON model loader, every pipeline component)
//! would cost more than the whole byte budget of a static site's first query (measured in
//! docs/BENCHMARKS.md, "Lookup queries"). The normalisation uses the Unicode tables of the crates
//! `tokenizers` uses (`unicode-normalization-alignments` and `unicode_categories`, through tables
//! `build.rs` generates from them: accent stripping a twentieth of the first's size, the three
//! character classes as ranges instead of the second's per-character lists), so the ids are the same by
//! construction; a property test in `crate/core/tests/wordpiece.rs` compares the two on real
//! text and random Unicode.
//!
//! The steps, in `tokenizers`' order:
//! 1. **Added tokens** (`[CLS]`, `[MASK]`, ...) that are not normalised are cut out of the raw
//!    text first (leftmost, longest) and become their own ids.
//! 2. **Normalise** each remaining piece: drop NUL, U+FFFD and control/format/private-use
//!    characters and turn every whitespace into a space (`clean_text`); put spaces around CJK
//!    ideographs (`handle_chinese_chars`); NFD and drop non-spacing marks (`strip_accents`,
//!    defaulting to `lowercase`); lowercase character by character.
//! 3. **Pre-tokenise**: split at whitespace (dropped), then isolate every punctuation character.
//! 4. **WordPiece** each word: greedy longest match from the left, continuations prefixed with
//!    `##`; a word longer than `max_input_chars_per_word` characters, or one that cannot be cut
//!    into vocabulary pieces, becomes the unknown token.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::index::TermSpace;

/// A BERT WordPiece vocabulary and its normalisation settings.
///
/// Tokens are kept sorted in one string buffer and found by binary search: 30k tokens take
/// ~0.35 MB, and nothing is hashed. Ids are either the model's (from `tokenizer.json`) or the
/// sorted rank of the token (a [`Vocab`] file's own id space, see [`WordPiece::from_sorted`]).
#[derive(Clone, Debug, PartialEq)]
pub struct WordPiece {
    settings: WordPieceSettings,
    /// Every token, sorted by bytes, concatenated.
    text: String,
    /// `ends[r]`: end of sorted token `r` in `text`.
    ends: Vec<u32>,
    /// `ids[r]`: the id of sorted token `r`; empty when ids are sorted ranks.
    ids: Vec<u32>,
    /// `ranks[id]`: the sorted rank of `id` (the inverse of `ids`); empty when ids are ranks.
    ranks: Vec<u32>,
    /// Added tokens cut out of the raw text before normalisation, longest first.
    added: Vec<(String, u32)>,
    unk_id: u32,
    /// CRC-32 of the sorted tokens, each followed by `\n`: the vocabulary's identity.
    crc: u32,
    /// Set when this holds only some parts of a vocabulary file ([`VocabParts`]): ids are that
    /// file's ranks, and this is its identity (`crc` is then the loaded tokens').
    whole_crc: Option<u32>,
}

/// The tokenizer settings a [`WordPiece`] reproduces (`tokenizer.json`'s normalizer and model).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordPieceSettings {
    /// `BertNormalizer.clean_text`.
    pub clean_text: bool,
    /// `BertNormalizer.handle_chinese_chars`.
    pub handle_chinese_chars: bool,
    /// `BertNormalizer.strip_accents` (`None`: same as `lowercase`).
    pub strip_accents: Option<bool>,
    /// `BertNormalizer.lowercase`.
    pub lowercase: bool,
    /// `WordPiece.unk_token`.
    pub unk_token: String,
    /// `WordPiece.continuing_subword_prefix` (`##`).
    pub continuing_subword_prefix: String,
    /// `WordPiece.max_input_chars_per_word` (100).
    pub max_input_chars_per_word: usize,
}

impl Default for WordPieceSettings {
    /// `bert-base-uncased`'s settings.
    fn default() -> Self {
        WordPieceSettings {
            clean_text: true,
            handle_chinese_chars: true,
            strip_accents: None,
            lowercase: true,
            unk_token: "[UNK]".into(),
            continuing_subword_prefix: "##".into(),
            max_input_chars_per_word: 100,
        }
    }
}

// The parts of a HuggingFace `tokenizer.json` that WordPiece needs; anything else in the file is
// ignored, and a pipeline other than BERT's is refused (it would give other ids).
#[derive(Deserialize)]
struct TokenizerJson {
    #[serde(default)]
    added_tokens: Vec<AddedTokenJson>,
    normalizer: Option<NormalizerJson>,
    pre_tokenizer: Option<TypeOnly>,
    model: ModelJson,
}

#[derive(Deserialize)]
struct AddedTokenJson {
    id: u32,
    content: String,
    #[serde(default)]
    normalized: bool,
    #[serde(default)]
    single_word: bool,
    #[serde(default)]
    lstrip: bool,
    #[serde(default)]
    rstrip: bool,
}

#[derive(Deserialize)]
struct NormalizerJson {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default = "yes")]
    clean_text: bool,
    #[serde(default = "yes")]
    handle_chinese_chars: bool,
    #[serde(default)]
    strip_accents: Option<bool>,
    #[serde(default = "yes")]
    lowercase: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct TypeOnly {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct ModelJson {
    #[serde(rename = "type")]
    kind: String,
    vocab: std::collections::HashMap<String, u32>,
    unk_token: String,
    #[serde(default = "hashes")]
    continuing_subword_prefix: String,
    #[serde(default = "hundred")]
    max_input_chars_per_word: usize,
}

fn hashes() -> String {
    "##".into()
}
fn hundred() -> usize {
    100
}

fn vocab_error(reason: impl Into<String>) -> Error {
    Error::InvalidVocab { reason: reason.into() }
}

impl WordPiece {
    /// Reads a HuggingFace `tokenizer.json` with BERT's pipeline; ids are the model's.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidVocab`] if the bytes are not such a file (not JSON, another model or
    /// normalizer type, ids that are not unique, no unknown token).
    pub fn from_tokenizer_json(bytes: &[u8]) -> Result<Self> {
        let t: TokenizerJson = serde_json::from_slice(bytes)
            .map_err(|e| vocab_error(format!("not a tokenizer.json: {e}")))?;
        if t.model.kind != "WordPiece" {
            return Err(vocab_error(format!("the model is {}, not WordPiece", t.model.kind)));
        }
        let n = t.normalizer.ok_or_else(|| vocab_error("it has no normalizer"))?;
        if n.kind != "BertNormalizer" {
            return Err(vocab_error(format!("the normalizer is {}, not BertNormalizer", n.kind)));
        }
        match t.pre_tokenizer {
            Some(p) if p.kind == "BertPreTokenizer" => {}
            Some(p) => {
                return Err(vocab_error(format!(
                    "the pre-tokenizer is {}, not BertPreTokenizer",
                    p.kind
                )))
            }
            None => return Err(vocab_error("it has no pre-tokenizer")),
        }
        if let Some(a) =
            t.added_tokens.iter().find(|a| a.normalized || a.single_word || a.lstrip || a.rstrip)
        {
            return Err(vocab_error(format!(
                "added token {:?} uses normalized/single_word/lstrip/rstrip, which this tokenizer does not reproduce",
                a.content
            )));
        }
        let settings = WordPieceSettings {
            clean_text: n.clean_text,
            handle_chinese_chars: n.handle_chinese_chars,
            strip_accents: n.strip_accents,
            lowercase: n.lowercase,
            unk_token: t.model.unk_token,
            continuing_subword_prefix: t.model.continuing_subword_prefix,
            max_input_chars_per_word: t.model.max_input_chars_per_word,
        };
        let mut pairs: Vec<(String, u32)> = t.model.vocab.into_iter().collect();
        pairs.sort_unstable();
        let added = t.added_tokens.into_iter().map(|a| (a.content, a.id)).collect();
        Self::build(settings, pairs, added, false, None)
    }

    /// A vocabulary whose ids are the tokens' sorted ranks: `tokens` must be sorted (by bytes) and
    /// unique. `added` are `(token, rank)` pairs cut out of raw text (see the module docs).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidVocab`] if the tokens are not sorted and unique, an added token's rank is
    /// out of range, or the unknown token is missing.
    pub fn from_sorted(
        settings: WordPieceSettings,
        tokens: Vec<String>,
        added: Vec<(String, u32)>,
    ) -> Result<Self> {
        if let Some(w) = tokens.windows(2).position(|w| w[0] >= w[1]) {
            return Err(vocab_error(format!(
                "tokens {} and {} are not sorted and unique",
                w,
                w + 1
            )));
        }
        let n = tokens.len() as u32;
        if let Some((t, r)) = added.iter().find(|(_, r)| *r >= n) {
            return Err(vocab_error(format!("added token {t:?} has rank {r} of {n}")));
        }
        let pairs = tokens.into_iter().enumerate().map(|(r, t)| (t, r as u32)).collect();
        Self::build(settings, pairs, added, true, None)
    }

    /// `sorted` `(token, id)` pairs; ids are ranks (`ranks_are_ids`) or any ids up to a bound:
    /// `whole` = `(tokens, crc)` of the vocabulary file a partial vocabulary's ids are ranks of,
    /// else about the number of tokens (model vocabularies).
    fn build(
        settings: WordPieceSettings,
        sorted: Vec<(String, u32)>,
        mut added: Vec<(String, u32)>,
        ranks_are_ids: bool,
        whole: Option<(u32, u32)>,
    ) -> Result<Self> {
        if sorted.len() > (u32::MAX as usize) {
            return Err(vocab_error("more than 2^32 tokens"));
        }
        let bytes: usize = sorted.iter().map(|(t, _)| t.len()).sum();
        if bytes > u32::MAX as usize {
            return Err(vocab_error("more than 4 GiB of tokens"));
        }
        let mut text = String::with_capacity(bytes);
        let mut ends = Vec::with_capacity(sorted.len());
        let mut ids = Vec::with_capacity(if ranks_are_ids { 0 } else { sorted.len() });
        for (t, id) in &sorted {
            text.push_str(t);
            ends.push(text.len() as u32);
            if !ranks_are_ids {
                ids.push(*id);
            }
        }
        let mut ranks = Vec::new();
        if !ranks_are_ids {
            let max = ids.iter().copied().max().map_or(0, |m| m as usize + 1);
            let bound = whole.map_or(4 * sorted.len() + 1024, |(total, _)| total as usize);
            if max > bound {
                return Err(vocab_error(format!("ids up to {max} for {} tokens", sorted.len())));
            }
            ranks = vec![u32::MAX; max];
            for (r, &id) in ids.iter().enumerate() {
                if ranks[id as usize] != u32::MAX {
                    return Err(vocab_error(format!("id {id} is used twice")));
                }
                ranks[id as usize] = r as u32;
            }
        }
        added.retain(|(t, _)| !t.is_empty());
        // Longest first, so a scan that takes the first match takes the longest.
        added.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let mut hasher = crc32fast::Hasher::new();
        for (t, _) in &sorted {
            hasher.update(t.as_bytes());
            hasher.update(b"\n");
        }
        let crc = hasher.finalize();
        let whole_crc = whole.map(|(_, crc)| crc);
        let mut wp =
            WordPiece { settings, text, ends, ids, ranks, added, unk_id: 0, crc, whole_crc };
        wp.unk_id = wp.id(&wp.settings.unk_token.clone()).ok_or_else(|| {
            vocab_error(format!(
                "the unknown token {:?} is not in the vocabulary",
                wp.settings.unk_token
            ))
        })?;
        Ok(wp)
    }

    /// The vocabulary as a vocabulary file (format module, "Vocabulary"): sorted, front-coded,
    /// ids = ranks. What a static site's search loads to tokenize queries without the model.
    pub fn to_vocab_bytes(&self) -> Vec<u8> {
        crate::format::vocab::write(self)
    }

    /// Reads a vocabulary file ([`to_vocab_bytes`](Self::to_vocab_bytes)); ids are ranks.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for bytes that are not a valid vocabulary file.
    ///
    /// ```
    /// use sparrow_core::{WordPiece, WordPieceSettings};
    /// let tokens = ["##s", "[UNK]", "cat", "dog"].map(String::from).to_vec();
    /// let wp = WordPiece::from_sorted(WordPieceSettings::default(), tokens, vec![])?;
    /// let copy = WordPiece::from_vocab_bytes(&wp.to_vocab_bytes())?;
    /// assert_eq!(copy, wp);
    /// assert_eq!(copy.ids("cats"), [2, 0]);
    /// assert_eq!(WordPiece::from_vocab_bytes(b"nope").unwrap_err().code(), "INDEX_BAD_MAGIC");
    /// # Ok::<(), sparrow_core::Error>(())
    /// ```
    pub fn from_vocab_bytes(bytes: &[u8]) -> Result<Self> {
        crate::format::vocab::read(bytes)
    }

    /// The normalisation and model settings.
    pub fn settings(&self) -> &WordPieceSettings {
        &self.settings
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// `true` for an empty vocabulary (never: the unknown token is required).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Sorted token `r`.
    fn sorted_token(&self, r: usize) -> &str {
        let start = if r == 0 { 0 } else { self.ends[r - 1] as usize };
        &self.text[start..self.ends[r] as usize]
    }

    /// The tokens in sorted (byte) order: what a [`Vocab`](crate::format) file stores.
    pub fn sorted_tokens(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|r| self.sorted_token(r))
    }

    /// The added tokens (`(token, id)`), cut out of raw text before normalisation.
    pub fn added_tokens(&self) -> &[(String, u32)] {
        &self.added
    }

    /// The id of `token`, if it is in the vocabulary.
    pub fn id(&self, token: &str) -> Option<u32> {
        let mut lo = 0usize;
        let mut hi = self.ends.len();
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.sorted_token(mid).cmp(token) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return Some(if self.ids.is_empty() { mid as u32 } else { self.ids[mid] })
                }
            }
        }
        None
    }

    /// The token with this id.
    pub fn token(&self, id: u32) -> Option<&str> {
        let r = if self.ranks.is_empty() {
            id as usize
        } else {
            *self.ranks.get(id as usize)? as usize
        };
        (r < self.ends.len()).then(|| self.sorted_token(r))
    }

    /// The id of the unknown token.
    pub fn unk_id(&self) -> u32 {
        self.unk_id
    }

    /// What this vocabulary's ids are: the model's ids (built from `tokenizer.json`) or sorted
    /// ranks (built from a vocabulary file or sorted tokens), and the vocabulary's identity.
    /// An index records the term space of its vectors ([`Index::set_term_space`](crate::Index::set_term_space)).
    pub fn term_space(&self) -> TermSpace {
        if let Some(vocab_crc) = self.whole_crc {
            TermSpace::VocabRanks { vocab_crc }
        } else if self.ids.is_empty() {
            TermSpace::VocabRanks { vocab_crc: self.crc }
        } else {
            TermSpace::ModelIds { vocab_crc: self.crc }
        }
    }

    /// The vocabulary's identity: CRC-32 of its sorted tokens (in [`term_space`](Self::term_space);
    /// for some [`VocabParts`], the whole file's).
    pub fn term_space_crc(&self) -> u32 {
        self.whole_crc.unwrap_or(self.crc)
    }

    /// The sorted rank of the token with this id (the id itself when ids are ranks): how a
    /// model-id vector is written in a vocabulary file's id space.
    pub fn rank(&self, id: u32) -> Option<u32> {
        if self.whole_crc.is_some() {
            // A partial vocabulary's ids are the whole file's ranks.
            self.ranks.get(id as usize).filter(|&&r| r != u32::MAX).map(|_| id)
        } else if self.ranks.is_empty() {
            ((id as usize) < self.ends.len()).then_some(id)
        } else {
            self.ranks.get(id as usize).copied().filter(|&r| r != u32::MAX)
        }
    }

    /// `v`, whose ids are another vocabulary's (a model's), with this vocabulary's ids: each id is
    /// named by `token_of` and looked up here; ids this vocabulary lacks are dropped. How a
    /// model's query expansion searches an index built in a vocabulary file's id space.
    ///
    /// ```
    /// use sparrow_core::{SparseVector, WordPiece, WordPieceSettings};
    /// let wp = WordPiece::from_sorted(WordPieceSettings::default(), ["[UNK]", "cat", "dog"].map(String::from).to_vec(), vec![])?;
    /// let model = |id: u32| ["dog", "cat", "emu"].get(id as usize).map(|t| t.to_string());
    /// let v = SparseVector::from_pairs([(0, 1.0), (1, 0.5), (2, 0.2)])?;
    /// assert_eq!(wp.rekey(&v, model), SparseVector::from_pairs([(2, 1.0), (1, 0.5)])?);
    /// # Ok::<(), sparrow_core::Error>(())
    /// ```
    pub fn rekey(
        &self,
        v: &crate::SparseVector,
        token_of: impl Fn(u32) -> Option<String>,
    ) -> crate::SparseVector {
        let pairs: Vec<(u32, f32)> =
            v.iter().filter_map(|(id, w)| Some((self.id(&token_of(id)?)?, w))).collect();
        crate::SparseVector::from_pairs(pairs).unwrap_or_default()
    }

    /// The same vocabulary with sorted ranks as ids (what a vocabulary file holds).
    pub fn with_rank_ids(&self) -> WordPiece {
        let mut wp = self.clone();
        if self.whole_crc.is_some() {
            return wp; // some parts of a vocabulary file: its ids are that file's ranks already
        }
        wp.added =
            self.added.iter().filter_map(|(t, id)| Some((t.clone(), self.rank(*id)?))).collect();
        wp.unk_id = self.rank(self.unk_id).unwrap_or(self.unk_id);
        wp.ids = Vec::new();
        wp.ranks = Vec::new();
        wp
    }

    /// The ids of `text`, without special tokens around it (`tokenizers`' `encode(text, false)`).
    ///
    /// ```
    /// use sparrow_core::{WordPiece, WordPieceSettings};
    /// let tokens = ["##s", "[UNK]", "café", "cafe", "e", "go", "un", "##able", "!"];
    /// let mut sorted: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
    /// sorted.sort();
    /// let wp = WordPiece::from_sorted(WordPieceSettings::default(), sorted, vec![]).unwrap();
    /// let names: Vec<&str> = wp.ids("Café unable, GO!").iter().map(|&id| wp.token(id).unwrap()).collect();
    /// assert_eq!(names, ["cafe", "un", "##able", "[UNK]", "go", "!"]);
    /// ```
    pub fn ids(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        self.tokenize(text, |id| out.push(id));
        out
    }

    /// Calls `f` with each id of `text`, in order (see [`ids`](Self::ids)).
    pub fn tokenize(&self, text: &str, mut f: impl FnMut(u32)) {
        let mut buf = String::new();
        for_each_piece(&self.settings, &self.added, text, |piece| match piece {
            Piece::Word(word) => self.word_piece(word, &mut buf, &mut f),
            Piece::Added(id) => f(id),
        });
    }

    /// `text` as `BertNormalizer` normalises it (cleaned, CJK spaced, accents stripped,
    /// lowercased): what WordPiece then splits, exposed to check it against `tokenizers`.
    pub fn normalized(&self, text: &str) -> String {
        let mut out = String::new();
        normalize(&self.settings, text, &mut out);
        out
    }

    /// The vocabulary as parts by the tokens' first byte (format module, "Vocabulary parts"),
    /// so a static site's page fetches only what its queries' words start with: the first part
    /// holds every first byte up to the continuing prefix's, the unknown token's and the added
    /// tokens' (for BERT: punctuation, digits, `##…` and `[…]`, always needed); the others group
    /// consecutive first bytes until a part holds at least `target_bytes` of tokens (one per
    /// letter for BERT's). Ids stay the whole file's ranks.
    ///
    /// ```
    /// use sparrow_core::{VocabParts, WordPiece, WordPieceSettings};
    /// let tokens = ["##s", "[UNK]", "cat", "dog", "emu"].map(String::from).to_vec();
    /// let wp = WordPiece::from_sorted(WordPieceSettings::default(), tokens, vec![])?;
    /// let parts = wp.to_vocab_parts(1);
    /// assert_eq!(parts.len(), 4); // "##s" and "[UNK]", then c, d, e
    /// let mut vocab = VocabParts::new(parts[0].clone())?;
    /// assert_eq!(vocab.missing_leads("dogs"), [b'd']);
    /// vocab.add(parts[2].clone())?;
    /// assert_eq!(vocab.ids("dogs")?, wp.ids("dogs"));
    /// assert_eq!(vocab.ids("cats").unwrap_err().code(), "VOCAB_PARTS_NOT_LOADED");
    /// # Ok::<(), sparrow_core::Error>(())
    /// ```
    pub fn to_vocab_parts(&self, target_bytes: usize) -> Vec<crate::VocabPart> {
        crate::vocab_parts::split(self, target_bytes)
    }

    /// The first byte of every word `text` splits into (after its added tokens are cut out, and
    /// normalised): which parts of a vocabulary its WordPiece lookups read, with the continuing
    /// prefix's and the unknown token's.
    pub(crate) fn leads(
        settings: &WordPieceSettings,
        added: &[(String, u32)],
        text: &str,
    ) -> [bool; 256] {
        let mut leads = [false; 256];
        let mut mark = |b: Option<u8>| {
            if let Some(b) = b {
                leads[usize::from(b)] = true;
            }
        };
        mark(settings.continuing_subword_prefix.bytes().next());
        mark(settings.unk_token.bytes().next());
        for_each_piece(settings, added, text, |piece| {
            if let Piece::Word(word) = piece {
                mark(word.bytes().next());
            }
        });
        leads
    }

    /// Some parts of a vocabulary file: `sorted` `(token, rank)` pairs and added tokens of the
    /// loaded parts, ids = the whole file's ranks; `whole` = its `(tokens, crc)`.
    pub(crate) fn partial(
        settings: WordPieceSettings,
        sorted: Vec<(String, u32)>,
        added: Vec<(String, u32)>,
        whole: (u32, u32),
    ) -> Result<Self> {
        Self::build(settings, sorted, added, false, Some(whole))
    }

    /// The sorted `(token, rank)` pairs (ranks = ids for a vocabulary file's ids).
    pub(crate) fn sorted_pairs(&self) -> impl Iterator<Item = (&str, u32)> {
        (0..self.ends.len()).map(|r| (self.sorted_token(r), r as u32))
    }

    /// `WordPiece.tokenize` of one pre-tokenized word.
    fn word_piece(&self, word: &str, buf: &mut String, f: &mut impl FnMut(u32)) {
        if word.chars().count() > self.settings.max_input_chars_per_word {
            f(self.unk_id);
            return;
        }
        let mut pieces: Vec<u32> = Vec::new();
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while start < end {
                let candidate = if start > 0 {
                    buf.clear();
                    buf.push_str(&self.settings.continuing_subword_prefix);
                    buf.push_str(&word[start..end]);
                    self.id(buf)
                } else {
                    self.id(&word[..end])
                };
                if let Some(id) = candidate {
                    found = Some(id);
                    break;
                }
                // One character shorter (the last char of the candidate, as `tokenizers` does).
                end -= word[start..end].chars().next_back().map_or(1, char::len_utf8);
            }
            match found {
                Some(id) => pieces.push(id),
                None => {
                    f(self.unk_id);
                    return;
                }
            }
            start = end;
        }
        pieces.into_iter().for_each(f);
    }
}

/// What [`for_each_piece`] finds in a text, in order.
enum Piece<'a> {
    /// A pre-tokenized word of normalised text (what WordPiece splits).
    Word(&'a str),
    /// An added token, cut out of the raw text before normalisation.
    Added(u32),
}

/// `tokenizers`' steps before WordPiece: the leftmost added token (at one position, the longest:
/// `added` is sorted so) is cut out of the raw text; the text between is normalised and
/// pre-tokenized into words.
fn for_each_piece(
    settings: &WordPieceSettings,
    added: &[(String, u32)],
    text: &str,
    mut f: impl FnMut(Piece<'_>),
) {
    let mut normalized = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let found = added
            .iter()
            .filter_map(|(t, id)| rest.find(t.as_str()).map(|at| (at, t.len(), *id)))
            .min_by_key(|&(at, len, _)| (at, std::cmp::Reverse(len)));
        let (piece, next) = match found {
            Some((at, len, id)) => (&rest[..at], Some((id, &rest[at + len..]))),
            None => (rest, None),
        };
        if !piece.is_empty() {
            normalized.clear();
            normalize(settings, piece, &mut normalized);
            pre_tokenize(&normalized).for_each(|w| f(Piece::Word(w)));
        }
        match next {
            Some((id, after)) => {
                f(Piece::Added(id));
                rest = after;
            }
            None => break,
        }
    }
}

/// `BertNormalizer` with `settings`, appending to `out`.
fn normalize(s: &WordPieceSettings, text: &str, out: &mut String) {
    let mut step = String::with_capacity(text.len());
    for c in text.chars() {
        if s.clean_text {
            if c == '\0' || c == '\u{fffd}' || is_control(c) {
                continue;
            }
            if is_whitespace(c) {
                step.push(' ');
                continue;
            }
        }
        if s.handle_chinese_chars && is_chinese_char(c) {
            step.push(' ');
            step.push(c);
            step.push(' ');
        } else {
            step.push(c);
        }
    }
    let strip = s.strip_accents.unwrap_or(s.lowercase);
    let mut push = |c: char| {
        if s.lowercase {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    };
    if strip {
        strip_accents(&step, &mut push);
    } else {
        step.chars().for_each(push);
    }
}

// STRIP_RUNS, STRIP_ENDS, STRIP_TEXT, CCC, and the class ranges
// MARK_NONSPACING, PUNCTUATION, OTHER: generated by build.rs from the Unicode crates `tokenizers`
// uses (see there for why the per-character table is exact).
include!(concat!(env!("OUT_DIR"), "/strip_accents.rs"));

/// Canonical decomposition of `c` (Hangul by formula, the rest from the generated table).
fn decompose(c: char, out: &mut Vec<(char, u8)>) {
    let cp = c as u32;
    let mut push = |x: char| out.push((x, combining_class(x)));
    if (0xAC00..=0xD7A3).contains(&cp) {
        // Hangul syllables decompose by formula (Unicode 3.12) into jamo.
        let s = cp - 0xAC00;
        let (l, v, t) = (0x1100 + s / 588, 0x1161 + (s % 588) / 28, 0x11A7 + s % 28);
        for x in [l, v].into_iter().chain((t != 0x11A7).then_some(t)) {
            push(char::from_u32(x).unwrap_or(c));
        }
    } else if let Some(i) = strip_index(cp) {
        let start = if i == 0 { 0 } else { usize::from(STRIP_ENDS[i - 1]) };
        STRIP_TEXT[start..usize::from(STRIP_ENDS[i])].chars().for_each(push);
    } else {
        push(c);
    }
}

/// Whether `c` is in one of `ranges` (inclusive, ascending, disjoint).
fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    let i = ranges.partition_point(|&(_, end)| end < cp);
    ranges.get(i).is_some_and(|&(start, _)| start <= cp)
}

/// The index of `cp`'s decomposition in `STRIP_ENDS`, if it has one.
fn strip_index(cp: u32) -> Option<usize> {
    let run = STRIP_RUNS.get(STRIP_RUNS.partition_point(|&(_, last, _)| last < cp))?;
    (run.0 <= cp).then(|| usize::from(run.2) + (cp - run.0) as usize)
}

fn combining_class(c: char) -> u8 {
    let cp = c as u32;
    CCC.get(CCC.partition_point(|&(_, last, _)| last < cp))
        .filter(|&&(first, _, _)| first <= cp)
        .map_or(0, |&(_, _, class)| class)
}

/// `tokenizers`' `strip_accents`: NFD (decompose, then stable-sort each run of characters with a
/// non-zero combining class by class), then drop non-spacing marks; `emit` gets what is left.
fn strip_accents(text: &str, mut emit: impl FnMut(char)) {
    let mut buf: Vec<(char, u8)> = Vec::new();
    for c in text.chars() {
        decompose(c, &mut buf);
    }
    let mut start = 0;
    while start < buf.len() {
        let end =
            buf[start..].iter().position(|&(_, ccc)| ccc == 0).map_or(buf.len(), |p| start + p);
        buf[start..end].sort_by_key(|&(_, ccc)| ccc);
        start = end + 1;
    }
    for (c, _) in buf {
        if !in_ranges(&MARK_NONSPACING, c) {
            emit(c);
        }
    }
}

/// `BertPreTokenizer`: split at whitespace (removed), then isolate punctuation.
fn pre_tokenize(text: &str) -> impl Iterator<Item = &str> {
    text.split(char::is_whitespace).filter(|w| !w.is_empty()).flat_map(|w| {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in w.char_indices() {
            if is_bert_punc(c) {
                if start < i {
                    out.push(&w[start..i]);
                }
                out.push(&w[i..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        if start < w.len() {
            out.push(&w[start..]);
        }
        out
    })
}

fn is_bert_punc(c: char) -> bool {
    c.is_ascii_punctuation() || in_ranges(&PUNCTUATION, c)
}

/// `tokenizers`' `is_whitespace`: `\t`, `\n`, `\r` and `char::is_whitespace`.
fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// `tokenizers`' `is_control`: the "Other" categories `unicode_categories` covers (Cc, Cf, Co),
/// except `\t`, `\n`, `\r`.
fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && in_ranges(&OTHER, c)
}

/// CJK Unified Ideographs and their extensions, as `tokenizers` defines them.
fn is_chinese_char(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_ranges_are_the_crates_classes_at_every_code_point() {
        use unicode_categories::UnicodeCategories;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(in_ranges(&MARK_NONSPACING, c), c.is_mark_nonspacing(), "{c:?}");
            assert_eq!(in_ranges(&PUNCTUATION, c), c.is_punctuation(), "{c:?}");
            assert_eq!(in_ranges(&OTHER, c), c.is_other(), "{c:?}");
        }
    }

    fn wp(tokens: &[&str], added: &[&str]) -> WordPiece {
        let mut sorted: Vec<String> = tokens.iter().map(|t| (*t).to_owned()).collect();
        sorted.extend(added.iter().map(|t| (*t).to_owned()));
        sorted.sort();
        sorted.dedup();
        let added = added
            .iter()
            .map(|t| ((*t).to_owned(), sorted.binary_search(&(*t).to_owned()).unwrap() as u32))
            .collect();
        WordPiece::from_sorted(WordPieceSettings::default(), sorted, added).unwrap()
    }

    fn names(wp: &WordPiece, text: &str) -> Vec<String> {
        wp.ids(text).iter().map(|&id| wp.token(id).unwrap().to_owned()).collect()
    }

    #[test]
    fn greedy_longest_match_and_unknown_words() {
        let v = wp(&["[UNK]", "un", "##aff", "##able", "una", "##ffable", "a"], &[]);
        assert_eq!(names(&v, "unaffable"), ["una", "##ffable"]);
        // Greedy, no backtracking: "una" is taken, and "##ble" is not in the vocabulary.
        assert_eq!(names(&v, "unable"), ["[UNK]"]);
        assert_eq!(names(&v, "un aff"), ["un", "[UNK]"]);
        assert_eq!(names(&v, "unx a"), ["[UNK]", "a"]);
        assert_eq!(names(&v, &"a".repeat(101)), ["[UNK]"]);
        assert!(v.ids("").is_empty() && v.ids(" \t\n").is_empty());
    }

    #[test]
    fn normalisation_splitting_and_added_tokens() {
        let v = wp(&["[UNK]", "naive", "x", ",", "中", "!"], &["[MASK]"]);
        assert_eq!(names(&v, "NAÏVE,x"), ["naive", ",", "x"]);
        assert_eq!(names(&v, "x\u{0}\u{200b}x"), ["[UNK]"]); // ZWSP (Cf) dropped: one word "xx"
        assert_eq!(names(&v, "x中x"), ["x", "中", "x"]);
        assert_eq!(names(&v, "x[MASK]x"), ["x", "[MASK]", "x"]);
        assert_eq!(names(&v, "x [mask]"), ["x", "[UNK]", "[UNK]", "[UNK]"]);
    }

    #[test]
    fn ids_and_tokens_round_trip() {
        let v = wp(&["[UNK]", "b", "a"], &[]);
        for t in ["[UNK]", "a", "b"] {
            assert_eq!(v.token(v.id(t).unwrap()), Some(t));
        }
        assert_eq!(v.id("c"), None);
        assert_eq!(v.token(3), None);
        assert!(WordPiece::from_sorted(
            WordPieceSettings::default(),
            vec!["b".into(), "a".into()],
            vec![]
        )
        .is_err());
        assert!(
            WordPiece::from_sorted(WordPieceSettings::default(), vec!["a".into()], vec![]).is_err()
        );
    }

    #[test]
    fn tokenizer_json_model_ids() {
        let json = br###"{"added_tokens":[{"id":0,"content":"[PAD]","special":true}],
            "normalizer":{"type":"BertNormalizer","lowercase":true},
            "pre_tokenizer":{"type":"BertPreTokenizer"},
            "model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[PAD]":0,"[UNK]":1,"the":7,"##s":3,"cat":5}}}"###;
        let v = WordPiece::from_tokenizer_json(json).unwrap();
        assert_eq!(v.ids("The cats[PAD]dog"), [7, 5, 3, 0, 1]);
        assert_eq!(v.token(5), Some("cat"));
        assert_eq!(v.token(4), None);
        let bad = br#"{"normalizer":{"type":"Lowercase"},"pre_tokenizer":{"type":"BertPreTokenizer"},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}"#;
        assert_eq!(WordPiece::from_tokenizer_json(bad).unwrap_err().code(), "INVALID_VOCAB");
        assert_eq!(WordPiece::from_tokenizer_json(b"{}").unwrap_err().code(), "INVALID_VOCAB");
    }
}
