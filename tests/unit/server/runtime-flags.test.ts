import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../../src/server/runtime-flags.ts';

const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;

describe('the Node flags the server runs with', () => {
  it.each(['start', 'serve'])('npm run %s passes every one of SERVER_NODE_FLAGS to the server, and no other', (name) => {
    const command = scripts[name]!.split('&&').at(-1)!.trim();
    const match = /^node (.*)scripts\/serve\.ts$/.exec(command);
    expect(match, command).not.toBeNull();
    expect(match![1]!.trim().split(/\s+/).filter(Boolean)).toEqual([...SERVER_NODE_FLAGS]);
  });
});
