import { describe, expect, it, vi } from 'vitest';
import { createShutdown, stopGracefully, type ClosableServer } from '../../../src/server/shutdown.ts';

describe('createShutdown', () => {
  it('aborts its signal first, then waits for every task, once', async () => {
    const shutdown = createShutdown();
    const order: string[] = [];
    shutdown.signal.addEventListener('abort', () => order.push('signal'));
    let finishFlush!: () => void;
    shutdown.beforeExit(() => new Promise<void>((resolve) => (finishFlush = () => (order.push('flushed'), resolve()))));
    const first = shutdown.run();
    const second = shutdown.run();
    expect(second).toBe(first);
    expect(order).toEqual(['signal']);
    finishFlush();
    await first;
    expect(order).toEqual(['signal', 'flushed']);
  });

  it('reports a failed task instead of hiding it, and still finishes', async () => {
    const shutdown = createShutdown();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    shutdown.beforeExit(() => Promise.reject(new Error('disk full')));
    await shutdown.run();
    expect(logged).toHaveBeenCalledWith('A shutdown task failed:', expect.objectContaining({ message: 'disk full' }));
    logged.mockRestore();
  });
});

/** A server whose close() finishes when the test says so. */
function fakeServer() {
  const calls: string[] = [];
  let finishClose!: () => void;
  const server: ClosableServer = {
    close(callback) {
      calls.push('close');
      finishClose = callback;
    },
    closeIdleConnections: () => void calls.push('closeIdle'),
    closeAllConnections: () => void calls.push('closeAll'),
  };
  return { server, calls, finishClose: () => finishClose() };
}

describe('stopGracefully', () => {
  it('stops accepting, runs the site shutdown, closes idle connections, then all of them, and reports success', async () => {
    vi.useFakeTimers();
    try {
      const { server, calls, finishClose } = fakeServer();
      const shutdown = createShutdown();
      shutdown.beforeExit(() => void calls.push('site finished'));
      const stopped = stopGracefully(server, shutdown, { deadlineMs: 5_000, lingerMs: 500 });
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toEqual(['close', 'site finished', 'closeIdle']);
      expect(shutdown.signal.aborted).toBe(true);
      await vi.advanceTimersByTimeAsync(500);
      expect(calls.at(-1)).toBe('closeAll');
      finishClose();
      await expect(stopped).resolves.toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports failure when the deadline passes first', async () => {
    vi.useFakeTimers();
    try {
      const { server } = fakeServer(); // close() never finishes
      const stopped = stopGracefully(server, createShutdown(), { deadlineMs: 5_000 });
      await vi.advanceTimersByTimeAsync(5_000);
      await expect(stopped).resolves.toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
