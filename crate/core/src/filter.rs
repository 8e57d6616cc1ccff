//! Metadata filters, evaluated to a roaring bitmap of allowed documents *before* scoring, so a
//! filtered search scores only documents that can be returned.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use roaring::RoaringBitmap;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::document::DocId;
use crate::document::{field_keys, scalar_key, DocRecord};
use crate::error::{Error, Result};

/// A boolean filter over document tags and fields.
///
/// JSON shapes (one key per object):
///
/// | JSON | meaning |
/// |---|---|
/// | `{"field": "lang", "value": "en"}` | `fields.lang` is the scalar `"en"`, or an array containing it |
/// | `{"tag": "rust"}` | `tags` contains `"rust"` |
/// | `{"all": [f, ...]}` | every filter matches (`[]` matches every document) |
/// | `{"any": [f, ...]}` | at least one matches (`[]` matches nothing) |
/// | `{"not": f}` | `f` does not match |
///
/// Only `fields` and `tags` are filterable (not `id`, `title`, `url` or `text`). Numbers compare by
/// value (`3` equals `3.0`); a string never equals a number. `value` must be a scalar (string,
/// number, boolean or null).
///
/// ```
/// use sparrow_core::Filter;
/// let f: Filter = serde_json::from_str(
///     r#"{"all": [{"field": "lang", "value": "en"}, {"not": {"tag": "draft"}}]}"#).unwrap();
/// assert_eq!(f, Filter::all([Filter::field("lang", "en"), Filter::not(Filter::tag("draft"))]));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum Filter {
    /// A top-level field equals `value`, or is an array containing it.
    Field {
        /// Field name in [`Document::fields`](crate::Document::fields).
        field: String,
        /// A JSON scalar.
        #[cfg_attr(feature = "ts", ts(as = "crate::ts::JsonScalar"))]
        value: Value,
    },
    /// [`Document::tags`](crate::Document::tags) contains `tag`.
    Tag {
        /// The tag.
        tag: String,
    },
    /// All sub-filters match.
    All {
        /// Sub-filters.
        all: Vec<Filter>,
    },
    /// At least one sub-filter matches.
    Any {
        /// Sub-filters.
        any: Vec<Filter>,
    },
    /// The sub-filter does not match.
    Not {
        /// Sub-filter.
        not: Box<Filter>,
    },
}

impl Filter {
    /// [`Filter::Field`].
    pub fn field(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter::Field { field: field.into(), value: value.into() }
    }
    /// [`Filter::Tag`].
    pub fn tag(tag: impl Into<String>) -> Self {
        Filter::Tag { tag: tag.into() }
    }
    /// [`Filter::All`].
    pub fn all(all: impl IntoIterator<Item = Filter>) -> Self {
        Filter::All { all: all.into_iter().collect() }
    }
    /// [`Filter::Any`].
    pub fn any(any: impl IntoIterator<Item = Filter>) -> Self {
        Filter::Any { any: any.into_iter().collect() }
    }
    /// [`Filter::Not`].
    #[allow(clippy::should_implement_trait)]
    pub fn not(not: Filter) -> Self {
        Filter::Not { not: Box::new(not) }
    }

    /// `true` if the filter matches a document with these tags and fields (the reference
    /// semantics; the index evaluates the same thing on bitmaps).
    pub fn matches(&self, tags: &[String], fields: &Map<String, Value>) -> bool {
        match self {
            Filter::Field { field, value } => match (fields.get(field), scalar_key(value)) {
                (Some(v), Some(key)) => field_keys(v).contains(&key),
                _ => false,
            },
            Filter::Tag { tag } => tags.contains(tag),
            Filter::All { all } => all.iter().all(|f| f.matches(tags, fields)),
            Filter::Any { any } => any.iter().any(|f| f.matches(tags, fields)),
            Filter::Not { not } => !not.matches(tags, fields),
        }
    }

    /// Checks that every `value` is a scalar and nesting is at most 64 deep.
    pub(crate) fn validate(&self, depth: usize) -> Result<()> {
        if depth > 64 {
            return Err(Error::option("filter", "nested more than 64 levels deep"));
        }
        match self {
            Filter::Field { field, value } => {
                if scalar_key(value).is_none() {
                    return Err(Error::option(
                        "filter",
                        format!("the value for field {field:?} must be a JSON scalar, got {value}"),
                    ));
                }
            }
            Filter::Tag { .. } => {}
            Filter::All { all: fs } | Filter::Any { any: fs } => {
                for f in fs {
                    f.validate(depth + 1)?;
                }
            }
            Filter::Not { not } => not.validate(depth + 1)?,
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Filter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Filter::from_json(value, 0).map_err(de::Error::custom)
    }
}

struct FilterShapeError(String);

impl fmt::Display for FilterShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Filter {
    fn from_json(value: Value, depth: usize) -> std::result::Result<Filter, FilterShapeError> {
        let err = |s: String| Err(FilterShapeError(s));
        if depth > 64 {
            return err("filter nested more than 64 levels deep".into());
        }
        let Value::Object(mut obj) = value else {
            return err(format!("a filter must be an object, got {value}"));
        };
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        let list = |v: Value, key: &str| -> std::result::Result<Vec<Filter>, FilterShapeError> {
            match v {
                Value::Array(items) => {
                    items.into_iter().map(|f| Filter::from_json(f, depth + 1)).collect()
                }
                other => Err(FilterShapeError(format!(
                    "`{key}` must be an array of filters, got {other}"
                ))),
            }
        };
        match keys.as_slice() {
            ["field", "value"] | ["value", "field"] => {
                let value = obj.remove("value").unwrap_or(Value::Null);
                match obj.remove("field") {
                    Some(Value::String(field)) => Ok(Filter::Field { field, value }),
                    other => err(format!("`field` must be a string, got {other:?}")),
                }
            }
            ["tag"] => match obj.remove("tag") {
                Some(Value::String(tag)) => Ok(Filter::Tag { tag }),
                other => err(format!("`tag` must be a string, got {other:?}")),
            },
            ["all"] => Ok(Filter::All { all: list(obj.remove("all").unwrap_or_default(), "all")? }),
            ["any"] => Ok(Filter::Any { any: list(obj.remove("any").unwrap_or_default(), "any")? }),
            ["not"] => Ok(Filter::Not {
                not: Box::new(Filter::from_json(obj.remove("not").unwrap_or_default(), depth + 1)?),
            }),
            _ => err(format!(
                "unknown filter shape with keys {keys:?}; expected {{field, value}}, {{tag}}, {{all}}, {{any}} or {{not}}"
            )),
        }
    }
}

/// Bitmaps of live documents per tag and per (field, scalar key), for filter evaluation.
///
/// An in-memory index derives them from its stored documents, for every field. A sharded index's
/// base stores them instead (its documents come later, in fragments), and only for the fields
/// it was built to filter on ([`ShardingOptions::filter_fields`](crate::ShardingOptions)).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FilterIndex {
    pub(crate) tags: BTreeMap<String, RoaringBitmap>,
    pub(crate) fields: BTreeMap<String, BTreeMap<String, RoaringBitmap>>,
    /// `Some`: only these fields can be filtered on (a sharded index's base); `None`: every field.
    pub(crate) filterable: Option<BTreeSet<String>>,
}

impl FilterIndex {
    /// The same bitmaps restricted to tags and the fields in `keep` (`None`: all fields).
    pub(crate) fn restricted(&self, keep: Option<&[String]>) -> FilterIndex {
        let Some(keep) = keep else { return self.clone() };
        let keep: BTreeSet<String> = keep.iter().cloned().collect();
        FilterIndex {
            tags: self.tags.clone(),
            fields: self
                .fields
                .iter()
                .filter(|(n, _)| keep.contains(*n))
                .map(|(n, m)| (n.clone(), m.clone()))
                .collect(),
            filterable: Some(keep),
        }
    }

    /// `Err` naming the first field `filter` uses that this index cannot filter on.
    pub(crate) fn check(&self, filter: &Filter) -> Result<()> {
        let Some(allowed) = &self.filterable else { return Ok(()) };
        match filter {
            Filter::Field { field, .. } if !allowed.contains(field) => Err(Error::option(
                "filter",
                format!(
                    "this index was built to filter on {} only, not on field {field:?} (sparrow index --filter-field)",
                    if allowed.is_empty() {
                        "tags".to_owned()
                    } else {
                        format!("tags and the fields {:?}", allowed.iter().collect::<Vec<_>>())
                    }
                ),
            )),
            Filter::Field { .. } | Filter::Tag { .. } => Ok(()),
            Filter::All { all: fs } | Filter::Any { any: fs } => fs.iter().try_for_each(|f| self.check(f)),
            Filter::Not { not } => self.check(not),
        }
    }

    pub(crate) fn insert(&mut self, doc: DocId, record: &DocRecord) {
        for tag in &record.tags {
            self.tags.entry(tag.clone()).or_default().insert(doc);
        }
        for (name, value) in &record.fields {
            let keys = field_keys(value);
            if keys.is_empty() {
                continue;
            }
            let by_key = self.fields.entry(name.clone()).or_default();
            for key in keys {
                by_key.entry(key).or_default().insert(doc);
            }
        }
    }

    pub(crate) fn remove(&mut self, doc: DocId, record: &DocRecord) {
        for tag in &record.tags {
            if let Some(b) = self.tags.get_mut(tag) {
                b.remove(doc);
                if b.is_empty() {
                    self.tags.remove(tag);
                }
            }
        }
        for (name, value) in &record.fields {
            if let Some(by_key) = self.fields.get_mut(name) {
                for key in field_keys(value) {
                    if let Some(b) = by_key.get_mut(&key) {
                        b.remove(doc);
                        if b.is_empty() {
                            by_key.remove(&key);
                        }
                    }
                }
                if by_key.is_empty() {
                    self.fields.remove(name);
                }
            }
        }
    }

    /// Live documents matching `filter`; `live` is the set of all live documents.
    pub(crate) fn evaluate(&self, filter: &Filter, live: &RoaringBitmap) -> RoaringBitmap {
        match filter {
            Filter::Field { field, value } => scalar_key(value)
                .and_then(|key| self.fields.get(field)?.get(&key).cloned())
                .unwrap_or_default(),
            Filter::Tag { tag } => self.tags.get(tag).cloned().unwrap_or_default(),
            Filter::All { all } => {
                let mut acc = live.clone();
                for f in all {
                    if acc.is_empty() {
                        break;
                    }
                    acc &= self.evaluate(f, live);
                }
                acc
            }
            Filter::Any { any } => {
                let mut acc = RoaringBitmap::new();
                for f in any {
                    acc |= self.evaluate(f, live);
                }
                acc
            }
            Filter::Not { not } => live - self.evaluate(not, live),
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        let tags: usize = self.tags.iter().map(|(t, b)| t.len() + 64 + b.serialized_size()).sum();
        let fields: usize = self
            .fields
            .iter()
            .map(|(n, m)| {
                n.len()
                    + 64
                    + m.iter().map(|(k, b)| k.len() + 64 + b.serialized_size()).sum::<usize>()
            })
            .sum();
        tags + fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_shapes() {
        let f: Filter = serde_json::from_value(json!({"field": "lang", "value": "en"})).unwrap();
        assert_eq!(f, Filter::field("lang", "en"));
        let f: Filter = serde_json::from_value(json!({"value": 3, "field": "n"})).unwrap();
        assert_eq!(f, Filter::field("n", 3));
        let f: Filter =
            serde_json::from_value(json!({"any": [{"tag": "a"}, {"not": {"tag": "b"}}]})).unwrap();
        assert_eq!(f, Filter::any([Filter::tag("a"), Filter::not(Filter::tag("b"))]));
        for bad in [
            json!({"tag": 1}),
            json!({"tag": "a", "x": 1}),
            json!([]),
            json!({"all": {}}),
            json!({}),
        ] {
            assert!(serde_json::from_value::<Filter>(bad.clone()).is_err(), "{bad}");
        }
        // Serialises back to the same JSON.
        let f = Filter::all([Filter::field("lang", "en"), Filter::tag("x")]);
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({"all": [{"field": "lang", "value": "en"}, {"tag": "x"}]})
        );
    }

    #[test]
    fn deep_nesting_is_rejected_not_overflowed() {
        let mut v = json!({"tag": "a"});
        for _ in 0..100 {
            v = json!({"not": v});
        }
        assert!(serde_json::from_value::<Filter>(v).is_err());
        let mut f = Filter::tag("a");
        for _ in 0..100 {
            f = Filter::not(f);
        }
        assert_eq!(f.validate(0).unwrap_err().code(), "INVALID_OPTION");
    }

    #[test]
    fn validate_rejects_non_scalar_values() {
        assert!(Filter::field("a", json!([1])).validate(0).is_err());
        assert!(Filter::field("a", json!(null)).validate(0).is_ok());
    }

    #[test]
    fn matches_reference() {
        let tags = vec!["x".to_owned()];
        let fields = json!({"lang": "en", "n": [1, 2], "o": {"a": 1}}).as_object().unwrap().clone();
        assert!(Filter::field("lang", "en").matches(&tags, &fields));
        assert!(Filter::field("n", 2.0).matches(&tags, &fields));
        assert!(!Filter::field("n", "2").matches(&tags, &fields));
        assert!(!Filter::field("o", json!({"a": 1})).matches(&tags, &fields));
        assert!(Filter::all([]).matches(&tags, &fields));
        assert!(!Filter::any([]).matches(&tags, &fields));
        assert!(Filter::not(Filter::tag("y")).matches(&tags, &fields));
    }
}
