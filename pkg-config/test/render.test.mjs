// The package's one rendering helper (render.ts): escaping, link checks, snippets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, highlightTerms, renderHit, safeHref, snippet, snippetHtml } from '../../pkg/dist/lite.js';
import * as full from '../../pkg/dist/index.js';

const base = 'https://docs.example/site/';

test('only http(s) and relative URLs become links', () => {
  for (const bad of [
    'javascript:alert(1)',
    ' javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\x01javascript:alert(1)',
    'javascript:alert(1)/page.html#x', // what a site directory named `javascript:alert(1)` gives
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'http://[::1', // unparsable
    '',
    undefined,
    null,
  ]) {
    assert.equal(safeHref(bad, base), undefined, JSON.stringify(bad));
  }
  assert.equal(safeHref('fs.html#fs_readfile', base), 'https://docs.example/site/fs.html#fs_readfile');
  assert.equal(safeHref('../up.html', base), 'https://docs.example/up.html');
  assert.equal(safeHref('https://other.example/x?a=1&b=2', base), 'https://other.example/x?a=1&b=2');
  assert.equal(safeHref('//cdn.example/x', base), 'https://cdn.example/x');
  assert.equal(safeHref('http://plain.example/', base), 'http://plain.example/');
});

test('renderHit escapes every field and drops unsafe links', () => {
  const hit = {
    id: 'x"><img src=x onerror=alert(1)>',
    score: 1,
    title: '<img src=x onerror=alert(1)> & "quotes"',
    url: 'javascript:alert(document.cookie)',
    fields: {},
    tags: [],
    explanation: { lexical: [{ term: 'roar', tf: 1, idf: 1, score: 1 }], sparse: [{ termId: 1, term: 'bitmap', queryWeight: 1, docWeight: 1, product: 1 }] },
  };
  const r = renderHit(hit, { query: 'compressed', text: 'A <script>alert("x")</script> roaring bitmap is compressed.', base });
  assert.equal(r.href, undefined);
  assert.equal(r.title, '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
  assert.equal(r.snippet, 'A &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>roaring</mark> <mark>bitmap</mark> is <mark>compressed</mark>.');
  const ok = renderHit({ ...hit, url: 'a.html?x="1"' }, { query: '', base });
  assert.equal(ok.href, 'https://docs.example/site/a.html?x=%221%22');
  assert.equal(renderHit({ ...hit, title: undefined, url: undefined }, { query: '', base }).title, escapeHtml(hit.id));
});

test('snippets are plain-text parts cut around the first highlighted word', () => {
  const text = `${'filler '.repeat(60)}the setTimeout function waits ${'more '.repeat(60)}`;
  const parts = snippet(text, highlightTerms('settimeout'), 100);
  assert.ok(parts[0].text.startsWith('… '), parts[0].text);
  assert.ok(parts.at(-1).text.endsWith(' …'));
  assert.deepEqual(parts.filter((p) => p.mark).map((p) => p.text), ['setTimeout']);
  assert.ok(parts.map((p) => p.text).join('').length <= 110);
  assert.equal(snippetHtml([{ text: '<b>', mark: false }, { text: 'x&y', mark: true }]), '&lt;b&gt;<mark>x&amp;y</mark>');
  // Stop words are not highlighted; stems mark words they start.
  const hl = highlightTerms('how to roar', { explanation: { lexical: [{ term: 'roar' }], sparse: [] } });
  assert.deepEqual([...hl.exact], ['roar']);
  assert.deepEqual(snippet('Roaring lions', hl).filter((p) => p.mark).map((p) => p.text), ['Roaring']);
  // Both entry points export the same helpers.
  assert.equal(full.safeHref, safeHref);
});
