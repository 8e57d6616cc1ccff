/**
 * The docs search page: loads a prebuilt site index (manifest + whole index, or base of a
 * sharded one; checked against the model) into a worker, then searches as you type (a sharded
 * index fetches the postings shards each query needs first) (debounced; all work in the worker), groups
 * section hits by page, highlights terms in escaped snippets, and explains each hit.
 *
 * URL parameters: `index` (manifest URL, default `../generated/nodejs/manifest.json`) and
 * `base` (where result links point, default `../generated/nodejs/site/`).
 */
import { SparrowWorker, type SearchHit, type SearchMode } from 'sparrow-search';
import { escapeHtml, groupByPage, highlightTerms, snippet } from './snippet';

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;
const q = $<HTMLInputElement>('#q');
const status = $<HTMLParagraphElement>('#status');
const results = $<HTMLOListElement>('#results');
const params = new URLSearchParams(location.search);
const manifestUrl = new URL(params.get('index') ?? '../generated/nodejs/manifest.json', location.href);
const linkBase = new URL(params.get('base') ?? '../generated/nodejs/site/', location.href);

const t0 = performance.now();
let sparrow: SparrowWorker;
try {
  const site = await SparrowWorker.loadSite(manifestUrl);
  sparrow = site.sparrow;
  const { pages, sections } = site.manifest.counts;
  const shards = site.manifest.mode === 'sharded' ? `, ${site.shardCount} postings shards fetched per query` : '';
  status.textContent = `${sections} sections from ${pages} pages ready in ${Math.round(performance.now() - t0)} ms (index: ${(site.indexBytes / 1024).toFixed(0)} kB in ${site.indexRequests} requests${shards}). Type to search.`;
  document.body.dataset.ready = 'true';
  Object.assign(window, { sparrowSite: { mode: site.manifest.mode, indexBytes: site.indexBytes, indexRequests: site.indexRequests, shardCount: site.shardCount, loadMs: performance.now() - t0 } });
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

async function render(query: string, hits: SearchHit[], mine: number): Promise<void> {
  const groups = groupByPage(hits).slice(0, 8);
  const shown = groups.flatMap((g) => g.hits.slice(0, 3));
  const docs = await Promise.all(shown.map((h) => sparrow.getDocument(h.id)));
  if (mine !== seq) return;
  const text = new Map(shown.map((h, i) => [h.id, docs[i]?.text ?? '']));
  results.innerHTML = groups
    .map((g) => {
      const sections = g.hits.slice(0, 3).map((h, i) => {
        const heading = String(h.fields.heading || g.pageTitle);
        const href = new URL(h.url ?? g.page, linkBase).href;
        return `<div class="section${i ? ' sub' : ''}" data-id="${escapeHtml(h.id)}">
          <a href="${escapeHtml(href)}">${escapeHtml(heading)}</a>
          <p class="snippet">${snippet(text.get(h.id) ?? '', highlightTerms(query, h))}</p>
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
    return;
  }
  const start = performance.now();
  const hits = await sparrow.search(query, { mode, limit: 20, explain: true });
  if (mine !== seq) return; // a newer query was typed meanwhile
  await render(query, hits, mine);
  if (mine !== seq) return;
  const load = await sparrow.siteLoad();
  if (mine !== seq) return;
  const shards = load.shardCount ? `; shards ${load.shardsLoaded}/${load.shardCount}, index ${(load.indexBytes / 1024).toFixed(0)} kB in ${load.indexRequests} requests` : '';
  status.textContent = `${hits.length} sections in ${(performance.now() - start).toFixed(0)} ms (${mode}${shards})`;
  Object.assign(window, { sparrowLast: { query, mode, hits: hits.map((h) => [h.id, h.score]), load } });
  document.body.dataset.query = query;
}
q.addEventListener('input', () => {
  clearTimeout(timer);
  timer = window.setTimeout(run, 120);
});
document.querySelectorAll('input[name=mode]').forEach((el) => el.addEventListener('change', run));

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
