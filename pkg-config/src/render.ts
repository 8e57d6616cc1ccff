/**
 * Showing hits safely: the one place the package turns a hit into something a page displays.
 * Both demos use it (the docs page builds HTML strings, the PWA builds DOM nodes from the same
 * parts), so escaping and link checks are written, and tested, once.
 *
 * What is safe: {@link escapeHtml} escapes the five HTML metacharacters (text and attribute
 * values); {@link safeHref} turns a hit's URL into a link only when it is `http:`/`https:` or
 * relative (resolved against the page's base), so a hostile index cannot make a clickable
 * `javascript:` or `data:` link; {@link snippet} returns plain text parts, never markup.
 * Display helpers, not scoring: which terms matched comes from the hit's explanation, computed in
 * Rust.
 * @module
 */
import type { SearchHit } from './types.js';

/** Escapes `& < > " '` for use in HTML text and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * `url` resolved against `base` if it is a web link (`http:` or `https:`, absolute or relative),
 * else `undefined` (`javascript:`, `data:`, `vbscript:`, `file:`, unparsable ...). Whitespace and
 * control characters browsers ignore in a scheme are handled by the URL parser, which sees the
 * URL as a browser would.
 */
export function safeHref(url: string | undefined | null, base: string | URL): string | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  let resolved: URL;
  try {
    resolved = new URL(url, base);
  } catch {
    return undefined;
  }
  return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : undefined;
}

const WORD = /[\p{L}\p{N}_]+/gu;
const STOP = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'how', 'i', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'to', 'what', 'when', 'with', 'do', 'does', 'can', 'my']);

/** Words to highlight in a hit's text. */
export interface Highlight {
  /** Whole words (lower case): the query's words and the matched expansion terms. */
  exact: Set<string>;
  /** Prefixes (lower case): the matched BM25 terms, which are stems (`roar` marks `roaring`). */
  prefixes: string[];
}

/**
 * What to highlight for a hit: the query's words (minus a few stop words), the BM25 terms that
 * matched (as prefixes: they are stems) and the expansion terms that matched (whole words),
 * from the hit's `explanation` when the search asked for one.
 */
export function highlightTerms(query: string, hit?: SearchHit): Highlight {
  const exact = new Set<string>();
  for (const w of query.toLowerCase().match(WORD) ?? []) if (!STOP.has(w)) exact.add(w);
  for (const t of hit?.explanation?.sparse ?? []) {
    const term = (t.term ?? '').toLowerCase();
    if (/^[\p{L}\p{N}]{3,}$/u.test(term) && !STOP.has(term)) exact.add(term);
  }
  const prefixes = (hit?.explanation?.lexical ?? []).map((t) => t.term.toLowerCase()).filter((t) => t.length >= 3);
  return { exact, prefixes };
}

/** One run of snippet text: plain text, to be highlighted or not. */
export interface SnippetPart {
  text: string;
  mark: boolean;
}

/**
 * About `width` characters of `text` around its first highlighted word, cut at spaces, with `…`
 * where text was cut, as plain-text parts (highlighted words are their own parts). Render the
 * parts as text nodes, or with {@link snippetHtml}.
 */
export function snippet(text: string, terms: Highlight, width = 220): SnippetPart[] {
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
  const out: SnippetPart[] = [];
  let plain = start > 0 ? '… ' : '';
  let last = 0;
  for (const m of part.matchAll(WORD)) {
    if (!isHit(m[0])) continue;
    plain += part.slice(last, m.index!);
    if (plain) out.push({ text: plain, mark: false });
    out.push({ text: m[0], mark: true });
    plain = '';
    last = m.index! + m[0].length;
  }
  plain += part.slice(last) + (end < text.length ? ' …' : '');
  if (plain) out.push({ text: plain, mark: false });
  return out;
}

/** Snippet parts as escaped HTML, highlighted words in `<mark>`. */
export function snippetHtml(parts: SnippetPart[]): string {
  return parts.map((p) => (p.mark ? `<mark>${escapeHtml(p.text)}</mark>` : escapeHtml(p.text))).join('');
}

/** A hit ready for `innerHTML`: every field escaped, the link checked. */
export interface RenderedHit {
  /** Escaped title (the hit's title, else its id). */
  title: string;
  /** Escaped, checked link (see {@link safeHref}), or `undefined`: show the title without a link. */
  href?: string;
  /** Escaped snippet HTML with `<mark>`s ({@link snippetHtml}). */
  snippet: string;
}

/**
 * Renders a hit for HTML: `text` is the document text to cut a snippet from (e.g.
 * `getDocument(hit.id)?.text`), `base` what relative URLs resolve against.
 */
export function renderHit(hit: SearchHit, options: { query: string; text?: string; base: string | URL; width?: number }): RenderedHit {
  const href = safeHref(hit.url, options.base);
  return {
    title: escapeHtml(hit.title ?? hit.id),
    href: href === undefined ? undefined : escapeHtml(href),
    snippet: snippetHtml(snippet(options.text ?? '', highlightTerms(options.query, hit), options.width)),
  };
}
