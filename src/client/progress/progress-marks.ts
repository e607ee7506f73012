/**
 * Shows the stored progress wherever the page asks for it:
 * - `[data-progress-lesson="ID"]` gets a ✓ (and the words "read" for screen readers) once
 *   lesson ID was read to its end;
 * - `[data-progress-summary]` gets "N of M lessons read" (M = the number of lesson marks);
 * - `[data-progress-reset]` buttons forget everything and say so in `[data-progress-announce]`;
 * - `[data-progress-complete-on-view="ID"]` marks lesson ID as read when that element (the
 *   end of the lesson) comes into view.
 */
import { progressStore, type ProgressRecord } from './progress-store.ts';

export function showProgress(root: ParentNode = document): void {
  const store = progressStore();
  const render = (record: ProgressRecord) => {
    const read = record.done.lesson ?? {};
    const marks = [...root.querySelectorAll<HTMLElement>('[data-progress-lesson]')];
    const ids = new Set(marks.map((mark) => mark.dataset.progressLesson!));
    for (const mark of marks) {
      const done = read[mark.dataset.progressLesson!] !== undefined;
      if (done === (mark.dataset.done === 'true')) continue;
      mark.dataset.done = String(done);
      mark.innerHTML = done ? '✓<span class="visually-hidden"> (read)</span>' : '';
    }
    const readCount = [...ids].filter((id) => read[id] !== undefined).length;
    for (const summary of root.querySelectorAll<HTMLElement>('[data-progress-summary]')) {
      summary.textContent = `${readCount} of ${ids.size} lessons read`;
    }
    for (const button of root.querySelectorAll<HTMLButtonElement>('[data-progress-reset]')) {
      button.hidden = Object.values(record.done).every((ofKind) => Object.keys(ofKind ?? {}).length === 0);
    }
  };
  render(store.read());
  store.onChange(render);

  for (const button of root.querySelectorAll<HTMLButtonElement>('[data-progress-reset]')) {
    button.addEventListener('click', () => {
      store.reset();
      const announcer = root.querySelector<HTMLElement>('[data-progress-announce]');
      if (announcer) announcer.textContent = 'Your progress was cleared.';
    });
  }

  const end = root.querySelector<HTMLElement>('[data-progress-complete-on-view]');
  if (end && 'IntersectionObserver' in window) {
    const id = end.dataset.progressCompleteOnView!;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        store.markDone('lesson', id);
        observer.disconnect();
      }
    });
    observer.observe(end);
  }
}
