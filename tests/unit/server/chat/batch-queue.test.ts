import { describe, expect, it } from 'vitest';
import { createBatchQueue } from '../../../../src/server/chat/batch-queue.ts';

describe('createBatchQueue (the chat log writer)', () => {
  it('writes one batch at a time, in order, grouping what arrives during a write', async () => {
    const batches: number[][] = [];
    const queue = createBatchQueue<number, string>({
      async write(items) {
        batches.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items.map((item) => `#${item}`);
      },
    });
    const first = queue.push(1);
    const rest = [2, 3, 4].map((item) => queue.push(item));
    await expect(first).resolves.toBe('#1');
    await expect(Promise.all(rest)).resolves.toEqual(['#2', '#3', '#4']);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('fails only the batch whose write failed', async () => {
    let calls = 0;
    const queue = createBatchQueue<number, number>({
      async write(items) {
        calls += 1;
        if (calls === 1) throw new Error('disk full');
        return items;
      },
    });
    const failed = queue.push(1);
    const later = queue.push(2);
    await expect(failed).rejects.toThrow('disk full');
    await expect(later).resolves.toBe(2);
  });

  it('runs the after-batch step between batches and resolves idle() when all is written', async () => {
    const log: string[] = [];
    const queue = createBatchQueue<number, number>({
      async write(items) {
        log.push(`write ${items.join(',')}`);
        return items;
      },
      async afterBatch() {
        log.push('after');
      },
    });
    void queue.push(1);
    void queue.push(2);
    await queue.idle();
    expect(log).toEqual(['write 1', 'after', 'write 2', 'after']);
  });
});
