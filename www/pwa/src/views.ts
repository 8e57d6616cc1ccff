// What the user sees: the list of notes, search results with why they matched, storage, the editor.
import { highlightTerms, type QueryEncoder, type SearchHit, type SearchMode } from 'sparrow-search';
import { status } from './messages';
import { deleteNote } from './mutations';
import { app, els, notes, perf, plural } from './state';
import type { Note } from './store';
import { formatBytes, formatDate, h, snippetNodes } from './ui';
import { utf8Length } from './io';

export async function refreshViews(): Promise<void> {
  renderNotes();
  await runSearch();
  await showStorage();
}

export function renderNotes(): void {
  const sorted = [...notes.values()].sort((a, b) => b.updated - a.updated);
  els.count.textContent = `(${sorted.length.toLocaleString()})`;
  els.exportBtn.disabled = !notes.size; // export needs only the stored notes, never the index
  if (!sorted.length) {
    els.notes.replaceChildren(h('li', { class: 'empty' }, 'No notes yet. Write one above, paste some text, or add .txt/.md files — then search them by meaning.'));
    return;
  }
  els.notes.replaceChildren(
    ...sorted.map((n) =>
      h(
        'li',
        { 'data-id': n.id },
        h('h3', {}, n.title),
        h('p', { class: 'snippet' }, snippetNodes(n.text, { exact: new Set(), prefixes: [] }, 180)),
        h(
          'div',
          { class: 'meta row' },
          h('span', {}, `${formatDate(n.updated)} · ${plural(n.text.split(/\s+/).filter(Boolean).length, 'word')}`),
          h('span', { class: 'spacer' }),
          h('button', { type: 'button', class: 'edit', 'aria-label': `Edit “${n.title}”`, onclick: () => startEditing(n) }, 'Edit'),
          h('button', { type: 'button', class: 'delete', 'aria-label': `Delete “${n.title}”`, onclick: () => void deleteNote(n).catch((e) => status(`Could not delete: ${(e as Error).message}`)) }, 'Delete'),
        ),
      ),
    ),
  );
}

export function renderHits(hits: SearchHit[], query: string): void {
  els.results.replaceChildren(
    ...hits.map((hit) => {
      const note = notes.get(hit.id);
      const lexical = hit.explanation?.lexical ?? [];
      const sparse = [...(hit.explanation?.sparse ?? [])].sort((a, b) => b.product - a.product).slice(0, 8);
      const terms = highlightTerms(query, hit);
      return h(
        'li',
        { 'data-id': hit.id, 'data-lexical-terms': lexical.length, 'data-sparse-terms': hit.explanation?.sparse.length ?? 0 },
        h('h3', {}, note?.title ?? hit.title ?? hit.id),
        note ? h('p', { class: 'snippet' }, snippetNodes(note.text, terms)) : null,
        h(
          'p',
          { class: 'why' },
          lexical.length ? h('span', { class: 'terms' }, 'keywords: ', ...lexical.map((t) => h('span', { class: 'chip', title: `BM25 ${t.score.toFixed(2)}` }, t.term))) : null,
          sparse.length
            ? h('span', { class: 'terms' }, 'meaning: ', ...sparse.map((t) => h('span', { class: 'chip meaning', title: `${t.queryWeight.toFixed(2)} × ${t.docWeight.toFixed(2)}` }, t.term ?? `#${t.termId}`)))
            : null,
        ),
        h(
          'p',
          { class: 'score' },
          `score ${hit.score.toFixed(4)} · keyword rank ${hit.lexicalRank ?? '–'} · meaning rank ${hit.sparseRank ?? '–'}`,
          note ? h('button', { type: 'button', class: 'link', 'aria-label': `Edit “${note.title}”`, onclick: () => startEditing(note) }, 'Edit') : null,
        ),
      );
    }),
  );
}

let searchSeq = 0;
let searchTimer: number | undefined;

/** Searches once typing pauses. */
export function scheduleSearch(): void {
  clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => void runSearch(), 120);
}

export async function runSearch(): Promise<void> {
  const mine = ++searchSeq;
  const query = els.q.value.trim();
  if (!query || !app.sparrow) {
    els.results.replaceChildren();
    els.results.dataset.query = '';
    els.searchStatus.textContent = '';
    return;
  }
  const mode = (document.querySelector('input[name=mode]:checked') as HTMLInputElement).value as SearchMode;
  // Expanding the query runs the model on it; without, the query is its own WordPiece tokens
  // weighted by the notes' index (a lookup query: no model, lexical speed).
  const queryEncoder: QueryEncoder = els.expand.checked ? 'model' : 'lookup';
  const t0 = performance.now();
  let hits: SearchHit[];
  try {
    hits = await app.sparrow.search(query, { mode, limit: 10, explain: true, queryEncoder });
  } catch (e) {
    if (mine === searchSeq && (e as { code?: string }).code !== 'TERMINATED') els.searchStatus.textContent = `Search failed: ${(e as Error).message}`;
    return;
  }
  if (mine !== searchSeq) return; // a newer query was typed meanwhile
  const elapsed = performance.now() - t0;
  perf.ops.push({ op: 'search', count: hits.length, ms: elapsed, encoder: queryEncoder });
  renderHits(hits, query);
  els.results.dataset.query = query;
  const ms = elapsed.toFixed(0);
  els.searchStatus.textContent = hits.length ? `${plural(hits.length, 'result')} in ${ms} ms.` : notes.size ? 'No matching note.' : 'No notes to search yet.';
}

export async function showStorage(): Promise<void> {
  const textBytes = [...notes.values()].reduce((s, n) => s + utf8Length(n.title) + utf8Length(n.text), 0);
  const parts = [`${plural(notes.size, 'note')}: ${formatBytes(textBytes)} of text and a ${formatBytes(app.indexBytes)} search index.`];
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  if (estimate?.usage !== undefined) {
    parts.push(`This app uses ${formatBytes(estimate.usage)} of the ${formatBytes(estimate.quota)} the browser allows it, including the offline copy of the app and its model.`);
  }
  els.storage.textContent = parts.join(' ');
  const persisted = await navigator.storage?.persisted?.().catch(() => false);
  els.persist.dataset.persisted = String(!!persisted);
  els.persist.textContent = persisted
    ? 'Storage is persistent: the browser will not clear your notes to free space.'
    : `Storage is not persistent${app.persistDenied ? ' (the browser declined for now; browsers grant it to sites you use often or install)' : ' yet (it is requested when you add or change a note)'}: under storage pressure the browser may clear it. Export a copy now and then.`;
}

export function startEditing(note: Note): void {
  app.editing = note;
  els.editorH.textContent = 'Edit note';
  els.title.value = note.title;
  els.text.value = note.text;
  els.save.textContent = 'Save changes';
  els.cancelEdit.hidden = false;
  els.editor.dataset.editing = note.id;
  els.title.focus();
}

export function stopEditing(): void {
  app.editing = undefined;
  els.editorH.textContent = 'Add a note';
  els.editor.reset();
  els.save.textContent = 'Add note';
  els.cancelEdit.hidden = true;
  delete els.editor.dataset.editing;
}

