// Files in and out: .txt/.md files become notes; the whole collection is exported to and
// imported from one JSON file.
import type { Note } from './store';

export const EXPORT_FORMAT = 'sparrow-notes';
export const EXPORT_VERSION = 1;
/** The index refuses longer texts (its default `maxTextBytes`). */
export const MAX_TEXT_BYTES = 1_048_576;

export interface Draft {
  id?: string;
  title: string;
  text: string;
  created?: number;
  updated?: number;
}

export function newId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** A title for an untitled text: its first non-empty line, shortened. */
export function titleFrom(text: string): string {
  const line = text.split('\n').map((l) => l.replace(/^#+\s*/, '').trim()).find(Boolean) ?? 'Untitled';
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}

/** A .txt/.md file as a note: the first Markdown heading (or the file name) is the title. */
export function noteFromFile(name: string, content: string): Draft {
  const text = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim();
  const heading = /^#{1,6}\s+(.+)$/m.exec(text.split('\n').slice(0, 5).join('\n'));
  const base = name.replace(/\.(txt|md|markdown)$/i, '');
  return { title: (heading?.[1] ?? base).trim() || base, text };
}

export function exportCollection(notes: Note[]): Blob {
  const body = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), notes };
  return new Blob([JSON.stringify(body, null, 1)], { type: 'application/json' });
}

/** Parses an exported collection; throws an Error with a message meant for the user. */
export function parseCollection(json: string): Draft[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error('this file is not valid JSON');
  }
  const obj = data as { format?: unknown; version?: unknown; notes?: unknown };
  if (!obj || typeof obj !== 'object' || obj.format !== EXPORT_FORMAT) throw new Error('this file is not a Sparrow Notes export');
  if (typeof obj.version !== 'number' || obj.version > EXPORT_VERSION) throw new Error(`unsupported export version ${String(obj.version)} (this app reads version ${EXPORT_VERSION})`);
  if (!Array.isArray(obj.notes)) throw new Error('the export has no notes list');
  return obj.notes.map((n: unknown, i: number) => {
    const note = n as Partial<Note>;
    if (!note || typeof note !== 'object' || typeof note.text !== 'string') throw new Error(`note ${i + 1} has no text`);
    return {
      id: typeof note.id === 'string' && note.id ? note.id : undefined,
      title: typeof note.title === 'string' ? note.title : '',
      text: note.text,
      created: typeof note.created === 'number' ? note.created : undefined,
      updated: typeof note.updated === 'number' ? note.updated : undefined,
    };
  });
}

/** Validates a draft and completes it into a note; throws with a message for the user. */
export function toNote(d: Draft, existing?: Note, now = Date.now()): Note {
  const text = d.text.trim();
  if (!text) throw new Error(`“${d.title || 'untitled'}” has no text`);
  if (utf8Length(text) > MAX_TEXT_BYTES) throw new Error(`“${d.title || titleFrom(text)}” is longer than 1 MiB`);
  const title = d.title.trim() || titleFrom(text);
  return {
    id: existing?.id ?? d.id ?? newId(),
    title,
    text,
    created: existing?.created ?? d.created ?? now,
    updated: d.updated ?? now,
  };
}
