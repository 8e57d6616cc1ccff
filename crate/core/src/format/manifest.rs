//! The site manifest (`manifest.json`): what a browser reads first to search a static site that
//! `sparrow index --site` built. Defined here, next to the binary formats it points to, so one
//! definition serves the writer (the CLI) and the reader (the browser, through wasm), and one
//! golden fixture (`tests/fixtures/format/v2/site/manifest.json`) pins it for the Rust and the
//! TypeScript tests.
//!
//! ```text
//! {
//!   "version": 2,                       // MANIFEST_VERSION: this file's shape
//!   "indexFormat": 2,                   // FORMAT_VERSION of the files it lists
//!   "model": {"id", "sha256", "tokenizerSha256"},   // the model that expanded the documents
//!   "counts": {"pages", "sections", "semanticSections", "bytes"},
//!   "mode": "whole" | "sharded",
//!   "rule": "...",                      // the loading rule, in words
//!   "wholeIndexThreshold": bytes, "shardBytes": bytes, "fragmentBytes": bytes,
//!   "vocab": {"file", "bytes", "sha256"},           // the WordPiece vocabulary (lookup queries)
//!   "vocabParts": [{"file", "first", "last"}],      // optional: the same vocabulary in
//!                                       // parts by the tokens' first byte (first..=last, they
//!                                       // cover 0..=255 in order): a page loads the first, then
//!                                       // those its queries' words start with (VocabParts)
//!   "index": {"file", "bytes", "sha256"},           // mode "whole": the whole index
//!   "base": {"file", "bytes", "sha256"},            // mode "sharded": the base ...
//!   "build": "<16 hex>",                // ... the parts' name: SHA-256 of all of them, 64 bits
//!   "shards": N,                        // ... postings shard i is file shard-<build>-<i>.sps
//!   "fragments": M                      // ... document fragment i is file frag-<build>-<i>.spf
//! }
//! ```
//!
//! Every file is content-addressed, so it can be cached forever: the vocabulary, whole index
//! and base carry their size and SHA-256, checked after fetching; shards and fragments, of which
//! a large site has thousands, are named by `build` (which changes whenever any of them does), so
//! the manifest stays a few hundred bytes however many there are. Their integrity is checked
//! inside them: their own CRC-32, and the index id, number and count they name must be the
//! loaded base's (`INDEX_CHECKSUM`, `INDEX_SHARD_MISMATCH`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The `manifest.json` shape this build writes and reads.
pub const MANIFEST_VERSION: u32 = 2;

/// A site index's `manifest.json` ([module docs](self)).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteManifest {
    /// [`MANIFEST_VERSION`].
    pub version: u32,
    /// [`FORMAT_VERSION`](super::FORMAT_VERSION) of the index files.
    pub index_format: u16,
    /// The model that expanded the documents.
    pub model: ManifestModel,
    /// Sizes, for display.
    pub counts: ManifestCounts,
    /// `whole` (one index file) or `sharded` (a base, shards and fragments).
    pub mode: SiteMode,
    /// The loading rule, in words (what the browser fetches when).
    #[serde(default)]
    pub rule: String,
    /// Indexes up to this many bytes were written whole.
    pub whole_index_threshold: u64,
    /// Target bytes per postings shard (sharded mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_bytes: Option<u64>,
    /// Target bytes of stored documents per fragment (sharded mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment_bytes: Option<u64>,
    /// The vocabulary file lookup queries are tokenized with.
    pub vocab: ManifestFile,
    /// The same vocabulary in parts by the tokens' first byte
    /// ([`VocabParts`](crate::VocabParts)), in order: a page loads the first before the first
    /// query and the others as its queries need them, instead of [`vocab`](Self::vocab). Empty:
    /// load `vocab` (and what readers before parts do: they ignore this field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vocab_parts: Vec<ManifestVocabPart>,
    /// Mode `whole`: the index file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<ManifestFile>,
    /// Mode `sharded`: the base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<ManifestFile>,
    /// Mode `sharded`: the name of the build's shards and fragments, the first 16 hex digits of
    /// the SHA-256 of all of them (empty in mode `whole`).
    #[serde(default)]
    pub build: String,
    /// Mode `sharded`: the number of postings shards (0 in mode `whole`).
    #[serde(default)]
    pub shards: u32,
    /// Mode `sharded`: the number of document fragments (0 in mode `whole`).
    #[serde(default)]
    pub fragments: u32,
}

/// `whole` or `sharded`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteMode {
    /// One index file, fetched before the first query.
    Whole,
    /// A base fetched before the first query; shards and fragments as queries need them.
    Sharded,
}

/// The model a site index was built with.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestModel {
    /// `name/variant`, e.g. `splade-tiny/int8`.
    pub id: String,
    /// SHA-256 (hex) of the model file.
    pub sha256: String,
    /// SHA-256 (hex) of its `tokenizer.json`.
    pub tokenizer_sha256: String,
}

/// What a site index holds.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestCounts {
    /// HTML pages indexed.
    pub pages: u64,
    /// Sections (documents).
    pub sections: u64,
    /// Sections with a learned-sparse vector.
    pub semantic_sections: u64,
    /// Bytes of all index files (vocabulary included).
    pub bytes: u64,
}

/// One file the manifest names, with its size and SHA-256.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFile {
    /// File name, relative to the manifest (no `/`, `\`, `..` or `:`).
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 (lowercase hex).
    pub sha256: String,
}

/// One part of the vocabulary ([`SiteManifest::vocab_parts`]): its file and the first bytes of
/// the tokens it holds. Like shards, a part is checked inside (its CRC-32, the vocabulary's
/// identity against the index's, the first bytes it says it covers), not by a SHA-256 here: a
/// site has a score of them, and the manifest is fetched before anything else.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestVocabPart {
    /// File name, relative to the manifest (content-addressed: `vocab-<16 hex>.spv`).
    pub file: String,
    /// The first of the first bytes it covers.
    pub first: u8,
    /// The last of the first bytes it covers.
    pub last: u8,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidManifest { reason: reason.into() }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl ManifestFile {
    fn check(&self, what: &str) -> Result<()> {
        let f = &self.file;
        if f.is_empty()
            || f.contains(['/', '\\', ':'])
            || f.contains("..")
            || f.starts_with('.')
            || f.chars().any(char::is_control)
        {
            return Err(invalid(format!("{what} file {f:?} is not a plain file name")));
        }
        if !is_hex(&self.sha256, 64) {
            return Err(invalid(format!(
                "{what} sha256 {:?} is not 64 lowercase hex digits",
                self.sha256
            )));
        }
        Ok(())
    }
}

impl SiteManifest {
    /// Parses and validates `manifest.json`. `model_sha256`: the hex SHA-256 of the model that
    /// will encode queries, if one will (lookup queries need none: then pass `None`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidManifest`] for bad JSON or shape (including file names that could reach
    /// outside the manifest's directory), [`Error::ManifestVersion`] for another manifest
    /// version or index format (rebuild the site with the matching CLI),
    /// [`Error::ModelMismatch`] when `model_sha256` is not the index's model.
    ///
    /// ```
    /// use sparrow_core::format::SiteManifest;
    /// let json = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/format/v2/site/manifest.json")).unwrap();
    /// let m = SiteManifest::from_json(&json, None)?;
    /// assert_eq!(m.shard_file(0).unwrap(), format!("shard-{}-0.sps", m.build));
    /// assert_eq!(m.shard_file(m.shards), None);
    /// assert_eq!(SiteManifest::from_json(b"{}", None).unwrap_err().code(), "INVALID_MANIFEST");
    /// # Ok::<(), sparrow_core::Error>(())
    /// ```
    pub fn from_json(bytes: &[u8], model_sha256: Option<&str>) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| invalid(format!("manifest.json is not JSON: {e}")))?;
        let version = value.get("version").and_then(serde_json::Value::as_u64);
        match version {
            None => return Err(invalid("manifest.json has no numeric \"version\"")),
            Some(v) if v != u64::from(MANIFEST_VERSION) => {
                return Err(Error::ManifestVersion {
                    what: "manifest".into(),
                    found: v,
                    supported: u64::from(MANIFEST_VERSION),
                })
            }
            Some(_) => {}
        }
        let m: SiteManifest =
            serde_json::from_value(value).map_err(|e| invalid(format!("manifest.json: {e}")))?;
        m.validate()?;
        if let Some(sha) = model_sha256 {
            m.check_model(sha)?;
        }
        Ok(m)
    }

    /// The checks of [`from_json`](Self::from_json) on a manifest in memory (what the writer
    /// runs before writing one).
    ///
    /// # Errors
    ///
    /// As [`from_json`](Self::from_json), without the model check.
    pub fn validate(&self) -> Result<()> {
        if self.index_format != super::FORMAT_VERSION {
            return Err(Error::ManifestVersion {
                what: "index format".into(),
                found: u64::from(self.index_format),
                supported: u64::from(super::FORMAT_VERSION),
            });
        }
        if !is_hex(&self.model.sha256, 64) {
            return Err(invalid("model.sha256 is not 64 lowercase hex digits"));
        }
        self.vocab.check("vocabulary")?;
        if !self.vocab_parts.is_empty() {
            let mut next = 0u16;
            for (i, p) in self.vocab_parts.iter().enumerate() {
                let f = ManifestFile { file: p.file.clone(), bytes: 0, sha256: "0".repeat(64) };
                f.check("vocabulary part")?;
                if u16::from(p.first) != next || p.last < p.first {
                    return Err(invalid(format!(
                        "vocabulary part {i} covers first bytes {}..={}, expected to start at {next}",
                        p.first, p.last
                    )));
                }
                next = u16::from(p.last) + 1;
            }
            if next != 256 {
                return Err(invalid("the vocabulary parts do not cover every first byte"));
            }
        }
        match self.mode {
            SiteMode::Whole => {
                let index = self
                    .index
                    .as_ref()
                    .ok_or_else(|| invalid("a \"whole\" manifest needs \"index\""))?;
                index.check("index")?;
                if self.base.is_some()
                    || self.shards != 0
                    || self.fragments != 0
                    || !self.build.is_empty()
                {
                    return Err(invalid("a \"whole\" manifest lists no base, shards or fragments"));
                }
            }
            SiteMode::Sharded => {
                let base = self
                    .base
                    .as_ref()
                    .ok_or_else(|| invalid("a \"sharded\" manifest needs \"base\""))?;
                base.check("base")?;
                if self.index.is_some() {
                    return Err(invalid("a \"sharded\" manifest lists no whole index"));
                }
                if self.shards == 0 || self.fragments == 0 {
                    return Err(invalid(
                        "a \"sharded\" manifest has at least one shard and one fragment",
                    ));
                }
                if self.shards > super::MAX_SHARDS {
                    return Err(invalid(format!(
                        "{} shards, more than {}",
                        self.shards,
                        super::MAX_SHARDS
                    )));
                }
                if !is_hex(&self.build, 16) {
                    return Err(invalid(format!(
                        "build {:?} is not 16 lowercase hex digits",
                        self.build
                    )));
                }
            }
        }
        Ok(())
    }

    /// `Ok` if the index was built with the model whose file has this hex SHA-256.
    ///
    /// # Errors
    ///
    /// [`Error::ModelMismatch`] otherwise.
    pub fn check_model(&self, model_sha256: &str) -> Result<()> {
        if self.model.sha256 == model_sha256 {
            return Ok(());
        }
        Err(Error::ModelMismatch {
            index_model: self.model.id.clone(),
            index_sha256: self.model.sha256.clone(),
            sha256: model_sha256.to_owned(),
        })
    }

    /// File name of shard `i` (`shard-<build>-<i>.sps`).
    pub fn shard_file(&self, i: u32) -> Option<String> {
        (i < self.shards).then(|| format!("shard-{}-{i}.sps", self.build))
    }

    /// File name of fragment `i` (`frag-<build>-<i>.spf`).
    pub fn fragment_file(&self, i: u32) -> Option<String> {
        (i < self.fragments).then(|| format!("frag-{}-{i}.spf", self.build))
    }
}
