//! The TypeScript types of every JSON shape that crosses the boundary, generated from the Rust
//! types that serialize them (`ts_rs::TS` derives, the core's and encoder's `ts` feature), so a
//! shape has one definition: its Rust type.
//!
//! `pkg-config/src/generated.ts` is this test's output, committed (the package builds without
//! Rust); `types.ts` re-exports it beside the types only TypeScript has (byte sources, fetch and
//! worker options). The test fails when the file differs from what the Rust types say; run
//! `SPARROW_UPDATE_TS=1 cargo test -p sparrow-wasm typescript` to rewrite it. It also fails when a
//! listed type refers to a type that is not listed, so the file always type-checks on its own.

#[cfg(all(test, feature = "model"))]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use sparrow_core::export::{Engine, EngineQueryOptions};
    use sparrow_core::format::{
        ManifestCounts, ManifestFile, ManifestModel, ManifestVocabPart, SiteManifest, SiteMode,
    };
    use sparrow_core::{
        AnalyzerConfig, Bm25Params, Document, Explanation, Filter, Fusion, Hit, IndexConfig,
        LexicalTermContribution, Mode, QueryEncoder, SearchOptions, ShardingOptions,
        SparseTermContribution,
    };
    use sparrow_encoder::{EncoderConfig, LanguagePolicy, ModelInfo};
    use ts_rs::{Config, TS};

    use crate::model::{Expansion, NamedTerm};
    use crate::write::AddReport;
    use crate::{JsStats, Versions};

    const HEADER: &str =
        "// Generated from the Rust types by crate/wasm/src/typescript.rs: do not edit.\n\
        // `SPARROW_UPDATE_TS=1 cargo test -p sparrow-wasm typescript` rewrites it.\n";

    /// One declaration: its docs (Rust doc links made plain code), `export`, the type.
    struct Decls {
        cfg: Config,
        out: String,
        names: BTreeSet<String>,
        needs: BTreeSet<String>,
    }

    impl Decls {
        fn add<T: TS + 'static>(&mut self) -> &mut Self {
            if let Some(docs) = T::docs() {
                self.out.push_str(&tidy(&plain_docs(&docs)));
            }
            self.out.push_str("export ");
            self.out.push_str(&layout(&tidy(&plain_docs(&T::decl(&self.cfg)))));
            self.out.push_str("\n\n");
            self.names.insert(T::ident(&self.cfg));
            self.needs.extend(T::dependencies(&self.cfg).into_iter().map(|d| d.ts_name));
            self
        }
    }

    /// Rust doc links as TypeScript docs show them: ``[`X`](path)`` and ``[`X`]`` become `` `X` ``.
    fn plain_docs(docs: &str) -> String {
        let mut out = String::with_capacity(docs.len());
        let mut rest = docs;
        while let Some(i) = rest.find("[`") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let Some(end) = after[1..].find("`]").map(|e| e + 2) else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            out.push_str(&after[..end]);
            rest = &after[end + 1..];
            if rest.starts_with('(') {
                if let Some(close) = rest.find(')') {
                    rest = &rest[close + 1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Doc comments without their Rust examples (fenced blocks: they are doctests of the Rust
    /// API) and without the blank lines that leaves.
    fn tidy(text: &str) -> String {
        let mut out: Vec<&str> = Vec::new();
        let mut fenced = false;
        for line in text.lines() {
            if line.trim_start().trim_start_matches('*').trim_start().starts_with("```") {
                fenced = !fenced;
                continue;
            }
            if fenced {
                continue;
            }
            let blank = line.trim() == "*";
            let last_blank = out.last().is_some_and(|l| l.trim() == "*");
            if blank && last_blank {
                continue;
            }
            if line.trim() == "*/" && last_blank {
                out.pop();
            }
            out.push(line);
        }
        out.join("\n") + if text.ends_with('\n') { "\n" } else { "" }
    }

    /// ts-rs writes an object type's members (and a union's objects) on lines of their own but
    /// unindented, with a trailing `, `; this indents members by two spaces, ends them with `;`,
    /// and puts braces and `} | {` on lines of their own.
    fn layout(decl: &str) -> String {
        let Some(open) = decl.find("= { ") else { return decl.to_owned() };
        if !decl[open..].contains('\n') {
            return decl.to_owned();
        }
        let (head, body) = decl.split_at(open + 3);
        let body = body.trim_start().strip_suffix("};").unwrap_or(body).trim_end();
        let body = body.replace(", } | { ", ",\n} | {\n").replace(", } | {\n", ",\n} | {\n");
        let mut out = format!("{head}\n");
        for line in body.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if line == "} | {" {
                out.push_str("} | {\n");
                continue;
            }
            let line = line.strip_suffix(',').unwrap_or(line);
            let is_doc = line.starts_with("/**") || line.starts_with(" *");
            out.push_str("  ");
            out.push_str(line);
            out.push_str(if is_doc { "\n" } else { ";\n" });
        }
        out.push_str("};");
        out
    }

    fn generated() -> (String, BTreeSet<String>) {
        let mut d = Decls {
            cfg: Config::new().with_large_int("number"),
            out: String::from(HEADER),
            names: BTreeSet::new(),
            needs: BTreeSet::new(),
        };
        d.out.push('\n');
        // Documents and indexes.
        d.add::<Document>().add::<AddReport>().add::<IndexConfig>().add::<AnalyzerConfig>();
        d.add::<Bm25Params>().add::<JsStats>().add::<ShardingOptions>();
        // Searching.
        d.add::<SearchOptions>().add::<Mode>().add::<Fusion>().add::<Filter>();
        d.add::<QueryEncoder>().add::<Hit>().add::<Explanation>();
        d.add::<LexicalTermContribution>().add::<SparseTermContribution>();
        // The model.
        d.add::<EncoderConfig>().add::<LanguagePolicy>().add::<ModelInfo>();
        d.add::<NamedTerm>().add::<Expansion>();
        // Static sites, format versions, other engines.
        d.add::<SiteManifest>().add::<SiteMode>().add::<ManifestModel>();
        d.add::<ManifestCounts>()
            .add::<ManifestFile>()
            .add::<ManifestVocabPart>()
            .add::<Versions>();
        d.add::<Engine>().add::<EngineQueryOptions>();
        let missing = d.needs.difference(&d.names).cloned().collect();
        (d.out.trim_end().to_owned() + "\n", missing)
    }

    #[test]
    fn typescript_types_match_the_rust_types() {
        let (text, missing) = generated();
        assert!(missing.is_empty(), "types used but not generated: {missing:?}");
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../pkg-config/src/generated.ts");
        if std::env::var_os("SPARROW_UPDATE_TS").is_some() {
            std::fs::write(&path, &text).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{} is not what the Rust types say; rewrite it with \
             `SPARROW_UPDATE_TS=1 cargo test -p sparrow-wasm typescript` (and commit it)",
            path.display()
        );
    }

    #[test]
    fn doc_links_become_code() {
        assert_eq!(plain_docs("see [`Filter`] and [`x`](crate::X) ok"), "see `Filter` and `x` ok");
        assert_eq!(plain_docs("a [`b"), "a [`b");
        assert_eq!(plain_docs("no links"), "no links");
    }
}
