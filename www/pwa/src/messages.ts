// Messages to the user: notices, the status line, the progress of long work, start-up steps.
import { els } from './state';
import { h } from './ui';

export function notice(kind: 'warning' | 'error' | 'info', message: string, action?: { label: string; run: () => void }): void {
  const box = h('div', { class: `notice ${kind}`, role: kind === 'info' ? 'status' : 'alert', 'data-kind': kind });
  const close = h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss this message', onclick: () => box.remove() }, 'Dismiss');
  box.append(h('p', {}, message), h('div', { class: 'row' }, action ? h('button', { type: 'button', onclick: action.run }, action.label) : null, close));
  els.notices.append(box);
}

export function status(message: string, action?: { label: string; run: () => void }): void {
  els.status.replaceChildren(message, action ? ' ' : '', action ? h('button', { type: 'button', class: 'link', onclick: action.run }, action.label) : '');
}

export function showWork(label: string, done: number, total: number): void {
  els.work.hidden = false;
  els.workLabel.textContent = total > 1 ? `${label} ${done.toLocaleString()} / ${total.toLocaleString()}…` : `${label}…`;
  els.workProgress.max = Math.max(total, 1);
  els.workProgress.value = done;
}

export function hideWork(): void {
  els.work.hidden = true;
}

export function bootStep(text: string, done?: number, total?: number): void {
  els.bootText.textContent = text;
  if (done === undefined || total === undefined) els.bootProgress.removeAttribute('value');
  else {
    els.bootProgress.max = Math.max(total, 1);
    els.bootProgress.value = done;
  }
}

