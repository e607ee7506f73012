import { describe, expect, it, vi } from 'vitest';
import { createShutdown } from '../../../src/server/shutdown.ts';

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
