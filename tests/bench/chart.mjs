#!/usr/bin/env node
// Quality vs query latency chart (SVG, no dependencies) from the JSON tests/bench/peers.mjs writes.
//
//   node tests/bench/chart.mjs [--in docs/bench/peers.json] [--out docs/bench/quality-latency.svg]
//
// x: p50 query latency (ms, log scale); y: nDCG@10. Filled circles: node (npm packages, same
// process model, same machine); hollow: Sparrow's native CLI, for reference.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './beir.mjs';

const argv = process.argv.slice(2);
const arg = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const input = arg('--in', join(root, 'docs/bench/peers.json'));
const output = arg('--out', join(root, 'docs/bench/quality-latency.svg'));
const data = JSON.parse(readFileSync(input, 'utf8'));

const points = [
  ...data.systems.map((s) => ({ label: s.label, x: s.latency.p50Ms, y: s['ndcg@10'], native: false })),
  ...data.native.map((s) => ({ label: s.label, x: s.latency.p50Ms, y: s['ndcg@10'], native: true })),
];
const W = 900, H = 460, L = 70, R = 330, T = 56, B = 60;
const pw = W - L - R, ph = H - T - B;
const xs = points.map((p) => Math.max(p.x, 1e-3));
let x0 = Math.floor(Math.log10(Math.min(...xs)));
let x1 = Math.ceil(Math.log10(Math.max(...xs)));
if (x1 === x0) x1 += 1;
const ys = points.map((p) => p.y);
const y0 = Math.floor(Math.min(...ys) * 10) / 10;
const y1 = Math.min(1, Math.ceil(Math.max(...ys) * 10 + 0.5) / 10);
const sx = (x) => L + ((Math.log10(Math.max(x, 1e-3)) - x0) / (x1 - x0)) * pw;
const sy = (y) => T + ph - ((y - y0) / (y1 - y0)) * ph;
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const colour = (label) => (/sparrow/i.test(label) ? '#c0392b' : '#2c3e50');

const out = [];
out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
out.push(`<text x="${L}" y="22" font-size="15" font-weight="bold">${esc(`Quality vs query latency, ${data.dataset} ${data.split} (${data.systems[0]?.queries ?? ''} queries)`)}</text>`);
out.push(`<text x="${L}" y="38" fill="#555">${esc(`node ${data.versions.node}, one process per system, same machine, ${data.date}; higher and further left is better`)}</text>`);
// grid + axes
for (let e = x0; e <= x1; e++) {
  for (const m of [1, 2, 5]) {
    const v = m * 10 ** e;
    if (Math.log10(v) > x1) continue;
    const x = sx(v);
    out.push(`<line x1="${x}" y1="${T}" x2="${x}" y2="${T + ph}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`);
    if (m === 1 || (x1 - x0 <= 3)) out.push(`<text x="${x}" y="${T + ph + 16}" text-anchor="middle" fill="#333">${v >= 1 ? v : v.toFixed(-e)}</text>`);
  }
}
for (let y = y0; y <= y1 + 1e-9; y += 0.05) {
  const py = sy(y);
  out.push(`<line x1="${L}" y1="${py}" x2="${L + pw}" y2="${py}" stroke="#eee"/>`);
  out.push(`<text x="${L - 8}" y="${py + 4}" text-anchor="end" fill="#333">${y.toFixed(2)}</text>`);
}
out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
out.push(`<text x="${L + pw / 2}" y="${H - 18}" text-anchor="middle">p50 query latency (ms, log scale)</text>`);
out.push(`<text transform="translate(18 ${T + ph / 2}) rotate(-90)" text-anchor="middle">nDCG@10</text>`);
// points, numbered; the numbers are explained in the list on the right
const sorted = [...points].sort((a, b) => b.y - a.y || a.x - b.x);
const placed = [];
sorted.forEach((p, i) => {
  const cx = sx(p.x), cy = sy(p.y);
  const c = colour(p.label);
  out.push(p.native
    ? `<circle cx="${cx}" cy="${cy}" r="5" fill="#fff" stroke="${c}" stroke-width="2"/>`
    : `<circle cx="${cx}" cy="${cy}" r="5" fill="${c}"/>`);
  // number label: above the point, moved up while it collides with an earlier one
  let ly = cy - 9;
  while (placed.some((q) => Math.abs(q.x - cx) < 14 && Math.abs(q.y - ly) < 12)) ly -= 12;
  placed.push({ x: cx, y: ly });
  out.push(`<text x="${cx}" y="${ly}" text-anchor="middle" font-weight="bold" fill="${c}">${i + 1}</text>`);
  const ry = T + 50 + i * 17;
  out.push(`<text x="${L + pw + 16}" y="${ry}" fill="${c}"><tspan font-weight="bold">${i + 1}</tspan> ${esc(p.label)}: ${p.y.toFixed(3)}, ${p.x < 0.1 ? p.x.toFixed(3) : p.x < 10 ? p.x.toFixed(2) : p.x.toFixed(0)} ms</text>`);
});
// legend
out.push(`<circle cx="${L + pw + 22}" cy="${T + 6}" r="5" fill="#555"/><text x="${L + pw + 32}" y="${T + 10}">node (npm packages)</text>`);
out.push(`<circle cx="${L + pw + 22}" cy="${T + 24}" r="5" fill="#fff" stroke="#555" stroke-width="2"/><text x="${L + pw + 32}" y="${T + 28}">Sparrow native CLI (reference)</text>`);
out.push('</svg>');
writeFileSync(output, `${out.join('\n')}\n`);
console.error(`wrote ${output}`);
