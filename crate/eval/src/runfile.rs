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

use crate::error::{EvalError, Result};
use serde_json::{Map, Value};

use crate::metrics::{check_unique, Ranking, Run};

/// A run read from a file: the rankings and the file's metadata (JSON only).
#[derive(Debug)]
pub struct RunFile {
    pub run: Run,
    pub meta: Map<String, Value>,
}

pub fn read(path: &Path) -> Result<RunFile> {
    let text =
        std::fs::read_to_string(path).map_err(|e| EvalError::io("reading run file", path, e))?;
    let in_file = |why: String| EvalError::input(format!("run file {}: {why}", path.display()));
    let file = if text.trim_start().starts_with('{') {
        parse_json(&text).map_err(in_file)?
    } else {
        parse_trec(&text).map_err(in_file)?
    };
    for (q, ranking) in &file.run {
        check_unique(q, ranking).map_err(in_file)?;
    }
    Ok(file)
}

fn parse_trec(text: &str) -> Result<RunFile, String> {
    let mut run = Run::new();
    let mut tag = None;
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            continue;
        }
        let [q, _, d, _, score, t] = cols[..] else {
            return Err(format!(
                "line {}: expected `qid Q0 docid rank score tag`, got {line:?}",
                i + 1
            ));
        };
        let score: f64 =
            score.parse().map_err(|_| format!("line {}: bad score {score:?}", i + 1))?;
        run.entry(q.to_owned()).or_default().push((d.to_owned(), score));
        tag.get_or_insert_with(|| t.to_owned());
    }
    let mut meta = Map::new();
    if let Some(t) = tag {
        meta.insert("name".into(), Value::String(t));
    }
    Ok(RunFile { run, meta })
}

fn parse_json(text: &str) -> Result<RunFile, String> {
    let Value::Object(mut meta) = serde_json::from_str(text).map_err(|e| e.to_string())? else {
        return Err("not a JSON object".into());
    };
    let Some(Value::Object(results)) = meta.remove("results") else {
        return Err("no \"results\" object (query id -> ranking)".into());
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
                .ok_or_else(|| format!("query {q}: expected [[\"docid\", score], ...]"))?,
            Value::Object(map) => map
                .into_iter()
                .map(|(d, s)| s.as_f64().map(|s| (d, s)))
                .collect::<Option<_>>()
                .ok_or_else(|| format!("query {q}: expected {{\"docid\": score}}"))?,
            _ => {
                return Err(format!(
                    "query {q}: a ranking is an array of [docid, score] or an object"
                ))
            }
        };
        run.insert(q, parsed);
    }
    Ok(RunFile { run, meta })
}

/// Writes a JSON run: `meta` plus `results` (rankings in the given order).
pub fn write_json(path: &Path, meta: &Map<String, Value>, run: &Run) -> Result<()> {
    let mut obj = meta.clone();
    let results: Map<String, Value> = run
        .iter()
        .map(|(q, r)| {
            (q.clone(), Value::Array(r.iter().map(|(d, s)| serde_json::json!([d, s])).collect()))
        })
        .collect();
    obj.insert("results".into(), Value::Object(results));
    let bytes = serde_json::to_vec(&Value::Object(obj)).unwrap_or_default();
    std::fs::write(path, bytes).map_err(|e| EvalError::io("writing", path, e))
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
