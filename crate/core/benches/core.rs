//! Core engine benchmarks on a synthetic 100k-document corpus.
//!
//! Run (figures recorded in `docs/BENCHMARKS.md`):
//!
//! ```text
//! nice -n 10 cargo bench -p sparrow-core --bench core
//! ```
//!
//! The corpus is deterministic (splitmix64): each document has ~150 words (100..=200) drawn from
//! a Zipf(1.0) distribution over a 50,000-word synthetic vocabulary, a 5-word title, one of 8
//! tags, a `lang` field, and ~250 distinct sparse terms drawn from a Zipf(1.0) distribution over
//! a 30,522-id vocabulary (BERT's size) with exponential-ish weights. 200 fixed queries have 2-4
//! words and a 24-term sparse vector.
//!
//! Before criterion runs, a small harness prints what criterion's means cannot show: build time
//! for 100k documents, p50/p99 query latency per mode over the 200 queries, serialized bytes per
//! document, load time, and heap (live bytes from a counting global allocator, and the index's own
//! estimate `Stats::heap_bytes`). Every benchmark asserts on its result so it cannot measure
//! nothing.

// The bench binary reports figures on stdout and counts allocations with a global allocator (the
// only `unsafe` in the crate's targets: `GlobalAlloc` is an unsafe trait; the library itself is
// `#![forbid(unsafe_code)]`).
#![allow(clippy::print_stdout, unsafe_code, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use sparrow_core::*;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Documents in the corpus: 100k under `cargo bench`; 5k when `cargo test --all-targets` runs the
/// benchmark once as a smoke test (every assertion still runs, in seconds instead of a minute).
fn corpus_size() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        100_000
    } else {
        5_000
    }
}
const TEXT_VOCAB: usize = 50_000;
const SPARSE_VOCAB: usize = 30_522;
const SPARSE_PER_DOC: usize = 250;
const QUERIES: usize = 200;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Zipf(s) sampler over ranks `0..n` by inverse CDF.
struct Zipf(Vec<f64>);

impl Zipf {
    fn new(n: usize, s: f64) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 1..=n {
            acc += 1.0 / (r as f64).powf(s);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf(cdf)
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.0.partition_point(|&c| c < u).min(self.0.len() - 1)
    }
}

/// Pronounceable synthetic words ("bakote", ...), none of them an English stop word.
fn vocabulary(n: usize) -> Vec<String> {
    const C: &[u8] = b"bcdfghjklmnprstvz";
    const V: &[u8] = b"aeiou";
    (0..n)
        .map(|mut i| {
            let mut w = String::from("q");
            loop {
                w.push(C[i % C.len()] as char);
                i /= C.len();
                w.push(V[i % V.len()] as char);
                i /= V.len();
                if i == 0 {
                    break w;
                }
            }
        })
        .collect()
}

struct Corpus {
    docs: Vec<Document>,
    queries: Vec<Query>,
}

fn corpus() -> Corpus {
    let mut rng = Rng(42);
    let words = vocabulary(TEXT_VOCAB);
    let word_dist = Zipf::new(TEXT_VOCAB, 1.0);
    let sparse_dist = Zipf::new(SPARSE_VOCAB, 1.0);
    let langs = ["en", "fr", "de", "es"];
    let mut seen = vec![false; SPARSE_VOCAB];
    let mut sparse_vector = |rng: &mut Rng, terms: usize| {
        let mut pairs = Vec::with_capacity(terms);
        while pairs.len() < terms {
            let id = sparse_dist.sample(rng);
            if !seen[id] {
                seen[id] = true;
                // Exponential-ish weights in (0.01, ~3.5], like SPLADE's log-saturated activations.
                let w = (0.01 - 0.6 * (1.0 - rng.unit()).ln()) as f32;
                pairs.push((id as u32, w));
            }
        }
        for &(id, _) in &pairs {
            seen[id as usize] = false;
        }
        SparseVector::from_pairs(pairs).unwrap()
    };
    let mut docs = Vec::with_capacity(corpus_size());
    for i in 0..corpus_size() {
        let n_words = 100 + rng.below(101);
        let text: Vec<&str> =
            (0..n_words).map(|_| words[word_dist.sample(&mut rng)].as_str()).collect();
        let title: Vec<&str> = (0..5).map(|_| words[word_dist.sample(&mut rng)].as_str()).collect();
        docs.push(
            Document::new(format!("doc-{i}"), text.join(" "))
                .with_title(title.join(" "))
                .with_tag(format!("t{}", rng.below(8)))
                .with_field("lang", langs[rng.below(langs.len())])
                .with_sparse(sparse_vector(&mut rng, SPARSE_PER_DOC)),
        );
    }
    let queries = (0..QUERIES)
        .map(|_| {
            let n = 2 + rng.below(3);
            // Query words from ranks 10..5000: content words, not the most common.
            let text: Vec<&str> = (0..n).map(|_| words[10 + rng.below(4990)].as_str()).collect();
            Query::new(text.join(" ")).with_sparse(sparse_vector(&mut rng, 24))
        })
        .collect();
    Corpus { docs, queries }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn modes() -> [(&'static str, SearchOptions); 4] {
    [
        ("lexical", SearchOptions { mode: Mode::Lexical, ..Default::default() }),
        ("sparse", SearchOptions { mode: Mode::Sparse, ..Default::default() }),
        ("hybrid-rrf", SearchOptions::default()),
        (
            "hybrid-weighted",
            SearchOptions { fusion: Fusion::Weighted { alpha: 0.5 }, ..Default::default() },
        ),
    ]
}

/// The harness: figures criterion does not report.
fn report(corpus: &Corpus) -> Index {
    let before = LIVE.load(Ordering::Relaxed);
    let t = Instant::now();
    let mut index = Index::new(IndexConfig { store_text: false, ..Default::default() }).unwrap();
    index.add_many(corpus.docs.clone()).unwrap();
    let build = t.elapsed();
    let heap = LIVE.load(Ordering::Relaxed) - before;
    assert_eq!(index.len(), corpus_size());
    let stats = index.stats();
    println!("corpus: {} docs, avg BM25 length {:.1}, {} lexical terms, {} sparse terms, {} sparse postings/doc", corpus_size(),
        stats.avg_doc_length, stats.lexical_terms, stats.sparse_terms, SPARSE_PER_DOC);
    println!("build (add_many, store_text=false): {:.2} s", build.as_secs_f64());
    println!(
        "heap: {:.1} MiB counted by the allocator ({:.0} B/doc); Stats::heap_bytes {:.1} MiB",
        heap as f64 / (1 << 20) as f64,
        heap as f64 / corpus_size() as f64,
        stats.heap_bytes as f64 / (1 << 20) as f64
    );
    let t = Instant::now();
    let bytes = index.to_bytes();
    let write = t.elapsed();
    // For the browser scale run (tests/bench/scale-browser.mjs): the same index as a file.
    if let Some(path) = std::env::var_os("SPARROW_BENCH_WRITE_INDEX") {
        std::fs::write(&path, &bytes).expect("writing SPARROW_BENCH_WRITE_INDEX");
    }
    let t = Instant::now();
    let loaded = Index::from_bytes(&bytes).unwrap();
    let load = t.elapsed();
    assert_eq!(loaded.len(), corpus_size());
    drop(loaded);
    println!(
        "serialized: {:.1} MiB = {:.0} bytes/doc; to_bytes {:.0} ms, from_bytes {:.0} ms",
        bytes.len() as f64 / (1 << 20) as f64,
        bytes.len() as f64 / corpus_size() as f64,
        ms(write),
        ms(load)
    );
    // Bytes per doc of the sparse section alone, for the Lucene comparison.
    let mut lexical_only =
        Index::new(IndexConfig { store_text: false, ..Default::default() }).unwrap();
    lexical_only
        .add_many(corpus.docs.iter().map(|d| Document { sparse: None, ..d.clone() }).collect())
        .unwrap();
    let without_sparse = lexical_only.to_bytes().len();
    drop(lexical_only);
    println!(
        "  of which sparse postings: {:.0} bytes/doc ({:.2} bytes/posting)",
        (bytes.len() - without_sparse) as f64 / corpus_size() as f64,
        (bytes.len() - without_sparse) as f64 / (corpus_size() * SPARSE_PER_DOC) as f64
    );
    for (name, opts) in modes() {
        for q in corpus.queries.iter().take(20) {
            black_box(index.search(q, &opts).unwrap());
        }
        let mut times = Vec::with_capacity(QUERIES);
        let mut empty = 0;
        for q in &corpus.queries {
            let t = Instant::now();
            let hits = index.search(q, &opts).unwrap();
            times.push(t.elapsed());
            empty += usize::from(hits.is_empty());
        }
        assert!(empty < QUERIES / 10, "{name}: {empty} queries without hits");
        times.sort();
        let mean = times.iter().sum::<Duration>() / QUERIES as u32;
        println!("query {name:>16}: p50 {:.2} ms, p99 {:.2} ms, mean {:.2} ms ({QUERIES} queries, limit 10)",
            ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99)), ms(mean));
    }
    index
}

fn main() {
    let corpus = corpus();
    let index = report(&corpus);
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let mut group = c.benchmark_group("search");
    for (name, opts) in modes() {
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % QUERIES;
                let hits = index.search(&corpus.queries[i], &opts).unwrap();
                assert!(hits.len() <= 10);
                hits.len()
            })
        });
    }
    let filtered =
        SearchOptions { filter: Some(Filter::field("lang", "fr")), ..Default::default() };
    let mut i = 0;
    group.bench_function("hybrid-filtered", |b| {
        b.iter(|| {
            i = (i + 1) % QUERIES;
            let hits = index.search(&corpus.queries[i], &filtered).unwrap();
            assert!(hits.iter().all(|h| h.fields["lang"] == "fr"));
            hits.len()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    let build = corpus.docs.len().min(10_000);
    let slice: Vec<Document> = corpus.docs[..build].to_vec();
    group.bench_function("add_many-10k", |b| {
        b.iter_batched(
            || slice.clone(),
            |docs| {
                let mut index = Index::new(IndexConfig::default()).unwrap();
                index.add_many(docs).unwrap();
                assert_eq!(index.len(), build);
                index
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("format");
    group.sample_size(10);
    let bytes = index.to_bytes();
    group.bench_function("from_bytes-100k", |b| {
        b.iter(|| {
            let loaded = Index::from_bytes(&bytes).unwrap();
            assert_eq!(loaded.len(), corpus_size());
            loaded
        })
    });
    group.finish();
    c.final_summary();
}
