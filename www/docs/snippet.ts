/**
 * Grouping section hits by page (the docs page's own display rule). Escaping, link checks and
 * snippets come from the package (`sparrow-search/lite`: `escapeHtml`, `safeHref`, `snippet`),
 * the one implementation both demos use.
 */
import type { SearchHit } from 'sparrow-search/lite';

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
