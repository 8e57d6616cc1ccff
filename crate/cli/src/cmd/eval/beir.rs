//! Reading a dataset in the BEIR layout: `corpus.jsonl[.gz]`, `queries.jsonl[.gz]`,
//! `qrels/{split}.tsv`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::metrics::Qrels;

/// One corpus document.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct CorpusDoc {
    #[serde(rename = "_id")]
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) text: String,
}

#[derive(Debug, Deserialize)]
struct QueryLine {
    #[serde(rename = "_id")]
    id: String,
    text: String,
}

/// A loaded dataset split.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub(crate) corpus: Vec<CorpusDoc>,
    /// sha256 of the corpus file as stored (keys the vector cache).
    pub(crate) corpus_sha256: String,
    /// The split's queries that have judgments, in qrels order (query id, text).
    pub(crate) queries: Vec<(String, String)>,
    pub(crate) qrels: Qrels,
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

/// Reads a file, gunzipping `.gz`; returns the text and the sha256 of the bytes as stored.
fn read_text(path: &Path) -> Result<(String, String)> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let sha = hex(&Sha256::digest(&raw));
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .with_context(|| format!("gunzipping {}", path.display()))?;
        s
    } else {
        String::from_utf8(raw).with_context(|| format!("{} is not UTF-8", path.display()))?
    };
    Ok((text, sha))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn jsonl<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> Result<Vec<T>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: bad JSON line", path.display(), i + 1))
        })
        .collect()
}

/// Reads `qrels/{split}.tsv` (`query-id corpus-id score`, tab-separated, optional header).
pub(crate) fn read_qrels(path: &Path) -> Result<Qrels> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut qrels = Qrels::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line?;
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if line.trim().is_empty()
            || (i == 0 && cols.get(2).is_some_and(|s| s.parse::<i32>().is_err()))
        {
            continue; // blank line or header
        }
        let [q, d, g] = cols[..] else {
            bail!("{}:{}: expected 3 tab-separated columns, got {:?}", path.display(), i + 1, line);
        };
        let g: i32 =
            g.parse().with_context(|| format!("{}:{}: bad grade {g:?}", path.display(), i + 1))?;
        qrels.entry(q.to_owned()).or_default().insert(d.to_owned(), g);
    }
    Ok(qrels)
}

/// Loads the corpus, the split's qrels and the queries they judge.
pub(crate) fn load(dir: &Path, split: &str) -> Result<Dataset> {
    let qrels_path = dir.join("qrels").join(format!("{split}.tsv"));
    let qrels = read_qrels(&qrels_path)?;
    if qrels.is_empty() {
        bail!("{} has no judgments", qrels_path.display());
    }
    let corpus_path = find(dir, "corpus.jsonl")?;
    let (text, corpus_sha256) = read_text(&corpus_path)?;
    let corpus: Vec<CorpusDoc> = jsonl(&corpus_path, &text)?;
    let queries_path = find(dir, "queries.jsonl")?;
    let (text, _) = read_text(&queries_path)?;
    let all: BTreeMap<String, String> =
        jsonl::<QueryLine>(&queries_path, &text)?.into_iter().map(|q| (q.id, q.text)).collect();
    let mut queries = Vec::with_capacity(qrels.len());
    for q in qrels.keys() {
        let text = all.get(q).with_context(|| {
            format!(
                "query {q} is judged in {} but not in {}",
                qrels_path.display(),
                queries_path.display()
            )
        })?;
        queries.push((q.clone(), text.clone()));
    }
    Ok(Dataset { corpus, corpus_sha256, queries, qrels })
}
