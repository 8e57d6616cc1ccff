#!/usr/bin/env node
// Where the bytes of a wasm module go, by Rust crate: sums each function body's size (code
// section) under the crate its name starts with (name section; wasm-bindgen keeps it unless
// told otherwise, wasm-opt keeps it too). Data segments are reported as one line.
//
//   node tests/bench/wasm-size.mjs [pkg/wasm/sparrow_wasm_bg.wasm] [--top 25]
//
// Used to answer "how much would the wasm shrink without the ONNX parser" (issue 4: ONNX vs NNEF)
// without building a second module: `tract_onnx` (+ `prost`, its protobuf decoder) is what an
// NNEF-only build would drop; `tract_onnx_opl` (ONNX operators) would stay.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ?? new URL('../../pkg/wasm/sparrow_wasm_bg.wasm', import.meta.url).pathname;
const top = Number(args.includes('--top') ? args[args.indexOf('--top') + 1] : 25);
const buf = readFileSync(file);

let pos = 8;
const u32 = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return result;
    shift += 7;
  }
};
const str = () => {
  const n = u32();
  const s = buf.toString('utf8', pos, pos + n);
  pos += n;
  return s;
};

let imported = 0;
const bodies = []; // size of each defined function's body, in order
const names = new Map(); // function index -> name
let dataBytes = 0;
const sections = {};
while (pos < buf.length) {
  const id = buf[pos++];
  const size = u32();
  const end = pos + size;
  if (id === 0) {
    const name = str();
    sections[`custom:${name}`] = size;
    if (name === 'name') {
      while (pos < end) {
        const sub = buf[pos++];
        const subSize = u32();
        const subEnd = pos + subSize;
        if (sub === 1) {
          const count = u32();
          for (let i = 0; i < count; i++) names.set(u32(), str());
        }
        pos = subEnd;
      }
    }
  } else {
    sections[id] = size;
    if (id === 2) {
      const count = u32();
      for (let i = 0; i < count; i++) {
        str();
        str();
        const kind = buf[pos++];
        if (kind === 0) { u32(); imported++; } else if (kind === 1) { pos++; const f = buf[pos++]; u32(); if (f & 1) u32(); } else if (kind === 2) { const f = buf[pos++]; u32(); if (f & 1) u32(); } else if (kind === 3) { pos += 2; } else { pos++; u32(); }
      }
    } else if (id === 10) {
      const count = u32();
      for (let i = 0; i < count; i++) {
        const n = u32();
        bodies.push(n);
        pos += n;
      }
    } else if (id === 11) {
      dataBytes = size;
    }
  }
  pos = end;
}

// The crate a (demangled) Rust symbol belongs to: `<tract_core::x as y>::f` -> tract_core,
// `core::ptr::drop_in_place<tract_onnx::...>` -> tract_onnx (generic code is charged to the crate
// it was instantiated for, which is what removing that crate would remove).
function crateOf(name) {
  if (!name) return '(unnamed)';
  // Still-mangled v0 symbols (`_RNvCs…_11sparrow_core…`, straight from rustc): crate roots are
  // `C`, an optional `s<disambiguator>_`, then `<length><name>`.
  if (name.startsWith('_R')) {
    const roots = [];
    for (const m of name.matchAll(/C(?:s[0-9A-Za-z]*_)?(\d+)/g)) {
      const start = m.index + m[0].length;
      const id = name.slice(start, start + Number(m[1]));
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(id)) roots.push(id);
    }
    const ours = roots.find((c) => !['core', 'alloc', 'std'].includes(c));
    return ours ?? roots[0] ?? '(mangled)';
  }
  // v0 demangled names carry the crate hash (`tract_core[f07a…]::ops::…`): use those when present.
  const all = [...name.matchAll(/(?:^|[^a-zA-Z0-9_])([a-z_][a-z0-9_]*)(\[[0-9a-f]+\])?::/g)];
  const hashed = all.filter((m) => m[2]);
  const crates = (hashed.length ? hashed : all).map((m) => m[1]);
  const ours = crates.find((c) => !['core', 'alloc', 'std', 'impl', '_'].includes(c));
  return ours ?? crates[0] ?? name.replace(/[^a-zA-Z_].*$/, '') ?? '(other)';
}

const byCrate = new Map();
let codeTotal = 0;
bodies.forEach((n, i) => {
  const c = crateOf(names.get(imported + i));
  byCrate.set(c, (byCrate.get(c) ?? 0) + n);
  codeTotal += n;
});
const rows = [...byCrate].sort((a, b) => b[1] - a[1]);
const pct = (n) => ((100 * n) / buf.length).toFixed(1);
console.log(`${file}: ${buf.length} bytes; code ${codeTotal} (${pct(codeTotal)}%), data ${dataBytes} (${pct(dataBytes)}%), ${bodies.length} functions, ${names.size} named`);
console.log('| crate | code bytes | % of module |');
console.log('|---|---:|---:|');
for (const [c, n] of rows.slice(0, top)) console.log(`| ${c} | ${n} | ${pct(n)} |`);
const onnx = rows.filter(([c]) => c === 'tract_onnx' || c === 'prost').reduce((s, [, n]) => s + n, 0);
console.log(`\nONNX parser (tract_onnx + prost): ${onnx} bytes of code, ${pct(onnx)}% of the module`);
