import { SparrowWorker, type SearchHit, type SearchMode } from 'sparrow-search';
import { samples } from './samples';

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;
const q = $<HTMLInputElement>('#q');
const status = $<HTMLParagraphElement>('#status');
const results = $<HTMLOListElement>('#results');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function render(hits: SearchHit[]): void {
  results.innerHTML = hits
    .map((h) => {
      const terms = (h.explanation?.sparse ?? []).slice(0, 8).map((t) => `<span>${escapeHtml(t.term ?? String(t.termId))}</span>`).join('');
      const words = (h.explanation?.lexical ?? []).map((t) => `<span>${escapeHtml(t.term)}</span>`).join('');
      return `<li data-id="${escapeHtml(h.id)}"><strong>${escapeHtml(h.title ?? h.id)}</strong>
        <div class="score">score ${h.score.toFixed(4)} · lexical ${h.lexicalScore?.toFixed(2) ?? '–'} · semantic ${h.sparseScore?.toFixed(2) ?? '–'}</div>
        ${words ? `<div class="terms">keywords: ${words}</div>` : ''}
        ${terms ? `<div class="terms">meaning: ${terms}</div>` : ''}</li>`;
    })
    .join('');
}

const sparrow = await SparrowWorker.create();
const t0 = performance.now();
await sparrow.addDocuments(samples, { onProgress: (d, t) => (status.textContent = `Indexing ${d}/${t}…`) });
status.textContent = `${await sparrow.size()} documents indexed in ${Math.round(performance.now() - t0)} ms. Type to search.`;
document.body.dataset.ready = 'true';

let timer: number | undefined;
let seq = 0;
async function run(): Promise<void> {
  const mine = ++seq;
  const mode = (document.querySelector('input[name=mode]:checked') as HTMLInputElement).value as SearchMode;
  const query = q.value.trim();
  if (!query) return void (results.innerHTML = '');
  const start = performance.now();
  const hits = await sparrow.search(query, { mode, limit: 5, explain: true });
  if (mine !== seq) return; // a newer query was typed meanwhile
  render(hits);
  status.textContent = `${hits.length} results in ${(performance.now() - start).toFixed(1)} ms (${mode})`;
}
q.addEventListener('input', () => {
  clearTimeout(timer);
  timer = window.setTimeout(run, 120);
});
document.querySelectorAll('input[name=mode]').forEach((el) => el.addEventListener('change', run));

$<HTMLFormElement>('#add').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.target as HTMLFormElement;
  const data = new FormData(form);
  const id = `note-${Date.now()}`;
  try {
    await sparrow.addDocument({ id, title: String(data.get('title')), text: String(data.get('text')) });
    status.textContent = `Added “${data.get('title')}”. ${await sparrow.size()} documents.`;
    form.reset();
    run();
  } catch (e) {
    status.textContent = (e as Error).message;
  }
});
