import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** A disk that fills up halfway through a write: part of the file is written, then ENOSPC. */
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof actual.writeFile = async (file, data, options) => {
    if (!disk.full) return actual.writeFile(file, data, options);
    await actual.writeFile(file, String(data).slice(0, 3), options);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  const mocked = { ...actual, writeFile };
  return { ...mocked, default: mocked };
});

const { nodeFileSystem } = await import('../../../../src/server/naive/naive-file-system.ts');

const folders: string[] = [];
afterEach(() => {
  disk.full = false;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('nodeFileSystem.writeFile', () => {
  it('removes the partial file when the disk is full, and passes the error on', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'naive-fs-'));
    folders.push(folder);
    disk.full = true;
    const temporary = path.join(folder, 'messages.txt.1.1.tmp');
    await expect(nodeFileSystem.writeFile(temporary, 'a message')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(existsSync(temporary)).toBe(false);
    expect(readdirSync(folder)).toEqual([]);

    disk.full = false;
    await nodeFileSystem.writeFile(temporary, 'a message');
    expect(await nodeFileSystem.readFile(temporary)).toBe('a message');
  });
});
