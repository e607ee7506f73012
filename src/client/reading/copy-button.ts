/**
 * Copy buttons for code panels and commands. Each `[data-copy-source]` element (a `<pre>`, or a
 * figure around one; its value names the content, e.g. "command") and each fenced code block of
 * a lesson gets a "Copy" button that copies its code's text.
 *
 * The clipboard API works only in a secure context (HTTPS or localhost); a learner who opens
 * the site at a plain-HTTP LAN address gets the older `document.execCommand('copy')` route, and
 * where even that is refused, the code is selected and the button says which keys to press.
 * The outcome is announced through the page's polite status region (`#page-announcer`).
 */
const RESET_AFTER_MS = 2_000;

type CopyOutcome = 'copied' | 'selected';

/** Copies `text`; returns 'selected' when only a manual copy (of the selected `fallback`) is left. */
export async function copyText(text: string, fallback: Element): Promise<CopyOutcome> {
  if (window.isSecureContext && navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return 'copied';
    } catch {
      // permission refused: try the older way below
    }
  }
  const scratch = document.createElement('textarea');
  scratch.value = text;
  scratch.setAttribute('readonly', '');
  scratch.style.position = 'fixed';
  scratch.style.opacity = '0';
  document.body.append(scratch);
  scratch.select();
  let copied = false;
  try {
    copied = document.execCommand('copy'); // deprecated, and still the only way without a secure context
  } catch {
    copied = false;
  }
  scratch.remove();
  if (copied) return 'copied';
  getSelection()?.selectAllChildren(fallback);
  return 'selected';
}

function announce(text: string): void {
  const announcer = document.getElementById('page-announcer');
  if (!announcer) return;
  announcer.textContent = '';
  requestAnimationFrame(() => (announcer.textContent = text));
}

/** Adds a copy button to every `[data-copy-source]` under `root` that has none yet. */
export function addCopyButtons(root: ParentNode = document): void {
  for (const host of root.querySelectorAll<HTMLElement>('[data-copy-source], .lesson-body > pre')) {
    if (host.querySelector(':scope > .copy-button')) continue;
    // The code itself: in a source panel the caption names the file in a <code> of its own.
    const code = host.querySelector('pre code') ?? host.querySelector('code') ?? host;
    const label = host.dataset.copySource || 'code';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy-button';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', `Copy ${label}`);
    let reset: ReturnType<typeof setTimeout> | undefined;
    button.addEventListener('click', async () => {
      const outcome = await copyText(code.textContent ?? '', code);
      const mac = /Mac|iPhone|iPad/.test(navigator.platform);
      button.textContent = outcome === 'copied' ? 'Copied' : `Selected: press ${mac ? '⌘' : 'Ctrl'}+C`;
      announce(outcome === 'copied' ? `Copied ${label} to the clipboard.` : `The ${label} is selected: press ${mac ? 'Command' : 'Control'} C to copy it.`);
      clearTimeout(reset);
      reset = setTimeout(() => (button.textContent = 'Copy'), RESET_AFTER_MS);
    });
    host.classList.add('copyable');
    host.append(button);
  }
}
