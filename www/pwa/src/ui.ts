// DOM helpers. User text only ever reaches the page through text nodes (never innerHTML), so a
// note containing `<script>` is shown as text.

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined | ((ev: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '?';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

/**
 * A snippet of `text` (about `length` characters) around the first word matching one of the
 * (stemmed, lower-case) keyword `terms`, with matching words in <mark>.
 */
export function snippet(text: string, terms: string[], length = 220): DocumentFragment {
  const matches = (word: string) => {
    const w = word.toLowerCase();
    return terms.some((t) => t.length > 1 && w.startsWith(t));
  };
  let start = 0;
  if (terms.length) {
    for (const m of text.matchAll(WORD)) {
      if (matches(m[0])) {
        start = Math.max(0, m.index - 60);
        break;
      }
    }
  }
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space > 0 && space - start < 20) start = space + 1;
  }
  let part = text.slice(start, start + length);
  if (start + length < text.length) part = part.replace(/\s+\S*$/, '') + '…';
  if (start > 0) part = `…${part}`;

  const frag = document.createDocumentFragment();
  let last = 0;
  if (terms.length) {
    for (const m of part.matchAll(WORD)) {
      if (!matches(m[0])) continue;
      frag.append(part.slice(last, m.index), h('mark', {}, m[0]));
      last = m.index + m[0].length;
    }
  }
  frag.append(part.slice(last));
  return frag;
}
