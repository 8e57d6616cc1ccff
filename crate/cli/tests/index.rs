//! `sparrow index --site` end to end on `tests/fixtures/site`. Needs model/build.

mod common;
use common::model_dir;

use std::path::Path;
use std::process::Command;

use sparrow_core::format::{SiteManifest, SiteMode};
use sparrow_core::{Index, Query, SearchOptions, WordPiece};

fn index_site(out: &Path, extra: &[&str]) -> std::process::Output {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/site");
    index_dir(&site, out, extra)
}

#[test]
fn index_site_writes_manifest_vocabulary_and_loadable_index() {
    let out = std::env::temp_dir().join(format!("sparrow-index-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let status = index_site(&out, &[]);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let manifest =
        SiteManifest::from_json(&std::fs::read(out.join("manifest.json")).unwrap(), None).unwrap();
    assert_eq!(manifest.model.id, "splade-tiny/int8");
    assert_eq!(manifest.mode, SiteMode::Whole);
    assert_eq!(manifest.counts.pages, 1);
    // "Hidden" has only ignored content, so one section.
    assert_eq!(manifest.counts.sections, 1);
    let file = &manifest.index.as_ref().unwrap().file;
    assert!(file.starts_with("index-") && file.ends_with(".spi"), "{file}");
    let bytes = std::fs::read(out.join(file)).unwrap();
    assert_eq!(manifest.index.as_ref().unwrap().bytes, bytes.len() as u64);

    let mut index = Index::from_bytes(&bytes).unwrap();
    let vocab =
        WordPiece::from_vocab_bytes(&std::fs::read(out.join(&manifest.vocab.file)).unwrap())
            .unwrap();
    assert_eq!(index.term_space(), vocab.term_space(), "vectors keyed by the vocabulary's ranks");
    // A lookup query (tokens, no model) finds the section by a word of its expansion.
    let q = Query::new("").with_tokens(vocab.ids("quokkafish example"));
    let opts = SearchOptions { mode: sparrow_core::Mode::Sparse, ..Default::default() };
    assert_eq!(index.search(&q, &opts).unwrap()[0].id, "escaping.html#escaping");
    let hits = index.search(&Query::new("quokkafish"), &SearchOptions::default()).unwrap();
    assert_eq!(hits[0].id, "escaping.html#escaping");
    assert_eq!(hits[0].title.as_deref(), Some("Escaping check"));
    assert_eq!(hits[0].url.as_deref(), Some("escaping.html#escaping"));
    let doc = index.get("escaping.html#escaping").unwrap();
    assert!(doc.text.unwrap().contains("<script>alert(\"pwned\")</script>"));
    assert!(doc.has_sparse);
    // Navigation and ignored elements are not indexed.
    assert!(index.search(&Query::new("zebracorn"), &SearchOptions::default()).unwrap().is_empty());

    // Rebuilt sharded (threshold 0), in the same directory: the new manifest names only new
    // files, and the old build's files are gone.
    let status = index_site(&out, &["--whole-index-threshold", "0", "--filter-field", "page"]);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let sharded =
        SiteManifest::from_json(&std::fs::read(out.join("manifest.json")).unwrap(), None).unwrap();
    assert_eq!(sharded.mode, SiteMode::Sharded);
    assert!(!out.join(file).exists(), "the whole index of the previous build was removed");
    let mut lazy = Index::from_base_bytes(
        &std::fs::read(out.join(&sharded.base.as_ref().unwrap().file)).unwrap(),
    )
    .unwrap();
    for i in 0..sharded.shards {
        lazy.load_shard(&std::fs::read(out.join(sharded.shard_file(i).unwrap())).unwrap()).unwrap();
    }
    for i in 0..sharded.fragments {
        lazy.load_fragment(&std::fs::read(out.join(sharded.fragment_file(i).unwrap())).unwrap())
            .unwrap();
    }
    index.set_term_space(lazy.term_space()).unwrap();
    let opts = SearchOptions {
        filter: Some(sparrow_core::Filter::field("page", "escaping.html")),
        ..Default::default()
    };
    assert_eq!(lazy.search(&q, &opts).unwrap(), index.search(&q, &opts).unwrap());
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let parts = sharded.vocab_parts.len();
    assert_eq!(
        names.len(),
        1 + 1 + 1 + parts + (sharded.shards + sharded.fragments) as usize,
        "{names:?}"
    );
    // The vocabulary in parts by first byte (one per letter at the default 4 KiB of tokens),
    // each a file of the manifest; the query's parts tokenize it as the whole file does.
    assert!(parts > 15, "{parts} vocabulary parts");
    let part = |lead: u8| {
        let p = sharded.vocab_parts.iter().find(|p| (p.first..=p.last).contains(&lead)).unwrap();
        sparrow_core::VocabPart::from_bytes(&std::fs::read(out.join(&p.file)).unwrap()).unwrap()
    };
    let mut vocab_parts = sparrow_core::VocabParts::new(part(b'#')).unwrap();
    for lead in vocab_parts.missing_leads("quokkafish example") {
        vocab_parts.add(part(lead)).unwrap();
    }
    assert_eq!(vocab_parts.missing_leads("quokkafish example"), b"");
    assert_eq!(vocab_parts.ids("quokkafish example").unwrap(), vocab.ids("quokkafish example"));
    assert_eq!(vocab_parts.term_space(), lazy.term_space());
    std::fs::remove_dir_all(&out).unwrap();
}

/// `sparrow index --site SITE --out OUT` with the test model, two threads, quiet.
fn index_dir(site: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sparrow"))
        .args(["index", "--quiet", "--threads", "2", "--site"])
        .arg(site)
        .arg("--out")
        .arg(out)
        .arg("--model")
        .arg(model_dir())
        .args(extra)
        .output()
        .unwrap()
}

/// Hostile HTML: a 600-byte heading `id` gets a bounded document id (the URL keeps the anchor),
/// a paragraph-long heading without `id` a bounded slug, a page nested 200,000 deep is skipped
/// with one line saying why; a build that fails leaves the previous index serving.
#[test]
fn hostile_pages_are_bounded_or_skipped() {
    let tmp = std::env::temp_dir().join(format!("sparrow-index-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (site, out) = (tmp.join("site"), tmp.join("out"));
    std::fs::create_dir_all(&site).unwrap();
    let long_id = "x".repeat(600);
    let long_heading = "quokkafish ".repeat(200);
    std::fs::write(
        site.join("long.html"),
        format!(
            "<title>Long</title><main><h2 id=\"{long_id}\">Anchored</h2><p>Otters hold hands.</p>\
             <h2>{long_heading}</h2><p>Wombats dig burrows.</p></main>"
        ),
    )
    .unwrap();
    let deep =
        format!("<main><p>deep</p>{}x{}</main>", "<div>".repeat(200_000), "</div>".repeat(200_000));
    std::fs::write(site.join("deep.html"), &deep).unwrap();
    let built = index_dir(&site, &out, &[]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let err = String::from_utf8_lossy(&built.stderr);
    assert!(
        err.contains("skipped 1 pages (deep.html: elements nest 200001 deep (the limit is 4096))"),
        "{err}"
    );
    let manifest_bytes = std::fs::read(out.join("manifest.json")).unwrap();
    let manifest = SiteManifest::from_json(&manifest_bytes, None).unwrap();
    assert_eq!((manifest.counts.pages, manifest.counts.sections), (2, 2));
    let index = Index::from_bytes(
        &std::fs::read(out.join(&manifest.index.as_ref().unwrap().file)).unwrap(),
    )
    .unwrap();
    let hit = &index.search(&Query::new("otters"), &SearchOptions::default()).unwrap()[0];
    assert!(hit.id.len() <= sparrow_core::MAX_ID_BYTES, "{}", hit.id.len());
    assert!(hit.id.starts_with("long.html#xxx") && hit.id.contains('~'), "{}", hit.id);
    assert_eq!(hit.url.as_deref(), Some(format!("long.html#{long_id}").as_str()));
    let hit = &index.search(&Query::new("wombats"), &SearchOptions::default()).unwrap()[0];
    assert!(
        hit.id.starts_with("long.html#quokkafish-quokkafish") && hit.id.len() < 120,
        "{}",
        hit.id
    );

    // Only the hostile page left: the build fails, and the previous build still serves.
    std::fs::remove_file(site.join("long.html")).unwrap();
    let failed = index_dir(&site, &out, &[]);
    assert!(!failed.status.success());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("no section of the 1 pages can be indexed"), "{err}");
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest_bytes);
    assert!(out.join(&manifest.index.as_ref().unwrap().file).is_file());
    assert!(out.join(&manifest.vocab.file).is_file());
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// `--max-postings N`: a learned-sparse term every page is expanded with keeps only its N
/// strongest documents, exactly those the unpruned index ranks first for it; BM25 keeps all.
/// `--max-files` bounds shards + fragments.
#[test]
fn static_pruning_keeps_each_terms_strongest_postings() {
    let tmp = std::env::temp_dir().join(format!("sparrow-index-prune-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let site = tmp.join("site");
    std::fs::create_dir_all(&site).unwrap();
    let texts = [
        "The river floods the valley every spring; the river is wide.",
        "A river runs past the mill.",
        "Boats sail down the river to the sea, river after river.",
        "Fish swim upstream in the cold river water.",
        "The bridge over the river was built in stone.",
    ];
    for (i, t) in texts.iter().enumerate() {
        std::fs::write(
            site.join(format!("p{i}.html")),
            format!("<title>P{i}</title><main><p>{t}</p></main>"),
        )
        .unwrap();
    }
    let build = |out: &Path, extra: &[&str]| {
        let built = index_dir(&site, out, extra);
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        let manifest =
            SiteManifest::from_json(&std::fs::read(out.join("manifest.json")).unwrap(), None)
                .unwrap();
        let vocab =
            WordPiece::from_vocab_bytes(&std::fs::read(out.join(&manifest.vocab.file)).unwrap())
                .unwrap();
        let index = Index::from_bytes(
            &std::fs::read(out.join(&manifest.index.as_ref().unwrap().file)).unwrap(),
        )
        .unwrap();
        (index, vocab, String::from_utf8_lossy(&built.stdout).into_owned())
    };
    let (all, vocab, _) = build(&tmp.join("all"), &["--max-postings", "0"]);
    let (pruned, _, said) = build(&tmp.join("pruned"), &["--max-postings", "2"]);
    assert!(
        said.contains("static pruning: ") && said.contains("kept to their 2 strongest postings"),
        "{said}"
    );
    let q = Query::new("river").with_tokens(vocab.ids("river"));
    let sparse = SearchOptions { mode: sparrow_core::Mode::Sparse, ..Default::default() };
    let ids = |index: &Index, opts: &SearchOptions| -> Vec<String> {
        index.search(&q, opts).unwrap().into_iter().map(|h| h.id).collect()
    };
    let before = ids(&all, &sparse);
    assert_eq!(before.len(), 5, "every page is expanded with \"river\": {before:?}");
    assert_eq!(ids(&pruned, &sparse), before[..2], "the two strongest postings are kept");
    let lexical = SearchOptions { mode: sparrow_core::Mode::Lexical, ..Default::default() };
    assert_eq!(ids(&pruned, &lexical), ids(&all, &lexical), "BM25 postings are never pruned");

    // Sharded with a budget of 2 files: 1 shard + 1 fragment.
    let out = tmp.join("sharded");
    let built = index_dir(&site, &out, &["--whole-index-threshold", "0", "--max-files", "2"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let m =
        SiteManifest::from_json(&std::fs::read(out.join("manifest.json")).unwrap(), None).unwrap();
    assert_eq!((m.shards, m.fragments), (1, 1));
    std::fs::remove_dir_all(&tmp).unwrap();
}
