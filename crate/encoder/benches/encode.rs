//! Model load time (bytes -> runnable plan) and native encoding throughput at 256 tokens,
//! one thread (tract runs single-threaded unless given an executor), f32 and int8.
//!
//!   source scripts/env.sh && cargo bench -p sparrow-encoder --bench encode
//!
//! Every group runs twice: with wall-clock time (criterion's default) and, as `cpu/...`, with
//! the benchmark thread's CPU time from /proc/thread-self/schedstat. On a shared machine the
//! wall time includes waiting for a core; the CPU time is what one free core would take.
//!
//! Needs model/build (model/build.sh) or SPARROW_MODEL_DIR. Results: docs/BENCHMARKS.md.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sparrow_encoder::{EncoderConfig, LanguagePolicy, SparseEncoder};

fn model_dir() -> PathBuf {
    let dir = std::env::var_os("SPARROW_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../model/build"));
    assert!(dir.join("tokenizer.json").is_file(), "{}: run model/build.sh first", dir.display());
    dir
}

fn read(name: &str) -> Vec<u8> {
    let p = model_dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A document whose first window is a full 256 tokens (it has ~270 text tokens; with
/// `max_windows = 1` the rest is cut, so every iteration runs exactly one 256-token window).
fn doc_256(enc: &SparseEncoder) -> String {
    let text = "The seasons are caused by the tilt of Earth's rotational axis relative to its orbital plane around the Sun. ".repeat(12);
    assert_eq!(enc.token_ids(&text).expect("tokenize").len(), 256);
    text
}

/// CPU time of the calling thread, in ns (Linux: /proc/thread-self/schedstat, no `unsafe`).
struct ThreadCpu;

fn thread_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")
        .expect("/proc/thread-self/schedstat");
    stat.split_whitespace().next().and_then(|v| v.parse().ok()).expect("schedstat runtime")
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = Duration;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> Duration {
        Duration::from_nanos(thread_cpu_ns().saturating_sub(start))
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WallTime.formatter()
    }
}

fn wall(c: &mut Criterion) {
    benches(c, "");
}

fn cpu(c: &mut Criterion<ThreadCpu>) {
    benches(c, "cpu/");
}

fn benches<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    let tokenizer = read("tokenizer.json");
    let config =
        EncoderConfig { language: LanguagePolicy::Any, max_windows: 1, ..EncoderConfig::default() };

    let mut g = c.benchmark_group(format!("{prefix}load"));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for variant in ["f32", "int8"] {
        let model = read(&format!("splade-tiny.{variant}.onnx"));
        g.bench_function(variant, |b| {
            b.iter(|| {
                SparseEncoder::from_bytes(black_box(&model), &tokenizer, config.clone())
                    .expect("load")
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group(format!("{prefix}encode_256_tokens"));
    g.sample_size(20).measurement_time(Duration::from_secs(10)).throughput(Throughput::Elements(1));
    for variant in ["f32", "int8"] {
        let model = read(&format!("splade-tiny.{variant}.onnx"));
        let enc = SparseEncoder::from_bytes(&model, &tokenizer, config.clone()).expect("load");
        let text = doc_256(&enc);
        g.bench_function(variant, |b| {
            b.iter(|| enc.encode_document(black_box(&text)).expect("encode"))
        });
    }
    g.finish();

    // Eight such documents in one call: batch_tokens (1024) = 4 windows per model run.
    let mut g = c.benchmark_group(format!("{prefix}encode_8x256_tokens_batched"));
    g.sample_size(10).measurement_time(Duration::from_secs(15)).throughput(Throughput::Elements(8));
    for variant in ["f32", "int8"] {
        let model = read(&format!("splade-tiny.{variant}.onnx"));
        let enc = SparseEncoder::from_bytes(&model, &tokenizer, config.clone()).expect("load");
        let text = doc_256(&enc);
        let texts = vec![text.as_str(); 8];
        g.bench_function(variant, |b| {
            b.iter(|| enc.encode_documents(black_box(&texts)).expect("encode"))
        });
    }
    g.finish();

    // 32 short documents (one 24-token sentence each): one call (all 32 windows in one model
    // run, 32 x 24 <= batch_tokens) versus one call per document.
    let mut g = c.benchmark_group(format!("{prefix}encode_32_short_docs"));
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(32));
    let sentence = "The seasons are caused by the tilt of Earth's rotational axis relative to its orbital plane around the Sun.";
    let texts = vec![sentence; 32];
    for variant in ["f32", "int8"] {
        let model = read(&format!("splade-tiny.{variant}.onnx"));
        let enc = SparseEncoder::from_bytes(&model, &tokenizer, config.clone()).expect("load");
        g.bench_function(format!("{variant}/batched"), |b| {
            b.iter(|| enc.encode_documents(black_box(&texts)).expect("encode"))
        });
        g.bench_function(format!("{variant}/one_by_one"), |b| {
            b.iter(|| {
                for t in &texts {
                    enc.encode_document(black_box(t)).expect("encode");
                }
            })
        });
    }
    g.finish();
}

criterion_group!(wall_time, wall);
criterion_group!(name = cpu_time; config = Criterion::default().with_measurement(ThreadCpu); targets = cpu);
criterion_main!(wall_time, cpu_time);
