/**
 * The docs search page: loads a prebuilt site index with the search-only module
 * (`sparrow-search/lite`: no model, no encoder wasm), then searches as you type (debounced). A
 * query is its WordPiece tokens weighted by the index, matched against the learned-sparse
 * expansions `sparrow index` computed, fused with BM25; a sharded index fetches the postings
 * shards each query needs and the document fragments of the hits it shows. Section hits are
 * grouped by page, terms highlighted in escaped snippets, and each hit explained.
 *
 * URL parameters: `index` (manifest URL, default `../generated/nodejs/manifest.json`; same
 * origin only, so a crafted link cannot make this page show another site's index and links),
 * `base` (where result links point, default `../generated/nodejs/site/`) and `limit` (sections
 * per page of results, default 10, at most 100). A query shows its first `limit` sections and
 * fetches only their fragments; "More results" asks for the next `limit` (Pagefind's UI does the
 * same with 5). Result links are made
 * by the package's `safeHref`: only `http:`, `https:` and relative URLs become links.
 */
import { escapeHtml, highlightTerms, loadSite, safeHref, snippet, snippetHtml, type SearchHit, type SearchMode, type SiteSearch, type SparrowLite } from 'sparrow-search/lite';
import { groupByPage } from './snippet';

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;
const q = $<HTMLInputElement>('#q');
const status = $<HTMLParagraphElement>('#status');
const results = $<HTMLOListElement>('#results');
const more = $<HTMLButtonElement>('#more');
const params = new URLSearchParams(location.search);
const manifestUrl = new URL(params.get('index') ?? '../generated/nodejs/manifest.json', location.href);
const linkBase = new URL(params.get('base') ?? '../generated/nodejs/site/', location.href);
const PAGE = Math.min(100, Math.max(1, Math.trunc(Number(params.get('limit'))) || 10));
/** Sections asked for: `PAGE` for a new query, `PAGE` more per "More results". */
let limit = PAGE;

// Enter searches in place (no inline handler: the page runs under a CSP without 'unsafe-inline').
document.querySelector('#search-form')?.addEventListener('submit', (ev) => ev.preventDefault());

const t0 = performance.now();
let sparrow: SparrowLite;
let site: SiteSearch<SparrowLite>;
try {
  if (manifestUrl.origin !== location.origin) {
    throw Object.assign(new Error(`the index must come from this site (${location.origin}), not ${manifestUrl.origin}`), { code: 'INDEX_ORIGIN' });
  }
  const loaded = await loadSite(manifestUrl);
  ({ sparrow, site } = loaded);
  const { pages, sections } = loaded.manifest.counts;
  const parts = loaded.manifest.mode === 'sharded' ? `; per query, of ${loaded.shardCount} postings shards and ${loaded.fragmentCount} document fragments, only those it needs` : '';
  status.textContent = `${sections} sections from ${pages} pages ready in ${Math.round(performance.now() - t0)} ms (index: ${(loaded.indexBytes / 1024).toFixed(0)} kB in ${loaded.indexRequests} requests${parts}). Type to search.`;
  document.body.dataset.ready = 'true';
  Object.assign(window, { sparrowSite: { mode: loaded.manifest.mode, indexBytes: loaded.indexBytes, indexRequests: loaded.indexRequests, shardCount: loaded.shardCount, fragmentCount: loaded.fragmentCount, loadMs: performance.now() - t0 } });
} catch (e) {
  const err = e as Error & { code?: string };
  status.textContent = `Cannot load the index (${err.code ?? 'ERROR'}): ${err.message}`;
  document.body.dataset.ready = 'error';
  throw e;
}

function renderWhy(hit: SearchHit): string {
  const sparse = (hit.explanation?.sparse ?? []).slice(0, 10);
  const lexical = hit.explanation?.lexical ?? [];
  if (!sparse.length && !lexical.length) return '';
  const chips = (xs: string[]) => xs.map((x) => `<span>${escapeHtml(x)}</span>`).join('');
  return `<details class="why"><summary>Why this result</summary>
    ${lexical.length ? `<div class="terms">matched words: ${chips(lexical.map((t) => t.term))}</div>` : ''}
    ${sparse.length ? `<div class="terms">matched meaning (expansion terms): ${chips(sparse.map((t) => `${t.term ?? t.termId} ${t.product.toFixed(2)}`))}</div>` : ''}
  </details>`;
}

function render(query: string, hits: SearchHit[]): void {
  const groups = groupByPage(hits);
  const shown = groups.flatMap((g) => g.hits.slice(0, 3));
  // The hits' fragments are loaded (the search fetched them), so their text is here.
  const text = new Map(shown.map((h) => [h.id, sparrow.getDocument(h.id)?.text ?? '']));
  results.innerHTML = groups
    .map((g) => {
      const sections = g.hits.slice(0, 3).map((h, i) => {
        const heading = String(h.fields.heading || g.pageTitle);
        const href = safeHref(h.url ?? g.page, linkBase);
        const title = href === undefined ? `<span class="nolink">${escapeHtml(heading)}</span>` : `<a href="${escapeHtml(href)}">${escapeHtml(heading)}</a>`;
        return `<div class="section${i ? ' sub' : ''}" data-id="${escapeHtml(h.id)}">
          ${title}
          <p class="snippet">${snippetHtml(snippet(text.get(h.id) ?? '', highlightTerms(query, h)))}</p>
          ${renderWhy(h)}
        </div>`;
      });
      return `<li data-page="${escapeHtml(g.page)}"><div class="page-title">${escapeHtml(g.pageTitle)}</div>${sections.join('')}</li>`;
    })
    .join('');
}

let timer: number | undefined;
let seq = 0;
async function run(): Promise<void> {
  const mine = ++seq;
  const mode = ($<HTMLInputElement>('input[name=mode]:checked')).value as SearchMode;
  const query = q.value.trim();
  if (!query) {
    results.innerHTML = '';
    more.hidden = true;
    return;
  }
  const start = performance.now();
  const hits = await site.search(query, { mode, limit, explain: true });
  if (mine !== seq) return; // a newer query was typed meanwhile
  render(query, hits);
  // A full page may have a next one; a short page is all there is.
  more.hidden = hits.length < limit || limit >= 100;
  const load = site.load();
  const shards = load.shardCount ? `; shards ${load.shardsLoaded}/${load.shardCount}, fragments ${load.fragmentsLoaded}/${load.fragmentCount}, index ${(load.indexBytes / 1024).toFixed(0)} kB in ${load.indexRequests} requests` : '';
  status.textContent = `${hits.length} sections in ${(performance.now() - start).toFixed(0)} ms (${mode}${shards})`;
  // For tests and the curious: the hits in rank order, the words each shares with the query
  // (an empty list is a match by meaning alone) and its stored text.
  Object.assign(window, {
    sparrowLast: { query, mode, hits: hits.map((h) => [h.id, h.score]), load },
    sparrowWhy: hits.map((h) => ({ id: h.id, words: (h.explanation?.lexical ?? []).map((t) => t.term), text: `${h.title ?? ''}\n${sparrow.getDocument(h.id)?.text ?? ''}` })),
  });
  document.body.dataset.query = query;
}
q.addEventListener('input', () => {
  clearTimeout(timer);
  limit = PAGE;
  timer = window.setTimeout(run, 120);
});
document.querySelectorAll('input[name=mode]').forEach((el) =>
  el.addEventListener('change', () => {
    limit = PAGE;
    void run();
  }),
);
more.addEventListener('click', () => {
  limit = Math.min(100, limit + PAGE);
  void run();
});

// Keyboard: ↓/↑ move through result links, Esc goes back to the box.
document.addEventListener('keydown', (ev) => {
  const links = [...results.querySelectorAll<HTMLAnchorElement>('a')];
  const i = links.indexOf(document.activeElement as HTMLAnchorElement);
  if (ev.key === 'ArrowDown' && (document.activeElement === q || i >= 0)) {
    links[Math.min(i + 1, links.length - 1)]?.focus();
    ev.preventDefault();
  } else if (ev.key === 'ArrowUp' && i >= 0) {
    (i === 0 ? q : links[i - 1]!).focus();
    ev.preventDefault();
  } else if (ev.key === 'Escape' && i >= 0) {
    q.focus();
  }
});
