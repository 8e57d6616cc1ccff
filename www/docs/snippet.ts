/**
 * Pure helpers of the docs search page: HTML escaping, snippets with highlighted terms, and
 * grouping section hits by page. Everything that reaches `innerHTML` goes through `escapeHtml`.
 */
import type { SearchHit } from 'sparrow-search/lite';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const WORD = /[\p{L}\p{N}_]+/gu;
const STOP = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'how', 'i', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'to', 'what', 'when', 'with', 'do', 'does', 'can', 'my']);

/**
 * Terms to highlight for a hit: the query's words, the BM25 terms that matched (stems, matched
 * as prefixes) and the expansion terms that matched (whole words).
 */
export function highlightTerms(query: string, hit: SearchHit): { exact: Set<string>; prefixes: string[] } {
  const exact = new Set<string>();
  for (const w of query.toLowerCase().match(WORD) ?? []) if (!STOP.has(w)) exact.add(w);
  for (const t of hit.explanation?.sparse ?? []) {
    const term = (t.term ?? '').toLowerCase();
    if (/^[\p{L}\p{N}]{3,}$/u.test(term) && !STOP.has(term)) exact.add(term);
  }
  const prefixes = (hit.explanation?.lexical ?? []).map((t) => t.term.toLowerCase()).filter((t) => t.length >= 3);
  return { exact, prefixes };
}

/**
 * An escaped snippet of about `width` characters around the first highlighted word, with
 * `<mark>` around every highlighted word.
 */
export function snippet(text: string, terms: { exact: Set<string>; prefixes: string[] }, width = 220): string {
  const isHit = (w: string) => {
    const l = w.toLowerCase();
    return terms.exact.has(l) || terms.prefixes.some((p) => l.startsWith(p));
  };
  let first = -1;
  for (const m of text.matchAll(WORD)) {
    if (isHit(m[0])) {
      first = m.index!;
      break;
    }
  }
  let start = first < 0 ? 0 : Math.max(0, first - Math.floor(width / 3));
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space >= 0 && space < first) start = space + 1;
  }
  let end = Math.min(text.length, start + width);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  const part = text.slice(start, end);
  let out = start > 0 ? '… ' : '';
  let last = 0;
  for (const m of part.matchAll(WORD)) {
    if (!isHit(m[0])) continue;
    out += escapeHtml(part.slice(last, m.index!)) + '<mark>' + escapeHtml(m[0]) + '</mark>';
    last = m.index! + m[0].length;
  }
  out += escapeHtml(part.slice(last));
  return end < text.length ? out + ' …' : out;
}

/** Groups section hits by page, pages in the order of their best section. */
export function groupByPage(hits: SearchHit[]): { page: string; pageTitle: string; hits: SearchHit[] }[] {
  const groups = new Map<string, { page: string; pageTitle: string; hits: SearchHit[] }>();
  for (const h of hits) {
    const page = String(h.fields.page ?? h.id.split('#')[0]);
    let g = groups.get(page);
    if (!g) groups.set(page, (g = { page, pageTitle: String(h.fields.pageTitle ?? page), hits: [] }));
    g.hits.push(h);
  }
  return [...groups.values()];
}
