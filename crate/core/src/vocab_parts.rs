//! A static site's vocabulary in parts, by the tokens' first byte.
//!
//! The search-only path tokenizes queries with the model's WordPiece vocabulary (30,522 tokens
//! for BERT: ~49 kB brotli, a sixth of a 300 kB page budget). WordPiece only ever looks up tokens
//! that start where a word starts (greedy longest match from the word's first byte) or with the
//! continuing prefix (`##`), so a query needs the part holding the prefix, the unknown and the
//! added tokens (the first part) and one part per distinct first byte of its words: "add two
//! numbers" reads the first part and those of `a`, `t` and `n`, about a third of the bytes.
//! [`VocabParts::missing_leads`] says which first bytes a text needs; tokenizing with a part
//! missing is an error ([`Error::VocabPartsNotLoaded`]), never a silently different tokenization.
//! Ids are the whole vocabulary file's ranks, so an index built for that file is searched as is.

use std::ops::RangeInclusive;

use crate::error::{Error, Result};
use crate::index::TermSpace;
use crate::wordpiece::{WordPiece, WordPieceSettings};

/// One part of a vocabulary file ([`WordPiece::to_vocab_parts`]): the tokens whose first byte is
/// in [`leads`](Self::leads), with their ranks in the whole file.
#[derive(Clone, Debug, PartialEq)]
pub struct VocabPart {
    pub(crate) settings: WordPieceSettings,
    /// Tokens in the whole vocabulary.
    pub(crate) total: u32,
    /// The whole vocabulary's identity ([`WordPiece::term_space_crc`]).
    pub(crate) crc: u32,
    /// Added tokens in the whole vocabulary (all in the first part).
    pub(crate) added_total: u32,
    /// Rank of this part's first token in the whole file.
    pub(crate) first_rank: u32,
    /// First bytes covered (tokens of other first bytes are in other parts).
    pub(crate) leads: (u8, u8),
    /// Sorted tokens.
    pub(crate) tokens: Vec<String>,
    /// Ranks (in the whole file) of this part's added tokens.
    pub(crate) added: Vec<u32>,
}

impl VocabPart {
    /// Reads a vocabulary part file (format module, "Vocabulary parts").
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for bytes that are not a valid vocabulary part (a whole vocabulary file
    /// included: it is loaded with [`WordPiece::from_vocab_bytes`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        crate::format::vocab::read_part(bytes)
    }

    /// The part as a file.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::format::vocab::write_part(self)
    }

    /// The first bytes of the tokens this part holds.
    pub fn leads(&self) -> RangeInclusive<u8> {
        self.leads.0..=self.leads.1
    }

    /// Number of tokens in the part.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// `true` for a part without tokens (a range of first bytes no token starts with).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The term space of the whole vocabulary (what an index built for it declares).
    pub fn term_space(&self) -> TermSpace {
        TermSpace::VocabRanks { vocab_crc: self.crc }
    }

    fn same_vocabulary(&self, other: &VocabPart) -> bool {
        self.settings == other.settings
            && self.total == other.total
            && self.crc == other.crc
            && self.added_total == other.added_total
    }
}

/// A vocabulary assembled from the parts loaded so far (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct VocabParts {
    /// Loaded parts, by first byte.
    parts: Vec<VocabPart>,
    /// The loaded tokens as a vocabulary, once the part with the prefix, the unknown and the
    /// added tokens is loaded.
    wp: Option<WordPiece>,
}

impl VocabParts {
    /// Starts with one part (any; the first part is the one every query needs).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidVocab`] if the part's tokens do not make a vocabulary with the others'.
    pub fn new(part: VocabPart) -> Result<Self> {
        let mut v = VocabParts { parts: Vec::new(), wp: None };
        v.add(part)?;
        Ok(v)
    }

    /// Adds a part; `false` if a part with the same first bytes is loaded already (nothing
    /// changes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidVocab`] for a part of another vocabulary, or one whose first bytes
    /// overlap a loaded part's without being the same.
    pub fn add(&mut self, part: VocabPart) -> Result<bool> {
        if let Some(first) = self.parts.first() {
            if !first.same_vocabulary(&part) {
                return Err(Error::InvalidVocab {
                    reason: "a part of another vocabulary (tokens, identity or settings differ)"
                        .into(),
                });
            }
        }
        let at = self.parts.partition_point(|p| p.leads.0 < part.leads.0);
        if let Some(p) = self.parts.get(at).filter(|p| p.leads.0 == part.leads.0) {
            if p.leads == part.leads && p.first_rank == part.first_rank {
                return Ok(false);
            }
        }
        let overlaps = |p: &VocabPart| p.leads.0 <= part.leads.1 && part.leads.0 <= p.leads.1;
        if let Some(p) = self.parts.iter().find(|p| overlaps(p)) {
            return Err(Error::InvalidVocab {
                reason: format!(
                    "part of first bytes {:#04x}..={:#04x} overlaps a loaded part ({:#04x}..={:#04x})",
                    part.leads.0, part.leads.1, p.leads.0, p.leads.1
                ),
            });
        }
        self.parts.insert(at, part);
        let ranks_overlap = self.parts.windows(2).any(|w| {
            w[0].first_rank + w[0].tokens.len() as u32 > w[1].first_rank
                || w[1].first_rank + w[1].tokens.len() as u32 > w[1].total
        });
        let wp = if ranks_overlap {
            Err(Error::InvalidVocab { reason: "the ranks of two parts overlap".into() })
        } else {
            Self::build(&self.parts)
        };
        match wp {
            Ok(wp) => {
                self.wp = wp;
                Ok(true)
            }
            Err(e) => {
                // Nothing changes on error.
                self.parts.remove(at);
                Err(e)
            }
        }
    }

    /// The loaded tokens as one vocabulary (ids = the whole file's ranks), once the part with the
    /// continuing prefix, the unknown token and the added tokens is in.
    fn build(parts: &[VocabPart]) -> Result<Option<WordPiece>> {
        let Some(first) = parts.first() else { return Ok(None) };
        let s = &first.settings;
        let needed: Vec<u8> = [&s.continuing_subword_prefix, &s.unk_token]
            .iter()
            .filter_map(|t| t.bytes().next())
            .collect();
        let covered = |lead: u8| parts.iter().any(|p| p.leads().contains(&lead));
        let added: usize = parts.iter().map(|p| p.added.len()).sum();
        if !needed.iter().all(|&l| covered(l)) || added != first.added_total as usize {
            return Ok(None);
        }
        let mut sorted = Vec::with_capacity(parts.iter().map(VocabPart::len).sum());
        let mut added = Vec::new();
        for p in parts {
            for (i, t) in p.tokens.iter().enumerate() {
                sorted.push((t.clone(), p.first_rank + i as u32));
            }
            for &r in &p.added {
                let t = &p.tokens[(r - p.first_rank) as usize];
                added.push((t.clone(), r));
            }
        }
        WordPiece::partial(s.clone(), sorted, added, (first.total, first.crc)).map(Some)
    }

    /// The term space of the whole vocabulary (what an index built for it declares).
    pub fn term_space(&self) -> TermSpace {
        self.parts.first().map_or(TermSpace::Unknown, VocabPart::term_space)
    }

    /// Whether the part holding tokens that start with `lead` is loaded.
    pub fn covers(&self, lead: u8) -> bool {
        self.parts.iter().any(|p| p.leads().contains(&lead))
    }

    /// The first bytes (ascending) whose parts `text`'s tokenization needs and that are not
    /// loaded: its words' first bytes, the continuing prefix's and the unknown token's. Before
    /// the first part is in, the added tokens are not known, so a text containing one may need
    /// one more round once it is (ask again after loading).
    pub fn missing_leads(&self, text: &str) -> Vec<u8> {
        let Some(first) = self.parts.first() else { return Vec::new() };
        let added = self.wp.as_ref().map_or(&[][..], |wp| wp.added_tokens());
        let needed = WordPiece::leads(&first.settings, added, text);
        (0..=u8::MAX).filter(|&l| needed[usize::from(l)] && !self.covers(l)).collect()
    }

    /// The loaded tokens as a vocabulary (ids = the whole file's ranks), or `None` before the
    /// first part is loaded. It tokenizes correctly only texts whose
    /// [`missing_leads`](Self::missing_leads) is empty; [`ids`](Self::ids) checks that.
    pub fn wordpiece(&self) -> Option<&WordPiece> {
        self.wp.as_ref()
    }

    /// The ids of `text` ([`WordPiece::ids`]) with the parts it needs loaded.
    ///
    /// # Errors
    ///
    /// [`Error::VocabPartsNotLoaded`] with the missing first bytes.
    pub fn ids(&self, text: &str) -> Result<Vec<u32>> {
        let missing = self.missing_leads(text);
        match &self.wp {
            Some(wp) if missing.is_empty() => Ok(wp.ids(text)),
            _ => Err(Error::VocabPartsNotLoaded { leads: missing }),
        }
    }
}

/// [`WordPiece::to_vocab_parts`].
pub(crate) fn split(wp: &WordPiece, target_bytes: usize) -> Vec<VocabPart> {
    let s = wp.settings();
    // Added tokens by rank (a model vocabulary's ids are not ranks).
    let mut added: Vec<u32> = wp.added_tokens().iter().filter_map(|(_, id)| wp.rank(*id)).collect();
    added.sort_unstable();
    let pairs: Vec<(&str, u32)> = wp.sorted_pairs().collect();
    let first_end = [&s.continuing_subword_prefix, &s.unk_token]
        .into_iter()
        .filter_map(|t| t.bytes().next())
        .chain(added.iter().filter_map(|&r| pairs.get(r as usize)?.0.bytes().next()))
        .max()
        .unwrap_or(0);
    let total = pairs.len() as u32;
    let crc = wp.term_space_crc();
    let new_part = |lead: u8, first_rank: u32| VocabPart {
        settings: s.clone(),
        total,
        crc,
        added_total: added.len() as u32,
        first_rank,
        leads: (lead, lead),
        tokens: Vec::new(),
        added: Vec::new(),
    };
    let mut parts: Vec<VocabPart> = Vec::new();
    let mut cur = new_part(0, 0);
    let mut bytes = 0usize;
    for (t, rank) in pairs {
        let lead = t.bytes().next().unwrap_or(0);
        let in_first = parts.is_empty() && lead <= first_end;
        if !in_first && lead > cur.leads.1 && (parts.is_empty() || bytes >= target_bytes) {
            let next = new_part(lead, rank);
            cur.leads.1 = lead - 1;
            parts.push(std::mem::replace(&mut cur, next));
            bytes = 0;
        }
        cur.leads.1 = lead;
        cur.tokens.push(t.to_owned());
        bytes += t.len();
        if added.binary_search(&rank).is_ok() {
            cur.added.push(rank);
        }
    }
    cur.leads.1 = u8::MAX;
    parts.push(cur);
    parts
}
