//! Reading a dataset in the BEIR layout: `corpus.jsonl[.gz]`, `queries.jsonl[.gz]`,
//! `qrels/{split}.tsv`.
//!
//! Real collections are messy (empty documents, duplicate ids, judgments of documents that are
//! not in the corpus, a byte-order mark, blank lines), and an evaluation that aborts after the
//! encoding time is spent helps nobody. So the loader keeps what it can use, counts what it
//! leaves out by reason ([`InputReport`]), and refuses only input it cannot evaluate at all
//! (no documents, no judged queries). What it keeps: the first of duplicate documents, queries
//! and judgments; documents the index accepts (checked by the core's own rules,
//! [`Document::validate`]). Judgments are never dropped for their document: a judged document
//! that was skipped or is missing is a relevant document no run can find, a miss, as it should
//! be. A judged query without text cannot be run and is left out of the evaluation (counted).

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::bail;
use crate::error::{EvalError, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sparrow_core::{Document, IndexConfig};

use crate::metrics::Qrels;

/// One corpus document.
#[derive(Clone, Debug, Deserialize)]
pub struct CorpusDoc {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Deserialize)]
struct QueryLine {
    #[serde(rename = "_id")]
    id: String,
    text: String,
}

/// A loaded dataset split.
#[derive(Debug)]
pub struct Dataset {
    pub corpus: Vec<CorpusDoc>,
    /// sha256 of the corpus file as stored (keys the vector cache).
    pub corpus_sha256: String,
    /// The split's queries that have judgments, in qrels order (query id, text).
    pub queries: Vec<(String, String)>,
    pub qrels: Qrels,
    /// What was left out of the input, by reason.
    pub report: InputReport,
}

/// `name` or `name.gz` in `dir`, whichever exists.
fn find(dir: &Path, name: &str) -> Result<PathBuf> {
    for candidate in [dir.join(name), dir.join(format!("{name}.gz"))] {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!("{} has no {name} or {name}.gz (is it a BEIR dataset directory?)", dir.display())
}

/// Reads a file, gunzipping `.gz`; returns the bytes and the sha256 of the bytes as stored.
fn read_bytes(path: &Path) -> Result<(Vec<u8>, String)> {
    let raw = std::fs::read(path).map_err(|e| EvalError::io("reading", path, e))?;
    let sha = hex(&Sha256::digest(&raw));
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| EvalError::io("gunzipping", path, e))?;
        return Ok((out, sha));
    }
    Ok((raw, sha))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the loader left out of the input, or noticed in it, by reason (all zero for a clean
/// dataset). Serialised into `sparrow eval --json` output as `input`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InputReport {
    /// Files that started with a UTF-8 byte-order mark (ignored).
    pub byte_order_marks: usize,
    /// Empty or whitespace-only lines (ignored).
    pub blank_lines: usize,
    /// Lines skipped because they are not UTF-8, not JSON of the expected shape, or (qrels) not
    /// `query-id<TAB>corpus-id<TAB>integer grade`.
    pub malformed_lines: usize,
    /// Where the first malformed line is and what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_malformed: Option<String>,
    /// Documents whose id was already seen (the first is kept).
    pub duplicate_documents: usize,
    /// Documents the index refuses for their content, by the core's error code
    /// (`EMPTY_DOCUMENT`, `TEXT_TOO_LARGE`, `INVALID_ID`).
    pub refused_documents: BTreeMap<String, usize>,
    /// Queries whose id was already seen (the first is kept).
    pub duplicate_queries: usize,
    /// (query, document) judgments given more than once (the first is kept).
    pub duplicate_judgments: usize,
    /// Judged queries with no text in the queries file: they cannot be run and are left out.
    pub judged_queries_without_text: usize,
    /// Judgments naming a document that is not indexed (missing from the corpus, or skipped
    /// above): kept, so each is a relevant document no run finds.
    pub judged_documents_not_indexed: usize,
}

impl InputReport {
    /// Whether anything was left out or noticed.
    pub fn is_clean(&self) -> bool {
        *self == InputReport::default()
    }

    fn malformed(&mut self, path: &Path, line: usize, why: impl std::fmt::Display) {
        self.malformed_lines += 1;
        if self.first_malformed.is_none() {
            self.first_malformed = Some(format!("{}:{line}: {why}", path.display()));
        }
    }

    /// One line for a person: what was skipped and why; `None` when the input was clean.
    pub fn summary(&self) -> Option<String> {
        if self.is_clean() {
            return None;
        }
        let mut parts = Vec::new();
        let mut count = |n: usize, what: &str| {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        };
        let refused: usize = self.refused_documents.values().sum();
        count(refused, "documents the index refuses");
        count(self.duplicate_documents, "duplicate document ids");
        count(self.duplicate_queries, "duplicate query ids");
        count(self.duplicate_judgments, "duplicate judgments");
        count(self.judged_queries_without_text, "judged queries without text");
        count(self.malformed_lines, "malformed lines");
        let mut line = format!("input: skipped {}", parts.join(", "));
        if parts.is_empty() {
            line = "input: nothing skipped".to_owned();
        }
        if refused > 0 {
            let by: Vec<String> =
                self.refused_documents.iter().map(|(code, n)| format!("{code} {n}")).collect();
            line.push_str(&format!(" (refused: {})", by.join(", ")));
        }
        if let Some(first) = &self.first_malformed {
            line.push_str(&format!(" (first malformed: {first})"));
        }
        if self.judged_documents_not_indexed > 0 {
            line.push_str(&format!(
                "; {} judgments name a document not indexed (kept: each is a miss)",
                self.judged_documents_not_indexed
            ));
        }
        if self.byte_order_marks + self.blank_lines > 0 {
            line.push_str(&format!(
                "; ignored {} byte-order marks, {} blank lines",
                self.byte_order_marks, self.blank_lines
            ));
        }
        Some(line)
    }
}

/// The lines of a file as text, 1-based numbers: the byte-order mark, blank lines and non-UTF-8
/// lines are counted into `report` and left out.
fn text_lines<'a>(path: &Path, bytes: &'a [u8], report: &mut InputReport) -> Vec<(usize, &'a str)> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => {
            report.byte_order_marks += 1;
            rest
        }
        None => bytes,
    };
    let pieces: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let last = pieces.len() - 1;
    let mut out = Vec::new();
    for (i, line) in pieces.into_iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match std::str::from_utf8(line) {
            // After a file's final newline comes one empty piece: not a blank line.
            Ok("") if i == last => {}
            Ok(l) if l.trim().is_empty() => report.blank_lines += 1,
            Ok(l) => out.push((i + 1, l)),
            Err(e) => report.malformed(path, i + 1, format_args!("not UTF-8 ({e})")),
        }
    }
    out
}

/// Parses each JSON line as `T`; lines that do not parse are counted and left out.
fn jsonl<T: for<'de> Deserialize<'de>>(
    path: &Path,
    bytes: &[u8],
    report: &mut InputReport,
) -> Vec<T> {
    let mut out = Vec::new();
    for (n, line) in text_lines(path, bytes, report) {
        match serde_json::from_str(line) {
            Ok(v) => out.push(v),
            Err(e) => {
                report.malformed(path, n, format_args!("not a JSON object of the BEIR shape ({e})"))
            }
        }
    }
    out
}

/// Reads `qrels/{split}.tsv` (`query-id corpus-id score`, tab-separated, optional header).
pub fn read_qrels(path: &Path, report: &mut InputReport) -> Result<Qrels> {
    let bytes = std::fs::read(path).map_err(|e| EvalError::io("reading", path, e))?;
    let mut qrels = Qrels::new();
    for (i, (n, line)) in text_lines(path, &bytes, report).into_iter().enumerate() {
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if i == 0 && cols.len() == 3 && cols[2].parse::<i32>().is_err() {
            continue; // header
        }
        let [q, d, g] = cols[..] else {
            report.malformed(
                path,
                n,
                format_args!("expected 3 tab-separated columns, got {line:?}"),
            );
            continue;
        };
        let Ok(g) = g.parse::<i32>() else {
            report.malformed(path, n, format_args!("the grade {g:?} is not an integer"));
            continue;
        };
        let judged = qrels.entry(q.to_owned()).or_default();
        if judged.contains_key(d) {
            report.duplicate_judgments += 1;
        } else {
            judged.insert(d.to_owned(), g);
        }
    }
    Ok(qrels)
}

/// The core document a corpus entry is indexed as (BEIR's way: title and text).
pub fn to_document(d: &CorpusDoc) -> Document {
    let doc = Document::new(d.id.clone(), d.text.clone());
    if d.title.is_empty() {
        doc
    } else {
        doc.with_title(d.title.clone())
    }
}

/// Loads the corpus (the documents an index with `config` accepts), the split's qrels and the
/// queries they judge, and reports what was left out.
pub fn load(dir: &Path, split: &str, config: &IndexConfig) -> Result<Dataset> {
    let mut report = InputReport::default();
    let qrels_path = dir.join("qrels").join(format!("{split}.tsv"));
    let mut qrels = read_qrels(&qrels_path, &mut report)?;
    let corpus_path = find(dir, "corpus.jsonl")?;
    let (bytes, corpus_sha256) = read_bytes(&corpus_path)?;
    let mut seen = HashSet::new();
    let mut corpus = Vec::new();
    for d in jsonl::<CorpusDoc>(&corpus_path, &bytes, &mut report) {
        if !seen.insert(d.id.clone()) {
            report.duplicate_documents += 1;
        } else if let Err(e) = to_document(&d).validate(config) {
            *report.refused_documents.entry(e.code().to_owned()).or_default() += 1;
        } else {
            corpus.push(d);
        }
    }
    drop(bytes);
    if corpus.is_empty() {
        bail!(
            "{} has no document the index accepts: nothing to evaluate ({})",
            corpus_path.display(),
            report.summary().unwrap_or_else(|| "the file is empty".into())
        );
    }
    let queries_path = find(dir, "queries.jsonl")?;
    let (bytes, _) = read_bytes(&queries_path)?;
    let mut all: BTreeMap<String, String> = BTreeMap::new();
    for q in jsonl::<QueryLine>(&queries_path, &bytes, &mut report) {
        match all.entry(q.id) {
            std::collections::btree_map::Entry::Occupied(_) => report.duplicate_queries += 1,
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(q.text);
            }
        }
    }
    qrels.retain(|q, _| {
        let known = all.contains_key(q);
        report.judged_queries_without_text += usize::from(!known);
        known
    });
    let indexed: HashSet<&str> = corpus.iter().map(|d| d.id.as_str()).collect();
    report.judged_documents_not_indexed =
        qrels.values().flat_map(|j| j.keys()).filter(|d| !indexed.contains(d.as_str())).count();
    if qrels.is_empty() {
        bail!(
            "{} judges no query that {} has text for: nothing to evaluate ({})",
            qrels_path.display(),
            queries_path.display(),
            report.summary().unwrap_or_else(|| "the qrels file is empty".into())
        );
    }
    let queries = qrels.keys().map(|q| (q.clone(), all[q].clone())).collect();
    Ok(Dataset { corpus, corpus_sha256, queries, qrels, report })
}
