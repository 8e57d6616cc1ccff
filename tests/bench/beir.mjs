// Shared helpers of the SciFact (BEIR layout) harnesses: reading the dataset, percentiles, run
// files, and calling the native `sparrow` binary (which owns the metrics: JS never computes
// nDCG; it writes runs and `sparrow eval --run` scores them).
//
// The dataset directory comes from --beir DIR, else $SPARROW_BEIR_DIR, else ../shared/data/scifact
// next to the repository. SciFact is CC BY-NC: it is read in place, never copied.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function flags(argv = process.argv.slice(2)) {
  const get = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
  const has = (name) => argv.includes(name);
  return { get, has };
}

export function beirDir(flag) {
  const dir = resolve(flag ?? process.env.SPARROW_BEIR_DIR ?? resolve(root, '../shared/data/scifact'));
  if (!existsSync(join(dir, 'qrels'))) throw new Error(`${dir} is not a BEIR dataset directory (pass --beir DIR or set SPARROW_BEIR_DIR)`);
  return dir;
}

function readMaybeGz(dir, name) {
  for (const [file, gz] of [[name, false], [`${name}.gz`, true]]) {
    const path = join(dir, file);
    if (existsSync(path)) {
      const raw = readFileSync(path);
      return (gz ? gunzipSync(raw) : raw).toString('utf8');
    }
  }
  throw new Error(`${dir} has no ${name}[.gz]`);
}

const jsonl = (text) => text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

/** Corpus documents `{ id, title, text }`, in file order. */
export function loadCorpus(dir) {
  return jsonl(readMaybeGz(dir, 'corpus.jsonl')).map((d) => ({ id: d._id, title: d.title ?? '', text: d.text ?? '' }));
}

/** The split's judged queries `[{ id, text }]`, in the same order as `sparrow eval` (qrels ids sorted). */
export function loadQueries(dir, split) {
  const all = new Map(jsonl(readMaybeGz(dir, 'queries.jsonl')).map((q) => [q._id, q.text]));
  const ids = new Set();
  for (const [i, line] of readFileSync(join(dir, 'qrels', `${split}.tsv`), 'utf8').split('\n').entries()) {
    const cols = line.trim().split('\t');
    if (cols.length < 3 || (i === 0 && Number.isNaN(Number(cols[2])))) continue;
    ids.add(cols[0]);
  }
  return [...ids].sort().map((id) => {
    if (!all.has(id)) throw new Error(`query ${id} is judged but not in queries.jsonl`);
    return { id, text: all.get(id) };
  });
}

/** `title + " " + text`, as BEIR indexes documents. */
export const docText = (d) => (d.title ? (d.text ? `${d.title} ${d.text}` : d.title) : d.text);

/** Nearest-rank percentile, the same definition as `sparrow eval`. */
export function percentile(samples, p) {
  if (!samples.length) return 0;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil(p * s.length))) - 1];
}

const r3 = (x) => Math.round(x * 1000) / 1000;
export function latencyOf(ms) {
  return { p50Ms: r3(percentile(ms, 0.5)), p95Ms: r3(percentile(ms, 0.95)), meanMs: r3(ms.reduce((a, b) => a + b, 0) / (ms.length || 1)) };
}

/** Writes a JSON run file (`sparrow eval --run` format): metadata + results {qid: [[doc, score], ...]}. */
export function writeRun(path, meta, results) {
  writeFileSync(path, JSON.stringify({ ...meta, results }));
}

export function sparrowBin() {
  const bin = process.env.SPARROW_BIN ?? join(process.env.CARGO_TARGET_DIR ?? '/var/tmp/sparrow-target', 'release', 'sparrow');
  if (!existsSync(bin)) throw new Error(`${bin} not found: cargo build --release -p sparrow-cli (or set SPARROW_BIN)`);
  return bin;
}

/** Runs `sparrow eval ARGS --json` and returns the run objects. */
export function sparrowEval(args) {
  const out = execFileSync(sparrowBin(), ['eval', ...args, '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  return out.toString().split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Scores run files with the Rust metrics. */
export function scoreRuns(dir, split, files) {
  return sparrowEval(['--beir', dir, '--split', split, ...files.flatMap((f) => ['--run', f])]);
}

/** Markdown number formatting. */
export const f4 = (x) => (x == null ? '-' : x.toFixed(4));
export const f2 = (x) => (x == null ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));
export const mb = (bytes) => (bytes == null ? '-' : (bytes / 1e6).toFixed(1));
