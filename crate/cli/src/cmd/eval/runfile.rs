//! Run files: what a system returned for each query, to be scored by [`super::metrics`].
//!
//! Two formats are read:
//! * **TREC**: `qid Q0 docid rank score tag` per line (whitespace-separated; rank is ignored,
//!   documents are ordered by score as `trec_eval` does).
//! * **JSON**: `{"results": {"qid": [["docid", score], ...], ...}, ...metadata}`; a ranking may
//!   also be an object `{"docid": score}`. Every other top-level key (`name`, `system`, `mode`,
//!   `latency`, ...) is metadata, passed through to the evaluation output unchanged.
//!
//! JSON is what `sparrow eval --write-runs` writes and what the node harnesses write.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use super::metrics::{check_unique, Ranking, Run};

/// A run read from a file: the rankings and the file's metadata (JSON only).
#[derive(Debug)]
pub(crate) struct RunFile {
    pub(crate) run: Run,
    pub(crate) meta: Map<String, Value>,
}

pub(crate) fn read(path: &Path) -> Result<RunFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading run file {}", path.display()))?;
    let file = if text.trim_start().starts_with('{') {
        parse_json(&text).with_context(|| format!("run file {}", path.display()))?
    } else {
        parse_trec(&text).with_context(|| format!("run file {}", path.display()))?
    };
    for (q, ranking) in &file.run {
        check_unique(q, ranking)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("run file {}", path.display()))?;
    }
    Ok(file)
}

fn parse_trec(text: &str) -> Result<RunFile> {
    let mut run = Run::new();
    let mut tag = None;
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            continue;
        }
        let [q, _, d, _, score, t] = cols[..] else {
            bail!("line {}: expected `qid Q0 docid rank score tag`, got {line:?}", i + 1);
        };
        let score: f64 =
            score.parse().with_context(|| format!("line {}: bad score {score:?}", i + 1))?;
        run.entry(q.to_owned()).or_default().push((d.to_owned(), score));
        tag.get_or_insert_with(|| t.to_owned());
    }
    let mut meta = Map::new();
    if let Some(t) = tag {
        meta.insert("name".into(), Value::String(t));
    }
    Ok(RunFile { run, meta })
}

fn parse_json(text: &str) -> Result<RunFile> {
    let Value::Object(mut meta) = serde_json::from_str(text)? else { bail!("not a JSON object") };
    let Some(Value::Object(results)) = meta.remove("results") else {
        bail!("no \"results\" object (query id -> ranking)");
    };
    let mut run = Run::new();
    for (q, ranking) in results {
        let parsed: Ranking = match ranking {
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::Array(pair) => match &pair[..] {
                        [Value::String(d), s] => s.as_f64().map(|s| (d.clone(), s)),
                        _ => None,
                    },
                    _ => None,
                })
                .collect::<Option<_>>()
                .with_context(|| format!("query {q}: expected [[\"docid\", score], ...]"))?,
            Value::Object(map) => map
                .into_iter()
                .map(|(d, s)| s.as_f64().map(|s| (d, s)))
                .collect::<Option<_>>()
                .with_context(|| format!("query {q}: expected {{\"docid\": score}}"))?,
            _ => bail!("query {q}: a ranking is an array of [docid, score] or an object"),
        };
        run.insert(q, parsed);
    }
    Ok(RunFile { run, meta })
}

/// Writes a JSON run: `meta` plus `results` (rankings in the given order).
pub(crate) fn write_json(path: &Path, meta: &Map<String, Value>, run: &Run) -> Result<()> {
    let mut obj = meta.clone();
    let results: Map<String, Value> = run
        .iter()
        .map(|(q, r)| {
            (q.clone(), Value::Array(r.iter().map(|(d, s)| serde_json::json!([d, s])).collect()))
        })
        .collect();
    obj.insert("results".into(), Value::Object(results));
    let bytes = serde_json::to_vec(&Value::Object(obj))?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trec_and_json_read_alike() {
        let trec =
            parse_trec("1 Q0 d1 1 2.5 mine\n1 Q0 d2 2 1.0 mine\n\n2 Q0 d3 1 0.5 mine\n").unwrap();
        assert_eq!(trec.meta["name"], "mine");
        let json = parse_json(
            r#"{"name": "mine", "results": {"1": [["d1", 2.5], ["d2", 1.0]], "2": {"d3": 0.5}}}"#,
        )
        .unwrap();
        assert_eq!(trec.run, json.run);
        assert_eq!(json.meta["name"], "mine");
        assert!(parse_trec("1 Q0 d1 1\n").is_err());
        assert!(parse_json(r#"{"results": {"1": [["d1"]]}}"#).is_err());
        assert!(parse_json(r#"{"name": "x"}"#).is_err());
    }
}
