/**
 * The "add 50 idle waiters" button, shared by the naive-loop and hardening lessons. While the
 * server holds this page's batch (its `holdSeconds`), or while it asks the page to wait (its
 * `Retry-After` on a 429/503), the button stays disabled and the status line counts down; when
 * the time is up both are reset, so no stale "ask again in …" stays on screen.
 */
const MAX_WAIT_SECONDS = 300; // a delay from the network is clamped to 5 minutes

interface BatchAnswer {
  added?: number;
  held?: number;
  holdSeconds?: number;
  error?: string;
}

/** Wires `button` to `POST /api/naive/load`, reporting in `status` (a polite live region). */
export function bindIdleBatchButton(button: HTMLButtonElement, status: HTMLElement): () => void {
  const label = button.textContent ?? '';
  let timer: ReturnType<typeof setInterval> | undefined;

  const countDown = (seconds: number, during: (left: number) => string, after: string) => {
    clearInterval(timer);
    const until = Date.now() + Math.min(Math.max(1, seconds), MAX_WAIT_SECONDS) * 1_000;
    button.disabled = true;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1_000);
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = label;
        status.textContent = after;
        return;
      }
      button.textContent = during(left);
    };
    tick();
    timer = setInterval(tick, 1_000);
  };

  const onClick = async () => {
    button.disabled = true;
    status.textContent = 'Asking the server…';
    try {
      const response = await fetch('/api/naive/load', { method: 'POST', cache: 'no-store' });
      const body = (await response.json().catch(() => ({}))) as BatchAnswer;
      if (response.ok) {
        status.textContent = `The server added ${body.added} idle waiters for ${body.holdSeconds} s; it now holds ${body.held} in all.`;
        countDown(body.holdSeconds ?? 1, (left) => `Batch running: ${left} s left`, 'The batch ended: the server let its idle waiters go.');
        return;
      }
      const retryAfter = Number(response.headers.get('Retry-After'));
      status.textContent = `Refused (${response.status}): ${body.error ?? 'no reason given'}.`;
      if (Number.isFinite(retryAfter) && retryAfter > 0) {
        countDown(retryAfter, (left) => `Try again in ${left} s`, 'You can start another batch now.');
      } else {
        button.disabled = false;
      }
    } catch (error) {
      status.textContent = `Could not reach the server: ${(error as Error).message}`;
      button.disabled = false;
    }
  };
  button.addEventListener('click', onClick);
  return () => {
    clearInterval(timer);
    button.removeEventListener('click', onClick);
  };
}
