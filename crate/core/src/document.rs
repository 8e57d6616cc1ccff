//! Documents as the caller gives them ([`Document`]) and as the index returns them
//! ([`StoredDoc`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::IndexConfig;
use crate::error::{Error, Result};
use crate::sparse::SparseVector;

/// Internal document id: a slot in the index, dense, assigned in insertion order (ties in
/// results are broken by it). Lives with the documents it numbers; scoring, filters and fusion
/// take it from here.
pub type DocId = u32;

/// Longest accepted external id, in bytes.
pub const MAX_ID_BYTES: usize = 512;

/// Deepest nesting of a document's `fields` (an object in an array in an object ... counts one
/// per level): deep enough for any real record, and well inside what the index format's reader
/// and the JS boundary's JSON parser accept (128), so whatever the index accepts it can write,
/// read back and send to JS.
pub const MAX_FIELD_DEPTH: usize = 64;

/// A document to index. JSON: camelCase; only `id` is required.
///
/// BM25 indexes `title` followed by `text` (the title counted once). `fields` holds any JSON the
/// caller wants back with each hit; its top-level scalars and arrays of scalars are also
/// filterable ([`Filter::Field`](crate::Filter::Field)), as are `tags`
/// ([`Filter::Tag`](crate::Filter::Tag)). `sparse` is the document's learned-sparse vector, set by
/// the encoder (it is not part of the JSON); a document without one is lexical-only.
///
/// Rules, checked by [`Index::add`](crate::Index::add): the id is non-empty and at most
/// [`MAX_ID_BYTES`] bytes; title and text are not both empty; title + text is at most
/// [`IndexConfig::max_text_bytes`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "SparrowDocument"))]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// External id, unique in the index.
    pub id: String,
    /// Optional title, indexed for BM25 and returned with hits.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title: Option<String>,
    /// Body text, indexed for BM25 (stored if [`IndexConfig::store_text`]).
    #[serde(default)]
    pub text: String,
    /// Optional URL, returned with hits (not indexed, not filterable).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub url: Option<String>,
    /// Tags, returned with hits and filterable with [`Filter::Tag`](crate::Filter::Tag).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub tags: Vec<String>,
    /// Any JSON, returned with hits; top-level scalars and arrays of scalars are filterable.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::ts::JsonObject>", optional))]
    pub fields: Map<String, Value>,
    /// The learned-sparse vector; `None` = lexical-only document.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub sparse: Option<SparseVector>,
    /// The WordPiece token ids of [`semantic_text`](Self::semantic_text), in the index's term
    /// space, when whoever encoded the document had the vocabulary (the CLI, the wasm module with
    /// a model). Only which tokens occur matters: they feed the token document frequencies that
    /// weight lookup queries ([`Index::lookup_vector`](crate::Index::lookup_vector)). Not stored.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub tokens: Option<Vec<u32>>,
}

impl Document {
    /// A document with an id and a text, everything else empty.
    ///
    /// ```
    /// use sparrow_core::Document;
    /// let d = Document::new("doc-1", "Hello world").with_title("Greeting").with_tag("demo");
    /// assert_eq!(d.title.as_deref(), Some("Greeting"));
    /// ```
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document { id: id.into(), text: text.into(), ..Default::default() }
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the URL.
    #[must_use]
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Adds a tag.
    #[must_use]
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Sets a field.
    #[must_use]
    pub fn with_field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// Sets the sparse vector.
    #[must_use]
    pub fn with_sparse(mut self, sparse: SparseVector) -> Self {
        self.sparse = Some(sparse);
        self
    }

    /// Sets the WordPiece token ids of the document's text ([`Document::tokens`]).
    #[must_use]
    pub fn with_tokens(mut self, tokens: Vec<u32>) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The text a learned-sparse encoder should see for this document: the title (if any) and
    /// the text, separated by a newline. One definition, so the browser, the CLI and the
    /// evaluation encode documents identically.
    ///
    /// ```
    /// use sparrow_core::Document;
    /// assert_eq!(Document::new("a", "body").with_title("Title").semantic_text(), "Title\nbody");
    /// assert_eq!(Document::new("a", "body").semantic_text(), "body");
    /// ```
    pub fn semantic_text(&self) -> String {
        match self.title.as_deref() {
            Some(title) if !title.is_empty() && !self.text.is_empty() => {
                format!("{title}\n{}", self.text)
            }
            Some(title) if !title.is_empty() => title.to_owned(),
            _ => self.text.clone(),
        }
    }

    /// Checks the rules [`Index::add`](crate::Index::add) applies to a document's content (all
    /// but id uniqueness, which needs the index): a valid id, title and text not both empty, at
    /// most `config.max_text_bytes` together. Lets a bulk loader skip, and count, what the index
    /// would refuse before spending time on it (encoding, say).
    ///
    /// ```
    /// use sparrow_core::{Document, IndexConfig};
    /// let config = IndexConfig::default();
    /// assert!(Document::new("a", "text").validate(&config).is_ok());
    /// assert_eq!(Document::new("a", "").validate(&config).unwrap_err().code(), "EMPTY_DOCUMENT");
    /// ```
    pub fn validate(&self, config: &IndexConfig) -> Result<()> {
        validate_id(&self.id)?;
        let title_len = self.title.as_deref().map_or(0, str::len);
        if title_len == 0 && self.text.is_empty() {
            return Err(Error::EmptyDocument { id: self.id.clone() });
        }
        let bytes = title_len + self.text.len();
        if bytes > config.max_text_bytes {
            return Err(Error::TextTooLarge {
                id: self.id.clone(),
                bytes,
                max: config.max_text_bytes,
            });
        }
        let invalid = |reason: String| Error::InvalidDocument { id: self.id.clone(), reason };
        if !self.fields.is_empty() {
            let depth = self.fields.values().map(|v| json_depth(v, 1)).max().unwrap_or(1);
            if depth > MAX_FIELD_DEPTH {
                return Err(invalid(format!(
                    "its fields nest deeper than {MAX_FIELD_DEPTH} levels"
                )));
            }
            // Depth is bounded now, so serialising cannot recurse far.
            let json = serde_json::to_vec(&self.fields).map_err(|e| invalid(e.to_string()))?;
            if json.len() > config.max_text_bytes {
                return Err(invalid(format!(
                    "its fields are {} bytes as JSON, more than the maximum of {}",
                    json.len(),
                    config.max_text_bytes
                )));
            }
        }
        Ok(())
    }
}

pub(crate) fn validate_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::InvalidId { reason: "the id is empty".into() });
    }
    if id.len() > MAX_ID_BYTES {
        return Err(Error::InvalidId {
            reason: format!("the id is {} bytes long, the maximum is {MAX_ID_BYTES}", id.len()),
        });
    }
    Ok(())
}

/// A live document as stored in the index, borrowed from it ([`Index::get`](crate::Index::get)).
///
/// Serialises (camelCase) like [`Document`] plus `hasSparse`; `text` is `None` when the index was
/// built with `store_text: false`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDoc<'a> {
    /// External id.
    pub id: &'a str,
    /// Title, if any.
    pub title: Option<&'a str>,
    /// Text, if the index stores text.
    pub text: Option<&'a str>,
    /// URL, if any.
    pub url: Option<&'a str>,
    /// Tags.
    pub tags: &'a [String],
    /// User fields.
    pub fields: &'a Map<String, Value>,
    /// Whether the document was indexed with a sparse vector.
    pub has_sparse: bool,
}

impl StoredDoc<'_> {
    /// An owned [`Document`] with the stored values (`text` empty if not stored; `sparse` is not
    /// included: see [`Index::stored_sparse`](crate::Index::stored_sparse)).
    pub fn to_document(&self) -> Document {
        Document {
            id: self.id.to_owned(),
            title: self.title.map(str::to_owned),
            text: self.text.unwrap_or_default().to_owned(),
            url: self.url.map(str::to_owned),
            tags: self.tags.to_vec(),
            fields: self.fields.clone(),
            sparse: None,
            tokens: None,
        }
    }
}

/// A document slot: its record, or `None` once removed. Boxed, so a removed slot (one byte in
/// the index format) costs 8 bytes in memory, not a whole record: a crafted file of deleted
/// slots cannot make a loader reserve 150 times its size.
pub(crate) type Slot = Option<Box<DocRecord>>;

/// A document slot's stored data.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DocRecord {
    pub(crate) id: String,
    pub(crate) title: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) fields: Map<String, Value>,
    pub(crate) has_sparse: bool,
}

impl DocRecord {
    pub(crate) fn as_stored(&self) -> StoredDoc<'_> {
        StoredDoc {
            id: &self.id,
            title: self.title.as_deref(),
            text: self.text.as_deref(),
            url: self.url.as_deref(),
            tags: &self.tags,
            fields: &self.fields,
            has_sparse: self.has_sparse,
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        let s = |o: &Option<String>| o.as_ref().map_or(0, String::capacity);
        self.id.capacity()
            + s(&self.title)
            + s(&self.text)
            + s(&self.url)
            + self.tags.iter().map(|t| t.capacity() + 24).sum::<usize>()
            + json_map_bytes(&self.fields)
    }
}

/// How many JSON containers enclose `v`'s deepest part, given that `at` enclose `v` (what
/// serde_json's recursion limit counts), counting no further than one past
/// [`MAX_FIELD_DEPTH`], so a hostile value cannot make this recurse deeply.
fn json_depth(v: &Value, at: usize) -> usize {
    if at > MAX_FIELD_DEPTH {
        return at;
    }
    match v {
        Value::Array(a) => a.iter().map(|c| json_depth(c, at + 1)).max().unwrap_or(at + 1),
        Value::Object(o) => o.values().map(|c| json_depth(c, at + 1)).max().unwrap_or(at + 1),
        _ => at,
    }
}

/// Rough heap size of a JSON map (for [`Stats::heap_bytes`](crate::Stats::heap_bytes)).
fn json_map_bytes(m: &Map<String, Value>) -> usize {
    fn value(v: &Value) -> usize {
        32 + match v {
            Value::String(s) => s.capacity(),
            Value::Array(a) => a.iter().map(value).sum(),
            Value::Object(o) => json_map_bytes(o),
            _ => 0,
        }
    }
    m.iter().map(|(k, v)| 48 + k.capacity() + value(v)).sum()
}

/// The filter key of a scalar JSON value, or `None` for arrays and objects.
///
/// Numbers are keyed by value, so `3`, `3.0` and `3e0` are equal; strings, booleans and null by
/// type and value (the string `"3"` is not the number `3`).
pub(crate) fn scalar_key(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => "z".to_owned(),
        Value::Bool(b) => if *b { "t" } else { "f" }.to_owned(),
        Value::String(s) => format!("s{s}"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                format!("n{i}")
            } else if let Some(u) = n.as_u64() {
                format!("n{u}")
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    format!("n{}", f as i64)
                } else {
                    format!("n{f:e}")
                }
            }
        }
        Value::Array(_) | Value::Object(_) => return None,
    })
}

/// Filter keys of a document field value: the scalar itself, or each scalar of an array.
pub(crate) fn field_keys(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => {
            let mut keys: Vec<String> = items.iter().filter_map(scalar_key).collect();
            keys.sort();
            keys.dedup();
            keys
        }
        other => scalar_key(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_rules() {
        assert_eq!(validate_id("").unwrap_err().code(), "INVALID_ID");
        assert!(validate_id(&"x".repeat(512)).is_ok());
        assert_eq!(validate_id(&"x".repeat(513)).unwrap_err().code(), "INVALID_ID");
    }

    #[test]
    fn document_rules() {
        let c = IndexConfig { max_text_bytes: 10, ..Default::default() };
        assert_eq!(Document::new("a", "").validate(&c).unwrap_err().code(), "EMPTY_DOCUMENT");
        let d = Document::new("a", "").with_title("");
        assert_eq!(d.validate(&c).unwrap_err().code(), "EMPTY_DOCUMENT");
        assert!(Document::new("a", "").with_title("t").validate(&c).is_ok());
        let e = Document::new("a", "123456").with_title("12345").validate(&c).unwrap_err();
        assert_eq!(e, Error::TextTooLarge { id: "a".into(), bytes: 11, max: 10 });
    }

    #[test]
    fn json_shape() {
        let d: Document =
            serde_json::from_value(json!({"id": "x", "fields": {"lang": "en"}})).unwrap();
        assert_eq!(d.text, "");
        assert_eq!(d.fields["lang"], "en");
        assert!(d.sparse.is_none());
    }

    #[test]
    fn scalar_keys() {
        assert_eq!(scalar_key(&json!(3)), scalar_key(&json!(3.0)));
        assert_ne!(scalar_key(&json!(3)), scalar_key(&json!("3")));
        assert_ne!(scalar_key(&json!(1.5)), scalar_key(&json!(1)));
        assert_eq!(scalar_key(&json!(1.5)), scalar_key(&json!(1.50)));
        assert_eq!(scalar_key(&json!(u64::MAX)), Some(format!("n{}", u64::MAX)));
        assert_eq!(scalar_key(&json!([1])), None);
        assert_eq!(field_keys(&json!(["a", "b", "a", {"x": 1}])), vec!["sa", "sb"]);
        assert_eq!(field_keys(&json!({"x": 1})), Vec::<String>::new());
        assert_eq!(field_keys(&json!(null)), vec!["z"]);
    }
}
